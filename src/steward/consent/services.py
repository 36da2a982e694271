"""Writes to the consent ledger: `record_consent` is the one way a decision enters it.

Who may give what (rules.md §7 for biometrics; UK GDPR Arts 7-8):
- a parent: must have parental responsibility for the pupil and no court order on the link
  (`people.PupilContact`), and only where the purpose's `given_by` lets parents decide;
- the pupil: only where `given_by` lets the pupil decide and they have reached the purpose's
  competent age on the day; a consent reserved to parents is refused with the reason. For biometrics
  the child's refusal or objection is always accepted, at any age and in any form (s.26(5) has no
  writing requirement for the child: "refuses to participate ... or otherwise objects");
- the school: only notifies a parent of biometric processing before it starts (s.26(2)).
A purpose that is in writing only refuses verbal decisions (s.27 for biometrics); a biometric grant is
refused until every parent with parental responsibility has been notified; an inactive purpose is
refused. Whoever records it: staff (paper, letter, email, verbal), or the signed-in parent or pupil
themself through the portal.

Every refusal is a ValidationError naming the field, and nothing changes. The event is audited by the
registry signals (registered model) in the same transaction, and a biometric decision that stops
processing raises the template deletion task (`consent.biometrics`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.consent import biometrics
from steward.consent.models import (
    ConsentAction,
    ConsentEvent,
    DecidedBy,
    Method,
)
from steward.consent.selectors import consent_state, pupil_school, purpose_for, today
from steward.notices.audiences import NoticeAudience
from steward.notices.models import NoticeVersion
from steward.notices.selectors import notice_on
from steward.organisations.models import School, Trust
from steward.people.models import Contact, Enrolment, Pupil, PupilContact
from steward.register.models import ConsentPurpose, GivenBy


def _choice(value: str, choices: Any, field: str, what: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: f"Unknown {what} {value!r}: use one of {', '.join(choices.values)}."})
    return value


def _staff_school(actor: Any, pupil: Pupil, on: dt.date) -> School:
    """The pupil's school where the staff member may change pupils; 404 if they cannot see the pupil at
    all, 403 if they can but may not record."""
    scope = scope_for(actor)
    enrolled = set(Enrolment.objects.filter(pupil=pupil).values_list("school_id", flat=True))
    if not enrolled & scope.school_ids(Action.VIEW_PUPILS):
        raise Http404("No such pupil")
    allowed = enrolled & scope.school_ids(Action.CHANGE_PUPILS)
    if not allowed:
        raise PermissionDenied("You may not record consents for this pupil.")
    current = pupil_school(pupil, on)
    if current is not None and current.pk in allowed:
        return current
    return School.objects.get(pk=min(allowed))


def _check_portal(
    *,
    by: str,
    pupil: Pupil,
    contact: Contact | None,
    method: str,
    portal_contact: Contact | None,
    portal_pupil: Pupil | None,
) -> None:
    """A portal user decides only for themself: the signed-in parent as that parent, the signed-in
    pupil as that pupil, and only through the portal."""
    if method != Method.PORTAL:
        raise ValidationError({"method": "A decision made in the portal is recorded as made in the portal."})
    if portal_contact is not None:
        if by != DecidedBy.PARENT or contact is None or contact.pk != portal_contact.pk:
            raise PermissionDenied("You can only give or withdraw consent as yourself.")
    elif portal_pupil is not None and (by != DecidedBy.PUPIL or pupil.pk != portal_pupil.pk):
        raise PermissionDenied("You can only give or withdraw your own consent.")


def _parent_link(pupil: Pupil, contact: Contact | None) -> PupilContact:
    """The contact's link to the pupil, if it lets them decide (parental responsibility, no court order)."""
    if contact is None:
        raise ValidationError({"contact": "Say which parent or carer made the decision."})
    link = PupilContact.objects.filter(pupil=pupil, contact=contact).first()
    if link is None:
        raise ValidationError({"contact": f"{contact} is not a contact of {pupil.display_name}."})
    if not link.parental_responsibility:
        raise ValidationError(
            {
                "contact": f"{contact} does not have parental responsibility for {pupil.display_name}, so "
                "cannot give or withdraw consent for them."
            }
        )
    if link.court_order:
        raise ValidationError(
            {
                "contact": f"A court order is recorded on {contact}'s link to {pupil.display_name}: they cannot "
                "decide through Steward. Check the order with the designated safeguarding lead."
            }
        )
    return link


