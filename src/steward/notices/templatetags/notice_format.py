"""Filters that write notice text as Markdown or plain text inside autoescaping templates.

Each filter escapes for its own format and returns a SafeString, so Django's HTML autoescaping (on
in every notice template) leaves it alone. A value printed without one of these filters is
HTML-escaped, which shows as a visible bug in a text format rather than as unescaped markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from steward.notices.document import Run

register = template.Library()

# Characters that start Markdown inline syntax anywhere in a line.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>])")
# Constructs that only mean something at the start of a line: headings, lists, quotes, thematic breaks.
_MD_LINE_START = re.compile(r"^(#{1,6}(?:\s|$)|[-+*](?:\s|$)|\d{1,9}[.)](?:\s|$)|>|={3,}|-{3,})")


_SPACE = re.compile(r"\s+")


def one_line(text: str) -> str:
    """Every block of a notice is one line in Markdown and text (the checker and diffs work by line).

    Runs are joined, so a run keeps one space at either end ("by email at " + the address)."""
    return _SPACE.sub(" ", str(text))


def md_escape(text: str, *, cell: bool = False) -> str:
    """Escape text so that Markdown shows it literally."""
    out = _MD_INLINE.sub(r"\\\1", one_line(text))
    if cell:
        out = out.replace("|", "\\|")
    elif _MD_LINE_START.match(out):
        out = "\\" + out
    return out


def md_run(run: Run, *, cell: bool = False) -> str:
    href = run.safe_href
    if href and run.shows_target:
        # A bare URL is an autolink; an email address or telephone number is plain text.
        return f"<{href}>" if href.startswith("http") else one_line(run.text)
    text = md_escape(run.text, cell=cell)
    if href:
        target = f"<{href}>" if re.search(r"[\s()<>]", href) else href
        return f"[{text}]({target})"
    return f"**{text}**" if run.strong else text


def _md_runs(runs: Sequence[Run], cell: bool) -> SafeString:
    text = "".join(md_run(r, cell=cell) for r in runs).strip()
    if not cell and runs and not runs[0].href and not runs[0].strong:
        # Escape a line-start construct that only appears once runs are joined ("1. ...").
        head = one_line(runs[0].text).strip()
        if _MD_LINE_START.match(head) and not text.startswith("\\"):
            text = "\\" + text
    return mark_safe(text)  # noqa: S308 - every part escaped for Markdown above


@register.filter
def md(value: Any) -> SafeString:
    return mark_safe(md_escape(str(value).strip()))  # noqa: S308 - escaped for Markdown


@register.filter
def md_cell(value: Any) -> SafeString:
    return mark_safe(md_escape(str(value).strip(), cell=True))  # noqa: S308 - escaped for Markdown


@register.filter
def md_runs(runs: Sequence[Run]) -> SafeString:
    return _md_runs(runs, cell=False)


@register.filter
def md_cell_runs(runs: Sequence[Run]) -> SafeString:
    return _md_runs(runs, cell=True)


@register.filter
def hashes(level: int) -> SafeString:
    return mark_safe("#" * max(1, min(6, int(level))))  # noqa: S308 - only "#" characters


@register.filter
def txt(value: Any) -> SafeString:
    """Plain text needs no escaping, only one line per block."""
    return mark_safe(one_line(str(value)).strip())  # noqa: S308 - plain text is never parsed as markup


def txt_run(run: Run) -> str:
    href = run.safe_href
    if href and not run.shows_target and not href.startswith(("mailto:", "tel:")):
        return f"{one_line(run.text)} ({href})"
    return one_line(run.text)


@register.filter
def txt_runs(runs: Sequence[Run]) -> SafeString:
    return mark_safe("".join(txt_run(r) for r in runs).strip())  # noqa: S308 - plain text


@register.filter
def labelled(row: Sequence[Any], head: Sequence[str]) -> list[tuple[str, Any]]:
    """The cells of a table row after the first, each with its column heading (for plain text)."""
    return list(zip(head[1:], row[1:], strict=False))


@register.filter
def as_label(head: str) -> str:
    """A column heading used as a label in front of a value: "Supplier:", but "Must it be given?"."""
    head = one_line(head).strip()
    return head if head.endswith(("?", ":")) else f"{head}:"


PROBLEM_LABELS = {
    "outdated_law": "Outdated law",
    "placeholder": "Unfilled template",
    "inconsistent_contact": "Inconsistent contact",
    "wrong_term": "Wrong term",
    "missing_ico_contact": "No ICO contact",
}


@register.filter
def problem_label(kind: str) -> str:
    """A checker problem kind as staff read it ("outdated_law" -> "Outdated law")."""
    return PROBLEM_LABELS.get(kind, kind.replace("_", " ").capitalize())
