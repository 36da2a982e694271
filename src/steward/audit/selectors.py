"""Reads of the audit log, restricted to what the reader may see.

The log is staff personal data (who did what, when), so it is scoped like everything else:

* a trust-wide audit role (trust DPO, auditor) sees the events of its trusts: those tied to one of
  the trust's schools, and school-less events about the trust's pupils, contacts or staff, and
  those of named system processes. With one trust per deployment that is every event.
* a school-level audit role (school DPL, headteacher) sees events tied to its schools, school-less
  events about pupils enrolled at its schools, and its own events.
* anyone else sees nothing (the page is a 404 for them).

Reading the log is itself recorded, so a reader's browsing shows up in the log they read.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from steward.accounts.roles import ROLES, Action
from steward.accounts.scope import scope_for
from steward.audit.models import AuditEvent
from steward.audit.services import record


def trust_wide_audit_trusts(actor: Any) -> set[int]:
    """Trusts in which the actor holds a trust-wide role that may read the audit log."""
    from steward.accounts.models import RoleAssignment

    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return set()
    roles = [k for k, r in ROLES.items() if r.trust_wide and r.staff and Action.VIEW_AUDIT in r.actions]
    return set(
        RoleAssignment.objects.filter(user_id=actor.pk, school__isnull=True, role__in=roles).values_list(
            "trust_id", flat=True
        )
    )


def _trust_filter(trust_ids: set[int]) -> Q:
    from steward.accounts.models import RoleAssignment
    from steward.organisations.models import School
    from steward.people.models import Contact, Pupil

    schools = School.objects.filter(trust_id__in=trust_ids).values("pk")
    staff = RoleAssignment.objects.filter(trust_id__in=trust_ids).values("user_id")
    return Q(school_id_ref__in=schools) | Q(
        Q(school_id_ref__isnull=True)
        & (
            Q(pupil_id_ref__in=Pupil.objects.filter(trust_id__in=trust_ids).values("pk"))
            | Q(contact_id_ref__in=Contact.objects.filter(trust_id__in=trust_ids).values("pk"))
            | Q(actor_id__in=staff)
            | Q(actor__isnull=True)
        )
    )


def _school_filter(actor: Any, school_ids: set[int]) -> Q:
    from steward.people.models import Enrolment

    enrolled = Enrolment.objects.filter(school_id__in=school_ids).values("pupil_id")
    return (
        Q(school_id_ref__in=school_ids)
        # Pupil writes carry no school of their own (a pupil may move school), so they are
        # matched through the pupil's enrolments; events tied to another school stay hidden.
        | Q(school_id_ref__isnull=True, pupil_id_ref__in=enrolled)
        | Q(actor_id=actor.pk)
    )


def may_view_audit(actor: Any) -> bool:
    """True when the actor holds an audit-reading role anywhere."""
    return scope_for(actor).may(Action.VIEW_AUDIT)


def events_visible_to(actor: Any) -> QuerySet[AuditEvent]:
    """Audit events the actor may read, newest first."""
    scope = scope_for(actor)
    condition = Q()
    matched = False
    trusts = trust_wide_audit_trusts(actor)
    if trusts:
        condition |= _trust_filter(trusts)
        matched = True
    schools = scope.school_ids(Action.VIEW_AUDIT)
    if schools:
        condition |= _school_filter(actor, schools)
        matched = True
    if not matched:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(condition).order_by("-id")


def audit_log(actor: Any, *, action: str = "", pupil_id: int | None = None) -> QuerySet[AuditEvent]:
    """The events the actor may read, filtered by action and pupil id; records that they looked."""
    qs = events_visible_to(actor)
    if action:
        qs = qs.filter(action=action)
    if pupil_id is not None:
        qs = qs.filter(pupil_id_ref=pupil_id)
    if may_view_audit(actor):
        record(
            "view",
            model=AuditEvent._meta.label,
            categories=["staff.activity"],
            detail={"page": "audit log", "action": action, "pupil_id": pupil_id},
        )
    return qs
