"""The stored redaction review of an access or portability response.

`propose` runs the automatic pass (`rights.redaction`) over every free text of the bundle (record
fields and the text of files returned by manual searches) and stores each span as a `RedactionMark`
("proposed"). The reviewer accepts or removes each one (`decide`) and adds their own (`add`) with a
reason code (third party, safeguarding exemption, legal privilege, exam script, ...); `review_done`
records that the review is complete. Re-running `propose` keeps earlier decisions for the same span
and drops marks whose text no longer matches the source (the record was changed).

The final bundle applies accepted marks only and is refused while any mark is undecided, or while
the automatic pass would find something not yet marked (`final_problems`).

Who decides: the trust DPO (Action.MANAGE_REGISTER) or the school's data protection lead. No action
in `accounts/roles.py` singles out the DP lead (imports and exports are shared with the office manager
and headteacher), so the lead is recognised by the `school_dpl` role at the request's school. The
marks touch every category, so the actor must also be able to read every category that holds text
to review (safeguarding: the trust DPO); see `bundle.require_readable`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.rights.bundle.collect import Text, collect
from steward.rights.models import (
    EventKind,
    MarkDecision,
    MarkOrigin,
    RedactionMark,
    RequestEvent,
    RightsRequest,
    TaskStatus,
)
from steward.rights.redaction import Kind, Matcher, ReasonCode, Redaction, known_people_for, redact
from steward.rights.services import _event, _locked, _not_closed, _visible
from steward.rights.tasks import BUNDLE_KINDS, task_file_text

REVIEWER_ROLE = "school_dpl"
UNDECIDED = MarkDecision.PROPOSED


# --- permissions -------------------------------------------------------------------------------


def may_review(actor: Any, school_id: int) -> bool:
    """The trust DPO, or the school's data protection lead."""
    scope = scope_for(actor)
    return scope.may(Action.MANAGE_REGISTER, school_id) or REVIEWER_ROLE in scope.roles_at(school_id)


def require_reviewer(actor: Any, request: RightsRequest) -> None:
    """404 outside the actor's schools; PermissionDenied unless the actor may review redactions."""
    _visible(actor, request.school_id)
    if not may_review(actor, request.school_id):
        raise PermissionDenied(
            "Only the trust DPO or the school's data protection lead may build bundles and decide redactions."
        )


def _bundle_kind(request: RightsRequest) -> None:
    if request.kind not in BUNDLE_KINDS:
        raise ValidationError(
            {"kind": "Bundles and redactions are for access and portability requests only."}
        )


# --- the texts under review ----------------------------------------------------------------------


def task_texts(request: RightsRequest) -> list[Text]:
    """The text of every returned file of the request's completed searches ("task-file:<pk>")."""
    out = []
    for task in request.tasks.filter(status=TaskStatus.DONE).prefetch_related("files").order_by("pk"):
        for f in task.files.all().order_by("pk"):
            text = task_file_text(f)
            if text is not None and text.strip():
                out.append(
                    Text(f"task-file:{f.pk}", f"{f.original_name} (search of {task.system_name})", text)
                )
    return out


def texts_for(request: RightsRequest) -> list[Text]:
    """Every free text of the bundle: record fields, then returned files."""
    return [*collect(request.pupil, request=request).texts, *task_texts(request)]


def matcher_for(request: RightsRequest) -> Matcher:
    """Everyone in the trust but the subject; the requesting contact's own name stays (`keep`)."""
    keep = {f"contact:{request.requester_contact_id}"} if request.requester_contact_id else set()
    return known_people_for(request.pupil, school=request.school, keep=keep).matcher()


def automatic(texts: Iterable[Text], matcher: Matcher) -> dict[str, list[Redaction]]:
    """The automatic pass over each text, by location (texts with nothing found are left out)."""
    out: dict[str, list[Redaction]] = {}
    for t in texts:
        found = redact(t.text, matcher).redactions
        if found:
            out[t.location] = found
    return out


# --- propose, decide, add ------------------------------------------------------------------------


@dataclass
class Proposal:
    """What a run of the automatic pass changed."""

    proposed: int = 0
    kept: int = 0
    dropped: int = 0


