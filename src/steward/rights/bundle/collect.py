"""Collect everything the registry knows about one pupil, category by category (reads only).

The sources are `registered_models(subject="pupil")`, never a list kept here: a model classified
tomorrow is in tomorrow's bundles. Each record is split by the categories of its fields, so a pupil
row gives a row in "Name", one in "Unique pupil number", one in "Ethnicity", and so on; the columns
of a category come from the registry (not from the data), so every file has the same header whether
or not anything is held.

Free text (text fields and free-form character fields, not codes, dates or the subject's own
identifiers) is returned as `Text` items with a location, "<app.Model>:<pk>:<field>", which the
redaction pass (`rights.review`) marks and the bundle applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from steward.people.models import Pupil, PupilContact
from steward.registry.registry import ModelEntry, registered_models
from steward.registry.taxonomy import Category, taxonomy
from steward.rights.models import RightsRequest

KEY = "system.key"
# The subject's own identifiers and contact details are not free text to redact: they are the
# subject's by definition. The requester's details (contact.rights) are the requester's own.
NOT_FREE_TEXT = ("pupil.identity", "pupil.contact", "pupil.characteristics", "contact.rights")
# A redaction's own text is exactly what it withholds (a third party's name), so it is never shown.
WITHHELD = {("rights.RedactionMark", "text"): "[withheld: the text of a redaction]"}
# The contacts section: who the school records as the pupil's parents and carers. PupilContact is
# registered as the contact's data; what it says about *who the pupil's contacts are* is held in the
# pupil's record and is the pupil's data too. Court orders (contact.legal) are the contact's.
CONTACTS_CATEGORY = "contact.relationship"
CONTACTS_SOURCE = "people.PupilContact"


@dataclass(frozen=True)
class Column:
    """One column of a category table: the machine name (CSV/JSON header) and its label (PDF)."""

    name: str
    label: str


@dataclass
class Text:
    """A free-text value to redact: where it is and what it says."""

    location: str
    label: str
    text: str


@dataclass
class Row:
    """One record's fields in one category. `texts` maps a column to the location of its free text."""

    source: str
    pk: int
    cells: dict[str, Any]
    texts: dict[str, str] = field(default_factory=dict)


@dataclass
class Section:
    """One data category: its taxonomy entry, its columns, the rows held, and the sources searched."""

    category: Category
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.category.key


@dataclass
class Search:
    """One source searched: a registered model (by label), its categories, and the rows found."""

    source: str
    categories: list[str]
    rows: int


@dataclass
class Collection:
    """Everything held about the pupil, by category, with the free texts and the search log."""

    pupil: Pupil
    sections: dict[str, Section]
    texts: list[Text]
    searches: list[Search]

    def held(self) -> list[Section]:
        return [s for s in self.sections.values() if s.rows]


# --- the schema: which columns each category has ------------------------------------------------


def _first_hop(entry: ModelEntry) -> str:
    return entry.subject_path.split("__", 1)[0] if entry.subject_path else ""


def _context_fields(entry: ModelEntry) -> list[models.ForeignKey[Any, Any]]:
    """Links shown as readable text beside every category row of the record (the school, the trip,
    the request): keys a person recognises. Not the link to the subject, nor the trust."""
    out = []
    skip = {_first_hop(entry), "trust", "id"}
    for f in entry.fields:
        if f.category.key != KEY or f.name in skip:
            continue
        mf = entry.model._meta.get_field(f.name)
        if isinstance(mf, models.ForeignKey):
            out.append(mf)
    return out


def _source_field(entry: ModelEntry) -> models.Field[Any, Any] | None:
    try:
        f = entry.model._meta.get_field("source")
    except FieldDoesNotExist:  # this model records no source
        return None
    return f if isinstance(f, models.Field) and f.choices else None


def _is_free_text(mf: models.Field[Any, Any], category: Category) -> bool:
    if any(category.within(p) for p in NOT_FREE_TEXT):
        return False
    if isinstance(mf, models.TextField):
        return True
    return (
        isinstance(mf, models.CharField)
        and not mf.choices
        and not isinstance(mf, models.EmailField | models.URLField | models.SlugField)
    )


def _verbose(model: type[models.Model], name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))  # type: ignore[union-attr]


@dataclass(frozen=True)
class _Plan:
    """How one registered model is read: its personal fields by category, context links, source."""

    entry: ModelEntry
    by_category: dict[str, list[str]]
    context: list[str]
    source: str  # "" when the model records no source
    free_text: frozenset[str]


