"""System checks that keep the personal-data registry complete.

`steward check` fails when a field of a registered model has no category, when a category key is
unknown, or when a model that links to a pupil or a contact is not registered at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core import checks
from django.db import models

from steward.registry.registry import SUBJECTS, classifiable_fields, declaration, declared, declared_fields
from steward.registry.taxonomy import taxonomy

SUBJECT_MODELS = ("people.Pupil", "people.Contact")


def _links_to_subject(model: type[models.Model]) -> str | None:
    for f in model._meta.get_fields():
        related = getattr(f, "related_model", None)
        if related is None or not (f.many_to_one or f.one_to_one or f.many_to_many):
            continue
        if getattr(f, "auto_created", False) and not f.concrete:
            continue  # reverse accessors belong to the other side
        if (
            isinstance(related, type)
            and issubclass(related, models.Model)
            and related._meta.label in SUBJECT_MODELS
        ):
            return f"{f.name} -> {related._meta.label}"
    return None


def _resolve_path(model: type[models.Model], path: str) -> str | None:
    """None if `path` (a__b__c) walks from model through real fields; else the bad segment."""
    current: Any = model
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except Exception:
            return part
        current = getattr(field, "related_model", None) or current
    return None


@checks.register(checks.Tags.models)
def check_registry(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every registered field classified with a known category; every subject-linked model registered."""
    return registry_errors(apps.get_models())


def registry_errors(candidates: Iterable[type[models.Model]]) -> list[checks.CheckMessage]:
    """The registry errors of the given models (the system check passes every installed model)."""
    errors: list[checks.CheckMessage] = []
    tax = taxonomy()
    for model in candidates:
        label = model._meta.label
        decl = declaration(model)
        if decl is None:
            link = _links_to_subject(model)
            if link and model._meta.app_label not in {"admin", "auth", "contenttypes", "sessions"}:
                errors.append(
                    checks.Error(
                        f"{label} links to a data subject ({link}) but is not in the personal-data registry",
                        hint="Add an inner `PersonalData` class declaring subject and a category per field.",
                        obj=model,
                        id="steward.E001",
                    )
                )
            continue
        subject = declared(model, "subject", None)
        if subject not in SUBJECTS:
            errors.append(
                checks.Error(
                    f"{label}: PersonalData.subject {subject!r} is not one of {', '.join(SUBJECTS)}",
                    obj=model,
                    id="steward.E002",
                )
            )
        field_map = declared_fields(model)
        fields = classifiable_fields(model)
        for name in fields:
            if name not in field_map:
                errors.append(
                    checks.Error(
                        f"{label}.{name} is not classified in the personal-data registry",
                        hint=f"Add {name!r} with a data category to {model.__name__}.PersonalData.fields.",
                        obj=model,
                        id="steward.E003",
                    )
                )
            elif field_map[name] not in tax:
                errors.append(
                    checks.Error(
                        f"{label}.{name}: unknown data category {field_map[name]!r} (taxonomy {tax.version})",
                        obj=model,
                        id="steward.E004",
                    )
                )
        for name in field_map:
            if name not in fields:
                errors.append(
                    checks.Error(
                        f"{label}: PersonalData.fields names {name!r}, which is not a field of the model",
                        obj=model,
                        id="steward.E005",
                    )
                )
        for attr in ("subject_path", "retention_from"):
            path = declared(model, attr, "")
            if path and (bad := _resolve_path(model, path)) is not None:
                errors.append(
                    checks.Error(
                        f"{label}: PersonalData.{attr} {path!r} does not resolve (at {bad!r})",
                        obj=model,
                        id="steward.E006",
                    )
                )
    return errors
