"""The personal-data registry: which models hold personal data, whose, and in which categories.

A model joins the registry by declaring an inner `PersonalData` class next to its fields:

    class Allergy(PupilRecord):
        allergen = models.CharField(...)

        class PersonalData:
            subject = "pupil"                 # whose data: pupil | contact | staff
            subject_path = "pupil"            # ORM path from this model to the subject ("" = itself)
            retention_from = "pupil__date_of_birth"   # what starts the retention clock
            fields = {"allergen": "pupil.health.allergy"}

Abstract bases may declare `PersonalData` too; their `fields` are merged into every subclass,
so shared columns (pupil, school, recorded_by, ...) are classified once.

Access, export, erasure, rectification, restriction, retention and sharing iterate
`registered_models()`; no feature keeps its own list of models.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models

from steward.registry.taxonomy import Category, taxonomy

SUBJECTS = ("pupil", "contact", "staff")


@dataclass(frozen=True)
class FieldEntry:
    """One classified field of a registered model."""

    name: str
    category: Category

    @property
    def special(self) -> bool:
        return self.category.special


@dataclass(frozen=True)
class ModelEntry:
    """A registered model: its subject, the path to the subject, and its classified fields."""

    model: type[models.Model]
    subject: str
    subject_path: str
    retention_from: str
    description: str
    fields: tuple[FieldEntry, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def categories(self) -> tuple[Category, ...]:
        """The distinct personal categories of this model, in field order."""
        seen: dict[str, Category] = {}
        for f in self.fields:
            if f.category.personal:
                seen.setdefault(f.category.key, f.category)
        return tuple(seen.values())

    @property
    def special(self) -> bool:
        return any(f.special for f in self.fields)

    def field(self, name: str) -> FieldEntry:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.label}.{name} is not classified")

    def personal_fields(self) -> tuple[FieldEntry, ...]:
        return tuple(f for f in self.fields if f.category.personal)


def declared_fields(model: type[models.Model]) -> dict[str, str]:
    """The field -> category map a model declares, merged over its bases (subclass wins)."""
    merged: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        decl = vars(cls).get("PersonalData")
        if decl is not None:
            merged.update(getattr(decl, "fields", {}))
    return merged


def declaration(model: type[models.Model]) -> Any | None:
    """The model's own (or inherited) `PersonalData` declaration, if any."""
    return getattr(model, "PersonalData", None)


def declared(model: type[models.Model], attr: str, default: Any = "") -> Any:
    """A `PersonalData` attribute, taken from the nearest class in the MRO that sets it."""
    for cls in model.__mro__:
        decl = vars(cls).get("PersonalData")
        if decl is not None and attr in vars(decl):
            return vars(decl)[attr]
    return default


def classifiable_fields(model: type[models.Model]) -> list[str]:
    """Every concrete column and many-to-many of the model: each must carry a category."""
    names = [f.name for f in model._meta.concrete_fields]
    names += [f.name for f in model._meta.many_to_many]
    return names


def _build(model: type[models.Model]) -> ModelEntry:
    tax = taxonomy()
    fields = declared_fields(model)
    entries = tuple(
        FieldEntry(name=name, category=tax.get(fields[name]))
        for name in classifiable_fields(model)
        if name in fields
    )
    return ModelEntry(
        model=model,
        subject=declared(model, "subject"),
        subject_path=declared(model, "subject_path"),
        retention_from=declared(model, "retention_from"),
        description=(model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else "",
        fields=entries,
    )


def _candidate_models() -> Iterator[type[models.Model]]:
    for model in apps.get_models():
        if declaration(model) is not None:
            yield model


@cache
def _registry() -> tuple[ModelEntry, ...]:
    return tuple(sorted((_build(m) for m in _candidate_models()), key=lambda e: e.label))


def registered_models(subject: str | None = None) -> tuple[ModelEntry, ...]:
    """Every registered model, sorted by label; optionally only those of one subject."""
    entries = _registry()
    if subject is None:
        return entries
    return tuple(e for e in entries if e.subject == subject)


def entry_for(model: type[models.Model] | models.Model) -> ModelEntry:
    """The registry entry of a model (or instance); KeyError when it is not registered."""
    cls = model if isinstance(model, type) else type(model)
    label = cls._meta.label
    for e in _registry():
        if e.label == label:
            return e
    raise KeyError(f"{label} is not in the personal-data registry")


def is_registered(model: type[models.Model] | models.Model) -> bool:
    cls = model if isinstance(model, type) else type(model)
    return declaration(cls) is not None


def categories_of(entries: Iterable[ModelEntry]) -> list[Category]:
    """Distinct personal categories over several models, in first-seen order."""
    seen: dict[str, Category] = {}
    for e in entries:
        for c in e.categories:
            seen.setdefault(c.key, c)
    return list(seen.values())


def as_data() -> dict[str, Any]:
    """The registry as plain data (the `steward registry --format json` shape)."""
    return {
        "taxonomy_version": taxonomy().version,
        "models": [
            {
                "model": e.label,
                "subject": e.subject,
                "subject_path": e.subject_path,
                "retention_from": e.retention_from,
                "description": e.description,
                "fields": [
                    {
                        "name": f.name,
                        "category": f.category.key,
                        "label": f.category.label,
                        "special": f.special,
                        "personal": f.category.personal,
                        "sensitivity": f.category.sensitivity,
                    }
                    for f in e.fields
                ],
            }
            for e in registered_models()
        ],
    }


def clear_cache() -> None:
    """Forget the built registry (tests that add models at run time call this)."""
    _registry.cache_clear()