@cache
def _plans() -> tuple[_Plan, ...]:
    plans = []
    for entry in registered_models(subject="pupil"):
        by_cat: dict[str, list[str]] = {}
        free: set[str] = set()
        for f in entry.personal_fields():
            by_cat.setdefault(f.category.key, []).append(f.name)
            mf = entry.model._meta.get_field(f.name)
            if isinstance(mf, models.Field) and _is_free_text(mf, f.category):
                free.add(f.name)
        src = _source_field(entry)
        plans.append(
            _Plan(
                entry=entry,
                by_category=by_cat,
                context=[f.name for f in _context_fields(entry)],
                source=src.name if src is not None else "",
                free_text=frozenset(free),
            )
        )
    return tuple(plans)


def _choice_code(mf: Any) -> bool:
    return bool(getattr(mf, "choices", None)) and not isinstance(mf, models.BooleanField)


def _columns_for(plan: _Plan, names: list[str]) -> list[Column]:
    model = plan.entry.model
    cols = [Column("record", "Record"), Column("record_id", "Record number")]
    cols += [Column(n, _verbose(model, n)) for n in plan.context]
    for n in names:
        cols.append(Column(n, _verbose(model, n)))
        if _choice_code(model._meta.get_field(n)):
            cols.append(Column(f"{n}_code", f"{_verbose(model, n)} (code)"))
    if plan.source:
        cols.append(Column("source", "Where it came from"))
    return cols


def _contacts_columns() -> list[Column]:
    return [
        Column("record", "Record"),
        Column("record_id", "Record number"),
        Column("contact_name", "Name"),
        Column("relationship", "Relationship"),
        Column("relationship_code", "Relationship (code)"),
        Column("parental_responsibility", "Has parental responsibility"),
        Column("priority", "Contact priority"),
        Column("lives_with", "Pupil lives with this contact"),
    ]


def schema() -> dict[str, list[Column]]:
    """Every category a pupil's bundle has, with its columns: each `pupil.*` category of the taxonomy
    (empty ones too, so "none held" is said), every category a registered field carries, and the
    contacts section. Columns are the union over the models holding the category, in registry order."""
    out: dict[str, list[Column]] = {}
    for key, cat in taxonomy().categories.items():
        if cat.personal and cat.within("pupil"):
            out[key] = [Column("record", "Record"), Column("record_id", "Record number")]
    for plan in _plans():
        for key, names in plan.by_category.items():
            cols = out.setdefault(key, [])
            have = {c.name for c in cols}
            cols.extend(c for c in _columns_for(plan, names) if c.name not in have)
    out[CONTACTS_CATEGORY] = _contacts_columns()
    # Taxonomy order: the pupil's categories as the taxonomy file lists them, then the rest.
    order = {k: i for i, k in enumerate(taxonomy().categories)}
    return dict(
        sorted(out.items(), key=lambda kv: (not kv[0].startswith("pupil"), order.get(kv[0], 10**6), kv[0]))
    )


# --- values ---------------------------------------------------------------------------------------


def _value(mf: Any, raw: Any) -> Any:
    """A JSON-ready value a person can read: choices as labels, dates ISO, files by name."""
    if raw is None:
        return None
    if isinstance(mf, models.FileField):
        return PurePosixPath(str(raw)).name if raw else None
    if getattr(mf, "choices", None) and not isinstance(mf, models.BooleanField):
        return str(dict(mf.flatchoices).get(raw, raw)) if raw != "" else ""
    if isinstance(raw, dt.datetime):
        return timezone.localtime(raw).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(raw) else str(raw)
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, Decimal):
        return str(raw)
    if isinstance(raw, list | tuple):
        return ", ".join(str(x) for x in raw)
    return raw


def display(value: Any) -> str:
    """A cell as text (CSV and PDF)."""
    if value is None:
        return ""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return str(value)


def _subject_filter(entry: ModelEntry, pupil: Pupil) -> dict[str, Any]:
    return {f"{entry.subject_path}__pk" if entry.subject_path else "pk": pupil.pk}


def _not_this_request(entry: ModelEntry, request: RightsRequest | None) -> dict[str, Any]:
    """The work on the request being answered (its log, searches, tasks, bundles, redactions) is
    described by the bundle itself, and changes with every build; leaving it out keeps the bundle
    reproducible. Earlier requests are included like any other record."""
    if request is None or not entry.subject_path.endswith("request__pupil"):
        return {}
    return {entry.subject_path.removesuffix("__pupil"): request}


