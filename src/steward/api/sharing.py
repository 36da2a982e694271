"""Data sharing through the REST API: the disclosure log, share runs, youth-support and statutory shares,
ad-hoc disclosures, the Common Transfer File, agreements and notice-review flags.

Thin shells over `steward.sharing` (the services check the gate and log every disclosure) and
`steward.sharing.selectors` (the staff UI's scoping), run as the caller with channel "api".

Who may use them, as in the staff UI: staff who may export at the school, or the DPO
(`Action.MANAGE_REGISTER`); a school or record outside the caller's schools is a 404, and at one of
their schools where they may not share (a teacher) a 403. Ad-hoc decisions, gate overrides and
notice-review resolutions are the DPO's. Child protection transfers are safeguarding data: they exist
only for those who keep them (the DSL and the DPO; anyone else gets a 404 for one, a 403 for the list).

Errors keep the API's one shape, plus:

* 409 the sharing gate refused (`ShareRefused`): nothing was sent and nothing logged; `errors` holds one
  entry per failed condition with its stable code (`steward.sharing.gate.Code`, e.g. `no_published_notice`);
* 422 on a CTF import that is not a valid CTF: one entry per problem, with its `line` and `element`.

**Outgoing files never leave in clear.** A share answers with `package`: the file inside an AES-256
encrypted ZIP (WinZip AE-2, opened by 7-Zip and most archive tools) and its passphrase. The passphrase
is in that response only and stored nowhere; the package is kept encrypted under the storage root and
downloaded once with `GET /api/packages/{token}` (the `download_url`): by the same caller, within
`PACKAGE_TTL_SECONDS` (10 minutes). The download deletes it; anything older is swept. The token is
kept only as its SHA-256 (the file's name), so the outbox folder does not hold usable links.
"""

# No `from __future__ import annotations` here: ninja reads the endpoint signatures at import.

import datetime as dt
import functools
import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.api import sharing_schemas as ss
from steward.api.auth import caller
from steward.api.schemas import ErrorOut
from steward.api.selectors import MAX_PAGE_SIZE, PAGE_SIZE
from steward.audit.services import Subject, record
from steward.organisations.models import School, Trust
from steward.people.models import Enrolment, Pupil
from steward.people.selectors import get_pupil
from steward.placements.services import agreement_create as ap_agreement_create
from steward.sharing import agreements, packages, selectors
from steward.sharing.adhoc import adhoc_decide, adhoc_log
from steward.sharing.ctf.childprotection import mark_sent
from steward.sharing.ctf.childprotection import status as cp_status
from steward.sharing.ctf.common import resolve_destination
from steward.sharing.ctf.export import export_ctf
from steward.sharing.ctf.importer import CtfInvalid, import_ctf
from steward.sharing.gate import ShareRefused
from steward.sharing.log import disclosures_for, verify_disclosures
from steward.sharing.models import (
    AdHocDecision,
    AdHocRequest,
    Agreement,
    Disclosure,
    NoticeReviewFlag,
    ShareKind,
    ShareRun,
)
from steward.sharing.models_transfer import ChildProtectionTransfer
from steward.sharing.statutory import statutory_extract
from steward.sharing.youth_support import run_youth_support

router = Router(tags=["sharing"])

PACKAGE_TTL_SECONDS = 10 * 60
MAX_CTF_BYTES = 50 * 1024 * 1024
SAFEGUARDING = "pupil.safeguarding"
SHARE = (403, 404, 409, 422)


def _responses(status: int, schema: Any, *error_statuses: int) -> dict[int, Any]:
    out: dict[int, Any] = {status: schema, **dict.fromkeys((401, *error_statuses), ErrorOut)}
    return out


def _today() -> dt.date:
    return timezone.localdate()


# -- gate refusals as 409s ------------------------------------------------------------------------


def refusal_body(exc: ShareRefused) -> dict[str, Any]:
    """The 409 body: every failed condition with its gate code."""
    return {
        "detail": "Refused by the sharing gate: nothing was sent and nothing logged. "
        + " ".join(f.message for f in exc.failures),
        "errors": [{"field": None, "messages": [f.message], "codes": [f.code.value]} for f in exc.failures],
    }


