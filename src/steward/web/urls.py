"""URLs of the staff web UI (namespace "web")."""

from django.urls import path

from steward.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("pupils/", views.pupil_search, name="pupil_search"),
    path("pupils/new/", views.pupil_create, name="pupil_create"),
    path("pupils/<int:pk>/", views.pupil_detail, name="pupil_detail"),
    path("data-map/", views.data_map, name="data_map"),
    path("data-map.json", views.data_map_json, name="data_map_json"),
    path("audit/", views.audit_log, name="audit_log"),
    path("assets/<path:path>", views.govuk_asset, name="govuk_asset"),
]