def _sync(request: RightsRequest, texts: Sequence[Text], found: dict[str, list[Redaction]]) -> Proposal:
    by_loc = {t.location: t.text for t in texts}
    result = Proposal()
    existing: dict[tuple[str, int, int], RedactionMark] = {}
    for m in request.redactions.all():
        text = by_loc.get(m.location)
        automatic_gone = m.origin == MarkOrigin.AUTOMATIC and m.decision == UNDECIDED
        if text is None or text[m.start : m.end] != m.text:
            m.delete()  # the source changed: the span no longer says what was marked
            result.dropped += 1
        elif automatic_gone and not any(
            (r.start, r.end) == (m.start, m.end) for r in found.get(m.location, ())
        ):
            m.delete()  # no longer found (e.g. the person left the register) and never decided
            result.dropped += 1
        else:
            existing[(m.location, m.start, m.end)] = m
    new = []
    for loc, spans in found.items():
        for r in spans:
            if (loc, r.start, r.end) in existing:
                result.kept += 1
                continue
            # A span overlapping a kept decision is left to it (the reviewer widened or split it).
            if any(k[0] == loc and k[1] < r.end and r.start < k[2] for k in existing):
                result.kept += 1
                continue
            new.append(
                RedactionMark(
                    request=request,
                    location=loc,
                    start=r.start,
                    end=r.end,
                    text=r.text,
                    kind=str(r.kind),
                    reason=str(r.reason),
                    person=r.person_id or "",
                    origin=MarkOrigin.AUTOMATIC,
                    decision=UNDECIDED,
                )
            )
    RedactionMark.objects.bulk_create(new)
    result.proposed = len(new)
    return result


@transaction.atomic
def propose(*, actor: Any, request: RightsRequest) -> Proposal:
    """Run the automatic third-party pass over the bundle's texts and store what it finds as proposed
    marks; earlier decisions on the same span are kept, marks whose text changed are dropped."""
    require_reviewer(actor, request)
    request = _locked(request)
    _not_closed(request)
    _bundle_kind(request)
    texts = texts_for(request)
    result = _sync(request, texts, automatic(texts, matcher_for(request)))
    _event(
        request,
        actor=actor,
        kind=EventKind.NOTE,
        on=timezone.localdate(),
        method=AUTOMATIC_PASS,
        note=(
            f"Automatic redaction pass over {len(texts)} texts: {result.proposed} proposed, "
            f"{result.kept} kept from earlier runs, {result.dropped} dropped (source changed). "
            f"Fingerprint {fingerprint(request, texts)}."
        ),
    )
    return result


AUTOMATIC_PASS = "redaction: automatic pass"  # noqa: S105 - an event method, not a secret
_FINGERPRINT = re.compile(r"Fingerprint ([0-9a-f]{64})\.")


def fingerprint(request: RightsRequest, texts: Sequence[Text]) -> str:
    """A hash of what the automatic pass reads: every text under review, and the state of the register
    of people it matches against (count and last change of the trust's pupils and contacts). Equal
    fingerprints mean the pass would find the same spans, so the final build need not run it again."""
    from steward.people.models import Contact, Pupil

    h = hashlib.sha256()
    for t in sorted(texts, key=lambda t: t.location):
        h.update(t.location.encode() + b"\0" + t.text.encode() + b"\0")
    trust = request.school.trust_id
    for model in (Pupil, Contact):
        agg = model.objects.filter(trust_id=trust).aggregate(n=Count("pk"), t=Max("updated_at"))
        h.update(f"{model.__name__}:{agg['n']}:{agg['t']}".encode())
    h.update(f"keep:{request.requester_contact_id}".encode())
    return h.hexdigest()


def last_fingerprint(request: RightsRequest) -> str:
    """The fingerprint recorded by the latest automatic pass ("" when none ran)."""
    ev = request.events.filter(kind=EventKind.NOTE, method=AUTOMATIC_PASS).order_by("-at", "-pk").first()
    m = _FINGERPRINT.search(ev.note) if ev is not None else None
    return m.group(1) if m else ""


