"""Sign-in, sign-out and failed sign-in go into the audit log, written inside the request.

The audit middleware opens every request before authentication happens, so a sign-in request
runs as the anonymous web process; the user becomes known only when Django sends
`user_logged_in`, and from then on the event (and the `last_login` update it causes) is theirs.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from steward.audit.context import AuditContext, acting_as, current_or_none
from steward.audit.services import record

USERNAME_MAX = 150  # the username column's length: longer input is not a username anyone has


def _channel(request: HttpRequest | None) -> str:
    return "api" if request is not None and request.path.startswith("/api/") else "web"


def _as(user: Any, request: HttpRequest | None) -> AbstractContextManager[AuditContext]:
    return acting_as(user, channel=_channel(request), request_id=getattr(request, "request_id", None))


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Record the sign-in as the user, then stamp last_login (also audited as theirs)."""
    with _as(user, request):
        record("login", model="accounts.User", object_id=user.pk)
        update_last_login(sender, user)


def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Record the sign-out; signing out when not signed in sends user=None and is not an event."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    with _as(user, request):
        record("logout", model="accounts.User", object_id=user.pk)


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    """Record a failed sign-in with the username typed, and never the password."""
    username = str(credentials.get("username", ""))[:USERNAME_MAX]
    # Inside a request the middleware's anonymous context is already open; elsewhere (a shell,
    # a test) name the process rather than fail the sign-in because nobody is acting.
    ctx: AbstractContextManager[Any] = (
        nullcontext()
        if current_or_none() is not None
        else acting_as(None, channel="system", system_label="sign-in check")
    )
    with ctx:
        record("login_failed", model="accounts.User", detail={"username": username})


def connect() -> None:
    """Wire the receivers; Django's own last_login receiver is replaced by `on_logged_in`."""
    user_logged_in.disconnect(dispatch_uid="update_last_login")
    user_logged_in.connect(on_logged_in, dispatch_uid="steward_web_logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="steward_web_logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="steward_web_login_failed")
