"""Reads of consent: the state of a consent, replayed from the ledger, never stored.

`replay` is the one place the rules of who decides live (a pure function of a consent purpose and its
events, so a property-based test can hold it against a plain reference replay):

- parent / pupil / either: the latest decision of whoever may decide counts; a grant makes the consent
  effective, a refusal, withdrawal or objection ends it from its own date (withdrawal takes effect
  immediately, UK GDPR Art 7(3));
- both (biometrics, Protection of Freedoms Act 2012 s.26): effective only while at least one parent's
  latest decision is a written consent, no parent's latest decision is a withdrawal, objection or
  refusal (s.26(3)), and the pupil's latest decision is not a refusal or objection, at any age (s.26(5)).

Events are ordered by their effective date, then by when they were recorded (a later record of the same
day wins), so the state depends on the ledger alone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.consent.models import (
    DECISIONS,
    BiometricDeletionTask,
    ConsentAction,
    ConsentEvent,
    DecidedBy,
)
from steward.organisations.models import School
from steward.people.models import Enrolment, Pupil
from steward.register.models import ConsentPurpose, GivenBy
from steward.register.resolve import applies

NOT_ASKED = "not_asked"
STATE_LABELS = {
    "given": "Given",
    "refused": "Refused",
    "withdrawn": "Withdrawn",
    "objected": "Objected",
    NOT_ASKED: "Not asked",
}
# The state a decision leaves.
_STATE_OF = {
    ConsentAction.GRANT: "given",
    ConsentAction.REFUSE: "refused",
    ConsentAction.WITHDRAW: "withdrawn",
    ConsentAction.OBJECT: "objected",
}
_FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


def today() -> dt.date:
    return timezone.localdate()


@dataclass(frozen=True)
class ConsentState:
    """A consent as the ledger has it on a day: `state` (given, refused, withdrawn, objected, not_asked),
    `effective` (may the processing happen), `reason` (why, in plain words) and the events it rests on."""

    state: str
    effective: bool
    reason: str
    events: tuple[ConsentEvent, ...] = ()

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def _order(e: ConsentEvent) -> tuple[dt.date, dt.datetime, int]:
    return (e.on, e.at or _FAR_FUTURE, e.pk or 0)


def _when(e: ConsentEvent) -> str:
    return f"{e.on:%d %B %Y}"


def _decision_words(e: ConsentEvent) -> str:
    verb = {
        ConsentAction.GRANT: "consented",
        ConsentAction.REFUSE: "refused",
        ConsentAction.WITHDRAW: "withdrew consent",
        ConsentAction.OBJECT: "objected",
    }[ConsentAction(e.action)]
    who = e.who
    return f"{who[:1].upper()}{who[1:]} {verb} on {_when(e)}"


def _may_decide(purpose: ConsentPurpose, e: ConsentEvent) -> bool:
    """Whether a decision counts under the purpose's `given_by` (recording already refuses the others;
    this keeps the replay honest if a purpose's rule changes later)."""
    if e.by == DecidedBy.PARENT:
        return purpose.given_by in (GivenBy.PARENT, GivenBy.EITHER, GivenBy.BOTH)
    if e.by == DecidedBy.PUPIL:
        return purpose.given_by in (GivenBy.PUPIL, GivenBy.EITHER, GivenBy.BOTH)
    return False


def replay(purpose: ConsentPurpose, events: Iterable[ConsentEvent], on: dt.date) -> ConsentState:
    """The state of one pupil's consent for `purpose` on `on`, from that consent's events alone."""
    evs = tuple(sorted((e for e in events if e.on <= on), key=_order))
    decisions = [e for e in evs if e.action in DECISIONS and _may_decide(purpose, e)]
    if purpose.given_by == GivenBy.BOTH or purpose.biometric:
        return _replay_biometric(purpose, evs, decisions)
    if not decisions:
        return ConsentState(
            NOT_ASKED, False, "Nobody has decided yet: without consent, it does not happen.", evs
        )
    last = decisions[-1]
    state = _STATE_OF[ConsentAction(last.action)]
    if last.action != ConsentAction.GRANT:
        return ConsentState(state, False, f"{_decision_words(last)}: it stops from that day.", evs)
    if purpose.written_only and not last.in_writing:
        return ConsentState(
            NOT_ASKED, False, f"{_decision_words(last)}, but not in writing, and this consent must be.", evs
        )
    return ConsentState(state, True, f"{_decision_words(last)}.", evs)


