"""One error shape for every failure: `{"detail": "...", "errors": [{"field", "messages", "codes"}]}`.

* 401 no, bad, expired or revoked credentials (with `WWW-Authenticate: Bearer`)
* 403 signed in but not allowed (PermissionDenied, CSRF failure)
* 404 not found, or outside the caller's scope (never a 403, so existence does not leak)
* 422 the request parsed but broke a rule: each bad field is named with its messages and codes
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def error_body(detail: str, errors: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    """The JSON body of an error response."""
    return {"detail": detail, "errors": list(errors)}


def _summary(errors: list[dict[str, Any]]) -> str:
    names = [e["field"] or "the record as a whole" for e in errors]
    return f"Invalid input: {', '.join(names)}." if names else "Invalid input."


def django_field_errors(exc: DjangoValidationError) -> list[dict[str, Any]]:
    """Each field of a Django ValidationError with its messages and rule codes."""
    items: Iterable[tuple[str, list[DjangoValidationError]]] = (
        exc.error_dict.items() if hasattr(exc, "error_dict") else [(NON_FIELD_ERRORS, exc.error_list)]
    )
    out = []
    for name, errs in items:
        messages: list[str] = []
        codes: list[str] = []
        for e in errs:
            messages.extend(e.messages)
            codes.append(e.code or "invalid")
        out.append(
            {"field": None if name == NON_FIELD_ERRORS else name, "messages": messages, "codes": codes}
        )
    return out


def _ninja_field(loc: Iterable[Any]) -> str | None:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        # Body errors are located as ("body", <parameter name>, field, ...); drop both.
        parts = parts[2:] if parts[0] == "body" else parts[1:]
    return ".".join(parts) or None


def ninja_field_errors(exc: NinjaValidationError) -> list[dict[str, Any]]:
    """Request-parsing errors grouped by field, in the same shape as model validation errors."""
    grouped: dict[str | None, dict[str, Any]] = {}
    for err in exc.errors:
        name = _ninja_field(err.get("loc", ()))
        entry = grouped.setdefault(name, {"field": name, "messages": [], "codes": []})
        entry["messages"].append(str(err.get("msg", "Invalid value.")))
        entry["codes"].append(str(err.get("type", "invalid")))
    return list(grouped.values())


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn exceptions into the error shape above.

    (Handlers take `exc: Any`: ninja's stub for `add_exception_handler` types the exception
    parameter as instance-or-class, which no handler function can satisfy.)
    """

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        response = api.create_response(request, body, status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="steward"'
        return response

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, exc.status_code, error_body(str(exc)))

    def on_404(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 404, error_body(str(exc) or "Not found."))

    def on_forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 403, error_body(str(exc) or "You may not do that."))

    def on_django_invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = django_field_errors(exc)
        return respond(request, 422, error_body(_summary(errors), errors))

    def on_ninja_invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = ninja_field_errors(exc)
        return respond(request, 422, error_body(_summary(errors), errors))

    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(PermissionDenied, on_forbidden)
    api.add_exception_handler(DjangoValidationError, on_django_invalid)
    api.add_exception_handler(NinjaValidationError, on_ninja_invalid)
