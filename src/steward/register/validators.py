"""Field validators for the register: taxonomy keys, register keys, phases, sources.

Each raises a ValidationError whose message names the bad value, so the UI, API and CLI say the same.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from steward.core import codes
from steward.register.choices import Audience, Source
from steward.registry.taxonomy import taxonomy

validate_key = RegexValidator(
    r"^[a-z][a-z0-9_]{0,59}$",
    "Use lower-case letters, digits and underscores, starting with a letter (for example keep_safe).",
)


def validate_category_key(value: Any) -> None:
    """A personal data category from the taxonomy (`system.*` metadata is not processing)."""
    tax = taxonomy()
    if not isinstance(value, str) or value not in tax:
        raise ValidationError(
            "Unknown data category %(key)r: use a key from the taxonomy %(version)s, e.g. pupil.health.allergy.",
            code="unknown_category",
            params={"key": value, "version": tax.version},
        )
    if not tax.get(value).personal:
        raise ValidationError(
            "%(key)r is system metadata, not personal data: it has no place in the register.",
            code="not_personal",
            params={"key": value},
        )


def _string_list(value: Any, what: str) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationError(f"Give a list of {what}.", code="not_a_list")
    if len(set(value)) != len(value):
        raise ValidationError(f"The list of {what} repeats an entry.", code="duplicate")
    return list(value)


def validate_category_keys(value: Any) -> None:
    """A list of distinct personal taxonomy keys."""
    for key in _string_list(value, "data categories"):
        validate_category_key(key)


def validate_purpose_keys(value: Any) -> None:
    """A list of distinct purpose keys (whether they exist is checked against the register in clean())."""
    for key in _string_list(value, "purposes"):
        validate_key(key)


def validate_phases(value: Any) -> None:
    """School phases (empty means every phase)."""
    for phase in _string_list(value, "school phases"):
        if phase not in codes.SCHOOL_PHASE:
            raise ValidationError(
                "Unknown school phase %(phase)r: use one of %(known)s.",
                code="unknown_phase",
                params={"phase": phase, "known": ", ".join(codes.SCHOOL_PHASE)},
            )


def validate_sources(value: Any) -> None:
    """Where data comes from: values of `Source`."""
    for source in _string_list(value, "sources"):
        if source not in Source.values:
            raise ValidationError(
                "Unknown source %(source)r: use one of %(known)s.",
                code="unknown_source",
                params={"source": source, "known": ", ".join(Source.values)},
            )


def validate_audiences(value: Any) -> None:
    """Notice audiences: values of `Audience`."""
    for audience in _string_list(value, "audiences"):
        if audience not in Audience.values:
            raise ValidationError(
                "Unknown audience %(audience)r: use one of %(known)s.",
                code="unknown_audience",
                params={"audience": audience, "known": ", ".join(Audience.values)},
            )
