"""Reads of pupil data, always restricted to what the actor may see.

Outside scope is a 404 (Http404), never a 403, so a user cannot learn that a pupil exists in
another school. Views of special-category or restricted data are audited by `pupil_profile`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.text import capfirst

from steward.accounts.roles import Action
from steward.accounts.scope import Scope, scope_for
from steward.audit.services import Subject, record
from steward.people.models import Contact, Enrolment, Pupil, PupilContact
from steward.registry.registry import FieldEntry, ModelEntry, registered_models
from steward.registry.taxonomy import taxonomy


def pupils_visible_to(actor: Any, action: Action = Action.VIEW_PUPILS) -> QuerySet[Pupil]:
    """Pupils with an enrolment (current or past) at a school where the actor may `action`."""
    school_ids = scope_for(actor).school_ids(action)
    if not school_ids:
        return Pupil.objects.none()
    enrolled = Enrolment.objects.filter(pupil=OuterRef("pk"), school_id__in=school_ids)
    return Pupil.objects.filter(Exists(enrolled))


def search_pupils(
    actor: Any, query: str = "", *, school_id: int | None = None, include_leavers: bool = True
) -> QuerySet[Pupil]:
    """Pupils the actor may see whose name or UPN matches `query` (all words must match)."""
    qs = pupils_visible_to(actor)
    for word in query.split():
        qs = qs.filter(
            Q(legal_forename__icontains=word)
            | Q(legal_surname__icontains=word)
            | Q(preferred_forename__icontains=word)
            | Q(preferred_surname__icontains=word)
            | Q(upn__iexact=word)
            | Q(former_upn__iexact=word)
        )
    if school_id is not None:
        if school_id not in scope_for(actor).school_ids():
            return qs.none()
        qs = qs.filter(Exists(Enrolment.objects.filter(pupil=OuterRef("pk"), school_id=school_id)))
    if not include_leavers:
        today = dt.date.today()
        current = Enrolment.objects.filter(
            pupil=OuterRef("pk"), school_id__in=scope_for(actor).school_ids()
        ).filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=today))
        qs = qs.filter(Exists(current))
    return qs.order_by("legal_surname", "legal_forename", "pk")


def get_pupil(actor: Any, pk: Any) -> Pupil:
    """One pupil the actor may see, else Http404."""
    try:
        return pupils_visible_to(actor).get(pk=pk)
    except (Pupil.DoesNotExist, ValueError, TypeError):
        raise Http404("No such pupil") from None


def contacts_visible_to(actor: Any) -> QuerySet[Contact]:
    """Contacts linked to a visible pupil at a school where the actor may read contact data."""
    scope = scope_for(actor)
    schools = [
        sid
        for sid, g in scope.grants.items()
        if Action.VIEW_PUPILS in g.actions and g.may_read("contact.identity")
    ]
    if not schools:
        return Contact.objects.none()
    linked = PupilContact.objects.filter(
        contact=OuterRef("pk"),
        pupil__in=Enrolment.objects.filter(school_id__in=schools).values("pupil_id"),
    )
    return Contact.objects.filter(Exists(linked))


def get_contact(actor: Any, pk: Any) -> Contact:
    try:
        return contacts_visible_to(actor).get(pk=pk)
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise Http404("No such contact") from None


def pupil_fk(model: type[models.Model]) -> str | None:
    """The name of the model's foreign key to Pupil, if it has one."""
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is Pupil:
            return f.name
    return None


def pupil_record_models() -> list[ModelEntry]:
    """Registered models that hang off a pupil (category records, enrolments, addresses, contacts)."""
    return [e for e in registered_models() if e.model is not Pupil and pupil_fk(e.model)]


def readable_fields(scope: Scope, entry: ModelEntry, school_ids: set[int]) -> list[FieldEntry]:
    """Personal fields of `entry` whose category the actor may read at any of `school_ids`."""
    return [
        f for f in entry.personal_fields() if any(scope.may_read(f.category.key, sid) for sid in school_ids)
    ]


def records_visible_to(actor: Any, model: type[models.Model]) -> QuerySet[Any]:
    """Rows of a pupil-linked registered model the actor may see: by school (or enrolment) and category."""
    from steward.registry.registry import entry_for

    entry = entry_for(model)
    scope = scope_for(actor)
    schools = scope.schools_reading([c.key for c in entry.categories])
    if not schools:
        return model._default_manager.none()
    if any(f.name == "school" for f in model._meta.concrete_fields):
        return model._default_manager.filter(school_id__in=schools)
    fk = pupil_fk(model)
    enrolled = Enrolment.objects.filter(school_id__in=schools).values("pupil_id")
    return model._default_manager.filter(**{f"{fk}__in": enrolled})


