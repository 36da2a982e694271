"""Writes for placements: providers and their sign-ins, agreements with AP providers, commissioning and
ending placements, and what a provider records back (attendance marks, behaviour incidents).

Every function is keyword-only and atomic, checks the actor's permission first, and raises a
ValidationError naming the field for bad input; a refusal writes nothing. Saves of registered models
are audited by the audit signals in the caller's `acting_as` context.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from steward.accounts.models import RoleAssignment
from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.notices.audiences import NoticeAudience
from steward.notices.selectors import notice_on
from steward.organisations.models import School, Trust
from steward.people.models import Enrolment, Pupil
from steward.placements.models import PURPOSE, RECIPIENT, Placement, Provider, ProviderUser
from steward.placements.selectors import PROVIDER_ROLE, payload_of, provider_placement
from steward.records.models import AttendanceMark, BehaviourIncident
from steward.register.resolve import covers
from steward.registry.taxonomy import taxonomy
from steward.sharing import agreements
from steward.sharing.gate import Code, Failure, check_share
from steward.sharing.log import Sent, record_share
from steward.sharing.models import Agreement, ShareKind

# The provider must know whom it teaches: every placement shares at least the pupil's name.
NAME_KEY = "pupil.identity.name"
# Records written back by a provider carry this source code (steward.core.codes.SOURCE).
PROVIDER_SOURCE = "provider"

# Which form field each gate refusal belongs to, so pages and the API name it.
_FIELD_OF_CODE = {
    Code.CATEGORY_NOT_COVERED: "categories",
    Code.NO_CONDITION: "categories",
    Code.NO_AGREEMENT: "agreement",
    Code.AGREEMENT_EXPIRED: "agreement",
    Code.RESTRICTED: "pupil",
    Code.NO_CONSENT: "pupil",
}


class PlacementRefused(ValidationError):
    """The gate refused the placement's share: nothing was written. Errors are keyed by the field they
    concern (categories, agreement, pupil; the rest on the placement as a whole), each with the gate's
    stable code; `failures` keeps the gate's answer."""

    def __init__(self, failures: Sequence[Failure]) -> None:
        by_field: dict[str, list[ValidationError]] = {}
        for f in failures:
            name = _FIELD_OF_CODE.get(f.code, NON_FIELD_ERRORS)
            by_field.setdefault(name, []).append(ValidationError(f.message, code=f.code.value))
        super().__init__(by_field)  # type: ignore[arg-type]
        self.failures = tuple(failures)


def _label(key: str) -> str:
    cat = taxonomy().categories.get(key)
    return f"{cat.label} ({key})" if cat else key


