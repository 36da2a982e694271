"""Reads for the portal: who the signed-in person is and which children they may see.

Portal reads never go through the staff scope (a parent or pupil holds no staff role, so it gives them
nothing). They go through `portal_link` and `children`: a parent sees only the pupils they have parental
responsibility for with no court order recorded against them; a pupil sees only themself. Anything else,
another family's child, a request they did not make, a bundle of another request, is a 404, so guessing
ids tells nobody that a record exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from steward.organisations.models import School
from steward.people.models import Contact, Enrolment, Pupil, PupilContact
from steward.portal.models import PortalLink, PortalRole

# The audience of a pupil's own notice: the plain-language notice until this age, then the full one.
# Policy: the "pupil-young" notice is written for primary-age children (under 11, as the register's
# description_young texts are); from 11 a pupil reads the full pupil notice.
YOUNG_NOTICE_BELOW = 11


def today() -> dt.date:
    return timezone.localdate()


def portal_link(user: Any) -> PortalLink | None:
    """The portal identity of a signed-in user: an active user whose link staff have not disabled.
    None for everyone else (staff and providers included)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    if hasattr(user, "_steward_portal_link"):
        cached: PortalLink | None = user._steward_portal_link
        return cached
    link = (
        PortalLink.objects.select_related("contact", "pupil", "school")
        .filter(user_id=user.pk, disabled_at__isnull=True)
        .first()
    )
    user._steward_portal_link = link
    return link


def require_link(user: Any) -> PortalLink:
    """The user's portal identity, else Http404 (portal pages do not exist for anyone else)."""
    link = portal_link(user)
    if link is None:
        raise Http404("No such page")
    return link


def responsible_links(contact: Contact) -> QuerySet[PupilContact]:
    """The contact's links that let them act for a child: parental responsibility, no court order."""
    return PupilContact.objects.filter(contact=contact, parental_responsibility=True, court_order=False)


def children(user: Any) -> QuerySet[Pupil]:
    """The pupils the portal user may see: a parent's children (parental responsibility and no court
    order recorded), or the pupil themself. Empty for anyone without a portal identity."""
    link = portal_link(user)
    if link is None:
        return Pupil.objects.none()
    if link.pupil_id:
        return Pupil.objects.filter(pk=link.pupil_id)
    assert link.contact is not None
    return Pupil.objects.filter(pk__in=responsible_links(link.contact).values("pupil_id")).order_by(
        "legal_forename", "legal_surname", "pk"
    )


def child(user: Any, pk: Any) -> Pupil:
    """One pupil the portal user may see, else Http404."""
    try:
        return children(user).get(pk=pk)
    except (Pupil.DoesNotExist, ValueError, TypeError):
        raise Http404("No such page") from None


def school_of(pupil: Pupil, on: dt.date | None = None) -> School:
    """The school whose notice and data check apply: the current enrolment (latest admission first),
    else the most recent one."""
    on = on or today()
    enrolments = Enrolment.objects.filter(pupil=pupil).select_related("school", "school__trust")
    current = (
        enrolments.filter(admission_date__lte=on)
        .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=on))
        .order_by("-admission_date", "-pk")
        .first()
    )
    chosen = current or enrolments.order_by("-admission_date", "-pk").first()
    if chosen is None:
        raise Http404("No such page")
    return chosen.school


def notice_audience(link: PortalLink, pupil: Pupil, on: dt.date | None = None) -> str:
    """Which published notice the person reads: "parent" for a parent; a pupil reads their own, the
    plain-language "pupil-young" notice under YOUNG_NOTICE_BELOW, else "pupil"."""
    if link.role == PortalRole.PARENT:
        return "parent"
    return "pupil-young" if pupil.age_on(on or today()) < YOUNG_NOTICE_BELOW else "pupil"


def speaker(link: PortalLink) -> tuple[str, Contact | None]:
    """Who acts in the portal: ("parent", contact) or ("pupil", None)."""
    if link.role == PortalRole.PARENT:
        return "parent", link.contact
    return "pupil", None


# --- staff: sign-ins of a school ------------------------------------------------------------------------


def staff_schools(actor: Any) -> QuerySet[School]:
    """The schools where the actor manages portal sign-ins (those who may change pupils there)."""
    from steward.accounts.roles import Action
    from steward.accounts.scope import scope_for

    return School.objects.filter(pk__in=scope_for(actor).school_ids(Action.CHANGE_PUPILS)).order_by("name")


def staff_school(actor: Any, urn: str) -> School:
    school = staff_schools(actor).filter(urn=urn).first()
    if school is None:
        raise Http404("No such school")
    return school


def staff_links(actor: Any, school: School) -> QuerySet[PortalLink]:
    """The portal sign-ins the school's staff invited, with their invitations."""
    staff_school(actor, school.urn)
    return (
        PortalLink.objects.filter(school=school)
        .select_related("user", "contact", "pupil")
        .prefetch_related("invitations")
        .order_by("-created_at", "-pk")
    )


def staff_link(actor: Any, pk: Any) -> PortalLink:
    """One sign-in at a school where the actor manages them, else Http404."""
    try:
        return PortalLink.objects.select_related("user", "school", "contact", "pupil").get(
            pk=pk, school__in=staff_schools(actor)
        )
    except (PortalLink.DoesNotExist, ValueError, TypeError):
        raise Http404("No such sign-in") from None
