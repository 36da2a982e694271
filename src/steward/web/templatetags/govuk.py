"""Small template helpers for GOV.UK Frontend markup."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.forms import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def date_parts(field: BoundField) -> dict[str, Any]:
    """The day, month and year a date input shows: what was typed, else the initial date."""
    value = field.value()
    if isinstance(value, dt.date):
        return {"day": value.day, "month": value.month, "year": value.year}
    if isinstance(value, (list, tuple)) and len(value) == 3:
        day, month, year = value
        return {"day": day or "", "month": month or "", "year": year or ""}
    return {"day": "", "month": "", "year": ""}


@register.filter
def is_selected(value: Any, field: BoundField) -> bool:
    """True when a choice `value` is the field's current value (compared as text)."""
    current = field.value()
    if current is None:
        return False
    return str(value) == str(current)


@register.filter
def described_by(field: BoundField) -> str:
    """The aria-describedby ids of a field's hint and error message."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.filter
def nc_year(code: str) -> str:
    """A national curriculum year code as people say it ("6" -> "Year 6", "R" -> "Reception")."""
    from steward.core.codes import NC_YEARS

    return NC_YEARS.get(code, code)


@register.filter(needs_autoescape=True)
def break_dots(value: Any, autoescape: bool = True) -> str:
    """Let dotted keys ("records.AttendanceMark", "pupil.health.allergy") wrap after each dot."""
    text = conditional_escape(value) if autoescape else str(value)
    return mark_safe(str(text).replace(".", ".<wbr>"))  # noqa: S308 - escaped just above
