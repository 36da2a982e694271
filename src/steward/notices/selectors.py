"""Reads of published notices: the version in effect on a date, the history, and diffs.

Published notices are public (schools must publish them), so reading a version needs no actor. The
staff pages that preview unpublished notices and manage publishing go through `notice_schools` and
`notice_school`, which keep to the schools the user may see.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.notices import render
from steward.notices.document import Document
from steward.notices.models import NoticeVersion
from steward.organisations.models import School

# Who may open the staff notice pages: those who read the data map (and so see how data is used),
# and those who keep the register.
VIEW_ACTIONS = (Action.VIEW_DATAMAP, Action.MANAGE_REGISTER)


def versions(school: School, audience: str) -> QuerySet[NoticeVersion]:
    """Every published version of a notice, oldest first."""
    return NoticeVersion.objects.filter(school=school, audience=audience).order_by("number")


def notice_on(school: School, audience: str, on: dt.date) -> NoticeVersion | None:
    """The version in effect on `on`: the one with the latest effective date on or before it (the
    higher number when two share a date); None when no version had taken effect by then."""
    return (
        NoticeVersion.objects.filter(school=school, audience=audience, effective_from__lte=on)
        .order_by("-effective_from", "-number")
        .first()
    )


def current_notice(school: School, audience: str) -> NoticeVersion | None:
    """The version in effect today."""
    return notice_on(school, audience, timezone.localdate())


def latest_version(school: School, audience: str) -> NoticeVersion | None:
    """The most recently published version (it may not be in effect yet)."""
    return versions(school, audience).order_by("-number").first()


def get_version(school: School, audience: str, number: int) -> NoticeVersion:
    """Version `number`, else Http404."""
    try:
        return NoticeVersion.objects.get(school=school, audience=audience, number=number)
    except NoticeVersion.DoesNotExist:
        raise Http404(f"No version {number} of this notice") from None


def dateline(version: NoticeVersion) -> str:
    """The line under a stored version's title: "Version 2, in effect from 1 September 2026"."""
    return f"Version {version.number}, in effect from {render.long_date(version.effective_from)}"


def version_document(version: NoticeVersion) -> Document:
    return Document.from_data(version.document)


def render_version(version: NoticeVersion, fmt: str) -> str | bytes:
    """A stored version in `fmt`: Markdown is the stored text with its date line; plain text is
    rendered from the stored document; HTML and PDF wrap the stored HTML."""
    line = dateline(version)
    doc = version_document(version)
    if fmt == "md":
        title, _, rest = version.content.partition("\n")
        return f"{title}\n\n{line}\n{rest}"
    if fmt == "txt":
        return render.text(doc, dateline=line)
    if fmt == "html":
        return render.html_page(doc, version.html, dateline=line)
    if fmt == "pdf":
        return render.pdf(doc, version.html, dateline=line)
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(render.FORMATS)}")


# --- staff scoping ----------------------------------------------------------------------------------


def notice_schools(actor: Any) -> QuerySet[School]:
    """The schools whose notices the actor may preview (data map readers and register keepers)."""
    scope = scope_for(actor)
    ids = set().union(*(scope.school_ids(a) for a in VIEW_ACTIONS))
    return School.objects.filter(pk__in=ids).select_related("trust").order_by("name")


def notice_school(actor: Any, urn: str) -> School:
    """One of the actor's notice schools by URN; Http404 for any other (outside scope looks absent)."""
    school = notice_schools(actor).filter(urn=urn).first()
    if school is None:
        raise Http404("No such school")
    return school


def may_publish(actor: Any, school: School) -> bool:
    return Action.MANAGE_REGISTER in scope_for(actor).trust_actions.get(school.trust_id, set())


