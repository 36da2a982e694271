"""Reads for the sharing pages: which schools a user may share from, runs and flags by school, child
protection files owed, ad-hoc requests, CTF files, agreements, and a pupil's disclosures with recipient
and purpose names.

Who sees what mirrors the services: exports need `Action.EXPORT` at the school (or the DPO's
`MANAGE_REGISTER`); child protection transfers are safeguarding data, shown only where the user reads
`pupil.safeguarding` (the DSL and the trust DPO). A school outside those is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.audit.services import Subject, record
from steward.organisations.models import School, Trust
from steward.people.models import Enrolment, Pupil
from steward.register.selectors import CategoryRef, RecipientView, effective_register, purpose_options
from steward.registry.taxonomy import taxonomy
from steward.sharing.ctf.childprotection import owed, status
from steward.sharing.models import AdHocRequest, Agreement, Disclosure, NoticeReviewFlag, ShareRun
from steward.sharing.models_transfer import ChildProtectionTransfer, CtfFile, TransferReceived
from steward.sharing.youth_support import AGE_16, cohort, sharing_states

SAFEGUARDING = "pupil.safeguarding"
RECENT_RUNS = 20

# Purposes an ad-hoc request may rely on that a school's register does not list: a DPA 2018 Schedule 2
# exemption waives the purpose check for them (the gate says so when none is chosen).
EXTRA_PURPOSES = (
    ("investigate_crime", "Prevention or detection of crime (DPA 2018 Sch 2 para 2)"),
    ("legal_proceedings", "Legal proceedings, or required by law or a court order (Sch 2 para 5)"),
)


def today() -> dt.date:
    return timezone.localdate()


# --- schools -------------------------------------------------------------------------------------------


def export_school_ids(user: Any) -> set[int]:
    """Schools where the user may share data out: export there, or manage the register (the DPO)."""
    scope = scope_for(user)
    return scope.school_ids(Action.EXPORT) | scope.school_ids(Action.MANAGE_REGISTER)


def cp_school_ids(user: Any) -> set[int]:
    """Schools where the user keeps child protection files: reads safeguarding data and changes pupils."""
    return scope_for(user).schools_reading([SAFEGUARDING], Action.CHANGE_PUPILS)


def sharing_schools(user: Any) -> QuerySet[School]:
    return School.objects.filter(pk__in=export_school_ids(user)).order_by("name")


def import_schools(user: Any) -> QuerySet[School]:
    """Schools where the user may import a CTF (run MIS imports)."""
    return School.objects.filter(pk__in=scope_for(user).school_ids(Action.IMPORT)).order_by("name")


def overview_schools(user: Any) -> QuerySet[School]:
    """Schools the sharing overview shows: those shared from, and those whose CP files the user keeps."""
    return School.objects.filter(pk__in=export_school_ids(user) | cp_school_ids(user)).order_by("name")


def school_in(schools: QuerySet[School], urn: str) -> School:
    """The school with this URN among `schools` (the first when no URN is given); Http404 otherwise."""
    school = schools.filter(urn=urn).first() if urn else schools.first()
    if school is None:
        raise Http404("No such school")
    return school


def is_dpo(user: Any, school: School) -> bool:
    """The DPO decides ad-hoc disclosures, overrides the gate and resolves notice-review flags."""
    return scope_for(user).may(Action.MANAGE_REGISTER, school.pk)


def may_keep_cp(user: Any, school: School) -> bool:
    return school.pk in cp_school_ids(user)


# --- the overview ----------------------------------------------------------------------------------------


def runs_for_school(school: School, limit: int = RECENT_RUNS) -> list[ShareRun]:
    return list(ShareRun.objects.filter(school=school).select_related("actor").order_by("-at", "-pk")[:limit])


def run_pupil_counts(runs: Sequence[ShareRun]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for run_id in Disclosure.objects.filter(run__in=list(runs)).values_list("run_id", flat=True):
        counts[run_id] = counts.get(run_id, 0) + 1
    return counts


def open_flags(school: School) -> QuerySet[NoticeReviewFlag]:
    return NoticeReviewFlag.objects.filter(school=school, resolved_on__isnull=True).select_related(
        "run", "raised_by"
    )


def open_flag(user: Any, pk: Any) -> NoticeReviewFlag:
    """An open flag at a school where the user is the DPO; Http404 otherwise."""
    scope = scope_for(user)
    try:
        flag = NoticeReviewFlag.objects.select_related("school").get(pk=pk, resolved_on__isnull=True)
    except (NoticeReviewFlag.DoesNotExist, ValueError, TypeError):
        raise Http404("No such flag") from None
    if not scope.may(Action.MANAGE_REGISTER, flag.school_id):
        raise Http404("No such flag")
    return flag


@dataclass(frozen=True)
class OwedRow:
    transfer: ChildProtectionTransfer
    status: str  # overdue, due, pending


def cp_owed(user: Any, school: School, on: dt.date) -> list[OwedRow]:
    """Child protection files owed from `school`, soonest due first; empty unless the user keeps them.
    Each pupil named is logged as a view of safeguarding data."""
    if not may_keep_cp(user, school):
        return []
    rows = [OwedRow(t, status(t, on)) for t in owed(school=school)]
    for r in rows:
        record(
            "view",
            model=ChildProtectionTransfer._meta.label,
            object_id=r.transfer.pk,
            subject=Subject(pupil_id=r.transfer.pupil_id, school_id=school.pk),
            categories=[SAFEGUARDING, "pupil.identity.name"],
            special=True,
            detail={"page": "sharing overview: child protection files owed"},
        )
    return rows


def cp_transfer(user: Any, pk: Any) -> ChildProtectionTransfer:
    """A child protection file not yet sent, from a school where the user keeps them; Http404 otherwise."""
    try:
        transfer = ChildProtectionTransfer.objects.select_related("pupil", "from_school").get(
            pk=pk, sent_on__isnull=True
        )
    except (ChildProtectionTransfer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such transfer") from None
    if transfer.from_school_id not in cp_school_ids(user):
        raise Http404("No such transfer")
    record(
        "view",
        model=ChildProtectionTransfer._meta.label,
        object_id=transfer.pk,
        subject=Subject(pupil_id=transfer.pupil_id, school_id=transfer.from_school_id),
        categories=[SAFEGUARDING, "pupil.identity.name"],
        special=True,
        detail={"page": "child protection file: mark sent"},
    )
    return transfer


# --- the register: recipients and categories ---------------------------------------------------------


def recipients(school: School, purpose: str = "") -> list[RecipientView]:
    """The school's register recipients (serving `purpose`, when given)."""
    return [r for r in effective_register(school).recipients if not purpose or purpose in r.purposes]