def _check_who(
    *,
    purpose: ConsentPurpose,
    pupil: Pupil,
    action: str,
    by: str,
    contact: Contact | None,
    method: str,
    on: dt.date,
) -> None:
    """Who may take this action for this purpose, and how (the rules in the module docstring)."""
    child_stops = purpose.biometric and by == DecidedBy.PUPIL and action != ConsentAction.GRANT
    if by == DecidedBy.SCHOOL:
        if action != ConsentAction.NOTIFIED:
            raise ValidationError(
                {"by": "The school does not decide consent: record the parent's or pupil's decision."}
            )
        if not purpose.biometric:
            raise ValidationError(
                {
                    "action": "Notification is for biometric processing (Protection of Freedoms Act 2012 s.26(2))."
                }
            )
        _parent_link(pupil, contact)
    elif action == ConsentAction.NOTIFIED:
        raise ValidationError({"action": "Only the school notifies a parent (by: school)."})
    elif by == DecidedBy.PARENT:
        if purpose.given_by == GivenBy.PUPIL:
            raise ValidationError(
                {"by": f"Only the pupil decides '{purpose.name}', once aged {purpose.competent_age} or over."}
            )
        _parent_link(pupil, contact)
    else:
        if contact is not None:
            raise ValidationError({"contact": "A decision by the pupil names no parent."})
        if not child_stops:
            if purpose.given_by == GivenBy.PARENT:
                raise ValidationError(
                    {
                        "by": f"'{purpose.name}' is decided by a parent with parental responsibility, not by "
                        "the pupil: ask a parent."
                    }
                )
            age = pupil.age_on(on)
            if age < purpose.competent_age:
                raise ValidationError(
                    {
                        "by": f"{pupil.display_name} is {age} on {on:%d %B %Y}; a pupil decides '{purpose.name}' "
                        f"from the age of {purpose.competent_age}. Ask a parent with parental responsibility."
                    }
                )
    # The child's refusal need not be written (s.26(5)); everything else for a written-only purpose must.
    if purpose.written_only and method == Method.VERBAL and not child_stops:
        raise ValidationError(
            {
                "method": f"'{purpose.name}' must be given, refused, withdrawn or objected to in writing"
                + (" (Protection of Freedoms Act 2012 s.27)" if purpose.biometric else "")
                + ": a verbal decision is not enough. Record the written form, letter, email or portal decision."
            }
        )


def _notice_shown(school: School, by: str, pupil: Pupil, on: dt.date) -> NoticeVersion | None:
    """The notice in force for the person's audience on the day: the parents' notice for a parent (and
    for a notification, which tells a parent), the pupils' for the pupil (the younger pupils' one if
    only that is published)."""
    if by == DecidedBy.PUPIL:
        return notice_on(school, NoticeAudience.PUPIL, on) or notice_on(
            school, NoticeAudience.PUPIL_YOUNG, on
        )
    return notice_on(school, NoticeAudience.PARENT, on)


