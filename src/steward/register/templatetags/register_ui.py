"""Template filters for the register pages: labels for the register's stored keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from steward.core import codes
from steward.register.choices import Audience, Source
from steward.registry.taxonomy import taxonomy

register = template.Library()


@register.filter
def get_item(mapping: Mapping[Any, Any], key: Any) -> Any:
    """`mapping[key]`, or None (templates cannot index a dict by a variable)."""
    return mapping.get(key) if mapping else None


@register.filter
def category_label(key: str) -> str:
    """A taxonomy key's label ("pupil.health" -> "Medical and health"); an unknown key as it is."""
    category = taxonomy().categories.get(key)
    return category.label if category else key


@register.filter
def is_special(key: str) -> bool:
    """True for special category data (UK GDPR Art 9, or Art 10 data treated as such)."""
    category = taxonomy().categories.get(key)
    return bool(category and category.special)


@register.filter
def source_label(value: str) -> str:
    return str(Source(value).label) if value in Source.values else value


@register.filter
def audience_label(value: str) -> str:
    return str(Audience(value).label) if value in Audience.values else value


@register.filter
def phase_label(value: str) -> str:
    return codes.SCHOOL_PHASE.get(value, value)


# The standard notice sections a recipient brings in (the notice compiler reads the same flags).
_SECTIONS = (
    ("youth_support_13", "Youth support services (pupils aged 13+)"),
    ("youth_support_16", "Youth support and post-16 providers (pupils aged 16+)"),
    ("npd", "National Pupil Database"),
)


@register.filter
def notice_sections(recipient: Any) -> list[str]:
    """The privacy notice sections a recipient's flags switch on."""
    return [label for flag, label in _SECTIONS if getattr(recipient, flag, False)]