# --- diffs --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: `kind` is context, added, removed or gap (skipped unchanged lines).

    `segments` are (kind, text) pairs for word-level highlighting: equal, insert or delete."""

    kind: str
    old_number: int | None
    new_number: int | None
    segments: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        return "".join(t for _, t in self.segments)


@dataclass(frozen=True)
class VersionDiff:
    """The difference between two versions of a notice, as a unified diff and as lines for a page."""

    old: NoticeVersion
    new: NoticeVersion
    unified: str
    lines: tuple[DiffLine, ...]

    @property
    def changed(self) -> bool:
        return any(line.kind in ("added", "removed") for line in self.lines)

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.kind == "added")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.kind == "removed")

    def html(self) -> SafeString:
        """An inline diff table (autoescaped template), with changed words marked <ins>/<del>."""
        return mark_safe(render_to_string("notices/includes/diff.html", {"diff": self}))  # noqa: S308


_WORDS = re.compile(r"\S+\s*|\s+")


def _word_ops(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Word-level opcodes, with a lone unchanged word between two changes folded into them: "books
    and other resources" -> "e-books and audiobooks" reads as one change, not three."""
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    merged: list[tuple[str, int, int, int, int]] = []
    for index, (op, i1, i2, j1, j2) in enumerate(ops):
        between = 0 < index < len(ops) - 1
        if op == "equal" and between and i2 - i1 == 1:
            op = "replace"
        if merged and op != "equal" and merged[-1][0] != "equal":
            _, mi1, _, mj1, _ = merged[-1]
            merged[-1] = ("replace", mi1, i2, mj1, j2)
        else:
            merged.append((op, i1, i2, j1, j2))
    return merged


def _word_segments(old: str, new: str) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    old_out: list[tuple[str, str]] = []
    new_out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in _word_ops(a, b):
        if op == "equal":
            old_out.append(("equal", "".join(a[i1:i2])))
            new_out.append(("equal", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            old_out.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            new_out.append(("insert", "".join(b[j1:j2])))
    return tuple(old_out), tuple(new_out)


def _diff_lines(a: Sequence[str], b: Sequence[str], context: int) -> tuple[DiffLine, ...]:
    out: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for index, group in enumerate(matcher.get_grouped_opcodes(context)):
        if index or (group and (group[0][1] > 0 or group[0][3] > 0)):
            out.append(DiffLine("gap", None, None, ()))
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                out += [
                    DiffLine("context", i + 1, j + 1, (("equal", a[i]),))
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                ]
                continue
            removed = list(range(i1, i2))
            added = list(range(j1, j2))
            # Pair a replaced line with its replacement so the changed words stand out.
            pairs = min(len(removed), len(added)) if op == "replace" else 0
            old_segments: dict[int, tuple[tuple[str, str], ...]] = {}
            new_segments: dict[int, tuple[tuple[str, str], ...]] = {}
            for k in range(pairs):
                old_segments[removed[k]], new_segments[added[k]] = _word_segments(a[removed[k]], b[added[k]])
            out += [
                DiffLine("removed", i + 1, None, old_segments.get(i, (("delete", a[i]),))) for i in removed
            ]
            out += [DiffLine("added", None, j + 1, new_segments.get(j, (("insert", b[j]),))) for j in added]
    return tuple(out)


def diff_versions(a: NoticeVersion, b: NoticeVersion, *, context: int = 2) -> VersionDiff:
    """What changed from version `a` to version `b`: the unified diff of their Markdown, and the lines
    (with changed words) for the version history page."""
    old_lines = a.content.splitlines()
    new_lines = b.content.splitlines()
    unified = "\n".join(
        difflib.unified_diff(
            old_lines,
            new_lines,
            fromfile=f"version {a.number} (in effect from {a.effective_from.isoformat()})",
            tofile=f"version {b.number} (in effect from {b.effective_from.isoformat()})",
            n=context,
            lineterm="",
        )
    )
    return VersionDiff(old=a, new=b, unified=unified, lines=_diff_lines(old_lines, new_lines, context))


__all__ = [
    "DiffLine",
    "VersionDiff",
    "current_notice",
    "dateline",
    "diff_versions",
    "get_version",
    "latest_version",
    "may_publish",
    "notice_on",
    "notice_school",
    "notice_schools",
    "render_version",
    "version_document",
    "versions",
]