def _long(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def _require_school(actor: Any, school: School) -> None:
    if not scope_for(actor).may(Action.CHANGE_PUPILS, school.pk):
        raise PermissionDenied("You may not manage placements at this school.")


def _require_trust(actor: Any, trust: Trust) -> None:
    schools = School.objects.filter(trust=trust).values_list("pk", flat=True)
    scope = scope_for(actor)
    if not any(scope.may(Action.CHANGE_PUPILS, sid) for sid in schools):
        raise PermissionDenied("You may not manage alternative provision providers in this trust.")


# --- providers and their sign-ins ------------------------------------------------------------------


@transaction.atomic
def provider_create(
    *, actor: Any, trust: Trust, name: str, email: str, ukprn: str = "", address: str = ""
) -> Provider:
    """Add a provider the trust commissions (staff who may change pupils at one of its schools)."""
    _require_trust(actor, trust)
    provider = Provider(
        trust=trust, name=name.strip(), email=email.strip(), ukprn=ukprn.strip(), address=address.strip()
    )
    provider.full_clean()
    provider.save()
    return provider


@transaction.atomic
def provider_user_add(
    *,
    actor: Any,
    provider: Provider,
    school: School,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
) -> ProviderUser:
    """Give a person at the provider a sign-in: a new user with the provider role and no password yet.

    The password is set by the person through a one-time link (`set_password_link`), so no member of
    staff ever knows it. The role is held at `school`, the school granting the sign-in (the role
    table keeps portal roles per school); it gives no staff access anywhere.
    """
    _require_school(actor, school)
    if school.trust_id != provider.trust_id:
        raise ValidationError({"school": "The school is not in the provider's trust."})
    User = get_user_model()
    user = User(
        username=username.strip(),
        email=email.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    user.set_unusable_password()
    errors: dict[str, Any] = {}
    if not user.email:
        errors["email"] = "Enter the person's work email address."
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    user.save()
    assignment = RoleAssignment(user=user, role=PROVIDER_ROLE, trust=provider.trust, school=school)
    assignment.full_clean()
    assignment.save()
    link = ProviderUser(user=user, provider=provider, added_by=actor if getattr(actor, "pk", None) else None)
    link.full_clean()
    link.save()
    return link


def set_password_link(user: Any) -> tuple[str, str]:
    """The (uid, token) of a one-time set-password link. Django's token is bound to the password hash and
    last sign-in, so it stops working once used, and expires after PASSWORD_RESET_TIMEOUT."""
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


# --- agreements ----------------------------------------------------------------------------------------


def agreement_create(
    *,
    actor: Any,
    trust: Trust,
    title: str,
    parties: str,
    categories: Sequence[str],
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    onward_sharing: str = "",
    school: School | None = None,
) -> Agreement:
    """Record a data sharing agreement with AP providers for the AP purpose (the trust's DPO only);
    `sharing.agreements.agreement_create` with the recipient and purpose fixed."""
    return agreements.agreement_create(
        actor=actor,
        trust=trust,
        recipient_key=RECIPIENT,
        title=title,
        parties=parties,
        purposes=[PURPOSE],
        categories=categories,
        starts_on=starts_on,
        ends_on=ends_on,
        onward_sharing=onward_sharing,
        school=school,
    )


# --- commissioning and ending placements ----------------------------------------------------------------


def _input_errors(
    *,
    pupil: Pupil,
    school: School,
    provider: Provider,
    agreement: Agreement,
    starts_on: dt.date,
    ends_on: dt.date,
    categories: Sequence[str],
    on: dt.date,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    on_roll = Enrolment.objects.filter(pupil=pupil, school=school, admission_date__lte=starts_on).filter(
        Q(leaving_date__isnull=True) | Q(leaving_date__gte=starts_on)
    )
    if not on_roll.exists():
        add("pupil", f"{pupil.display_name} is not on the roll of {school.name} when the placement starts.")
    if provider.trust_id != school.trust_id:
        add("provider", "The provider is not one of this trust's providers.")
    if starts_on < on:
        add("starts_on", f"A placement cannot start before the day it is commissioned ({_long(on)}).")
    if agreement.trust_id != school.trust_id or agreement.school_id not in (None, school.pk):
        add("agreement", "The agreement does not apply to this school.")
    elif agreement.recipient_key != RECIPIENT or PURPOSE not in agreement.purposes:
        add(
            "agreement",
            "The agreement is not with alternative provision providers for alternative provision.",
        )
    else:
        for key in categories:
            if not any(covers(c, key) for c in agreement.categories):
                add("agreement", f"The agreement ({agreement.title}) does not cover {_label(key)}.")
        if not agreement.in_force(starts_on):
            add("agreement", f"The agreement ({agreement.title}) is not in force on {_long(starts_on)}.")
        elif agreement.ends_on is not None and ends_on > agreement.ends_on:
            add(
                "ends_on",
                f"The agreement ({agreement.title}) ends on {_long(agreement.ends_on)}, before the placement "
                "would: end the placement by then or choose an agreement that runs through it.",
            )
    if categories and not any(covers(c, NAME_KEY) for c in categories):
        add(
            "categories",
            "Share at least the pupil's name (Personal identifiers): the provider must know whom it teaches.",
        )
    return errors


@transaction.atomic
def commission_placement(
    *,
    actor: Any,
    pupil: Pupil,
    school: School,
    provider: Provider,
    agreement: Agreement,
    starts_on: dt.date,
    ends_on: dt.date,
    services: str,
    categories: Sequence[str],
    reason: str,
    on: dt.date,
) -> Placement:
    """Commission a placement: the provider may see the pupil's data in `categories` from `starts_on`
    to `ends_on` (or the agreement's end, or an early end, whichever is first).

    Refused, nothing written, unless: the pupil is on the school's roll; the agreement is with AP
    providers, covers the categories and is in force from the start through the end; the school's AP
    notice is published (its version is recorded as the one sent to the family on `on`); and the gate
    passes on the start day (register recipient, Art 9 conditions, published parent/pupil notice,
    agreement, no restriction). The share is logged in the disclosure log (kind "ap") in the same
    transaction, one row for the pupil listing the registered fields of the categories.
    """
    _require_school(actor, school)
    if starts_on is None or ends_on is None:
        raise ValidationError(
            {k: "Enter the date." for k, v in (("starts_on", starts_on), ("ends_on", ends_on)) if v is None}
        )
    cats = list(dict.fromkeys(categories))
    errors = _input_errors(
        pupil=pupil,
        school=school,
        provider=provider,
        agreement=agreement,
        starts_on=starts_on,
        ends_on=ends_on,
        categories=cats,
        on=on,
    )
    placement = Placement(
        pupil=pupil,
        school=school,
        provider=provider,
        agreement=agreement,
        starts_on=starts_on,
        ends_on=ends_on,
        services=services.strip(),
        categories=cats,
        reason=reason.strip(),
        notice_sent_on=on,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        # The AP notice is looked up and checked below, with the gate; it is set from that notice.
        placement.full_clean(exclude=["ap_notice", "ap_notice_number"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
    if errors:
        raise ValidationError(errors)

    notice = notice_on(school, NoticeAudience.AP, on)
    failures: list[Failure] = []
    if notice is None:
        failures.append(
            Failure(
                Code.NO_NOTICE,
                f"No alternative provision privacy notice of {school.name} is published and in force on "
                f"{_long(on)}: publish it so it can go to the family before the placement is commissioned.",
            )
        )
    check = check_share(
        school=school,
        recipient_key=RECIPIENT,
        purpose_key=PURPOSE,
        categories=cats,
        on=starts_on,
        pupil_ids=[pupil.pk],
    )
    failures += [*check.failures, *check.excluded.get(pupil.pk, ())]
    if failures:
        raise PlacementRefused(failures)
    assert notice is not None
    placement.ap_notice = notice
    placement.ap_notice_number = notice.number
    placement.save()
    fields, payload = payload_of(cats, pupil, school)
    run = record_share(
        actor=actor,
        # The agreement the placement names (it passed the same tests as the gate's own pick).
        check=dataclasses.replace(check, agreement=agreement),
        kind=ShareKind.ALTERNATIVE_PROVISION,
        sent=[Sent(pupil_id=pupil.pk, fields=fields, payload=payload)],
        summary={
            "placement": placement.pk,
            "provider": provider.name,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "ap_notice_version": notice.number,
        },
    )
    placement.share_run = run
    placement.save(update_fields=["share_run"])
    return placement


@transaction.atomic
def end_placement(*, actor: Any, placement: Placement, reason: str, on: dt.date) -> Placement:
    """End a placement early on `on`: the provider loses access from that day. Refused when it has
    already ended (early, at its end date, or with its agreement)."""
    _require_school(actor, placement.school)
    placement = Placement.objects.select_for_update().select_related("agreement").get(pk=placement.pk)
    if placement.status_on(on) == "ended":
        raise ValidationError({"ended_on": f"The placement has already ended: {placement.end_cause(on)}."})
    if not reason.strip():
        raise ValidationError({"end_reason": "Say why the placement is ending early."})
    placement.ended_on = on
    placement.end_reason = reason.strip()
    placement.ended_by = actor if getattr(actor, "pk", None) else None
    placement.full_clean()
    placement.save()
    return placement


# --- what a provider records back -------------------------------------------------------------------------


def _within(placement: Placement, day: dt.date, name: str, on: dt.date) -> None:
    if day > on:
        raise ValidationError({name: "The date cannot be in the future."})
    if day < placement.starts_on:
        raise ValidationError(
            {name: f"The placement started on {_long(placement.starts_on)}: record only days from then."}
        )


@transaction.atomic
def record_attendance(
    *,
    actor: Any,
    placement_id: int,
    date: dt.date,
    session: str,
    code: str,
    minutes_late: int | None = None,
    comment: str = "",
    on: dt.date,
) -> AttendanceMark:
    """A provider user records an attendance mark for the placement's pupil, during the placement.

    The mark belongs to the commissioning school's register, with source "provider" and the provider's
    user as the recorder (the records' own provenance fields; the user's provider link names the
    provider). Http404 when the placement is not the user's provider's or not running on `on`."""
    placement = provider_placement(actor, placement_id, on)
    _within(placement, date, "date", on)
    mark = AttendanceMark(
        pupil=placement.pupil,
        school=placement.school,
        recorded_by=actor,
        source=PROVIDER_SOURCE,
        date=date,
        session=session,
        code=code,
        minutes_late=minutes_late,
        comment=comment.strip(),
    )
    mark.full_clean()
    mark.save()
    return mark


@transaction.atomic
def record_incident(
    *,
    actor: Any,
    placement_id: int,
    occurred_at: dt.datetime,
    category: str,
    description: str,
    kind: str = "negative",
    location: str = "",
    action_taken: str = "",
    on: dt.date,
) -> BehaviourIncident:
    """A provider user records a behaviour incident (or commendation) for the placement's pupil, during
    the placement; attributed like `record_attendance`."""
    placement = provider_placement(actor, placement_id, on)
    _within(placement, timezone.localtime(occurred_at).date(), "occurred_at", on)
    incident = BehaviourIncident(
        pupil=placement.pupil,
        school=placement.school,
        recorded_by=actor,
        source=PROVIDER_SOURCE,
        occurred_at=occurred_at,
        kind=kind,
        category=category.strip(),
        description=description.strip(),
        location=location.strip(),
        action_taken=action_taken.strip(),
    )
    incident.full_clean()
    incident.save()
    return incident
