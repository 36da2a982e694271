"""Who a compiled notice is written for.

The register knows three audiences (`register.choices.Audience`: pupil, parent, ap); notices add a
fourth, the plain-language notice for younger pupils, which tells the pupil audience's register in
simpler words (each purpose's `description_young`).
"""

from __future__ import annotations

from django.db import models

from steward.register.choices import Audience


class NoticeAudience(models.TextChoices):
    """The notices compiled for each school."""

    PUPIL = "pupil", "Pupils"
    PUPIL_YOUNG = "pupil-young", "Younger pupils"
    PARENT = "parent", "Parents and carers"
    AP = "ap", "Alternative provision"


# The register audience whose purposes each notice tells.
REGISTER_AUDIENCE: dict[str, str] = {
    NoticeAudience.PUPIL: Audience.PUPIL,
    NoticeAudience.PUPIL_YOUNG: Audience.PUPIL,
    NoticeAudience.PARENT: Audience.PARENT,
    NoticeAudience.AP: Audience.AP,
}

AUDIENCES: tuple[str, ...] = tuple(NoticeAudience.values)


def audience_label(audience: str) -> str:
    return str(NoticeAudience(audience).label)


def check_audience(audience: str) -> str:
    """The audience if it is one we compile; ValueError naming the choices otherwise."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}: use one of {', '.join(AUDIENCES)}")
    return audience
