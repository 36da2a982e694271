"""Portal sign-ins: staff invite a parent or carer, or a pupil of 13 or over, by email with a one-time link.

Following the link lets the person choose a password (Django's password validators) and signs them in.
The link works once and expires after INVITATION_DAYS; only its SHA-256 is stored. Staff may send a new
link (the old one stops working and so does the old password) or disable access.

Who may be invited:
- a contact with parental responsibility and no court order recorded, for a pupil at the school;
- a pupil aged PUPIL_MIN_AGE or over on the day. Policy: 13 is the UK age of digital consent for
  information society services (UK GDPR Art 8 as amended by the Data Protection Act 2018 s.9); the
  portal is such a service offered directly to the child, so younger pupils are represented by their
  parents instead.
Staff who may change pupils (Action.CHANGE_PUPILS) at the school send, resend and disable invitations.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import smtplib
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from steward.accounts.models import RoleAssignment
from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.organisations.models import School
from steward.people.models import Contact, Enrolment, Pupil
from steward.portal.models import Invitation, PortalLink, PortalRole
from steward.portal.selectors import responsible_links

INVITATION_DAYS = 7
PUPIL_MIN_AGE = 13


def token_hash(token: str) -> str:
    """The SHA-256 of a link's token: the only form in which it is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _require_school(actor: Any, school: School) -> None:
    scope = scope_for(actor)
    if school.pk not in scope.school_ids():
        raise Http404("No such school")
    if not scope.may(Action.CHANGE_PUPILS, school.pk):
        raise PermissionDenied("You may not manage portal sign-ins at this school.")


def _on_roll(pupil: Pupil, school: School) -> bool:
    return Enrolment.objects.filter(pupil=pupil, school=school).exists()


def _check_invitee(
    *, school: School, contact: Contact | None, pupil: Pupil | None, on: dt.date
) -> dict[str, str]:
    """Why this person cannot be invited (empty: they can), keyed by the field at fault."""
    if (contact is None) == (pupil is None):
        return {"contact": "Invite either a contact or a pupil."}
    if contact is not None:
        if contact.trust_id != school.trust_id:
            return {"contact": "The contact is not one of this trust's contacts."}
        if not responsible_links(contact).filter(pupil__enrolments__school=school).exists():
            return {
                "contact": f"{contact} cannot be invited: they have no parental responsibility for a pupil at "
                f"{school.name}, or a court order is recorded against them. Only a contact with parental "
                "responsibility and no court order may use the portal."
            }
        return {}
    assert pupil is not None
    if not _on_roll(pupil, school):
        return {"pupil": f"{pupil.display_name} is not on {school.name}'s register."}
    age = pupil.age_on(on)
    if age < PUPIL_MIN_AGE:
        return {
            "pupil": f"{pupil.display_name} is {age}: pupils are invited from {PUPIL_MIN_AGE}, the UK age of "
            "digital consent (Data Protection Act 2018 s.9). Until then their parents use the portal for them."
        }
    return {}


def _send(invitation: Invitation, token: str, *, name: str, school: School, new_link: bool) -> None:
    """Email the one-time link. A failed send raises ValidationError on `email` (the caller's
    transaction then rolls back, so no invitation exists that nobody received)."""
    base = settings.STEWARD_BASE_URL
    url = base + reverse("portal:accept", kwargs={"token": token})
    opening = (
        "Here is a new link to set your password for the school portal. Any earlier link no longer works."
        if new_link
        else f"{school.name} has invited you to its portal. There you can read how the school uses "
        "personal information, give or withdraw consents, ask for a copy of the information it holds, "
        "and check the contact and medical details it keeps."
    )
    body = (
        f"Dear {name},\n\n{opening}\n\n"
        f"Choose your password here (the link works once, until "
        f"{timezone.localtime(invitation.expires_at):%d %B %Y at %H:%M}):\n{url}\n\n"
        f"Your username is: {invitation.link.user.get_username()}\n\n"
        f"Next time, sign in at {base}{reverse('portal:home')}\n\n"
        f"If you did not expect this email, you can ignore it, or tell {school.name}.\n"
    )
    try:
        send_mail(
            subject=f"{school.name}: your portal sign-in",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[invitation.email],
        )
    except (smtplib.SMTPException, OSError) as exc:
        raise ValidationError(
            {"email": f"The invitation email could not be sent ({exc.__class__.__name__}): try again later."}
        ) from None


def _revoke_open(link: PortalLink, now: dt.datetime) -> None:
    """Every link still open stops working (saved one by one, so each change is audited)."""
    for open_invitation in link.invitations.filter(used_at__isnull=True, revoked_at__isnull=True):
        open_invitation.revoked_at = now
        open_invitation.save(update_fields=["revoked_at"])