def recipient_choices(schools: Iterable[School], purpose: str = "") -> list[tuple[str, str]]:
    """(key, name) of recipients in the registers of `schools`, once each, in register order."""
    out: dict[str, str] = {}
    for s in schools:
        for r in recipients(s, purpose):
            out.setdefault(r.key, r.name)
    return list(out.items())


def recipient_categories(school: School, recipient_key: str) -> list[CategoryRef]:
    r = next((r for r in recipients(school) if r.key == recipient_key), None)
    return list(r.categories) if r is not None else []


def purpose_choices(schools: Iterable[School]) -> list[tuple[str, str]]:
    out: dict[str, str] = {}
    for s in schools:
        for key, name, active in purpose_options(s.trust, s):
            if active:
                out.setdefault(key, name)
    for key, name in EXTRA_PURPOSES:
        out.setdefault(key, name)
    return list(out.items())


def purpose_names(trust_id: int) -> dict[str, str]:
    trust = Trust.objects.get(pk=trust_id)
    names = {key: name for key, name, _active in purpose_options(trust)}
    names.update({k: v for k, v in EXTRA_PURPOSES if k not in names})
    return names


def category_labels(keys: Iterable[str]) -> list[str]:
    tax = taxonomy()
    return [tax.get(k).label if k in tax else k for k in keys]


# --- youth support preview ---------------------------------------------------------------------------


@dataclass(frozen=True)
class YouthSupportPreview:
    aged_13_15: int
    aged_16_plus: int
    limited: int

    @property
    def total(self) -> int:
        return self.aged_13_15 + self.aged_16_plus


def youth_support_preview(school: School, on: dt.date) -> YouthSupportPreview:
    """How many pupils a run on `on` would cover, by age group, and how many are limited (counts only:
    nothing is sent, logged or named)."""
    from steward.people.models import age_on

    pupils = cohort(school, on)
    states = sharing_states([p["pk"] for p in pupils], on)
    older = sum(1 for p in pupils if age_on(p["date_of_birth"], on) >= AGE_16)
    return YouthSupportPreview(
        aged_13_15=len(pupils) - older,
        aged_16_plus=older,
        limited=sum(1 for s in states.values() if s == "limited"),
    )


# --- pupils ---------------------------------------------------------------------------------------------


def pupils_by_upn(school: School, upns: Sequence[str]) -> tuple[list[Pupil], list[str]]:
    """Pupils of the school's trust ever enrolled at the school, by UPN; and the UPNs not found there."""
    wanted = list(dict.fromkeys(u.strip().upper() for u in upns if u.strip()))
    found = {
        p.upn: p
        for p in Pupil.objects.filter(trust_id=school.trust_id, upn__in=wanted, enrolments__school=school)
        .distinct()
        .order_by("pk")
    }
    return [found[u] for u in wanted if u in found], [u for u in wanted if u not in found]