def _replay_biometric(
    purpose: ConsentPurpose, evs: tuple[ConsentEvent, ...], decisions: Sequence[ConsentEvent]
) -> ConsentState:
    parents: dict[int | None, ConsentEvent] = {}
    child: ConsentEvent | None = None
    for e in decisions:
        if e.by == DecidedBy.PARENT:
            parents[e.contact_id] = e
        else:
            child = e
    if child is not None and child.action != ConsentAction.GRANT:
        state = "refused" if child.action == ConsentAction.REFUSE else "objected"
        return ConsentState(
            state,
            False,
            f"The pupil {'refused' if state == 'refused' else 'objected'} on {_when(child)}: processing must "
            "stop whatever a parent decided, at any age (Protection of Freedoms Act 2012 s.26(5)).",
            evs,
        )
    stopping = sorted((e for e in parents.values() if e.action != ConsentAction.GRANT), key=_order)
    granted = sorted(
        (e for e in parents.values() if e.action == ConsentAction.GRANT and e.in_writing), key=_order
    )
    if stopping:
        last = stopping[-1]
        despite = f", even though {granted[-1].who} consented" if granted else ""
        return ConsentState(
            _STATE_OF[ConsentAction(last.action)],
            False,
            f"{_decision_words(last)}{despite}: no parent may have withdrawn or objected "
            "(Protection of Freedoms Act 2012 s.26(3)).",
            evs,
        )
    if granted:
        return ConsentState(
            "given",
            True,
            f"{_decision_words(granted[-1])} in writing; no parent has objected and the pupil has not objected.",
            evs,
        )
    return ConsentState(
        NOT_ASKED,
        False,
        "No parent has consented in writing (Protection of Freedoms Act 2012 s.26(3)): the pupil uses the "
        f"alternative ({purpose.alternative or 'not recorded'}).",
        evs,
    )


# --- consent purposes of a school -----------------------------------------------------------------


def _winners(rows: Iterable[ConsentPurpose], school: School) -> dict[str, ConsentPurpose]:
    """Trust rows by key, each replaced by the school's own row with the same key (any activity)."""
    chosen: dict[str, ConsentPurpose] = {}
    rows = list(rows)
    for r in rows:
        if r.school_id is None:
            chosen.setdefault(r.key, r)
    for r in rows:
        if r.school_id == school.pk:
            chosen[r.key] = r
    return chosen


def _rows(school: School) -> QuerySet[ConsentPurpose]:
    return ConsentPurpose.objects.filter(Q(school__isnull=True) | Q(school=school), trust_id=school.trust_id)


def purpose_rows(school: School) -> list[ConsentPurpose]:
    """Every consent purpose that applies to the school's phase, active or not (the staff pages show the
    inactive ones, e.g. biometrics waiting for a DPIA)."""
    return sorted(
        (p for p in _winners(_rows(school), school).values() if not p.phases or school.phase in p.phases),
        key=lambda p: (p.position, p.key),
    )


def purposes_for(school: School) -> list[ConsentPurpose]:
    """The school's effective consent purposes: trust rows with its overrides, active, for its phase."""
    return [p for p in purpose_rows(school) if applies(p, school.phase)]


def purpose_for(school: School, key: str) -> ConsentPurpose | None:
    """The school's row for a consent purpose key (active or not), None if the register has none."""
    return next((p for p in purpose_rows(school) if p.key == key), None)


def pupil_school(pupil: Pupil, on: dt.date | None = None) -> School | None:
    """The pupil's school on the day: the latest enrolment running then, else the latest one."""
    day = on or today()
    enrolments = list(pupil.enrolments.select_related("school").order_by("-admission_date", "-pk"))
    for e in enrolments:
        if e.admission_date <= day and (e.leaving_date is None or e.leaving_date >= day):
            return e.school
    return enrolments[0].school if enrolments else None


# --- states ---------------------------------------------------------------------------------------


def ledger(pupil: Pupil, purpose: ConsentPurpose | None = None) -> QuerySet[ConsentEvent]:
    """A pupil's consent events (for one consent purpose key, school overrides included), oldest first."""
    qs = ConsentEvent.objects.filter(pupil=pupil).select_related(
        "contact", "purpose", "notice_version", "recorded_by", "school"
    )
    if purpose is not None:
        qs = qs.filter(purpose__trust_id=purpose.trust_id, purpose__key=purpose.key)
    return qs.order_by("on", "at", "pk")


def consent_state(pupil: Pupil, purpose: ConsentPurpose, on: dt.date | None = None) -> ConsentState:
    """The pupil's consent for `purpose` on `on` (default today), replayed from the ledger."""
    return replay(purpose, ledger(pupil, purpose), on or today())


def consent_states(pupil: Pupil, on: dt.date | None = None) -> list[tuple[ConsentPurpose, ConsentState]]:
    """Every effective consent purpose of the pupil's school, with the pupil's state for each."""
    day = on or today()
    school = pupil_school(pupil, day)
    if school is None:
        return []
    purposes = purposes_for(school)
    states = states_for([pupil.pk], purposes, day)
    return [(p, states[(pupil.pk, p.key)]) for p in purposes]