def refusals_to_409(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """A gate refusal (nothing sent, nothing logged) answers 409 with each failed condition's code."""

    @functools.wraps(view_func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return view_func(request, *args, **kwargs)
        except ShareRefused as exc:
            return Status(409, refusal_body(exc))

    return wrapper


router.add_decorator(refusals_to_409)


def _renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    """The same errors with the service's field names replaced by the API's."""
    if isinstance(exc, ShareRefused) or not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


# -- scope ----------------------------------------------------------------------------------------


def _reach(user: Any, school_id: int, allowed: set[int], message: str) -> None:
    """Nothing if `school_id` is allowed; 403 at another school of the caller's; 404 outside them."""
    if school_id in allowed:
        return
    if school_id in scope_for(user).grants:
        raise PermissionDenied(message)
    raise Http404("Not found")


def _share_school(user: Any, urn: str) -> School:
    """A school the caller shares data from (export, or the DPO), by URN."""
    school = School.objects.filter(urn=(urn or "").strip()).first()
    if school is None:
        raise Http404("No such school")
    _reach(user, school.pk, selectors.export_school_ids(user), "You may not share data from this school.")
    return school


def _require_sharer(user: Any) -> set[int]:
    ids = selectors.export_school_ids(user)
    if not ids:
        raise PermissionDenied("You do not share data from any school.")
    return ids


def _require_override(user: Any, school: School, reason: str) -> str:
    reason = (reason or "").strip()
    if reason and not selectors.is_dpo(user, school):
        raise PermissionDenied("Only the data protection officer may override the sharing gate.")
    return reason


def _no_store(response: HttpResponse) -> None:
    response["Cache-Control"] = "no-store"


# -- the one-time package outbox ----------------------------------------------------------------------


def _outbox() -> Path:
    """The API's outbox under the storage root (owner-only); packages past their time are swept."""
    folder = Path(settings.MEDIA_ROOT) / "sharing" / "api-outbox"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    cutoff = time.time() - PACKAGE_TTL_SECONDS
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        except OSError:
            pass
    return folder


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class _Slot:
    """Where one package waits. `deliver` is the services' callback: it packs the file it is given."""

    token: str
    path: Path
    member: str = ""
    package: packages.Package | None = None

    @property
    def meta(self) -> Path:
        return self.path.with_suffix(".json")

    def deliver(self, content: bytes) -> None:
        self.package = packages.build({self.member: content})
        packages.write(self.package, self.path)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
        self.meta.unlink(missing_ok=True)

    def offer(
        self,
        user: Any,
        *,
        file_name: str,
        members: list[str],
        sha256: str,
        passphrase: str,
        run_id: int,
        school_id: int,
    ) -> dict[str, Any]:
        """Let `user` download the package once before it expires; the PackageOut with the passphrase."""
        expires = time.time() + PACKAGE_TTL_SECONDS
        meta = {
            "user": user.pk,
            "expires": expires,
            "file_name": file_name,
            "sha256": sha256,
            "run": run_id,
            "school": school_id,
        }
        fd = os.open(self.meta, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(meta, fh)
        return {
            "download_url": reverse("api:share_package", kwargs={"token": self.token}),
            "expires_at": dt.datetime.fromtimestamp(expires, tz=dt.UTC),
            "file_name": file_name,
            "members": members,
            "sha256": sha256,
            "size": self.path.stat().st_size,
            "passphrase": passphrase,
        }

    def offer_built(self, user: Any, *, file_name: str, run_id: int, school_id: int) -> dict[str, Any]:
        assert self.package is not None
        return self.offer(
            user,
            file_name=file_name,
            members=list(self.package.names),
            sha256=self.package.sha256,
            passphrase=self.package.passphrase,
            run_id=run_id,
            school_id=school_id,
        )


@contextmanager
def _slot(member: str = "") -> Iterator[_Slot]:
    """A fresh outbox slot; removed again if anything in the block fails (nothing half-offered)."""
    token = secrets.token_urlsafe(32)
    slot = _Slot(token=token, path=_outbox() / f"{_digest(token)}.zip", member=member)
    try:
        yield slot
    except BaseException:
        slot.discard()
        raise


@router.get(
    "/packages/{token}",
    url_name="share_package",
    response=_responses(200, None, 404),
    openapi_extra={
        "responses": {
            "200": {
                "description": "The AES-256 encrypted ZIP (open it with the passphrase given with the link).",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
    summary="Download an encrypted package once",
)
def download_package(request: HttpRequest, token: str) -> HttpResponse:
    """The package a share just made, once: only by the caller who made it, within 10 minutes of the share.

    The download deletes it from the server (a second GET is a 404); it is audited as an export. The
    package is encrypted: the passphrase came in the share's response and is not stored anywhere.
    """
    user = caller(request)
    folder = _outbox()
    digest = _digest(token)
    meta_path = folder / f"{digest}.json"
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        raise Http404("No such download") from None
    if meta.get("user") != user.pk:
        raise Http404("No such download")
    if meta.get("expires", 0) < time.time():
        (folder / f"{digest}.zip").unlink(missing_ok=True)
        meta_path.unlink(missing_ok=True)
        raise Http404("No such download")
    taken = folder / f"{digest}.taken-{secrets.token_hex(8)}"
    try:
        os.rename(folder / f"{digest}.zip", taken)  # atomic: of two downloads at once, one wins
    except OSError:
        raise Http404("No such download") from None
    try:
        data = taken.read_bytes()
    except OSError:  # swept at the very moment it expired
        raise Http404("No such download") from None
    finally:
        taken.unlink(missing_ok=True)
        meta_path.unlink(missing_ok=True)
    record(
        "export",
        model="sharing.ShareRun",
        object_id=meta.get("run"),
        subject=Subject(school_id=meta.get("school")),
        detail={
            "download": meta.get("file_name"),
            "package_sha256": meta.get("sha256"),
            "encrypted": True,
            "api": "package download",
        },
    )
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{meta.get("file_name", "package.zip")}"'
    response["X-Package-SHA256"] = str(meta.get("sha256", ""))
    _no_store(response)
    return response


# -- the disclosure log -----------------------------------------------------------------------------


def _disclosure(d: Disclosure) -> dict[str, Any]:
    return {
        "id": d.pk,
        "run_id": d.run_id,
        "on": d.run.on,
        "at": d.at,
        "kind": d.run.kind,
        "recipient_key": d.recipient_key,
        "recipient": d.recipient_name,
        "purpose": d.purpose_key,
        "lawful_basis": d.lawful_basis,
        "categories": list(d.categories),
        "fields": list(d.fields),
        "limited": d.limited,
        "override": d.override,
        "payload_sha256": d.payload_sha256,
        "by": d.actor_label,
        "channel": d.channel,
    }


@router.get(
    "/pupils/{pupil_id}/disclosures",
    response=_responses(200, ss.PupilDisclosuresOut, 404),
    tags=["disclosures"],
    summary="A pupil's disclosures",
)
def pupil_disclosures(request: HttpRequest, pupil_id: int) -> dict[str, Any]:
    """Every disclosure of the pupil's data, oldest first: recipient, purpose, basis, categories and fields
    (never the values). A disclosure of categories the caller may not read at the pupil's schools is
    counted in `withheld`, not listed. Audited as a view."""
    user = caller(request)
    pupil = get_pupil(user, pupil_id)  # Http404 outside the caller's schools
    scope = scope_for(user)
    schools = set(Enrolment.objects.filter(pupil=pupil).values_list("school_id", flat=True)) & set(
        scope.school_ids()
    )
    rows = list(disclosures_for(pupil.pk))
    shown = [d for d in rows if all(any(scope.may_read(k, s) for s in schools) for k in d.categories)]
    record(
        "view",
        model="sharing.Disclosure",
        subject=Subject(pupil_id=pupil.pk),
        detail={"api": "pupil disclosures", "rows": len(shown), "withheld": len(rows) - len(shown)},
    )
    return {
        "pupil_id": pupil.pk,
        "count": len(shown),
        "withheld": len(rows) - len(shown),
        "items": [_disclosure(d) for d in shown],
    }


@router.get(
    "/disclosures/verify",
    response=_responses(200, ss.ChainReportOut, 403),
    tags=["disclosures"],
    summary="Verify the disclosure log",
)
def verify(request: HttpRequest) -> dict[str, Any]:
    """Recompute the disclosure log's hash chain: `ok`, rows checked, and the first altered, removed or
    reordered row with the reason. The DPO, or an auditor (`view_audit`)."""
    scope = scope_for(caller(request))
    if not (scope.may(Action.MANAGE_REGISTER) or scope.may(Action.VIEW_AUDIT)):
        raise PermissionDenied("Only the data protection officer or an auditor verifies the disclosure log.")
    report = verify_disclosures()
    return {
        "ok": report.ok,
        "checked": report.checked,
        "first_bad_id": report.first_bad_id,
        "reason": report.reason,
    }


# -- share runs -------------------------------------------------------------------------------------


def _run(run: ShareRun, pupils: int) -> dict[str, Any]:
    return {
        "id": run.pk,
        "school_urn": run.school.urn,
        "kind": run.kind,
        "kind_label": run.get_kind_display(),
        "recipient_key": run.recipient_key,
        "recipient": run.recipient_name,
        "purpose": run.purpose_key,
        "lawful_basis": run.lawful_basis,
        "on": run.on,
        "at": run.at,
        "agreement_id": run.agreement_id,
        "override_reason": run.override_reason,
        "by": run.actor.username if run.actor else None,
        "package_sha256": run.package_sha256,
        "pupils": pupils,
        "summary": dict(run.summary or {}),
    }


def _disclosed(run: ShareRun | None) -> list[dict[str, Any]]:
    return [
        {
            "pupil_id": r.pupil_id,
            "name": r.name,
            "fields": r.fields,
            "categories": r.categories,
            "limited": r.limited,
            "override": r.override,
        }
        for r in selectors.run_disclosures(run)
    ]


def _runs(user: Any) -> QuerySet[ShareRun]:
    return (
        ShareRun.objects.filter(school_id__in=_require_sharer(user))
        .select_related("school", "actor")
        .annotate(pupil_count=Count("disclosures"))
        .order_by("-at", "-pk")
    )


@router.get("/share-runs", response=_responses(200, ss.ShareRunPageOut, 403, 404, 422), summary="List shares")
def list_runs(
    request: HttpRequest,
    school: str = Query("", description="Only shares from the school with this URN."),
    kind: str = Query("", description="youth_support, statutory, ap, ad_hoc, ctf or routine."),
    recipient: str = Query("", description="Only shares to this recipient (register key)."),
    page: int = Query(1, ge=1),
    page_size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
) -> dict[str, Any]:
    """Shares from the schools the caller shares from, newest first, with the number of pupils in each."""
    user = caller(request)
    qs = _runs(user)
    if school:
        qs = qs.filter(school=_share_school(user, school))
    if kind:
        if kind not in ShareKind.values:
            raise ValidationError(
                {
                    "kind": ValidationError(
                        f"{kind!r} is not one of: {', '.join(ShareKind.values)}.", code="invalid_choice"
                    )
                }
            )
        qs = qs.filter(kind=kind)
    if recipient:
        qs = qs.filter(recipient_key=recipient)
    count = qs.count()
    start = (page - 1) * page_size
    items = list(qs[start : start + page_size]) if start < count else []
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "items": [_run(r, r.pupil_count) for r in items],  # type: ignore[attr-defined]
    }


@router.get(
    "/share-runs/{run_id}", response=_responses(200, ss.ShareRunDetailOut, 403, 404), summary="Get a share"
)
def get_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    """One share with each pupil sent (name, fields, categories, limited). Audited as a view."""
    user = caller(request)
    run = ShareRun.objects.select_related("school", "actor").filter(pk=run_id).first()
    if run is None:
        raise Http404("No such share")
    _reach(user, run.school_id, selectors.export_school_ids(user), "You may not see shares from this school.")
    rows = _disclosed(run)
    record(
        "view",
        model="sharing.ShareRun",
        object_id=run.pk,
        subject=Subject(school_id=run.school_id),
        categories=["pupil.identity.name"],
        detail={"api": "share run", "pupils": len(rows)},
    )
    return {**_run(run, len(rows)), "disclosures": rows}


# -- youth support and statutory returns --------------------------------------------------------------


@router.post(
    "/share/youth-services",
    response=_responses(200, ss.YouthSupportOut, *SHARE),
    summary="Run the youth-support share",
)
def youth_services(
    request: HttpRequest, payload: ss.YouthSupportIn, response: HttpResponse
) -> dict[str, Any]:
    """Pupils aged 13+ (and 16+) on `on` for the local authority's youth support services, through the gate,
    logged per pupil; limited pupils get name, address and date of birth only.

    The CSV comes back only inside `package` (an AES-256 ZIP): download it once from `download_url`
    (same caller, within 10 minutes) and open it with `passphrase`, which this response alone carries.
    A gate refusal is a 409 naming each failed condition; the DPO may send `override_reason`.
    """
    user = caller(request)
    school = _share_school(user, payload.school)
    reason = _require_override(user, school, payload.override_reason)
    _no_store(response)
    csv_name = f"youth-support-{school.urn}-{payload.on.isoformat()}.csv"
    with _slot(csv_name) as slot:
        result = run_youth_support(
            actor=user, school=school, on=payload.on, override_reason=reason, deliver=slot.deliver
        )
        package = None
        if result.runs:
            package = slot.offer_built(
                user,
                file_name=csv_name.replace(".csv", ".zip"),
                run_id=result.runs[0].pk,
                school_id=school.pk,
            )
        else:
            slot.discard()  # nobody was sent: nothing to download
    return {
        "school_urn": school.urn,
        "on": payload.on,
        "run_ids": [r.pk for r in result.runs],
        "counts": result.counts(),
        "columns": result.headers,
        "csv_sha256": result.sha256,
        "overridden": bool(reason) and any(r.override_reason for r in result.runs),
        "pupils": [o.__dict__ for o in result.outcomes],
        "package": package,
    }


@router.post(
    "/share/statutory", response=_responses(200, ss.StatutoryOut, *SHARE), summary="Run a statutory extract"
)
def statutory(request: HttpRequest, payload: ss.StatutoryIn, response: HttpResponse) -> dict[str, Any]:
    """A census-style extract for the DfE or the local authority (`recipient`), through the gate, minimised
    by the register, logged per pupil; attendance and exclusions from `start` (default 1 September).

    The CSV comes back only inside `package`, as for the youth-support share (one download, same caller,
    10 minutes; the passphrase is in this response only). A gate refusal is a 409 with each code.
    """
    user = caller(request)
    school = _share_school(user, payload.school)
    reason = _require_override(user, school, payload.override_reason)
    _no_store(response)
    csv_name = f"statutory-{payload.recipient}-{school.urn}-{payload.on.isoformat()}.csv"
    with _slot(csv_name) as slot:
        extract = statutory_extract(
            actor=user,
            school=school,
            recipient_key=payload.recipient,
            on=payload.on,
            start=payload.start,
            override_reason=reason,
            deliver=slot.deliver,
        )
        assert extract.run is not None
        package = slot.offer_built(
            user, file_name=csv_name.replace(".csv", ".zip"), run_id=extract.run.pk, school_id=school.pk
        )
    names = selectors.pupil_names(extract.excluded)
    return {
        "school_urn": school.urn,
        "recipient_key": extract.recipient_key,
        "on": extract.on,
        "period": list(extract.period),
        "run_id": extract.run.pk,
        "included": len(extract.included),
        "excluded": [
            {"pupil_id": pid, "name": names.get(pid, f"Pupil #{pid}"), "reason": why}
            for pid, why in extract.excluded.items()
        ],
        "columns": extract.headers,
        "csv_sha256": extract.sha256,
        "overridden": bool(extract.run.override_reason),
        "package": package,
    }


# -- ad-hoc disclosures -------------------------------------------------------------------------------


def _adhoc(req: AdHocRequest) -> dict[str, Any]:
    return {
        "id": req.pk,
        "school_urn": req.school.urn,
        "recipient_key": req.recipient_key,
        "requester_organisation": req.requester_organisation,
        "requester_name": req.requester_name,
        "reference": req.reference,
        "received_on": req.received_on,
        "pupil_ids": list(req.pupil_refs),
        "asked_for": req.asked_for,
        "purpose_key": req.purpose_key,
        "lawful_basis": req.lawful_basis,
        "exemption": req.exemption,
        "decision": req.decision,
        "reasons": req.reasons,
        "approved_by": req.approved_by.username if req.approved_by else None,
        "decided_on": req.decided_on,
        "run_id": req.run_id,
        "disclosed_description": req.disclosed_description,
        "logged_by": req.logged_by.username if req.logged_by else None,
    }


def _adhoc_request(user: Any, pk: int) -> AdHocRequest:
    req = (
        AdHocRequest.objects.select_related("school", "run", "approved_by", "logged_by").filter(pk=pk).first()
    )
    if req is None:
        raise Http404("No such request")
    _reach(
        user,
        req.school_id,
        selectors.export_school_ids(user),
        "You may not see disclosures from this school.",
    )
    return req


def _audit_adhoc(req: AdHocRequest, via: str) -> None:
    record(
        "view",
        model=AdHocRequest._meta.label,
        object_id=req.pk,
        subject=Subject(school_id=req.school_id),
        detail={"api": via, "pupils": len(req.pupil_refs)},
    )


@router.get(
    "/adhoc", response=_responses(200, ss.AdHocListOut, 403, 404, 422), summary="List ad-hoc requests"
)
def list_adhoc(
    request: HttpRequest,
    school: str = Query("", description="Only requests at the school with this URN."),
    decision: str = Query("", description="pending, disclosed, partly or refused."),
) -> dict[str, Any]:
    """Requests for ad-hoc disclosures (police, courts, health, social care) at the caller's sharing schools."""
    user = caller(request)
    qs = AdHocRequest.objects.filter(school_id__in=_require_sharer(user)).select_related(
        "school", "approved_by", "logged_by"
    )
    if school:
        qs = qs.filter(school=_share_school(user, school))
    if decision:
        if decision not in AdHocDecision.values:
            raise ValidationError(
                {
                    "decision": ValidationError(
                        f"{decision!r} is not one of: {', '.join(AdHocDecision.values)}.",
                        code="invalid_choice",
                    )
                }
            )
        qs = qs.filter(decision=decision)
    items = list(qs.order_by("-received_on", "-pk"))
    record(
        "search",
        model=AdHocRequest._meta.label,
        detail={"api": "ad-hoc request list", "results": len(items)},
    )
    return {"count": len(items), "items": [_adhoc(r) for r in items]}


@router.post(
    "/adhoc", response=_responses(201, ss.AdHocDetailOut, 403, 404, 422), summary="Log an ad-hoc request"
)
def create_adhoc(request: HttpRequest, payload: ss.AdHocIn) -> Status[dict[str, Any]]:
    """Record a request for a disclosure, with what it relies on; it waits for the DPO's decision.
    Pupils by id (`pupils`) or UPN (`upns`), on the school's roll. Needs `change_pupils` at the school."""
    user = caller(request)
    school = _share_school(user, payload.school)
    pupils, missing = selectors.pupils_by_upn(school, payload.upns)
    if payload.pupils:
        found = {
            p.pk: p for p in Pupil.objects.filter(pk__in=payload.pupils, enrolments__school=school).distinct()
        }
        missing += [str(pk) for pk in payload.pupils if pk not in found]
        pupils += [p for p in found.values() if p not in pupils]
    if missing:
        field = "upns" if not payload.pupils else "pupils"
        raise ValidationError(
            {field: ValidationError(f"Not pupils of {school.name}: {', '.join(missing)}.", code="unknown")}
        )
    req = adhoc_log(
        actor=user,
        school=school,
        recipient_key=payload.recipient_key,
        requester_organisation=payload.requester_organisation.strip(),
        requester_name=payload.requester_name.strip(),
        reference=payload.reference.strip(),
        received_on=payload.received_on,
        pupils=pupils,
        asked_for=payload.asked_for,
        purpose_key=payload.purpose_key,
        lawful_basis=payload.lawful_basis,
        exemption=payload.exemption,
    )
    return Status(201, {**_adhoc(_adhoc_request(user, req.pk)), "disclosures": []})


@router.get(
    "/adhoc/{request_id}",
    response=_responses(200, ss.AdHocDetailOut, 403, 404),
    summary="Get an ad-hoc request",
)
def get_adhoc(request: HttpRequest, request_id: int) -> dict[str, Any]:
    """One request: what was asked, the decision and who approved it, and exactly what was disclosed to
    whom (per pupil: fields and categories). Audited as a view."""
    user = caller(request)
    req = _adhoc_request(user, request_id)
    _audit_adhoc(req, "ad-hoc request")
    return {**_adhoc(req), "disclosures": _disclosed(req.run)}


@router.post(
    "/adhoc/{request_id}/decide",
    response=_responses(200, ss.AdHocDecidedOut, *SHARE),
    summary="Decide an ad-hoc request",
)
def decide_adhoc(
    request: HttpRequest, request_id: int, payload: ss.AdHocDecideIn, response: HttpResponse
) -> dict[str, Any]:
    """The DPO decides: disclose (`disclosed` or `partly`) the chosen `categories` through the gate (with the
    request's exemption), or refuse; with reasons. A refusal by the gate is a 409; nothing is logged.

    What is disclosed (JSON, per pupil by UPN) comes back only inside `package`: download it once from
    `download_url` (same caller, within 10 minutes); the passphrase is in this response only.
    """
    user = caller(request)
    req = _adhoc_request(user, request_id)
    if not selectors.is_dpo(user, req.school):
        raise PermissionDenied("Only the data protection officer decides ad-hoc disclosures.")
    _no_store(response)
    member = f"disclosure-{req.pk}.json"
    with _slot(member) as slot:
        req = adhoc_decide(
            actor=user,
            request=req,
            decision=payload.decision,
            reasons=payload.reasons,
            on=payload.on or _today(),
            categories=payload.categories,
            description=payload.description.strip(),
            deliver=slot.deliver,
        )
        package = None
        if slot.package is not None and req.run_id is not None:
            package = slot.offer_built(
                user, file_name=member.replace(".json", ".zip"), run_id=req.run_id, school_id=req.school_id
            )
    req = _adhoc_request(user, req.pk)
    return {**_adhoc(req), "disclosures": _disclosed(req.run), "package": package}


# -- the common transfer file --------------------------------------------------------------------------


def _cp(t: ChildProtectionTransfer, on: dt.date) -> dict[str, Any]:
    return {
        "id": t.pk,
        "pupil_id": t.pupil_id,
        "upn": t.pupil.upn,
        "from_school_urn": t.from_school.urn,
        "destination": f"{t.dest_la}{t.dest_estab}",
        "destination_name": t.dest_name,
        "exported_on": t.exported_on,
        "due_on": t.due_on,
        "due_basis": t.due_basis,
        "status": cp_status(t, on),
        "sent_on": t.sent_on,
        "method": t.method,
        "receipt_confirmed_on": t.receipt_confirmed_on,
    }


def _audit_cp(t: ChildProtectionTransfer, via: str) -> None:
    record(
        "view",
        model=ChildProtectionTransfer._meta.label,
        object_id=t.pk,
        subject=Subject(pupil_id=t.pupil_id, school_id=t.from_school_id),
        categories=[SAFEGUARDING, "pupil.identity.upn"],
        special=True,
        detail={"api": via},
    )


@router.post(
    "/ctf/export", response=_responses(200, ss.CtfExportOut, *SHARE), tags=["ctf"], summary="Export a CTF"
)
def ctf_export(request: HttpRequest, payload: ss.CtfExportIn, response: HttpResponse) -> dict[str, Any]:
    """A common transfer file for `upns` (or every pupil leaving on `leavers_on`) to a destination school
    (`to`: URN, LAESTAB or `unknown`), through the gate and logged per pupil. Needs `export` at the school.

    The XML comes back only inside `package` (one file per pupil for the unknown destination): download it
    once from `download_url` (same caller, within 10 minutes); the passphrase is in this response only.
    Child protection files are never in a CTF: `child_protection_owed` counts those now owed separately.
    """
    user = caller(request)
    school = _share_school(user, payload.school)
    reason = _require_override(user, school, payload.override_reason)
    if bool(payload.upns) == (payload.leavers_on is not None):
        raise ValidationError({"upns": ValidationError("Give either upns or leavers_on.", code="required")})
    if payload.upns:
        pupils, missing = selectors.pupils_by_upn(school, payload.upns)
        if missing:
            raise ValidationError(
                {
                    "upns": ValidationError(
                        f"Not pupils of {school.name}: {', '.join(missing)}.", code="unknown"
                    )
                }
            )
    else:
        assert payload.leavers_on is not None
        pupils = selectors.leavers_on(school, payload.leavers_on)
        if not pupils:
            raise ValidationError(
                {
                    "leavers_on": ValidationError(
                        f"No pupil leaves {school.name} on {payload.leavers_on}.", code="none"
                    )
                }
            )
    try:
        destination = resolve_destination(payload.to)
    except ValidationError as exc:
        raise _renamed(exc, {"destination": "to"}) from None
    _no_store(response)
    with _slot() as slot:
        try:
            result = export_ctf(
                actor=user,
                school=school,
                pupils=pupils,
                destination=destination,
                on=payload.on or _today(),
                override_reason=reason,
                package_to=slot.path,
            )
        except ValidationError as exc:
            raise _renamed(exc, {"destination": "to", "pupils": "upns"}) from None
        file_name = f"{result.files[0].name.rsplit('_', 1)[0]}.zip" if result.files else "ctf.zip"
        package = slot.offer(
            user,
            file_name=file_name,
            members=[f.name for f in result.files],
            sha256=result.package_sha256,
            passphrase=result.passphrase,
            run_id=result.run.pk,
            school_id=school.pk,
        )
    keeps_cp = selectors.may_keep_cp(user, school)
    if keeps_cp:
        for t in result.child_protection:
            _audit_cp(t, "CTF export: child protection file owed")
    on = _today()
    return {
        "run_id": result.run.pk,
        "destination": {
            "laestab": result.destination.laestab,
            "urn": result.destination.urn,
            "name": result.destination.name,
            "unknown": result.destination.unknown,
        },
        "files": [{"name": f.name, "sha256": f.sha256, "pupils": len(f.pupil_ids)} for f in result.files],
        "warnings": result.warnings,
        "child_protection_owed": len(result.child_protection),
        "child_protection": [_cp(t, on) for t in result.child_protection] if keeps_cp else [],
        "overridden": bool(result.run.override_reason),
        "package": package,
    }


@router.post(
    "/ctf/import",
    response={**_responses(201, ss.CtfImportOut, 403, 404), 200: ss.CtfImportOut, 422: ss.CtfErrorOut},
    tags=["ctf"],
    summary="Import a CTF",
)
def ctf_import(
    request: HttpRequest, payload: Form[ss.CtfImportIn], file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    """Import a CTF received from a previous school (multipart: `file`, `school`, `dry_run`): new pupils are
    created, existing ones (same UPN in the trust) merged. 201 when imported; 200 for a `dry_run`, which
    writes nothing. A malformed file is a 422 listing every problem with its `line` and `element`, and
    nothing is written. Needs `import` at the school."""
    user = caller(request)
    school = School.objects.filter(urn=payload.school.strip()).first()
    if school is None:
        raise Http404("No such school")
    _reach(user, school.pk, set(scope_for(user).school_ids(Action.IMPORT)), "You may not import pupils here.")
    if file.size is not None and file.size > MAX_CTF_BYTES:
        raise ValidationError({"file": ValidationError("The file is larger than 50 MB.", code="too_large")})
    try:
        result = import_ctf(
            actor=user,
            school=school,
            file=file,
            admission_date=payload.admission_date,
            dry_run=payload.dry_run,
        )
    except CtfInvalid as exc:
        return Status(
            422,
            {
                "detail": f"{exc.file_name} is not a valid CTF: nothing was imported "
                f"({len(exc.problems)} problem(s)).",
                "errors": [
                    {
                        "field": "file",
                        "messages": [p.message],
                        "codes": ["invalid_ctf"],
                        "line": p.line,
                        "element": p.path,
                    }
                    for p in exc.problems
                ],
            },
        )
    return Status(200 if result.dry_run else 201, result.as_data())


def _cp_schools(user: Any) -> set[int]:
    ids = selectors.cp_school_ids(user)
    if not ids:
        raise PermissionDenied("Only those who keep child protection files (the DSL, the DPO) see them.")
    return ids


@router.get(
    "/ctf/child-protection",
    response=_responses(200, list[ss.CpOwedOut], 403, 404),
    tags=["ctf"],
    summary="Child protection files owed",
)
def cp_owed(
    request: HttpRequest, school: str = Query("", description="Only files owed from this school (URN).")
) -> list[dict[str, Any]]:
    """Child protection files owed to next schools (never in a CTF), soonest due first, each with its due
    date (5 school days) and status. The DSL and the DPO only; every row is audited as a safeguarding view."""
    user = caller(request)
    ids = _cp_schools(user)
    if school:
        found = School.objects.filter(urn=school.strip()).first()
        if found is None:
            raise Http404("No such school")
        _reach(user, found.pk, ids, "You do not keep child protection files at this school.")
        schools = [found]
    else:
        schools = list(School.objects.filter(pk__in=ids).order_by("name"))
    on = _today()
    rows = [r for s in schools for r in selectors.cp_owed(user, s, on)]  # audits each row
    rows.sort(key=lambda r: (r.transfer.due_on, r.transfer.pk))
    return [_cp(r.transfer, on) for r in rows]


@router.post(
    "/ctf/child-protection/{transfer_id}/sent",
    response=_responses(200, ss.CpOwedOut, 404, 422),
    tags=["ctf"],
    summary="Record a child protection file sent",
)
def cp_sent(request: HttpRequest, transfer_id: int, payload: ss.CpSentIn) -> dict[str, Any]:
    """Record that a child protection file went to the next school (and, when known, receipt confirmed).
    A transfer already sent, or at a school where the caller does not keep these files, is a 404."""
    user = caller(request)
    transfer = selectors.cp_transfer(user, transfer_id)
    transfer = mark_sent(
        actor=user,
        transfer=transfer,
        sent_on=payload.sent_on,
        method=payload.method,
        receipt_confirmed_on=payload.receipt_confirmed_on,
    )
    return _cp(transfer, _today())


# -- agreements and notice-review flags ----------------------------------------------------------------


def _agreement(a: Agreement, on: dt.date) -> dict[str, Any]:
    return {
        "id": a.pk,
        "trust_id": a.trust_id,
        "school_urn": a.school.urn if a.school is not None else None,
        "recipient_key": a.recipient_key,
        "title": a.title,
        "parties": a.parties,
        "purposes": list(a.purposes),
        "categories": list(a.categories),
        "lawful_basis": a.lawful_basis,
        "legal_gateway": a.legal_gateway,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "onward_sharing": a.onward_sharing,
        "in_force": a.in_force(on),
        "has_document": bool(a.document),
    }


@router.get("/agreements", response=_responses(200, list[ss.AgreementOut], 403), summary="List agreements")
def list_agreements(request: HttpRequest) -> list[dict[str, Any]]:
    """Data sharing agreements of the trusts the caller shares from (trust-wide, or for their schools),
    with whether each is in force today."""
    user = caller(request)
    _require_sharer(user)
    on = _today()
    return [
        _agreement(a, on)
        for group in selectors.agreements_by_trust(user, on)
        for a in [*group.in_force, *group.ended]
    ]


@router.post(
    "/agreements", response=_responses(201, ss.AgreementOut, 403, 404, 422), summary="Record an agreement"
)
def create_agreement(request: HttpRequest, payload: ss.AgreementIn) -> Status[dict[str, Any]]:
    """Record a data sharing agreement, for one school (`school`) or every school of the trust; the trust's
    DPO only. Without `recipient_key` it is with alternative provision providers for the AP purpose
    (`placements.services.agreement_create`); with one, any register recipient, covering only the
    `purposes` and `categories` the register shares with it (`sharing.agreements.agreement_create`). The
    lawful basis and gateway are the register's. (The signed document is uploaded in the staff UI.)"""
    user = caller(request)
    scope = scope_for(user)
    school: School | None = None
    if payload.school:
        school = School.objects.filter(urn=payload.school.strip(), pk__in=set(scope.grants)).first()
        if school is None:
            raise Http404("No such school")
        trust = school.trust
    elif payload.trust is not None:
        found = Trust.objects.filter(pk=payload.trust, pk__in=scope.trust_ids).first()
        if found is None:
            raise Http404("No such trust")
        trust = found
    elif len(scope.trust_ids) == 1:
        trust = Trust.objects.get(pk=next(iter(scope.trust_ids)))
    else:
        raise ValidationError(
            {"trust": ValidationError("Say which trust the agreement is for.", code="required")}
        )
    common: dict[str, Any] = {
        "actor": user,
        "trust": trust,
        "school": school,
        "title": payload.title,
        "parties": payload.parties,
        "categories": payload.categories,
        "starts_on": payload.starts_on,
        "ends_on": payload.ends_on,
        "onward_sharing": payload.onward_sharing,
    }
    if payload.recipient_key is None:
        agreement = ap_agreement_create(**common)
    else:
        agreement = agreements.agreement_create(
            **common, recipient_key=payload.recipient_key, purposes=payload.purposes
        )
    return Status(201, _agreement(agreement, _today()))


def _flag(f: NoticeReviewFlag) -> dict[str, Any]:
    return {
        "id": f.pk,
        "school_urn": f.school.urn,
        "run_id": f.run_id,
        "reason": f.reason,
        "raised_at": f.raised_at,
        "raised_by": f.raised_by.username if f.raised_by else None,
        "resolved_on": f.resolved_on,
        "resolution": f.resolution,
    }


@router.get(
    "/notice-flags",
    response=_responses(200, list[ss.NoticeFlagOut], 403, 404),
    summary="Open notice-review flags",
)
def list_flags(
    request: HttpRequest, school: str = Query("", description="Only flags of the school with this URN.")
) -> list[dict[str, Any]]:
    """Open flags raised when the DPO overrode the gate: the school's notice needs review."""
    user = caller(request)
    ids = _require_sharer(user)
    qs = NoticeReviewFlag.objects.filter(school_id__in=ids, resolved_on__isnull=True).select_related(
        "school", "raised_by"
    )
    if school:
        qs = qs.filter(school=_share_school(user, school))
    return [_flag(f) for f in qs.order_by("-raised_at", "-pk")]


@router.post(
    "/notice-flags",
    response=_responses(200, ss.NoticeFlagOut, 403, 404, 422),
    summary="Resolve a notice-review flag",
)
def resolve_flag(request: HttpRequest, payload: ss.NoticeFlagResolveIn) -> dict[str, Any]:
    """The DPO records how an open flag (`id`) was resolved, e.g. the notice was republished; it leaves
    the open list. A flag already resolved is a 404."""
    user = caller(request)
    flag = (
        NoticeReviewFlag.objects.select_related("school", "raised_by")
        .filter(pk=payload.id, resolved_on__isnull=True)
        .first()
    )
    if flag is None:
        raise Http404("No such flag")
    _reach(user, flag.school_id, selectors.export_school_ids(user), "You may not see this school's flags.")
    if not selectors.is_dpo(user, flag.school):
        raise PermissionDenied("Only the data protection officer resolves notice-review flags.")
    flag = agreements.flag_resolve(actor=user, flag=flag, resolution=payload.resolution, on=_today())
    return _flag(flag)
