"""Columns of an outgoing file, each tied to a registered field so it has a data category.

A file is minimised by the register, not by a hand-kept list: a column is written only when the
recipient's register row receives its category (`allowed`). Derived columns (a count of absences, say)
name the registered field they are computed from, so they carry that field's category.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models

from steward.register.resolve import covers
from steward.register.selectors import RecipientView
from steward.registry.registry import entry_for


@dataclass(frozen=True)
class Column:
    """One column: its header, the registered field it comes from, and how to read it from a row."""

    header: str
    model: type[models.Model]
    field: str
    read: Callable[[Any], Any]

    @property
    def category(self) -> str:
        return entry_for(self.model).field(self.field).category.key


def allowed(
    columns: Sequence[Column], recipient: RecipientView | None, *, limit_to: Iterable[str] = ()
) -> list[Column]:
    """The columns whose category the recipient receives; with `limit_to`, only those within it too."""
    given = [c.key for c in recipient.categories] if recipient else []
    out = [c for c in columns if any(covers(g, c.category) for g in given)]
    limit = list(limit_to)
    if limit:
        out = [c for c in out if any(covers(k, c.category) for k in limit)]
    return out


def categories_of(columns: Iterable[Column]) -> list[str]:
    """The distinct categories of some columns, in column order."""
    return list(dict.fromkeys(c.category for c in columns))
