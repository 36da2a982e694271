"""Template context shared by every staff page: the navigation a user's roles allow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for


@dataclass(frozen=True)
class NavItem:
    text: str
    href: str
    current: bool


# (text, url name, action needed, url names that mark the item as current)
_NAV = (
    ("Pupils", "web:pupil_search", Action.VIEW_PUPILS, {"pupil_search", "pupil_detail"}),
    ("Add pupil", "web:pupil_create", Action.CHANGE_PUPILS, {"pupil_create"}),
    ("Data map", "web:data_map", Action.VIEW_DATAMAP, {"data_map"}),
    ("Audit log", "web:audit_log", Action.VIEW_AUDIT, {"audit_log"}),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """`nav_items` for the service navigation (empty when signed out); sign-out is a form in the layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "signed_in": False}
    scope = scope_for(user)
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None and match.namespace == "web" else ""
    items = [
        NavItem(text, reverse(name), current in names)
        for text, name, action, names in _NAV
        if scope.may(action)
    ]
    return {"nav_items": items, "signed_in": True}
