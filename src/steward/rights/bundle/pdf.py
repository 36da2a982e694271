"""The readable PDF of a subject access bundle, drawn with fpdf2.

WeasyPrint (used for notices) lays out HTML and takes seconds on long tables; a bundle is mostly
tables, so it is drawn directly: one landscape A4 page flow, tables with wrapped cells that carry on
across pages with their header repeated. The output is deterministic (fixed creation date, no random
identifiers), so the same data gives the same bytes and the same hash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

# DejaVu covers every script a school's names use; Debian's fonts-dejavu-core ships it (WeasyPrint's
# dependencies pull it in). Without it the PDF falls back to Helvetica and Latin-1 text.
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts")
LINE = 3.6  # mm per table line
TABLE_FONT = 7.5
BASELINE = 2.65  # mm from the top of a table line to the text's baseline


@dataclass
class Table:
    """Columns (labels) and rows of cell text, with optional relative widths."""

    columns: list[str]
    rows: list[list[str]]


@dataclass
class Block:
    """One part of the document: a heading, paragraphs, tables, and a contents link target."""

    title: str
    level: int = 1
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    after: list[str] = field(default_factory=list)  # paragraphs after the tables
    in_contents: bool = True
    new_page: bool = False


@dataclass
class Document:
    """What the PDF shows: a cover letter and the blocks, in order."""

    title: str
    letter: list[str]
    blocks: list[Block]
    draft: bool
    built_on: dt.date
    footer: str


def _font_file(name: str) -> Path | None:
    for d in FONT_DIRS:
        p = Path(d) / name
        if p.is_file():
            return p
    return None


class _PDF(FPDF):
    def __init__(self, doc: Document) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.doc = doc
        regular, bold = _font_file("DejaVuSans.ttf"), _font_file("DejaVuSans-Bold.ttf")
        if regular is not None and bold is not None:
            self.add_font("Body", "", str(regular))
            self.add_font("Body", "B", str(bold))
            self.family = "Body"
            self.unicode = True
        else:  # pragma: no cover - machines without DejaVu
            self.family = "helvetica"
            self.unicode = False
        self.set_margins(12, 14, 12)
        self.set_auto_page_break(True, margin=14)
        self.set_creation_date(dt.datetime.combine(doc.built_on, dt.time(), tzinfo=dt.UTC))
        self._char_widths: dict[tuple[str, float], dict[str, float]] = {}
        self.set_title(doc.title)
        self.set_producer("Steward")
        self.set_creator("Steward")

    def t(self, text: str) -> str:
        """Text the font can draw."""
        if self.unicode:
            return text
        return text.encode("latin-1", "replace").decode("latin-1")

    def header(self) -> None:
        if self.page_no() == 1:
            return  # the cover letter has its own title
        self.set_font(self.family, "B" if self.doc.draft else "", 7)
        self.set_text_color(160, 0, 0) if self.doc.draft else self.set_text_color(90, 90, 90)
        label = "DRAFT FOR REVIEW: NOT FOR RELEASE. " if self.doc.draft else ""
        self.cell(0, 4, self.t(label + self.doc.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(self.family, "", 7)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, self.t(f"{self.doc.footer}   Page {self.page_no()} of {{nb}}"), align="R")
        self.set_text_color(0, 0, 0)

    # --- text ------------------------------------------------------------------------------------

    def width(self, text: str, style: str, size: float) -> float:
        """Width in mm of `text`, summed from per-character widths measured once per font and size
        (fpdf2's own measure, and its multi_cell, walk the font tables for every line they try)."""
        chars = self._char_widths.setdefault((style, size), {})
        total = 0.0
        for ch in text:
            w = chars.get(ch)
            if w is None:
                self.set_font(self.family, style, size)
                w = chars[ch] = self.get_string_width(ch)
            total += w
        return total

    def wrap(self, text: str, width: float, style: str, size: float) -> list[str]:
        """Greedy word wrap to `width` mm; a word longer than the line is cut by characters."""
        out: list[str] = []
        space = self.width(" ", style, size)
        for para in text.split("\n"):
            line: list[str] = []
            used = 0.0
            for word in para.split(" "):
                ww = self.width(word, style, size)
                if line and used + space + ww > width:
                    out.append(" ".join(line))
                    line, used = [], 0.0
                while ww > width and len(word) > 1:  # an unbroken run longer than the line
                    cut = max(1, int(len(word) * width / ww))
                    out.append(word[:cut])
                    word = word[cut:]
                    ww = self.width(word, style, size)
                used = used + space + ww if line else ww
                line.append(word)
            out.append(" ".join(line))
        return out

    def heading(self, text: str, level: int) -> None:
        size = {0: 16, 1: 13, 2: 10.5}.get(level, 9.5)
        if self.get_y() > self.h - 40:
            self.add_page()
        self.ln(2 if level > 1 else 4)
        self.lines(self.wrap(self.t(text), self.epw, "B", size), "B", size, size * 0.5)
        self.ln(1)

    def para(self, text: str, size: float = 9) -> None:
        self.lines(self.wrap(self.t(text), self.epw, "", size), "", size, size * 0.47)
        self.ln(1)

    def lines(self, lines: list[str], style: str, size: float, height: float) -> None:
        self.set_font(self.family, style, size)
        for line in lines:
            if self.get_y() + height > self.h - self.b_margin:
                self.add_page()
            self.cell(0, height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # --- tables ----------------------------------------------------------------------------------

    def _widths(self, table: Table) -> list[float]:
        """Each column at least as wide as its longest word (capped), the rest shared by content length."""
        avail = self.epw
        natural, minimum = [], []
        for i, col in enumerate(table.columns):
            cells = [col, *(r[i] for r in table.rows[:300])]
            longest = max(self.width(self.t(c), "", TABLE_FONT) for c in cells) + 2.5
            word = max(self.width(self.t(w), "B", TABLE_FONT) for c in cells for w in c.split() or [""]) + 2.5
            natural.append(min(longest, 90.0))
            minimum.append(min(max(word, 10.0), 30.0))
        if sum(natural) <= avail:
            return [n * avail / sum(natural) for n in natural]
        spare = max(avail - sum(minimum), 0.0)
        extra = [max(n - m, 0.0) for n, m in zip(natural, minimum, strict=True)]
        total = sum(extra) or 1.0
        widths = [m + spare * e / total for m, e in zip(minimum, extra, strict=True)]
        scale = avail / sum(widths)
        return [w * scale for w in widths]

    def _row(self, cells: Sequence[str], widths: list[float], *, bold: bool, header: Table | None) -> None:
        style = "B" if bold else ""
        wrapped = [self.wrap(self.t(c), w - 2, style, TABLE_FONT) for c, w in zip(cells, widths, strict=True)]
        self.set_font(self.family, style, TABLE_FONT)
        start = 0
        total = max(len(x) for x in wrapped)
        while start < total:
            room = int((self.h - self.b_margin - self.get_y()) // LINE)
            if room < 1 or (start == 0 and room < min(total, 3)):
                self.add_page()
                if header is not None:
                    self._row(header.columns, widths, bold=True, header=None)
                    self.set_font(self.family, style, TABLE_FONT)
                continue
            n = min(room, total - start)
            y = self.get_y()
            x = self.l_margin
            if bold:
                self.set_fill_color(230, 230, 230)
            for lines, w in zip(wrapped, widths, strict=True):
                self.rect(x, y, w, n * LINE, style="DF" if bold else "D")
                for i, line in enumerate(lines[start : start + n]):
                    if line:  # text() is several times cheaper than cell(): tables are most of a bundle
                        self.text(x + 1, y + i * LINE + BASELINE, line)
                x += w
            self.set_xy(self.l_margin, y + n * LINE)
            start += n

    def draw_table(self, table: Table) -> None:
        widths = self._widths(table)
        self.set_draw_color(170, 170, 170)
        self._row(table.columns, widths, bold=True, header=None)
        for r in table.rows:
            self._row(r, widths, bold=False, header=table)
        self.ln(2)


def render(doc: Document) -> bytes:
    """The PDF bytes of `doc`."""
    pdf = _PDF(doc)
    pdf.set_auto_page_break(False)  # tables break pages themselves; paragraphs below re-enable it
    pdf.add_page()
    pdf.set_auto_page_break(True, margin=14)
    pdf.heading(doc.title, 0)
    for p in doc.letter:
        pdf.para(p, 10)
    # Contents, with links to each block.
    pdf.add_page()
    pdf.heading("Contents", 1)
    links: list[int] = []
    pdf.set_font(pdf.family, "", 9)
    for b in doc.blocks:
        link = pdf.add_link()
        links.append(link)
        if b.in_contents:
            indent = 6 * (b.level - 1)
            pdf.set_x(pdf.l_margin + indent)
            pdf.cell(0, 4.4, pdf.t(b.title), link=link, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for b, link in zip(doc.blocks, links, strict=True):
        if b.new_page:
            pdf.add_page()
        pdf.heading(b.title, b.level)
        pdf.set_link(link, page=pdf.page, y=max(pdf.get_y() - 8, 0))
        for p in b.paragraphs:
            pdf.para(p)
        pdf.set_auto_page_break(False)
        for t in b.tables:
            pdf.draw_table(t)
        pdf.set_auto_page_break(True, margin=14)
        for p in b.after:
            pdf.para(p)
    return bytes(pdf.output())


def cell_text(value: Any) -> str:
    """A value as table text."""
    if value is None:
        return ""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return str(value)
