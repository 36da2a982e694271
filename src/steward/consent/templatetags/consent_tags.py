"""Template filters for the consent pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """mapping[key] (None when missing): per-purpose counts and states are keyed by purpose key."""
    try:
        return mapping[key]
    except (KeyError, TypeError, IndexError):
        return None
