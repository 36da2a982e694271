"""URLs of the provider pages (namespace "provider"), mounted at /provider/.

/provider/ lists the pupils placed with the user's provider today; /provider/placements/<pk>/ is one
pupil's shared data, with /attendance/ and /incidents/ to record back; /provider/set-password/... is the
one-time link a new provider user sets their password with.
"""

from django.urls import path

from steward.placements import provider_views

app_name = "provider"
urlpatterns = [
    path("", provider_views.home, name="home"),
    path("placements/<int:pk>/", provider_views.pupil, name="pupil"),
    path("placements/<int:pk>/attendance/", provider_views.attendance, name="attendance"),
    path("placements/<int:pk>/incidents/", provider_views.incident, name="incident"),
    path("set-password/<uidb64>/<token>/", provider_views.SetPasswordView.as_view(), name="set_password"),
]
