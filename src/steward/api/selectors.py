"""Reads behind the API: built on `steward.people.selectors`, so the API sees exactly what the UI does.

Each function returns plain data shaped like the response schema; a field the caller may not
read is left out of the dict altogether. Reads of a single record write a "view" audit event
and list pages a "search" event, each for the current actor (the API runs every operation
inside `acting_as(<caller>, channel="api")`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from steward.accounts.roles import ROLES
from steward.accounts.scope import Scope, scope_for
from steward.audit.services import Subject, record
from steward.organisations.models import School
from steward.people.models import Contact, Enrolment, Pupil, PupilContact
from steward.people.selectors import (
    contacts_visible_to,
    get_contact,
    get_pupil,
    pupil_profile,
    pupils_visible_to,
    readable_fields,
    records_visible_to,
    search_pupils,
)
from steward.registry.registry import FieldEntry, ModelEntry, entry_for

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
PUPIL_LIST_FIELDS = (
    "upn",
    "legal_forename",
    "middle_names",
    "legal_surname",
    "preferred_forename",
    "preferred_surname",
    "date_of_birth",
    "ncy",
)
CONTACT_LIST_FIELDS = ("title", "forename", "surname")
CONTACT_SUMMARY_CATEGORY = "contact.identity"


@dataclass(frozen=True)
class PageSpec:
    """Which page of a list to return (1-based)."""

    page: int = 1
    page_size: int = PAGE_SIZE

    def clamp(self) -> PageSpec:
        return PageSpec(max(1, self.page), min(max(1, self.page_size), MAX_PAGE_SIZE))


def _page(qs: QuerySet[Any], spec: PageSpec) -> tuple[list[Any], dict[str, int]]:
    spec = spec.clamp()
    count = qs.count()
    start = (spec.page - 1) * spec.page_size
    items = list(qs[start : start + spec.page_size]) if start < count else []
    meta = {
        "count": count,
        "page": spec.page,
        "page_size": spec.page_size,
        "pages": math.ceil(count / spec.page_size) if count else 0,
    }
    return items, meta


def _categories(entry: ModelEntry, names: Iterable[str]) -> list[str]:
    return sorted({entry.field(n).category.key for n in names})


def _values(instance: Any, fields: Iterable[FieldEntry]) -> dict[str, Any]:
    return {f.name: getattr(instance, f.name) for f in fields}


def _withheld(scope: Scope, entries: Iterable[ModelEntry], school_ids: set[int]) -> set[str]:
    return {
        c.key
        for e in entries
        for c in e.categories
        if not any(scope.may_read(c.key, sid) for sid in school_ids)
    }


def _visible_schools(scope: Scope, pupil_id: int) -> set[int]:
    schools = set(Enrolment.objects.filter(pupil_id=pupil_id).values_list("school_id", flat=True))
    return schools & scope.school_ids()


# -- pupils -------------------------------------------------------------------------------------


def _list_item(pupil: Pupil, enrolments: Iterable[Enrolment]) -> dict[str, Any]:
    """A pupil's list fields; `enrolments` are those at the actor's schools, newest first."""
    current = next((e for e in enrolments if e.is_current), None)
    return {
        "id": pupil.pk,
        **{name: getattr(pupil, name) for name in PUPIL_LIST_FIELDS},
        "current_school_urn": current.school.urn if current else None,
    }


def pupil_summary(actor: Any, pupil: Pupil) -> dict[str, Any]:
    """The list fields of one pupil the actor has just written (no audit event: nothing new is read)."""
    enrolments = (
        Enrolment.objects.filter(pupil=pupil, school_id__in=scope_for(actor).school_ids())
        .select_related("school")
        .order_by("-admission_date", "-pk")
    )
    return _list_item(pupil, enrolments)


def pupil_page(
    actor: Any, *, query: str = "", school_urn: str = "", spec: PageSpec = PageSpec()
) -> dict[str, Any]:
    """A page of the pupils the actor may see, optionally matching `query` and enrolled at a school."""
    scope = scope_for(actor)
    school_id: int | None = None
    if school_urn:
        school_id = School.objects.filter(urn=school_urn).values_list("pk", flat=True).first() or -1
    visible_enrolments = (
        Enrolment.objects.filter(school_id__in=scope.school_ids())
        .select_related("school")
        .order_by("-admission_date", "-pk")
    )
    qs = search_pupils(actor, query, school_id=school_id).prefetch_related(
        Prefetch("enrolments", queryset=visible_enrolments, to_attr="visible_enrolments")
    )
    pupils, meta = _page(qs, spec)
    items = [_list_item(p, p.visible_enrolments) for p in pupils]
    record(
        "search",
        model=entry_for(Pupil).label,
        categories=[*_categories(entry_for(Pupil), PUPIL_LIST_FIELDS), "pupil.enrolment"],
        fields=list(PUPIL_LIST_FIELDS),
        detail={"api": "pupil list", "page": meta["page"], "results": len(items), "school": school_urn},
    )
    return {**meta, "items": items}


def pupil_detail(actor: Any, pk: Any) -> dict[str, Any]:
    """One pupil, field by field as far as the actor may read each category; audits the view."""
    pupil = get_pupil(actor, pk)
    scope = scope_for(actor)
    visible = _visible_schools(scope, pupil.pk)
    pupil_entry, enrol_entry = entry_for(Pupil), entry_for(Enrolment)
    link_entry, contact_entry = entry_for(PupilContact), entry_for(Contact)

    fields = readable_fields(scope, pupil_entry, visible)
    data: dict[str, Any] = {"id": pupil.pk, **_values(pupil, fields)}
    touched = {f.category.key for f in fields}
    special = any(f.special for f in fields)

    if readable_fields(scope, enrol_entry, visible):
        enrolments = (
            records_visible_to(actor, Enrolment)
            .filter(pupil=pupil, school_id__in=visible)
            .select_related("school")
            .order_by("admission_date", "pk")
        )
        data["enrolments"] = []
        for e in enrolments:
            readable = [
                f for f in enrol_entry.personal_fields() if scope.may_read(f.category.key, e.school_id)
            ]
            data["enrolments"].append(
                {"id": e.pk, "school_urn": e.school.urn, "school_name": e.school.name, **_values(e, readable)}
            )
            touched.update(f.category.key for f in readable)
            special |= any(f.special for f in readable)

    summary = [
        f
        for f in readable_fields(scope, contact_entry, visible)
        if f.category.key == CONTACT_SUMMARY_CATEGORY
    ]
    if summary:
        link_fields = readable_fields(scope, link_entry, visible)
        links = (
            PupilContact.objects.filter(pupil=pupil, contact__in=contacts_visible_to(actor))
            .select_related("contact")
            .order_by("priority", "pk")
        )
        data["contacts"] = [
            {"contact_id": link.contact_id, **_values(link.contact, summary), **_values(link, link_fields)}
            for link in links
        ]
        if data["contacts"]:
            touched.update(f.category.key for f in [*summary, *link_fields])
            special |= any(f.special for f in [*summary, *link_fields])

    withheld = _withheld(scope, [pupil_entry, enrol_entry, link_entry], visible)
    if not any(scope.may_read(CONTACT_SUMMARY_CATEGORY, sid) for sid in visible):
        withheld.add(CONTACT_SUMMARY_CATEGORY)
    data["withheld_categories"] = sorted(withheld)
    record(
        "view",
        model=pupil_entry.label,
        object_id=pupil.pk,
        subject=Subject(pupil_id=pupil.pk, school_id=min(visible) if visible else None),
        categories=sorted(touched),
        special=special,
        fields=[f.name for f in fields],
        detail={"api": "pupil detail"},
    )
    return data


def pupil_records(actor: Any, pk: Any) -> dict[str, Any]:
    """The pupil page's sections as display strings (`pupil_profile` restricts and audits)."""
    profile = pupil_profile(actor, pk)
    return {
        "pupil_id": profile.pupil.pk,
        "identity": [{"category": c, "field": f, "value": v} for c, f, v in profile.identity],
        "sections": [
            {
                "model": s.model,
                "title": s.title,
                "category_key": s.category_key,
                "category_label": s.category_label,
                "special": s.special,
                "columns": s.columns,
                "rows": [
                    {"id": r.pk, "cells": [{"field": f, "value": v} for f, v in r.cells]} for r in s.rows
                ],
                "total": s.total,
            }
            for s in profile.sections
        ],
        "hidden_categories": profile.hidden_categories,
    }


