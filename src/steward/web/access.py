"""Page-level permission checks: a page the user has no right to is a 404, like a record outside scope."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from steward.accounts.roles import Action
from steward.accounts.scope import Scope, scope_for


def require(user: Any, action: Action) -> Scope:
    """The user's scope if they may `action` somewhere; Http404 otherwise (the page "does not exist")."""
    scope = scope_for(user)
    if not scope.may(action):
        raise Http404("No such page")
    return scope