def verbose(model: type[models.Model], name: str) -> str:
    """A concrete field's verbose name."""
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def display_value(instance: models.Model, name: str) -> str:
    """A field's value as a person reads it: choice labels, dates, yes/no, file names."""
    f = instance._meta.get_field(name)
    value = getattr(instance, name)
    if value is None or value == "":
        return ""
    if getattr(f, "choices", None):
        return str(getattr(instance, f"get_{name}_display")())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return f"{value.day} {value:%B %Y %H:%M}"  # GOV.UK style: 4 September 2019 14:05
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(f, models.FileField):
        return value.name.rsplit("/", 1)[-1] if value else ""
    return str(value)


@dataclass
class Row:
    pk: Any
    cells: list[tuple[str, str]]  # (field label, display value)


@dataclass
class Section:
    """One registered model's rows on the pupil page, labelled from the taxonomy."""

    model: str
    title: str
    category_key: str
    category_label: str
    special: bool
    columns: list[str]
    rows: list[Row]
    total: int


@dataclass
class Profile:
    pupil: Pupil
    identity: list[tuple[str, str, str]]  # (category label, field label, value)
    sections: list[Section] = field(default_factory=list)
    hidden_categories: list[str] = field(default_factory=list)


# Links that name a record rather than hold data: a trip's name, a contact's name. Shown beside the
# record's own fields; a link to a data subject (a contact) only when their identity is readable.
_LINK_SKIP = {"pupil", "school", "recorded_by"}


def _link_fields(scope: Scope, entry: ModelEntry, school_ids: set[int]) -> list[str]:
    from steward.registry.registry import is_registered

    names = []
    for f in entry.model._meta.concrete_fields:
        if not f.is_relation or f.name in _LINK_SKIP or f.related_model is None:
            continue
        target = f.related_model
        if target is Contact:
            if any(scope.may_read("contact.identity", sid) for sid in school_ids):
                names.append(f.name)
        elif isinstance(target, type) and not is_registered(target):
            names.append(f.name)
    return names


def _group_key(entry: ModelEntry) -> str:
    first = entry.categories[0].key if entry.categories else "system"
    return ".".join(first.split(".")[:2])


def pupil_profile(actor: Any, pk: Any, *, rows_per_section: int = 25) -> Profile:
    """Everything about one pupil the actor may see, grouped by category, and audit the view."""
    pupil = get_pupil(actor, pk)
    scope = scope_for(actor)
    tax = taxonomy()
    pupil_schools = set(Enrolment.objects.filter(pupil=pupil).values_list("school_id", flat=True))
    visible_schools = pupil_schools & scope.school_ids()
    from steward.registry.registry import entry_for

    touched: set[str] = set()
    special = False
    pupil_entry = entry_for(Pupil)
    identity = []
    for f in readable_fields(scope, pupil_entry, visible_schools):
        identity.append((f.category.label, verbose(Pupil, f.name), display_value(pupil, f.name)))
        touched.add(f.category.key)
        special |= f.special
    hidden: set[str] = {
        f.category.label for f in pupil_entry.personal_fields() if f.category.key not in touched
    }

    sections: list[Section] = []
    for entry in sorted(pupil_record_models(), key=lambda e: (_group_key(e), e.verbose_name)):
        fk = pupil_fk(entry.model) or "pupil"
        fields = readable_fields(scope, entry, visible_schools)
        if not fields:
            hidden.update(c.label for c in entry.categories)
            continue
        links = _link_fields(scope, entry, visible_schools)
        qs = records_visible_to(actor, entry.model).filter(**{fk: pupil}).select_related(*links)
        total = qs.count()
        rows = [
            Row(
                pk=obj.pk,
                cells=[(verbose(entry.model, n), str(getattr(obj, n) or "")) for n in links]
                + [(verbose(entry.model, f.name), display_value(obj, f.name)) for f in fields],
            )
            for obj in qs[:rows_per_section]
        ]
        group = tax.get(_group_key(entry)) if _group_key(entry) in tax else None
        sections.append(
            Section(
                model=entry.label,
                title=capfirst(str(entry.model._meta.verbose_name_plural)),
                category_key=group.key if group else "",
                category_label=group.label if group else "",
                special=any(f.special for f in fields),
                columns=[verbose(entry.model, n) for n in links]
                + [verbose(entry.model, f.name) for f in fields],
                rows=rows,
                total=total,
            )
        )
        if total:
            touched.update(f.category.key for f in fields)
            if any(entry.model._meta.get_field(n).related_model is Contact for n in links):
                touched.add("contact.identity")
            special |= any(f.special for f in fields)
    record(
        "view",
        model=pupil_entry.label,
        object_id=pupil.pk,
        subject=Subject(pupil_id=pupil.pk, school_id=min(visible_schools) if visible_schools else None),
        categories=sorted(touched),
        special=special,
        detail={"page": "pupil profile"},
    )
    return Profile(pupil=pupil, identity=identity, sections=sections, hidden_categories=sorted(hidden))
