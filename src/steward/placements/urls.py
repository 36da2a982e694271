"""URLs of the staff placement pages (namespace "placements"), mounted at /placements/.

/placements/?school=URN lists a school's placements; /placements/new/?school=URN commissions one;
/placements/<pk>/ is one placement and /placements/<pk>/end/ ends it early. Providers are under
/placements/providers/, and the DPO's agreement form is /placements/agreements/new/?school=URN.
"""

from django.urls import path

from steward.placements import views

app_name = "placements"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.commission, name="commission"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/end/", views.end, name="end"),
    path("providers/", views.providers, name="providers"),
    path("providers/new/", views.provider_create, name="provider_create"),
    path("providers/<int:pk>/", views.provider_detail, name="provider"),
    path("providers/<int:pk>/users/new/", views.provider_user_create, name="provider_user_create"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
]
