"""Restriction of processing (UK GDPR Art 18) and the questions the sharing gate asks before any disclosure.

While a restriction is active, the pupil's data in its categories (every category when its list is
empty) may be stored but not shared, exported or otherwise used, except with consent, for legal claims,
to protect another person's rights, or for an important public interest (rules §3). The person must be
told before a restriction is lifted (Art 18(3)).

For the sharing gate (issue 5) and exports: call `restricted_categories(pupil, on)` once per pupil, or
`is_restricted(pupil, category_key, on)` per category, before disclosing anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from steward.accounts.roles import Action
from steward.people.models import Pupil
from steward.rights.models import (
    EventKind,
    RequestKind,
    Restriction,
    RestrictionGround,
    RightsRequest,
)
from steward.rights.outcomes._common import clean_category_keys, overlaps, require_for_pupil
from steward.rights.services import _event, _locked, _not_closed, _require

# Requests that may restrict: a restriction request, and, as good practice, a rectification (while
# accuracy is checked) or an objection (while it is decided): rules §3.
RESTRICTING_KINDS = (RequestKind.RESTRICTION, RequestKind.RECTIFICATION, RequestKind.OBJECTION)


class AllCategories:
    """Every category of the pupil's data is restricted (a restriction with an empty category list)."""

    def __contains__(self, key: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "ALL"

    def __bool__(self) -> bool:
        return True


ALL = AllCategories()


def _active_on(on: dt.date) -> Q:
    return Q(started_on__lte=on) & (Q(lifted_on__isnull=True) | Q(lifted_on__gt=on))


def active_restrictions(pupil: Pupil, on: dt.date | None = None) -> QuerySet[Restriction]:
    """The pupil's restrictions in force on `on` (default today): started on or before it and not lifted
    by then. A restriction lifted on a day no longer applies on that day."""
    on = on or timezone.localdate()
    return Restriction.objects.filter(_active_on(on), pupil=pupil).order_by("started_on", "pk")


def restricted_categories(pupil: Pupil, on: dt.date | None = None) -> frozenset[str] | AllCategories:
    """The pupil's restricted data categories on `on` (default today): the dotted keys of every active
    restriction, or `ALL` when any active restriction covers every category. An empty frozenset means
    nothing is restricted. A key covers every key below it: "pupil.health" restricts
    "pupil.health.allergy". Use `is_restricted` to test one category against this."""
    keys: set[str] = set()
    for cats in active_restrictions(pupil, on).values_list("categories", flat=True):
        if not cats:
            return ALL
        keys.update(cats)
    return frozenset(keys)


def is_restricted(pupil: Pupil, category: str, on: dt.date | None = None) -> bool:
    """True when data of `category` may not be disclosed for `pupil` on `on` (default today) because of a
    restriction: the category is restricted, sits below a restricted key, or contains restricted data
    (disclosing "pupil.health" would disclose a restricted "pupil.health.allergy")."""
    restricted = restricted_categories(pupil, on)
    if isinstance(restricted, AllCategories):
        return True
    return any(overlaps(category, k) for k in restricted)


@transaction.atomic
def restrict(
    *,
    actor: Any,
    pupil: Pupil,
    ground: RestrictionGround | str,
    categories: list[str] | None,
    on: dt.date,
    request: RightsRequest | None = None,
    note: str = "",
) -> Restriction:
    """Restrict processing of the pupil's data in `categories` (None or empty: every category) from `on`.

    With a request (restriction, rectification or objection, not closed, about the same pupil) the
    request's log records it. Staff who may change pupils at one of the pupil's schools may restrict:
    restricting protects the pupil, so it should never wait for the DPO. Refused, changing nothing, for
    an unknown ground or category (ValidationError naming the field).
    """
    if request is not None:
        _require(actor, request.school_id)
        request = _locked(request)
        _not_closed(request)
        if request.pupil_id != pupil.pk:
            raise ValidationError({"request": "The request is about another pupil."})
        if request.kind not in RESTRICTING_KINDS:
            raise ValidationError(
                {"request": f"A {request.get_kind_display().lower()} request cannot restrict processing."}
            )
    else:
        require_for_pupil(actor, pupil)
    if ground not in RestrictionGround.values:
        raise ValidationError({"ground": f"Unknown ground {ground!r}."})
    keys = clean_category_keys(categories)
    r = Restriction(
        pupil=pupil,
        request=request,
        categories=keys,
        ground=ground,
        note=note,
        started_on=on,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    r.full_clean()
    r.save()
    if request is not None:
        _event(
            request,
            actor=actor,
            kind=EventKind.OUTCOME_APPLIED,
            on=on,
            method="restriction",
            note=f"Processing restricted ({RestrictionGround(ground).label}): "
            + (", ".join(keys) if keys else "every category")
            + ".",
        )
    return r


@transaction.atomic
def lift_restriction(
    *, actor: Any, restriction: Restriction, on: dt.date, told_on: dt.date | None, reason: str
) -> Restriction:
    """Lift a restriction on `on`. Refused unless the person was told beforehand (`told_on` on or before
    `on`: Art 18(3)) and a reason is given. Lifting is the trust DPO's decision (Action.MANAGE_REGISTER)."""
    require_for_pupil(actor, restriction.pupil, Action.MANAGE_REGISTER)
    r = Restriction.objects.select_for_update().get(pk=restriction.pk)
    if r.lifted_on is not None:
        raise ValidationError({"lifted_on": f"This restriction was already lifted on {r.lifted_on}."})
    if told_on is None:
        raise ValidationError(
            {"told_before_lift_on": "Tell the person before lifting the restriction (UK GDPR Art 18(3))."}
        )
    if told_on > on:
        raise ValidationError(
            {"told_before_lift_on": "The person must be told before the restriction is lifted (Art 18(3))."}
        )
    if not reason.strip():
        raise ValidationError({"lift_reason": "Say why the restriction is lifted."})
    if on < r.started_on:
        raise ValidationError({"lifted_on": "A restriction cannot be lifted before it started."})
    r.lifted_on = on
    r.told_before_lift_on = told_on
    r.lift_reason = reason.strip()
    r.full_clean()
    r.save()
    if r.request_id is not None:
        _event(
            r.request,  # type: ignore[arg-type]
            actor=actor,
            kind=EventKind.OUTCOME_APPLIED,
            on=on,
            method="restriction",
            note=f"Restriction lifted (the person was told on {told_on:%d %B %Y}).",
        )
    restriction.refresh_from_db()
    return r
