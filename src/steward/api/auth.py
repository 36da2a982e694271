"""How API callers sign in, and the audit context every API operation runs in.

Two ways in, tried in this order:

* `Authorization: Bearer stw_...` — an API token. A header that names a bad, revoked or
  expired token is a 401 at once (the call never falls back to a session cookie).
* The staff UI's session cookie, with Django's CSRF check on unsafe methods.

The audit middleware opens a context for the request before authentication has happened, so
for token callers it sees an anonymous user. `run_as_caller` wraps every operation and re-enters
`acting_as(user, channel="api", request_id=...)` for the authenticated user, so each write and
each audit event carries the real actor, channel "api" and the request's X-Request-ID.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from steward.api.tokens import authenticate_key
from steward.audit.context import acting_as


class TokenAuth(HttpBearer):
    """Bearer API tokens (see `steward apitoken create`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        """The token's user; an explicit but unusable token is a 401."""
        found = authenticate_key(token.strip())
        if found is None:
            raise AuthenticationError(message="Invalid, expired or revoked API token.")
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class SessionAuth(APIKeyCookie):
    """The staff UI's signed-in session; unsafe methods must carry the CSRF token.

    Unlike ninja's own `SessionAuth`, CSRF is checked only once a session user is found, so a
    call with no credentials at all is a 401 rather than a CSRF failure.
    """

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        """The session's user, after the CSRF check for unsafe methods."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie.")
        return user


token_auth = TokenAuth()
session_auth = SessionAuth()


def caller(request: HttpRequest) -> Any:
    """The authenticated user of an API request."""
    return getattr(request, "auth", None)


def auth_method(request: HttpRequest) -> str:
    """'token' or 'session'."""
    return "token" if getattr(request, "api_token", None) is not None else "session"


def run_as_caller(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Run an operation inside `acting_as(<caller>, channel="api", request_id=<X-Request-ID>)`."""

    @functools.wraps(view_func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = caller(request)
        if user is None:  # an operation without auth keeps the middleware's context
            return view_func(request, *args, **kwargs)
        with acting_as(user, channel="api", request_id=getattr(request, "request_id", None)):
            return view_func(request, *args, **kwargs)

    return wrapper
