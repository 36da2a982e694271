"""Top-level URL map: the staff UI, the REST API and Django admin (superusers only)."""

from django.contrib import admin
from django.urls import include, path

from steward.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("notices/", include("steward.notices.urls")),
    path("register/", include("steward.register.urls")),
    path("requests/", include("steward.rights.urls")),
    path("placements/", include("steward.placements.urls")),
    path("sharing/", include("steward.sharing.urls")),
    path("consent/", include("steward.consent.urls", namespace="consent")),
    path("provider/", include("steward.placements.provider_urls")),
    path("portal/", include("steward.portal.urls")),
    path("", include("steward.web.urls")),
]
