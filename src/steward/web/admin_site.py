"""Django admin is a break-glass tool for superusers, never a second way in for staff."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


def superuser_only(request: HttpRequest) -> bool:
    """Admin access: an active superuser. `is_staff` alone is not enough, because the admin
    bypasses the scope checks every staff page applies."""
    user = request.user
    return bool(user.is_active and getattr(user, "is_superuser", False))


def restrict_to_superusers(site: admin.AdminSite | None = None) -> None:
    """Replace the site's permission check (the default checks only is_active and is_staff)."""
    target = site or admin.site
    target.has_permission = superuser_only  # type: ignore[method-assign]
