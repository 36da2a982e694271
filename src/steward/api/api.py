"""The REST API at /api/ (OpenAPI document at /api/openapi.json, interactive docs at /api/docs).

Endpoints are thin: parse, authorise (the auth classes and the people selectors' scope), call one
selector or service, serialise. Every operation runs as the authenticated caller with channel
"api" (see `steward.api.auth.run_as_caller`).
"""

# No `from __future__ import annotations` here: ninja reads the endpoint signatures at import.

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Query
from ninja.responses import Status

from steward.api import errors, schemas, selectors, services
from steward.api.auth import auth_method, caller, run_as_caller, session_auth, token_auth
from steward.api.schemas import ErrorOut

DESCRIPTION = """
Pupil and contact records of the trust's schools, restricted exactly as in the staff UI: you see
only pupils enrolled at your schools, and only the data categories your roles there may read.
A field you may not read is left out of a response (its category is listed in
`withheld_categories`); a record outside your schools is a 404.

**Signing in.** Send `Authorization: Bearer <key>` with a key from
`steward apitoken create --user <you> --name <purpose> --actor <you>`, or use the staff UI's
session cookie (unsafe methods then need the `X-CSRFToken` header).

**Audit.** Every call is logged as you, channel `api`, under the request id returned in the
`X-Request-ID` response header; every record read writes a "view" event.

**Errors** all look like `{"detail": "...", "errors": [{"field": "upn", "messages": [...],
"codes": [...]}]}`: 401 not signed in, 403 not allowed, 404 not found or not yours,
422 invalid input (each failing field and rule named).
"""

api = NinjaAPI(
    title="Steward API",
    version="1",
    description=DESCRIPTION.strip(),
    auth=[token_auth, session_auth],
    urls_namespace="api",
)
api.add_decorator(run_as_caller)
errors.install(api)


def responses(status: int, schema: Any, *error_statuses: int) -> dict[int, Any]:
    """A response map: the success schema and the error schema for each listed status."""
    return {status: schema, **dict.fromkeys((401, *error_statuses), ErrorOut)}


@api.get("/me", response=responses(200, schemas.MeOut), tags=["me"], summary="Who am I")
def get_me(request: HttpRequest) -> dict[str, Any]:
    """The caller, how the call signed in, and their roles and permitted actions at each school."""
    return selectors.me(caller(request), auth=auth_method(request), token=getattr(request, "api_token", None))


@api.get(
    "/pupils", response=responses(200, schemas.PupilPageOut, 422), tags=["pupils"], summary="List pupils"
)
def list_pupils(
    request: HttpRequest,
    q: str = Query("", description="Words that must all match a name, or a UPN."),
    school: str = Query("", description="Only pupils ever enrolled at the school with this URN."),
    page: int = Query(1, ge=1),
    page_size: int = Query(selectors.PAGE_SIZE, ge=1, le=selectors.MAX_PAGE_SIZE),
) -> dict[str, Any]:
    """Pupils enrolled (now or before) at the caller's schools, by surname."""
    return selectors.pupil_page(
        caller(request), query=q, school_urn=school, spec=selectors.PageSpec(page, page_size)
    )


@api.post(
    "/pupils",
    response=responses(201, schemas.PupilListItemOut, 403, 404, 422),
    tags=["pupils"],
    summary="Create a pupil",
)
def create_pupil(request: HttpRequest, payload: schemas.PupilCreateIn) -> Status[dict[str, Any]]:
    """Create a pupil enrolled at one of the caller's schools (needs permission to change pupils there)."""
    data = payload.model_dump(exclude_unset=True)
    school_urn, enrolment = data.pop("school"), data.pop("enrolment")
    fields = {k: v for k, v in data.items() if v is not None}
    user = caller(request)
    pupil = services.create_pupil(actor=user, school_urn=school_urn, enrolment=enrolment, fields=fields)
    return Status(201, selectors.pupil_summary(user, pupil))


@api.get(
    "/pupils/{pupil_id}",
    response=responses(200, schemas.PupilDetailOut, 404, 422),
    exclude_unset=True,
    tags=["pupils"],
    summary="Get a pupil",
)
def get_pupil(request: HttpRequest, pupil_id: int) -> dict[str, Any]:
    """One pupil: only the fields the caller may read at the pupil's schools. Audited as a view."""
    return selectors.pupil_detail(caller(request), pupil_id)


@api.get(
    "/pupils/{pupil_id}/records",
    response=responses(200, schemas.PupilRecordsOut, 404, 422),
    tags=["pupils"],
    summary="Get a pupil's records",
)
def get_pupil_records(request: HttpRequest, pupil_id: int) -> dict[str, Any]:
    """The pupil page: identity and every record section the caller may read, as display text."""
    return selectors.pupil_records(caller(request), pupil_id)


@api.get(
    "/contacts",
    response=responses(200, schemas.ContactPageOut, 422),
    tags=["contacts"],
    summary="List contacts",
)
def list_contacts(
    request: HttpRequest,
    page: int = Query(1, ge=1),
    page_size: int = Query(selectors.PAGE_SIZE, ge=1, le=selectors.MAX_PAGE_SIZE),
) -> dict[str, Any]:
    """Parents and carers of pupils at schools where the caller may read contact data."""
    return selectors.contact_page(caller(request), spec=selectors.PageSpec(page, page_size))


@api.get(
    "/contacts/{contact_id}",
    response=responses(200, schemas.ContactDetailOut, 404, 422),
    exclude_unset=True,
    tags=["contacts"],
    summary="Get a contact",
)
def get_contact(request: HttpRequest, contact_id: int) -> dict[str, Any]:
    """One contact and their links to visible pupils; court orders only for roles that may read them."""
    return selectors.contact_detail(caller(request), contact_id)


api.add_router("/requests", "steward.api.rights.router")  # rights requests (steward/api/rights.py)
api.add_router("", "steward.api.rights_work.router")  # request work, outcomes (api/rights_work.py)
api.add_router("/placements", "steward.api.placements.router")  # AP placements (steward/api/placements.py)
api.add_router("", "steward.api.sharing.router")  # data sharing, disclosures, CTF (steward/api/sharing.py)