@transaction.atomic
def decide(*, actor: Any, mark: RedactionMark, decision: MarkDecision | str, note: str = "") -> RedactionMark:
    """Accept a redaction (it is applied in the final bundle) or remove it (the text is disclosed)."""
    mark = RedactionMark.objects.select_for_update().select_related("request").get(pk=mark.pk)
    request = mark.request
    require_reviewer(actor, request)
    _not_closed(request)
    if decision not in (MarkDecision.ACCEPTED, MarkDecision.REMOVED):
        raise ValidationError({"decision": "Accept the redaction or remove it."})
    mark.decision = MarkDecision(decision)
    mark.decided_by = actor if getattr(actor, "pk", None) else None
    mark.decided_at = timezone.now()
    mark.note = note
    mark.full_clean()
    mark.save()
    _event(
        request,
        actor=actor,
        kind=EventKind.NOTE,
        on=timezone.localdate(),
        method=f"redaction: {mark.decision}",
        # Never the redacted text itself: the log is part of later bundles.
        note=f"Redaction {mark.pk} at {mark.location} [{mark.start}:{mark.end}] {mark.decision}."
        + (f" {note}" if note else ""),
    )
    return mark


@transaction.atomic
def add(
    *,
    actor: Any,
    request: RightsRequest,
    location: str,
    start: int,
    end: int,
    reason: ReasonCode | str,
    note: str = "",
) -> RedactionMark:
    """The reviewer's own redaction of `text[start:end]` at `location`, with a reason code; it is
    accepted as made. Refused (naming the field) for an unknown location, a span outside the text or
    overlapping another mark, and an unknown reason."""
    require_reviewer(actor, request)
    request = _locked(request)
    _not_closed(request)
    _bundle_kind(request)
    texts = {t.location: t.text for t in texts_for(request)}
    if location not in texts:
        raise ValidationError({"location": f"No text to review at {location!r} in this request's bundle."})
    text = texts[location]
    if not isinstance(start, int) or not 0 <= start < len(text):
        raise ValidationError({"start": f"The start must be within the text (0 to {len(text) - 1})."})
    if not isinstance(end, int) or not start < end <= len(text):
        raise ValidationError(
            {"end": f"The end must be after the start and within the text (up to {len(text)})."}
        )
    if reason not in ReasonCode.__members__.values():
        allowed = ", ".join(r.value for r in ReasonCode)
        raise ValidationError({"reason": f"Unknown reason {reason!r}: use one of {allowed}."})
    overlap = request.redactions.filter(location=location, start__lt=end, end__gt=start).first()
    if overlap is not None:
        raise ValidationError(
            {
                "start": f"The span overlaps redaction {overlap.pk} [{overlap.start}:{overlap.end}]: decide that one."
            }
        )
    mark = RedactionMark(
        request=request,
        location=location,
        start=start,
        end=end,
        text=text[start:end],
        kind=str(Kind.OTHER),
        reason=str(ReasonCode(reason)),
        origin=MarkOrigin.DPO,
        decision=MarkDecision.ACCEPTED,
        decided_by=actor if getattr(actor, "pk", None) else None,
        decided_at=timezone.now(),
        note=note,
    )
    mark.full_clean()
    mark.save()
    _event(
        request,
        actor=actor,
        kind=EventKind.NOTE,
        on=timezone.localdate(),
        method="redaction: added",
        note=f"Redaction {mark.pk} added at {location} [{start}:{end}] ({mark.reason})."
        + (f" {note}" if note else ""),
    )
    return mark


# --- the review screen and its end -----------------------------------------------------------------


@dataclass
class ReviewItem:
    """One text under review and its marks, in position order."""

    location: str
    label: str
    text: str
    marks: list[RedactionMark] = field(default_factory=list)

    @property
    def undecided(self) -> int:
        return sum(1 for m in self.marks if m.decision == UNDECIDED)


def review_items(request: RightsRequest) -> list[ReviewItem]:
    """Per location, the current text and its marks (texts with no marks too, so the reviewer can
    add). The caller has already checked the reader (`require_reviewer`)."""
    items = {t.location: ReviewItem(t.location, t.label, t.text) for t in texts_for(request)}
    for m in request.redactions.order_by("location", "start", "pk"):
        if m.location in items:
            items[m.location].marks.append(m)
    return list(items.values())