# -- contacts -----------------------------------------------------------------------------------


def contact_page(actor: Any, *, spec: PageSpec = PageSpec()) -> dict[str, Any]:
    """A page of the contacts the actor may see (names only)."""
    qs = contacts_visible_to(actor).order_by("surname", "forename", "pk")
    contacts, meta = _page(qs, spec)
    items = [{"id": c.pk, **{n: getattr(c, n) for n in CONTACT_LIST_FIELDS}} for c in contacts]
    record(
        "search",
        model=entry_for(Contact).label,
        categories=_categories(entry_for(Contact), CONTACT_LIST_FIELDS),
        fields=list(CONTACT_LIST_FIELDS),
        detail={"api": "contact list", "page": meta["page"], "results": len(items)},
    )
    return {**meta, "items": items}


def contact_detail(actor: Any, pk: Any) -> dict[str, Any]:
    """One contact and the visible pupils they are linked to, by category; audits the view.

    Court-order fields (`contact.legal`) appear only where the actor may read that category at
    the linked pupil's schools.
    """
    contact = get_contact(actor, pk)
    scope = scope_for(actor)
    contact_entry, link_entry = entry_for(Contact), entry_for(PupilContact)
    links = list(
        PupilContact.objects.filter(contact=contact, pupil__in=pupils_visible_to(actor))
        .select_related("pupil")
        .order_by("priority", "pk")
    )
    schools_of: dict[int, set[int]] = defaultdict(set)
    for pupil_id, school_id in Enrolment.objects.filter(
        pupil_id__in=[link.pupil_id for link in links], school_id__in=scope.school_ids()
    ).values_list("pupil_id", "school_id"):
        schools_of[pupil_id].add(school_id)
    contact_schools = {
        sid
        for link in links
        for sid in schools_of[link.pupil_id]
        if scope.may_read(CONTACT_SUMMARY_CATEGORY, sid)
    }

    fields = readable_fields(scope, contact_entry, contact_schools)
    touched = {f.category.key for f in fields}
    special = any(f.special for f in fields)
    pupils = []
    for link in links:
        link_fields = readable_fields(scope, link_entry, schools_of[link.pupil_id] & contact_schools)
        if not link_fields:
            continue  # the link itself is contact data the actor cannot read at that pupil's schools
        pupils.append(
            {"pupil_id": link.pupil_id, "pupil_name": link.pupil.display_name, **_values(link, link_fields)}
        )
        touched.update(f.category.key for f in link_fields)
        special |= any(f.special for f in link_fields)
    data: dict[str, Any] = {"id": contact.pk, **_values(contact, fields), "pupils": pupils}
    data["withheld_categories"] = sorted(_withheld(scope, [contact_entry, link_entry], contact_schools))
    record(
        "view",
        model=contact_entry.label,
        object_id=contact.pk,
        subject=Subject(contact_id=contact.pk, school_id=min(contact_schools) if contact_schools else None),
        categories=sorted(touched),
        special=special,
        fields=[f.name for f in fields],
        detail={"api": "contact detail"},
    )
    return data


# -- the caller ---------------------------------------------------------------------------------


def me(actor: Any, *, auth: str, token: Any = None) -> dict[str, Any]:
    """The caller, how they signed in, and their roles and permitted actions school by school."""
    scope = scope_for(actor)
    schools = School.objects.filter(pk__in=scope.grants).order_by("name")
    return {
        "id": actor.pk,
        "username": actor.get_username(),
        "name": actor.get_full_name() or actor.get_username(),
        "auth": auth,
        "token": (
            {
                "id": token.pk,
                "name": token.name,
                "prefix": token.prefix,
                "created_at": token.created_at,
                "expires_at": token.expires_at,
            }
            if token is not None
            else None
        ),
        "schools": [
            {
                "id": s.pk,
                "urn": s.urn,
                "name": s.name,
                "roles": [{"key": k, "label": ROLES[k].label} for k in sorted(scope.grants[s.pk].roles)],
                "actions": sorted(a.value for a in scope.grants[s.pk].actions),
            }
            for s in schools
        ],
    }
