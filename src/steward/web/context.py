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


# (text, url name, actions any of which shows the item, namespaced url names or whole namespaces
# ("register:*") that mark the item as current, a data category the user must read somewhere or "")
_NAV = (
    ("Pupils", "web:pupil_search", {Action.VIEW_PUPILS}, {"web:pupil_search", "web:pupil_detail"}, ""),
    ("Add pupil", "web:pupil_create", {Action.CHANGE_PUPILS}, {"web:pupil_create"}, ""),
    (
        "Requests",
        "rights:dashboard",
        {Action.CHANGE_PUPILS, Action.MANAGE_REGISTER},
        {"rights:*"},
        "pupil.rights",
    ),
    ("Placements", "placements:index", {Action.CHANGE_PUPILS}, {"placements:*"}, ""),
    ("Consent", "consent:index", {Action.CHANGE_PUPILS}, {"consent:*"}, ""),
    ("Sharing", "sharing:index", {Action.EXPORT, Action.MANAGE_REGISTER}, {"sharing:*"}, ""),
    (
        "Portal",
        "portal:staff_invitations",
        {Action.CHANGE_PUPILS},
        {
            "portal:staff_invitations",
            "portal:staff_find_pupil",
            "portal:staff_invite",
            "portal:staff_resend",
            "portal:staff_disable",
            "portal:staff_review_queue",
            "portal:staff_review",
        },
        "contact",
    ),
    ("Register", "register:index", {Action.VIEW_DATAMAP, Action.MANAGE_REGISTER}, {"register:*"}, ""),
    ("Notices", "notices:index", {Action.VIEW_DATAMAP, Action.MANAGE_REGISTER}, {"notices:*"}, ""),
    ("Data map", "web:data_map", {Action.VIEW_DATAMAP}, {"web:data_map"}, ""),
    ("Audit log", "web:audit_log", {Action.VIEW_AUDIT}, {"web:audit_log"}, ""),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """`nav_items` for the service navigation (empty when signed out); sign-out is a form in the layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "signed_in": False, "may_handle_requests": False}
    scope = scope_for(user)
    match = getattr(request, "resolver_match", None)
    here = {f"{match.namespace}:{match.url_name}", f"{match.namespace}:*"} if match is not None else set()
    items = [
        NavItem(text, reverse(name), bool(here & names))
        for text, name, actions, names, category in _NAV
        if any(scope.may(a) for a in actions) and (not category or scope.readable_anywhere(category))
    ]
    # Pages outside the rights app (the pupil page) offer its links only to those who may use them:
    # those who change pupils and read rights-request data (not the DSL or SENCO).
    may_handle_requests = bool(scope.schools_reading(["pupil.rights"], Action.CHANGE_PUPILS))
    return {"nav_items": items, "signed_in": True, "may_handle_requests": may_handle_requests}
