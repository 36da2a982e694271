"""URLs of the rights-request pages (namespace "rights"), mounted at /requests/.

/requests/ is the dashboard, /requests/new/ logs a request, /requests/<pk>/ is one request, and each
action on it has its own small page, /requests/<pk>/<action>/, named after the action ("rights:assign",
"rights:identity-verified", ...; see views.ACTS).
"""

from django.urls import path

from steward.rights import views

app_name = "rights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    *(path(f"<int:pk>/{slug}/", views.action, {"slug": slug}, name=slug) for slug in views.ACTS),
]