def states_for(
    pupil_ids: Iterable[int], purposes: Sequence[ConsentPurpose], on: dt.date
) -> dict[tuple[int, str], ConsentState]:
    """(pupil id, purpose key) -> state for many pupils and purposes of one trust: one query."""
    ids = list(pupil_ids)
    keys = {p.key for p in purposes}
    by: dict[tuple[int, str], list[ConsentEvent]] = defaultdict(list)
    if ids and purposes:
        trust_ids = {p.trust_id for p in purposes}
        rows = ConsentEvent.objects.filter(
            pupil_id__in=ids, purpose__trust_id__in=trust_ids, purpose__key__in=keys, on__lte=on
        ).select_related("contact", "purpose")
        for e in rows:
            by[(e.pupil_id, e.purpose.key)].append(e)
    return {(pid, p.key): replay(p, by[(pid, p.key)], on) for pid in ids for p in purposes}


# --- staff reads ------------------------------------------------------------------------------------


def staff_schools(actor: Any) -> QuerySet[School]:
    """Schools where the actor may see and record consents: those where they may change pupils."""
    return School.objects.filter(pk__in=scope_for(actor).school_ids(Action.CHANGE_PUPILS)).order_by("name")


def staff_school(actor: Any, urn: str) -> School:
    school = staff_schools(actor).filter(urn=urn).first()
    if school is None:
        raise Http404("No such school")
    return school


def staff_pupil(actor: Any, pk: Any) -> Pupil:
    """A pupil at one of the actor's consent schools, else Http404 (never a 403: no hint it exists)."""
    ids = scope_for(actor).school_ids(Action.CHANGE_PUPILS)
    try:
        return Pupil.objects.filter(enrolments__school_id__in=ids).distinct().get(pk=pk)
    except (Pupil.DoesNotExist, ValueError, TypeError):
        raise Http404("No such pupil") from None


def roll(school: School, on: dt.date) -> list[tuple[Pupil, str]]:
    """The pupils on the school's roll on the day, with their registration group."""
    rows = (
        Enrolment.objects.filter(school=school, admission_date__lte=on)
        .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=on))
        .select_related("pupil")
        .order_by("tutor_group", "pupil__legal_surname", "pupil__legal_forename", "pupil_id")
    )
    seen: set[int] = set()
    out: list[tuple[Pupil, str]] = []
    for e in rows:
        if e.pupil_id not in seen:
            seen.add(e.pupil_id)
            out.append((e.pupil, e.tutor_group))
    return out


@dataclass(frozen=True)
class Counts:
    given: int = 0
    refused: int = 0
    withdrawn: int = 0
    objected: int = 0
    not_asked: int = 0

    @property
    def total(self) -> int:
        return self.given + self.refused + self.withdrawn + self.objected + self.not_asked


def _count(states: Iterable[ConsentState]) -> Counts:
    tally: dict[str, int] = defaultdict(int)
    for s in states:
        tally[s.state] += 1
    return Counts(**{k: tally.get(k, 0) for k in ("given", "refused", "withdrawn", "objected", "not_asked")})


@dataclass(frozen=True)
class Overview:
    """A school's consents on a day: per purpose, and per registration group and purpose."""

    school: School
    on: dt.date
    purposes: list[ConsentPurpose]
    totals: dict[str, Counts]
    groups: list[tuple[str, dict[str, Counts]]]
    pupils: list[tuple[Pupil, str, dict[str, ConsentState]]]


def overview(school: School, on: dt.date, group: str | None = None) -> Overview:
    """Counts of given / refused / withdrawn / objected / not asked for every consent purpose of the
    school (inactive ones too, e.g. biometrics awaiting a DPIA), per purpose and per registration group;
    with `group`, that group's pupils one by one."""
    purposes = purpose_rows(school)
    pupils = roll(school, on)
    states = states_for([p.pk for p, _ in pupils], purposes, on)
    totals = {p.key: _count(states[(pu.pk, p.key)] for pu, _ in pupils) for p in purposes}
    by_group: dict[str, list[Pupil]] = defaultdict(list)
    for pu, g in pupils:
        by_group[g].append(pu)
    groups = [
        (g, {p.key: _count(states[(pu.pk, p.key)] for pu in members) for p in purposes})
        for g, members in sorted(by_group.items())
    ]
    listed = [
        (pu, g, {p.key: states[(pu.pk, p.key)] for p in purposes})
        for pu, g in pupils
        if group is not None and g == group
    ]
    return Overview(school, on, purposes, totals, groups, listed)


def deletion_tasks(
    actor: Any, school: School, *, include_done: bool = False
) -> QuerySet[BiometricDeletionTask]:
    """The school's biometric deletion tasks (open first, by due date); `staff_school` checked the actor."""
    qs = BiometricDeletionTask.objects.filter(school=school).select_related("pupil", "purpose", "done_by")
    if not include_done:
        qs = qs.filter(done_on__isnull=True)
    return qs.order_by("done_on", "due_on", "pk")


def staff_task(actor: Any, pk: Any) -> BiometricDeletionTask:
    ids = scope_for(actor).school_ids(Action.CHANGE_PUPILS)
    try:
        return BiometricDeletionTask.objects.select_related("pupil", "purpose", "school").get(
            pk=pk, school_id__in=ids
        )
    except (BiometricDeletionTask.DoesNotExist, ValueError, TypeError):
        raise Http404("No such task") from None