def _new_invitation(*, actor: Any, link: PortalLink, email: str, now: dt.datetime) -> tuple[Invitation, str]:
    _revoke_open(link, now)  # only the newest link may be used
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        link=link,
        email=email,
        token_hash=token_hash(token),
        created_by=actor if getattr(actor, "pk", None) else None,
        expires_at=now + dt.timedelta(days=INVITATION_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    return invitation, token


@transaction.atomic
def invite(
    *,
    actor: Any,
    school: School,
    email: str,
    contact: Contact | None = None,
    pupil: Pupil | None = None,
    now: dt.datetime | None = None,
) -> Invitation:
    """Give a contact or a pupil a portal sign-in and email them a one-time link to set their password.

    The username is the email address. Refused (ValidationError naming the field, nothing written or
    sent): a contact without parental responsibility for a pupil at the school or with a court order; a
    pupil under 13 or not on the school's register; an invalid email, or one another sign-in uses; a
    person who already has a sign-in (send them a new link instead); an email that cannot be sent.
    """
    _require_school(actor, school)
    now = now or timezone.now()
    email = (email or "").strip()
    errors = _check_invitee(school=school, contact=contact, pupil=pupil, on=timezone.localdate(now))
    try:
        validate_email(email)
    except ValidationError:
        errors.setdefault("email", "Enter an email address in the correct format, like name@example.com.")
    User = get_user_model()
    if "email" not in errors and User.objects.filter(username__iexact=email).exists():
        errors["email"] = "Another sign-in already uses this email address."
    if not errors:
        existing = (
            PortalLink.objects.filter(contact=contact) if contact else PortalLink.objects.filter(pupil=pupil)
        )
        if existing.exists():
            errors["contact" if contact else "pupil"] = (
                "This person already has a portal sign-in: send them a new link instead."
            )
    if errors:
        raise ValidationError(errors)
    subject: Any = contact or pupil
    first, last = (contact.forename, contact.surname) if contact else (subject.forename, subject.surname)
    user = User(username=email.lower(), email=email, first_name=first, last_name=last)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    role = PortalRole.PARENT if contact else PortalRole.PUPIL
    assignment = RoleAssignment(user=user, role=role.value, trust=school.trust, school=school)
    assignment.full_clean()
    assignment.save()
    link = PortalLink(
        user=user,
        contact=contact,
        pupil=pupil,
        school=school,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    link.full_clean()
    link.save()
    invitation, token = _new_invitation(actor=actor, link=link, email=email, now=now)
    _send(invitation, token, name=str(subject), school=school, new_link=False)
    return invitation


@transaction.atomic
def resend(*, actor: Any, link: PortalLink, now: dt.datetime | None = None) -> Invitation:
    """Send a new one-time link (a reset): every earlier link and the current password stop working,
    and access disabled before is restored once the person sets a new password."""
    _require_school(actor, link.school)
    now = now or timezone.now()
    user = link.user
    user.set_unusable_password()
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    if link.disabled_at is not None:
        link.disabled_at = None
        link.disabled_by = None
        link.save(update_fields=["disabled_at", "disabled_by"])
    invitation, token = _new_invitation(actor=actor, link=link, email=user.email, now=now)
    _send(invitation, token, name=str(link.contact or link.pupil), school=link.school, new_link=True)
    return invitation


@transaction.atomic
def disable(*, actor: Any, link: PortalLink, now: dt.datetime | None = None) -> PortalLink:
    """Stop a person using the portal: the account is deactivated (a signed-in session ends with its next
    request) and any open link stops working. `resend` restores access."""
    _require_school(actor, link.school)
    now = now or timezone.now()
    if link.disabled_at is not None:
        raise ValidationError({"link": "Access is already disabled."})
    link.disabled_at = now
    link.disabled_by = actor if getattr(actor, "pk", None) else None
    link.save(update_fields=["disabled_at", "disabled_by"])
    _revoke_open(link, now)
    user = link.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    return link


def invitation_for_token(token: str, *, now: dt.datetime | None = None) -> Invitation | None:
    """The open invitation a token belongs to: not used, not replaced, not expired, access not
    disabled. None otherwise (the page then says the link no longer works, whatever the reason)."""
    now = now or timezone.now()
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("link", "link__user", "link__school")
        .filter(
            token_hash=token_hash(token),
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
            link__disabled_at__isnull=True,
        )
        .first()
    )


@transaction.atomic
def accept(*, token: str, password: str, password_again: str, now: dt.datetime | None = None) -> Any:
    """Set the password through a one-time link and return the user to sign in. Run as that user.

    Refused (nothing changes): a link that was used, replaced, has expired or whose access was disabled
    (ValidationError on `token`); passwords that differ, or that Django's validators reject (on
    `password`). The link is used up only when the password is set.
    """
    now = now or timezone.now()
    invitation = invitation_for_token(token, now=now)
    if invitation is None:
        raise ValidationError(
            {"token": "This link has expired or has already been used. Ask the school to send a new one."}
        )
    # Lock the row so two tabs submitting at once cannot both use the link.
    invitation = Invitation.objects.select_for_update().select_related("link__user").get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise ValidationError({"token": "This link has already been used."})
    user = invitation.link.user
    if password != password_again:
        raise ValidationError({"password_again": "The passwords do not match: type the same password twice."})
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    return user