@transaction.atomic
def record_consent(
    *,
    actor: Any,
    pupil: Pupil,
    purpose: ConsentPurpose,
    action: str,
    by: str,
    contact: Contact | None = None,
    method: str,
    on: dt.date,
    note: str = "",
    evidence: File | None = None,
    portal_contact: Contact | None = None,
    portal_pupil: Pupil | None = None,
) -> ConsentEvent:
    """Add one decision (or a biometric notification) to the pupil's consent ledger.

    `actor` is the staff member recording a paper, letter, email or verbal decision, or the portal user
    acting for themself; the portal passes who is signed in as `portal_contact` (a parent) or
    `portal_pupil` (a pupil), which must be the one deciding. Refused with a ValidationError naming the
    field (nothing changes) when the person may not take the action; PermissionDenied or Http404 when
    the actor may not record it.
    """
    _choice(action, ConsentAction, "action", "action")
    _choice(by, DecidedBy, "by", "decision maker")
    _choice(method, Method, "method", "method")
    if on > today():
        raise ValidationError(
            {"on": "A decision cannot take effect in the future: record it when it is made."}
        )
    portal = portal_contact is not None or portal_pupil is not None
    if portal:
        _check_portal(
            by=by,
            pupil=pupil,
            contact=contact,
            method=method,
            portal_contact=portal_contact,
            portal_pupil=portal_pupil,
        )
        school = pupil_school(pupil, on)
        if school is None:
            raise Http404("No such pupil")
    else:
        if method == Method.PORTAL:
            raise ValidationError(
                {
                    "method": "Only the parent or pupil records a decision in the portal; staff record the form, "
                    "letter, email or conversation."
                }
            )
        school = _staff_school(actor, pupil, on)
    if purpose.trust_id != pupil.trust_id:
        raise Http404("No such consent purpose")
    # The school's own row for the key (an override may have switched it off there).
    row = purpose_for(school, purpose.key)
    if row is None:
        raise ValidationError({"purpose": f"{school.name} does not ask for '{purpose.name}'."})
    if not row.active:
        why = (
            " (a biometric purpose needs its DPIA reference first)"
            if row.biometric and not row.dpia_reference
            else ""
        )
        raise ValidationError(
            {"purpose": f"'{row.name}' is not active at {school.name}{why}: nothing can be recorded."}
        )
    _check_who(purpose=row, pupil=pupil, action=action, by=by, contact=contact, method=method, on=on)
    if row.biometric and action == ConsentAction.GRANT and by == DecidedBy.PARENT:
        missing = biometrics.unnotified_parents(pupil=pupil, purpose=row, on=on)
        if missing:
            names = ", ".join(str(c) for c in missing)
            raise ValidationError(
                {
                    "action": "Every parent must be notified in writing before biometric processing starts "
                    f"(Protection of Freedoms Act 2012 s.26(2)); not yet notified: {names}."
                }
            )
    before = consent_state(pupil, row, on) if row.biometric else None
    event = ConsentEvent(
        pupil=pupil,
        school=school,
        purpose=row,
        action=action,
        by=by,
        contact=contact if by != DecidedBy.PUPIL else None,
        method=method,
        on=on,
        notice_version=_notice_shown(school, by, pupil, on),
        note=note,
        recorded_by=actor
        if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False)
        else None,
    )
    if evidence is not None:
        event.evidence.save(getattr(evidence, "name", "") or "evidence", evidence, save=False)
    try:
        event.full_clean()
        event.save()
    except Exception:
        if event.evidence:
            event.evidence.delete(save=False)  # the row rolls back; the stored file goes too
        raise
    if before is not None:
        biometrics.after_decision(event=event, before=before)
    return event


@transaction.atomic
def consent_purpose_upsert(
    *, actor: Any, trust: Trust, key: str, school: School | None = None, **fields: Any
) -> ConsentPurpose:
    """Add or change a consent purpose of the register (the trust's row, or a school's own version of
    it). Only the trust's DPO; the model's `clean` keeps the rules (CCTV refused; a biometric purpose
    active only with a DPIA reference and an alternative, given by both, in writing)."""
    from steward.register.services import _check_school, _require_manage, _upsert

    _require_manage(actor, trust)
    _check_school(trust, school)
    row, _ = _upsert(ConsentPurpose, trust=trust, school=school, identity=key, fields=fields)
    return row


__all__ = ["consent_purpose_upsert", "record_consent"]
