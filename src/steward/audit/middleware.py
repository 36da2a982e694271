"""Wrap every web and API request in an audit context with a request id."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from steward.audit.context import acting_as, new_request_id


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        channel = "api" if request.path.startswith("/api/") else "web"
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        # Anonymous requests (sign-in page, public notices) act as the named web process; token
        # callers of the API are re-bound to their user by the API's auth layer.
        with acting_as(
            actor,
            channel=channel,
            request_id=request_id,
            system_label="" if actor else "anonymous web request",
        ):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
