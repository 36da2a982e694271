"""Statutory returns: a census-style extract for the DfE or the local authority, checked and logged.

Exact census file formats are out of scope (issue 5); what matters is that the share is checked by the
gate, minimised by the register (a column is written only when the recipient's register row receives
its category: `sharing.columns`) and logged one row per pupil. Items: identifiers, characteristics,
enrolment, free school meal eligibility on the census day, SEN provision and primary need, attendance
session totals over the period (2024 regulations' categories: `records.attendance`) and exclusions.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.organisations.models import School
from steward.people.models import Enrolment, FSMPeriod, Pupil, PupilAddress
from steward.records.attendance import totals
from steward.records.models import AttendanceMark, Exclusion, SENNeed, SENProvision
from steward.sharing.columns import Column, allowed, categories_of
from steward.sharing.gate import check_share
from steward.sharing.log import Sent, record_share
from steward.sharing.models import ShareKind, ShareRun

PURPOSE = "statutory_returns"


@dataclass
class _Row:
    pupil: dict[str, Any]
    enrolment: dict[str, Any]
    postcode: str = ""
    fsm: bool = False
    sen: str = ""
    need: str = ""
    marks: list[str] = field(default_factory=list)
    exclusions: int = 0
    exclusion_sessions: int = 0


def _p(name: str) -> Callable[[_Row], Any]:
    return lambda r: r.pupil[name]


def _attendance(which: str) -> Callable[[_Row], Any]:
    return lambda r: getattr(totals(r.marks), which)


COLUMNS = (
    Column("upn", Pupil, "upn", _p("upn")),
    Column("uln", Pupil, "uln", _p("uln")),
    Column("surname", Pupil, "legal_surname", _p("legal_surname")),
    Column("forename", Pupil, "legal_forename", _p("legal_forename")),
    Column("former_surname", Pupil, "former_surname", _p("former_surname")),
    Column("date_of_birth", Pupil, "date_of_birth", lambda r: r.pupil["date_of_birth"].isoformat()),
    Column("sex", Pupil, "sex", _p("sex")),
    Column("ethnicity", Pupil, "ethnicity", _p("ethnicity")),
    Column("first_language", Pupil, "first_language", _p("first_language")),
    Column("ncy_actual", Pupil, "ncy", _p("ncy")),
    Column("postcode", PupilAddress, "postcode", lambda r: r.postcode),
    Column("entry_date", Enrolment, "admission_date", lambda r: r.enrolment["admission_date"].isoformat()),
    Column("enrolment_status", Enrolment, "status", lambda r: r.enrolment["status"]),
    Column("fsm_eligible", FSMPeriod, "start_date", lambda r: "true" if r.fsm else "false"),
    Column("sen_provision", SENProvision, "provision", lambda r: r.sen or "N"),
    Column("sen_primary_need", SENNeed, "need", lambda r: r.need),
    Column("sessions_possible", AttendanceMark, "code", _attendance("possible")),
    Column("sessions_authorised_absence", AttendanceMark, "code", _attendance("authorised")),
    Column("sessions_unauthorised_absence", AttendanceMark, "code", _attendance("unauthorised")),
    Column("exclusions", Exclusion, "kind", lambda r: r.exclusions),
    Column("exclusion_sessions", Exclusion, "sessions", lambda r: r.exclusion_sessions),
)


@dataclass
class StatutoryExtract:
    school: School
    recipient_key: str
    on: dt.date
    period: tuple[dt.date, dt.date]
    content: bytes
    sha256: str
    headers: list[str]
    included: list[int]
    excluded: dict[int, str]
    run: ShareRun | None = None


def academic_year_start(on: dt.date) -> dt.date:
    """1 September of the academic year `on` falls in."""
    return dt.date(on.year if on.month >= 9 else on.year - 1, 9, 1)


def _gather(school: School, on: dt.date, start: dt.date) -> dict[int, _Row]:
    on_roll = (
        Enrolment.objects.filter(school=school, admission_date__lte=on)
        .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=on))
        .order_by("pupil_id", "admission_date")
        .values("pupil_id", "admission_date", "status")
    )
    enrolments = {e["pupil_id"]: dict(e) for e in on_roll}
    ids = list(enrolments)
    pupils = Pupil.objects.filter(pk__in=ids).order_by("legal_surname", "legal_forename", "pk")
    rows = {
        p["pk"]: _Row(pupil=dict(p), enrolment=enrolments[p["pk"]])
        for p in pupils.values(
            "pk",
            "upn",
            "uln",
            "legal_surname",
            "legal_forename",
            "former_surname",
            "date_of_birth",
            "sex",
            "ethnicity",
            "first_language",
            "ncy",
        )
    }
    for a in (
        PupilAddress.objects.filter(pupil_id__in=ids)
        .filter(
            Q(start_date__isnull=True) | Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on)
        )
        .order_by("pupil_id", "start_date", "pk")
        .values_list("pupil_id", "postcode")
    ):
        rows[a[0]].postcode = a[1]
    for pid in (
        FSMPeriod.objects.filter(pupil_id__in=ids, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .values_list("pupil_id", flat=True)
    ):
        rows[pid].fsm = True
    for pid, provision in (
        SENProvision.objects.filter(pupil_id__in=ids, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .order_by("pupil_id", "start_date")
        .values_list("pupil_id", "provision")
    ):
        rows[pid].sen = provision
    for pid, need in (
        SENNeed.objects.filter(pupil_id__in=ids, rank=1)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .order_by("pupil_id", "pk")
        .values_list("pupil_id", "need")
    ):
        rows[pid].need = need
    marks: dict[int, list[str]] = defaultdict(list)
    for pid, code in AttendanceMark.objects.filter(
        pupil_id__in=ids, school=school, date__gte=start, date__lte=on
    ).values_list("pupil_id", "code"):
        marks[pid].append(code)
    for pid, got in marks.items():
        rows[pid].marks = got
    for pid, sessions in Exclusion.objects.filter(
        pupil_id__in=ids, school=school, start_date__gte=start, start_date__lte=on
    ).values_list("pupil_id", "sessions"):
        rows[pid].exclusions += 1
        rows[pid].exclusion_sessions += sessions
    return rows


@transaction.atomic
def statutory_extract(
    *,
    actor: Any,
    school: School,
    recipient_key: str,
    on: dt.date,
    start: dt.date | None = None,
    override_reason: str = "",
    deliver: Callable[[bytes], object] | None = None,
) -> StatutoryExtract:
    """Build and log a census-style extract of the pupils on roll at `school` on `on` for `recipient_key`
    (the DfE, or the local authority), with attendance and exclusions from `start` (default: 1 September
    of the academic year) to `on`. Refused as a whole when the gate refuses; restricted pupils are left
    out with the reason. `deliver` runs inside the transaction (a failed delivery rolls the log back).
    """
    scope = scope_for(actor)
    if not (scope.may(Action.EXPORT, school.pk) or scope.may(Action.MANAGE_REGISTER, school.pk)):
        raise PermissionDenied("You may not export data for statutory returns at this school.")
    start = start or academic_year_start(on)
    rows = _gather(school, on, start)
    from steward.register.selectors import effective_register

    recipient = next((r for r in effective_register(school).recipients if r.key == recipient_key), None)
    columns = allowed(COLUMNS, recipient) if recipient is not None else list(COLUMNS)
    check = check_share(
        school=school,
        recipient_key=recipient_key,
        purpose_key=PURPOSE,
        categories=categories_of(columns),
        on=on,
        pupil_ids=list(rows),
    )
    headers = ["school_urn", "laestab", *[c.header for c in columns]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    sent: list[Sent] = []
    excluded: dict[int, str] = {}
    for pid, row in rows.items():
        if pid in check.excluded:
            excluded[pid] = "; ".join(f.message for f in check.excluded[pid])
            continue
        values = {c.header: c.read(row) for c in columns}
        writer.writerow([school.urn, f"{school.la_code}{school.estab}", *values.values()])
        sent.append(Sent(pupil_id=pid, fields=list(values), payload=values))
    content = buffer.getvalue().encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()
    result = StatutoryExtract(
        school=school,
        recipient_key=recipient_key,
        on=on,
        period=(start, on),
        content=content,
        sha256=digest,
        headers=headers,
        included=[s.pupil_id for s in sent],
        excluded=excluded,
    )
    result.run = record_share(
        actor=actor,
        check=check,
        kind=ShareKind.STATUTORY,
        sent=sent,
        package_sha256=digest,
        summary={
            "period": [start.isoformat(), on.isoformat()],
            "included": len(sent),
            "excluded": len(excluded),
        },
        override_reason=override_reason,
    )
    if deliver is not None:
        deliver(content)
    return result
