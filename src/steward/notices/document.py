"""The structured document a privacy notice is compiled into, before it becomes any format.

A notice is a title and a flat sequence of blocks: headings, paragraphs, bullet lists and tables.
Text inside a block is a sequence of runs (plain text, a link, or strong text). The compiler
(`compiler.py`) builds a `Document` from the register; `render.py` turns one `Document` into HTML,
Markdown, plain text or PDF through Django templates. Keeping one model means every format says the
same thing, and a stored version (`NoticeVersion.document`) can be rendered again in any format.

Everything here is plain data: `as_data()` gives JSON-ready dicts and `Document.from_data()` reads
them back, so the document of a published version is stored beside its Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

SAFE_SCHEMES = re.compile(r"^(?:https?://|mailto:|tel:)", re.IGNORECASE)


@dataclass(frozen=True)
class Run:
    """A piece of text: plain, a link (`href`), or strong."""

    text: str
    href: str = ""
    strong: bool = False

    @property
    def is_link(self) -> bool:
        return bool(self.href)

    @property
    def safe_href(self) -> str:
        """The target if it is a web, email or telephone link or an anchor; "" otherwise.

        Register text is typed by people: a `javascript:` or `data:` URL must never become a link.
        """
        href = self.href.strip()
        if href.startswith("#") or SAFE_SCHEMES.match(href):
            return href
        return ""

    @property
    def shows_target(self) -> bool:
        """True when the link's text is its own target (a bare URL, email address or telephone number)."""
        if self.href.startswith("tel:"):
            return re.sub(r"\D", "", self.text) == re.sub(r"\D", "", self.href)
        return bool(self.href) and self.text in (self.href, self.href.removeprefix("mailto:"))

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text}
        if self.href:
            data["href"] = self.href
        if self.strong:
            data["strong"] = True
        return data


Runs = tuple[Run, ...]
Inline = str | Run | Sequence[str | Run]


def runs(*parts: Inline) -> Runs:
    """Make runs from strings and runs; adjacent plain strings are merged, empty strings dropped."""
    out: list[Run] = []
    for part in parts:
        items: Iterable[str | Run] = [part] if isinstance(part, str | Run) else part
        for item in items:
            run = Run(item) if isinstance(item, str) else item
            if not run.text:
                continue
            if out and not run.href and not run.strong and not out[-1].href and not out[-1].strong:
                out[-1] = Run(out[-1].text + run.text)
            else:
                out.append(run)
    return tuple(out)


def link(text: str, href: str = "") -> Run:
    """A link; with no `href` the text is the target (a URL)."""
    return Run(text, href or text)


def email(address: str) -> Run:
    return Run(address, f"mailto:{address}")


def phone(number: str) -> Run:
    return Run(number, "tel:" + re.sub(r"[^0-9+]", "", number))


def strong(text: str) -> Run:
    return Run(text, strong=True)


def plain(r: Runs) -> str:
    """The runs as plain text (links by their text)."""
    return "".join(x.text for x in r)


@dataclass(frozen=True)
class Heading:
    """A section heading; level 2 for sections, 3 for sub-sections (the title is level 1)."""

    text: str
    level: int = 2
    id: str = ""
    kind: str = field(default="heading", init=False)

    def as_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "level": self.level, "id": self.id}


@dataclass(frozen=True)
class Paragraph:
    runs: Runs
    kind: str = field(default="paragraph", init=False)

    def as_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "runs": [r.as_data() for r in self.runs]}


@dataclass(frozen=True)
class BulletList:
    items: tuple[Runs, ...]
    kind: str = field(default="list", init=False)

    def as_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "items": [[r.as_data() for r in item] for item in self.items]}


@dataclass(frozen=True)
class Table:
    """A table with a caption, column headings and rows of cells (each cell is runs).

    The first cell of a row names the row (a `th` in HTML); plain text renders each row as a list item.
    """

    caption: str
    head: tuple[str, ...]
    rows: tuple[tuple[Runs, ...], ...]
    kind: str = field(default="table", init=False)

    def as_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "caption": self.caption,
            "head": list(self.head),
            "rows": [[[r.as_data() for r in cell] for cell in row] for row in self.rows],
        }


Block = Heading | Paragraph | BulletList | Table


def _runs_from(data: Sequence[dict[str, Any]]) -> Runs:
    return tuple(Run(d["text"], d.get("href", ""), bool(d.get("strong", False))) for d in data)


def block_from(data: dict[str, Any]) -> Block:
    """Read one block back from `as_data()`."""
    kind = data["kind"]
    if kind == "heading":
        return Heading(data["text"], int(data.get("level", 2)), data.get("id", ""))
    if kind == "paragraph":
        return Paragraph(_runs_from(data["runs"]))
    if kind == "list":
        return BulletList(tuple(_runs_from(item) for item in data["items"]))
    if kind == "table":
        return Table(
            data["caption"],
            tuple(data["head"]),
            tuple(tuple(_runs_from(cell) for cell in row) for row in data["rows"]),
        )
    raise ValueError(f"unknown block kind {kind!r}")


@dataclass(frozen=True)
class Document:
    """A compiled notice: its title, who it is for, and its blocks in reading order."""

    title: str
    school_name: str
    school_urn: str
    audience: str
    audience_label: str
    blocks: tuple[Block, ...]
    lang: str = "en-GB"

    @property
    def headings(self) -> tuple[Heading, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Heading))

    def as_data(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "school_name": self.school_name,
            "school_urn": self.school_urn,
            "audience": self.audience,
            "audience_label": self.audience_label,
            "lang": self.lang,
            "blocks": [b.as_data() for b in self.blocks],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Document:
        return cls(
            title=data["title"],
            school_name=data["school_name"],
            school_urn=data["school_urn"],
            audience=data["audience"],
            audience_label=data["audience_label"],
            lang=data.get("lang", "en-GB"),
            blocks=tuple(block_from(b) for b in data["blocks"]),
        )