@transaction.atomic
def review_done(*, actor: Any, request: RightsRequest, on: dt.date, note: str) -> RequestEvent:
    """Record that every redaction has been decided (REDACTIONS_REVIEWED). Refused while any is undecided."""
    require_reviewer(actor, request)
    request = _locked(request)
    _not_closed(request)
    _bundle_kind(request)
    undecided = request.redactions.filter(decision=UNDECIDED).count()
    if undecided:
        raise ValidationError(
            {"decision": f"{undecided} redaction(s) are still undecided: accept or remove each one first."}
        )
    counts = {
        d: request.redactions.filter(decision=d).count()
        for d in (MarkDecision.ACCEPTED, MarkDecision.REMOVED)
    }
    return _event(
        request,
        actor=actor,
        kind=EventKind.REDACTIONS_REVIEWED,
        on=on,
        note=f"{counts[MarkDecision.ACCEPTED]} redactions accepted, {counts[MarkDecision.REMOVED]} removed. {note}".strip(),
    )


# --- what the bundle needs ----------------------------------------------------------------------------


def marks_by_location(request: RightsRequest) -> dict[str, list[RedactionMark]]:
    out: dict[str, list[RedactionMark]] = {}
    for m in request.redactions.exclude(decision=MarkDecision.REMOVED).order_by("location", "start", "pk"):
        out.setdefault(m.location, []).append(m)
    return out


def final_problems(request: RightsRequest, texts: Sequence[Text]) -> list[str]:
    """Why a final bundle cannot be built from the stored marks now (empty: it can).

    The automatic pass is run again only when what it reads changed since it last ran (`fingerprint`):
    building the matcher for a whole trust is the slowest step of a bundle."""
    problems = []
    undecided = request.redactions.filter(decision=UNDECIDED).count()
    if undecided:
        problems.append(f"{undecided} redaction(s) are still undecided: accept or remove each one.")
    by_loc = {t.location: t.text for t in texts}
    marks = list(request.redactions.all())
    changed = [m for m in marks if by_loc.get(m.location, "")[m.start : m.end] != m.text]
    if changed:
        problems.append(
            f"{len(changed)} redaction(s) no longer match their text (the record changed): run the "
            "automatic pass again and review."
        )
    if last_fingerprint(request) == fingerprint(request, texts):
        return problems
    have = {(m.location, m.start, m.end) for m in marks}
    spans = {(m.location, m.start, m.end) for m in marks}
    missing = 0
    for loc, found in automatic(texts, matcher_for(request)).items():
        for r in found:
            if (loc, r.start, r.end) in have:
                continue
            if any(s[0] == loc and s[1] < r.end and r.start < s[2] for s in spans):
                continue
            missing += 1
    if missing:
        problems.append(
            f"The automatic pass finds {missing} possible third-party detail(s) not yet reviewed (new or "
            "changed text): run it again and review."
        )
    return problems


def last_decision_at(request: RightsRequest) -> dt.datetime | None:
    """When the response last changed under review: a redaction decided or added, or a file returned."""
    from steward.rights.models import ManualTaskFile

    times = [
        request.redactions.aggregate(t=Max("decided_at"))["t"],
        ManualTaskFile.objects.filter(task__request=request).aggregate(t=Max("uploaded_at"))["t"],
    ]
    known = [t for t in times if t is not None]
    return max(known) if known else None


def apply_marks(text: str, marks: Sequence[RedactionMark], *, final: bool) -> str:
    """The text with its marks applied. Final: accepted marks become "[REDACTED: reason]". Draft (for
    the reviewer): accepted and proposed marks are shown highlighted with the text they cover."""
    if not marks:
        return text
    pieces: list[str] = []
    pos = 0
    for m in sorted(marks, key=lambda m: (m.start, -m.end)):
        if m.decision == MarkDecision.REMOVED or m.start < pos:
            continue
        if final and m.decision != MarkDecision.ACCEPTED:
            continue
        reason = ReasonCode(m.reason).label if m.reason in ReasonCode.__members__.values() else m.reason
        pieces.append(text[pos : m.start])
        if final:
            pieces.append(f"[REDACTED: {reason}]")
        else:
            state = "REDACT" if m.decision == MarkDecision.ACCEPTED else "PROPOSED"
            pieces.append(f"[[{state} {reason}: {text[m.start : m.end]}]]")
        pos = m.end
    pieces.append(text[pos:])
    return "".join(pieces)