def leavers_on(school: School, day: dt.date) -> list[Pupil]:
    """Pupils whose enrolment at the school ends on `day` (a cohort of leavers for a CTF)."""
    ids = Enrolment.objects.filter(school=school, leaving_date=day).values("pupil_id")
    return list(Pupil.objects.filter(pk__in=ids).order_by("legal_surname", "legal_forename", "pk"))


def pupil_names(ids: Iterable[int]) -> dict[int, str]:
    return {p.pk: p.display_name for p in Pupil.objects.filter(pk__in=list(ids))}


# --- ad-hoc requests ----------------------------------------------------------------------------------


def adhoc_requests(school: School) -> QuerySet[AdHocRequest]:
    return AdHocRequest.objects.filter(school=school).select_related("approved_by", "logged_by")


def adhoc_request(user: Any, pk: Any) -> AdHocRequest:
    """A request at a school the user shares from; Http404 otherwise."""
    try:
        req = AdHocRequest.objects.select_related("school", "run", "approved_by", "logged_by").get(pk=pk)
    except (AdHocRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request") from None
    if req.school_id not in export_school_ids(user):
        raise Http404("No such request")
    return req


@dataclass(frozen=True)
class DisclosedRow:
    pupil_id: int
    name: str
    fields: list[str]
    categories: list[str]
    limited: bool
    override: bool


def run_disclosures(run: ShareRun | None) -> list[DisclosedRow]:
    """What a run disclosed, per pupil (names from the pupil record; a pupil since erased shows an id)."""
    if run is None:
        return []
    rows = list(Disclosure.objects.filter(run=run).order_by("id"))
    names = pupil_names(r.pupil_ref for r in rows)
    return [
        DisclosedRow(
            pupil_id=r.pupil_ref,
            name=names.get(r.pupil_ref, f"Pupil #{r.pupil_ref} (no longer held)"),
            fields=list(r.fields),
            categories=category_labels(r.categories),
            limited=r.limited,
            override=r.override,
        )
        for r in rows
    ]


# --- the pupil page ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PupilDisclosure:
    on: dt.date
    at: dt.datetime
    recipient: str
    purpose: str
    kind: str
    categories: list[str]
    limited: bool
    override: bool


def pupil_disclosures(pupil: Pupil) -> list[PupilDisclosure]:
    """Every disclosure of the pupil, newest first, with the recipient and purpose named. The caller has
    already checked that the user may view the pupil (`people.selectors.pupil_profile`)."""
    rows = list(Disclosure.objects.filter(pupil_ref=pupil.pk).select_related("run").order_by("-id"))
    if not rows:
        return []
    names = purpose_names(pupil.trust_id)
    return [
        PupilDisclosure(
            on=r.run.on,
            at=r.at,
            recipient=r.recipient_name,
            purpose=names.get(r.purpose_key, r.purpose_key),
            kind=r.run.get_kind_display(),
            categories=category_labels(r.categories),
            limited=r.limited,
            override=r.override,
        )
        for r in rows
    ]


# --- CTF and agreements ------------------------------------------------------------------------------


def ctf_sent(school: School) -> QuerySet[CtfFile]:
    return CtfFile.objects.filter(school=school).select_related("run", "run__actor")


def ctf_received(school: School) -> QuerySet[TransferReceived]:
    return TransferReceived.objects.filter(school=school).select_related("actor")


@dataclass(frozen=True)
class TrustAgreements:
    trust: Trust
    school_urn: str  # one of the user's schools in the trust (the register the add form reads)
    in_force: list[Agreement]
    ended: list[Agreement]
    may_add: bool


def agreements_by_trust(user: Any, on: dt.date) -> list[TrustAgreements]:
    """Agreements of each trust the user shares from, in force on `on` or ended (or not yet started)."""
    scope = scope_for(user)
    urns: dict[int, str] = {}
    for trust_id, urn in sharing_schools(user).values_list("trust_id", "urn"):
        urns.setdefault(trust_id, urn)
    out = []
    for trust in Trust.objects.filter(pk__in=list(urns)).order_by("name"):
        rows = list(
            Agreement.objects.filter(trust=trust)
            .filter(Q(school__isnull=True) | Q(school_id__in=export_school_ids(user)))
            .select_related("school")
            .order_by("recipient_key", "-starts_on", "-pk")
        )
        out.append(
            TrustAgreements(
                trust=trust,
                school_urn=urns[trust.pk],
                in_force=[a for a in rows if a.in_force(on)],
                ended=[a for a in rows if not a.in_force(on)],
                may_add=Action.MANAGE_REGISTER in scope.trust_actions.get(trust.pk, set()),
            )
        )
    return out