def _records(plan: _Plan, pupil: Pupil, request: RightsRequest | None) -> list[models.Model]:
    entry = plan.entry
    qs = entry.model._default_manager.filter(**_subject_filter(entry, pupil))
    exclude = _not_this_request(entry, request)
    if exclude:
        qs = qs.exclude(**exclude)
    if plan.context:
        qs = qs.select_related(*plan.context)
    names = {n for ns in plan.by_category.values() for n in ns} | set(plan.context)
    if plan.source:
        names.add(plan.source)
    # Only the classified columns are read (plus the keys select_related needs).
    concrete = {f.name for f in entry.model._meta.concrete_fields}
    only = ["pk", *sorted(n for n in names if n in concrete)]
    if entry.subject_path and _first_hop(entry) in concrete:
        only.append(_first_hop(entry))
    return list(qs.only(*only).order_by("pk"))


def _rows_of(plan: _Plan, obj: models.Model, sections: dict[str, Section], texts: list[Text]) -> None:
    entry = plan.entry
    model = entry.model
    label = entry.label
    base: dict[str, Any] = {"record": capfirst(entry.verbose_name), "record_id": obj.pk}
    for n in plan.context:
        base[n] = str(getattr(obj, n)) if getattr(obj, f"{n}_id", None) is not None else None
    src = ""
    if plan.source:
        mf = model._meta.get_field(plan.source)
        src = str(dict(mf.flatchoices).get(getattr(obj, plan.source), getattr(obj, plan.source)))  # type: ignore[union-attr]
    for key, names in plan.by_category.items():
        cells = dict(base)
        row_texts: dict[str, str] = {}
        for n in names:
            mf = model._meta.get_field(n)
            raw = getattr(obj, n)
            withheld = WITHHELD.get((label, n))
            if withheld is not None:
                cells[n] = withheld if raw else raw
            else:
                cells[n] = _value(mf, raw)
            if _choice_code(mf):
                cells[f"{n}_code"] = raw
            if n in plan.free_text and withheld is None and isinstance(raw, str) and raw.strip():
                loc = f"{label}:{obj.pk}:{n}"
                row_texts[n] = loc
                texts.append(Text(loc, f"{capfirst(entry.verbose_name)} {obj.pk}: {_verbose(model, n)}", raw))
        if plan.source:
            cells["source"] = src
        sections[key].rows.append(Row(source=label, pk=obj.pk, cells=cells, texts=row_texts))


def _contacts(pupil: Pupil, sections: dict[str, Section]) -> int:
    links = (
        PupilContact.objects.filter(pupil=pupil)
        .select_related("contact")
        .only(
            "pk",
            "relationship",
            "parental_responsibility",
            "priority",
            "lives_with",
            "contact__title",
            "contact__forename",
            "contact__surname",
        )
        .order_by("priority", "pk")
    )
    rel = PupilContact._meta.get_field("relationship")
    n = 0
    for link in links:
        n += 1
        sections[CONTACTS_CATEGORY].rows.append(
            Row(
                source=CONTACTS_SOURCE,
                pk=link.pk,
                cells={
                    "record": "Parent or carer",
                    "record_id": link.pk,
                    "contact_name": str(link.contact),
                    "relationship": _value(rel, link.relationship),
                    "relationship_code": link.relationship,
                    "parental_responsibility": link.parental_responsibility,
                    "priority": link.priority,
                    "lives_with": link.lives_with,
                },
            )
        )
    return n


def collect(pupil: Pupil, *, request: RightsRequest | None = None) -> Collection:
    """Everything held about `pupil`, by category (no permission check and no writes: the caller,
    `bundle.build` or `review.propose`, checks the actor and logs the search)."""
    tax = taxonomy()
    sections: dict[str, Section] = {
        key: Section(category=tax.get(key), columns=cols) for key, cols in schema().items()
    }
    texts: list[Text] = []
    searches: list[Search] = []
    for plan in _plans():
        objs = _records(plan, pupil, request)
        for obj in objs:
            _rows_of(plan, obj, sections, texts)
        for key in plan.by_category:
            sections[key].sources.append(plan.entry.label)
        searches.append(Search(plan.entry.label, list(plan.by_category), len(objs)))
    n = _contacts(pupil, sections)
    sections[CONTACTS_CATEGORY].sources.append(CONTACTS_SOURCE)
    searches.append(Search(CONTACTS_SOURCE, [CONTACTS_CATEGORY, "contact.identity"], n))
    return Collection(pupil=pupil, sections=sections, texts=texts, searches=searches)


def categories_read(collection: Collection) -> Iterable[str]:
    """The categories that hold something (for the permission check and the audit event)."""
    return [s.key for s in collection.held()]
