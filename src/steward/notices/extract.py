"""Read a privacy notice from the formats schools publish: plain text, Markdown, HTML, PDF and DOCX.

Every reader returns the notice as a list of lines, one line per paragraph, heading, list item or
table row, so that the checker can quote "line N". Plain text and Markdown are kept exactly as
written (line N is line N of the file). Links survive in every format that has them, written the
Markdown way, `[text](href)`, so a link to "#" is visible to the checker whatever the source format.
List items from HTML and DOCX are written with a leading "- " so that a list reads as a list.

Anything that cannot be read (empty, binary garbage, a .docx that is not a Word file, a PDF that
needs a password, a scan with no text layer, an unsupported format) raises `NoticeReadError`
naming the file and the reason.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Guard against a mistaken upload of something huge: real notices are a few hundred kilobytes.
MAX_BYTES = 25 * 1024 * 1024

FORMATS = ("txt", "md", "html", "pdf", "docx")
TEXT_SUFFIXES = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".htm": "html",
    ".html": "html",
}
BINARY_SUFFIXES = {".pdf": "pdf", ".docx": "docx"}
# Formats schools also use, which we say plainly we cannot read rather than misreading them.
UNSUPPORTED_SUFFIXES = {
    ".doc": "an old binary Word document (.doc)",
    ".odt": "an OpenDocument text file (.odt)",
    ".rtf": "a Rich Text Format file (.rtf)",
    ".pages": "an Apple Pages document",
    ".xlsx": "a spreadsheet",
    ".pptx": "a presentation",
}


class NoticeReadError(Exception):
    """The file could not be read as a notice; the message says which file and why."""


@dataclass(frozen=True)
class Artefact:
    """Something the reader saw in the source that never reaches the text (tracked changes, comments)."""

    line: int
    description: str


@dataclass
class ExtractedNotice:
    """A notice as lines of text (1-based line numbers are list index + 1)."""

    source: str
    format: str
    lines: list[str]
    artefacts: list[Artefact] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def read_notice(path: str | Path) -> ExtractedNotice:
    """Read the notice at `path`, detecting its format from its content first and its name second."""
    path = Path(path)
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NoticeReadError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise NoticeReadError(f"{name}: is a directory, not a file") from None
    except OSError as exc:
        raise NoticeReadError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    return read_notice_bytes(data, name=name)


def read_notice_bytes(data: bytes, *, name: str) -> ExtractedNotice:
    """Read a notice from bytes (an upload); `name` gives the extension and names it in errors."""
    if len(data) > MAX_BYTES:
        raise NoticeReadError(f"{name}: file is {len(data) // (1024 * 1024)} MB, larger than a notice can be")
    if not data.strip():
        raise NoticeReadError(f"{name}: the file is empty")
    fmt = detect_format(data, name)
    if fmt == "pdf":
        notice = _read_pdf(data, name)
    elif fmt == "docx":
        notice = _read_docx(data, name)
    elif fmt == "html":
        notice = _read_html(_decode(data, name), name)
    else:
        notice = ExtractedNotice(name, fmt, _decode(data, name).splitlines())
    if not any(line.strip() for line in notice.lines):
        raise NoticeReadError(f"{name}: no text could be extracted ({_describe(fmt)} with no text in it)")
    return notice


def detect_format(data: bytes, name: str) -> str:
    """Return one of FORMATS, or raise NoticeReadError when the file is not something we read.

    The content decides when it is unambiguous (a PDF or DOCX renamed .txt is still read correctly);
    a file named .pdf or .docx whose content is not one is refused rather than read as garbage.
    """
    suffix = Path(name).suffix.lower()
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if _is_docx(data):
            return "docx"
        raise NoticeReadError(
            f"{name}: is a zip archive but not a Word .docx document (no word/document.xml in it)"
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise NoticeReadError(
            f"{name}: is an old binary Word/Office file; save it as .docx or PDF and try again"
        )
    if suffix in BINARY_SUFFIXES:
        what = (
            "a PDF (it does not start with %PDF-)"
            if suffix == ".pdf"
            else "a Word .docx file (not a zip package)"
        )
        raise NoticeReadError(f"{name}: is named {suffix} but is not {what}")
    if suffix in UNSUPPORTED_SUFFIXES:
        raise NoticeReadError(
            f"{name}: is {UNSUPPORTED_SUFFIXES[suffix]}, which is not supported; use text, Markdown, HTML, PDF or DOCX"
        )
    if _looks_binary(data):
        raise NoticeReadError(f"{name}: is binary data, not a text, Markdown, HTML, PDF or DOCX notice")
    if suffix in TEXT_SUFFIXES:
        return TEXT_SUFFIXES[suffix]
    sniff = head[:512].lower()
    if sniff.startswith((b"<!doctype html", b"<html")) or re.search(rb"<(?:body|p|h[1-6]|div)[\s>]", sniff):
        return "html"
    return "txt"


def _describe(fmt: str) -> str:
    return {"pdf": "a PDF", "docx": "a Word document", "html": "an HTML page", "md": "a Markdown file"}.get(
        fmt, "a text file"
    )


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _looks_binary(data: bytes) -> bool:
    # Text files never contain NUL bytes; a high share of other control characters means garbage.
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(sample) * 0.05


def _decode(data: bytes, name: str) -> str:
    # Notices come from Windows machines as often as not: UTF-8 first, then Windows-1252.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NoticeReadError(f"{name}: is not UTF-8 or Windows-1252 text")


def _link(text: str, href: str | None) -> str:
    """Write a link the Markdown way so the checker sees its target whatever the source format."""
    text = " ".join(text.split())
    if href is None:
        return text
    href = href.strip()
    if href and text in (href, href.removeprefix("mailto:")):
        return text if href.startswith("mailto:") else f"<{href}>"
    if _is_own_phone_link(href, text):
        return text
    return f"[{text}]({href})"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _is_own_phone_link(href: str, text: str) -> bool:
    """A tel: link whose number is the text shown ("0303 123 1113" -> tel:03031231113)."""
    number = _digits(href.removeprefix("tel:"))
    return href.startswith("tel:") and bool(number) and number in _digits(text)


# --- HTML --------------------------------------------------------------------------------------

_HTML_BLOCKS = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "dt",
        "dd",
        "tr",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "blockquote",
        "pre",
        "address",
        "caption",
        "figcaption",
        "summary",
        "details",
        "main",
        "form",
        "fieldset",
        "legend",
    ]
)
_HTML_SKIP = frozenset(
    ["script", "style", "noscript", "template", "head", "svg", "iframe", "object", "button", "select"]
)


def _read_html(text: str, name: str) -> ExtractedNotice:
    from lxml import etree, html

    try:
        root = html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise NoticeReadError(f"{name}: the HTML could not be parsed ({exc})") from None
    lines: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        line = " ".join("".join(buffer).split())
        buffer.clear()
        if line:
            lines.append(line)

    def walk(element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        if tag in _HTML_SKIP or not tag:
            if element.tail:
                buffer.append(element.tail)
            return
        block = tag in _HTML_BLOCKS
        if block:
            flush()
            if tag == "li":
                buffer.append("- ")
        if tag == "br":
            # A line break inside a list item keeps the item whole; elsewhere it separates lines
            # (CMS pages often build a whole notice from <br>-separated text).
            if any(a.tag == "li" for a in element.iterancestors() if isinstance(a.tag, str)):
                buffer.append(" ")
            else:
                flush()
        elif tag == "a":
            # Render the whole anchor as one Markdown link, text included.
            buffer.append(_link(element.text_content(), element.get("href")))
        elif tag in ("td", "th"):
            buffer.append(" | " if element.getprevious() is not None else "")
            buffer.append(element.text or "")
            for child in element:
                walk(child)
        else:
            buffer.append(element.text or "")
            for child in element:
                walk(child)
        if block:
            flush()
        if element.tail:
            buffer.append(element.tail)

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    return ExtractedNotice(name, "html", lines)


# --- DOCX --------------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def _read_docx(data: bytes, name: str) -> ExtractedNotice:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise NoticeReadError(f"{name}: is not a readable Word .docx document ({exc})") from None
    except Exception as exc:  # python-docx raises lxml and zip errors of several kinds on corrupt files
        raise NoticeReadError(f"{name}: the Word document is damaged and could not be read ({exc})") from None
    rels = document.part.rels
    notice = ExtractedNotice(name, "docx", [])
    # Walk the body XML ourselves (via python-docx's parsed package) rather than document.paragraphs:
    # that skips content controls, text inside tracked insertions and hyperlinks' targets.
    _docx_blocks(document.element.body, notice, rels)
    return notice


def _docx_blocks(container: Any, notice: ExtractedNotice, rels: Any) -> None:
    for child in container.iterchildren():
        if child.tag == _w("p"):
            _docx_paragraph(child, notice, rels)
        elif child.tag == _w("tbl"):
            for row in child.iter(_w("tr")):
                cells = []
                for cell in row.iter(_w("tc")):
                    texts = [_docx_paragraph_text(p, rels, notice)[0] for p in cell.iter(_w("p"))]
                    cells.append(" ".join(t for t in texts if t))
                line = " | ".join(cells).strip(" |")
                if line:
                    notice.lines.append(line)
        elif child.tag == _w("sdt"):
            content = child.find(_w("sdtContent"))
            if content is not None:
                _docx_blocks(content, notice, rels)


def _docx_paragraph(p: Any, notice: ExtractedNotice, rels: Any) -> None:
    text, changes = _docx_paragraph_text(p, rels, notice)
    if not text:
        return
    ppr = p.find(_w("pPr"))
    is_list = False
    if ppr is not None:
        style = ppr.find(_w("pStyle"))
        style_id = (style.get(_w("val")) or "") if style is not None else ""
        is_list = ppr.find(_w("numPr")) is not None or style_id.lower().startswith("list")
    notice.lines.append(f"- {text}" if is_list else text)
    for change in changes:
        notice.artefacts.append(Artefact(len(notice.lines), change))


def _docx_paragraph_text(p: Any, rels: Any, notice: ExtractedNotice) -> tuple[str, list[str]]:
    parts: list[str] = []
    changes: list[str] = []

    def runs(element: Any) -> None:
        for node in element.iterchildren():
            tag = node.tag
            if tag == _w("t"):
                parts.append(node.text or "")
            elif tag == _w("tab") or tag in (_w("br"), _w("cr")):
                parts.append(" ")
            elif tag == _w("hyperlink"):
                inner: list[str] = [t.text or "" for t in node.iter(_w("t"))]
                rid = node.get(f"{{{_R}}}id")
                anchor = node.get(_w("anchor"))
                href: str | None = None
                if rid and rid in rels:
                    href = rels[rid].target_ref
                    if anchor:
                        href = f"{href}#{anchor}"
                elif anchor is not None:
                    href = f"#{anchor}"
                parts.append(_link("".join(inner), href))
            elif tag == _w("ins"):
                changes.append("an unaccepted tracked insertion")
                runs(node)
            elif tag == _w("del"):
                # Deleted text (w:delText) is not part of the notice, but its presence is residue.
                changes.append("an unaccepted tracked deletion")
            elif tag in (_w("commentRangeStart"), _w("commentReference")):
                changes.append("a reviewer's comment")
            elif tag in (_w("r"), _w("smartTag"), _w("fldSimple"), _w("sdtContent"), _w("moveTo")):
                runs(node)
            elif tag == _w("sdt"):
                content = node.find(_w("sdtContent"))
                if content is not None:
                    runs(content)

    runs(p)
    return " ".join("".join(parts).split()), sorted(set(changes))


# --- PDF ---------------------------------------------------------------------------------------

_BULLETS = frozenset("•·▪◦‣●○■□➢➤✓✔-–*")


def _read_pdf(data: bytes, name: str) -> ExtractedNotice:
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams, LTTextBox, LTTextLine
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser, PDFSyntaxError
    from pdfminer.pdftypes import resolve1

    try:
        parser = PDFParser(io.BytesIO(data))
        document = PDFDocument(parser)  # opens with the empty user password, as a PDF viewer would
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise NoticeReadError(f"{name}: the PDF is encrypted and needs a password to open") from None
    except (PDFSyntaxError, ValueError, TypeError, KeyError) as exc:
        raise NoticeReadError(f"{name}: the PDF is damaged and could not be read ({exc})") from None
    except Exception as exc:  # pdfminer has no common base exception for corrupt input
        raise NoticeReadError(f"{name}: the PDF could not be read ({exc})") from None

    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=LAParams())
    interpreter = PDFPageInterpreter(manager, device)
    lines: list[str] = []
    try:
        for page in PDFPage.create_pages(document):
            interpreter.process_page(page)
            layout = device.get_result()
            links = _pdf_links(page, resolve1)
            boxes = [el for el in layout if isinstance(el, LTTextBox)]
            # pdfminer puts a list's bullets in a box of their own beside the items' text; note where
            # they are so each item's first line can get its bullet back.
            bullet_rows: list[float] = []
            text_boxes = []
            for box in boxes:
                box_lines = [ln for ln in box if isinstance(ln, LTTextLine)]
                if box_lines and all(_is_marker(ln.get_text()) for ln in box_lines):
                    bullet_rows.extend((ln.y0 + ln.y1) / 2 for ln in box_lines)
                else:
                    text_boxes.append((box, box_lines))
            for _box, box_lines in text_boxes:
                paragraph: list[str] = []
                paragraph_bbox: list[tuple[float, float, float, float]] = []

                for ln in box_lines:
                    text = ln.get_text().strip()
                    if not text:
                        continue
                    middle = (ln.y0 + ln.y1) / 2
                    starts_item = any(abs(middle - row) < 3 for row in bullet_rows) or text[0] in "•▪●◦"
                    if starts_item:
                        _emit_pdf_paragraph(lines, paragraph, paragraph_bbox, links)
                        paragraph, paragraph_bbox = [], []
                        if text[0] not in _BULLETS:
                            text = f"• {text}"
                    paragraph.append(text)
                    paragraph_bbox.append((ln.x0, ln.y0, ln.x1, ln.y1))
                _emit_pdf_paragraph(lines, paragraph, paragraph_bbox, links)
    except NoticeReadError:
        raise
    except Exception as exc:  # a page can be damaged even when the document opened
        raise NoticeReadError(f"{name}: the PDF could not be read ({exc})") from None
    return ExtractedNotice(name, "pdf", lines)


def _emit_pdf_paragraph(
    lines: list[str],
    parts: list[str],
    bboxes: list[tuple[float, float, float, float]],
    links: list[tuple[str, tuple[float, float, float, float]]],
) -> None:
    """Add a paragraph's joined lines, with the targets of links whose area it overlaps."""
    if not parts:
        return
    line = _join_pdf_lines(parts)
    for uri, rect in links:
        shown = uri.removeprefix("mailto:")
        # file: links are WeasyPrint's rendering of relative links (including "#"): not the author's.
        # A telephone link adds nothing when its number is already in the text.
        if (
            not uri.startswith("file:")
            and shown not in line
            and not _is_own_phone_link(uri, line)
            and any(_overlaps(rect, bb) for bb in bboxes)
        ):
            line = f"{line} <{uri}>"
    lines.append(line)


_NUMBER_MARKER = re.compile(r"^\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]$")


def _is_marker(text: str) -> bool:
    """A list bullet or number standing alone ("•", "1.", "(a)")."""
    text = text.strip()
    return text in _BULLETS or bool(_NUMBER_MARKER.match(text))


def _join_pdf_lines(parts: list[str]) -> str:
    # Lines of a wrapped paragraph are joined with a space; a line ending in a hyphen (a wrapped URL
    # or compound word) is joined without one.
    out = parts[0]
    for part in parts[1:]:
        out = out + part if out.endswith(("-", "/")) and not out.endswith(" -") else f"{out} {part}"
    return " ".join(out.split())


def _pdf_links(page: Any, resolve: Any) -> list[tuple[str, tuple[float, float, float, float]]]:
    """External link annotations on a page: (URI, rectangle)."""
    found: list[tuple[str, tuple[float, float, float, float]]] = []
    for annot in resolve(page.annots) or []:
        annot = resolve(annot)
        if not isinstance(annot, dict):
            continue
        action = resolve(annot.get("A"))
        if not isinstance(action, dict):
            continue
        uri = resolve(action.get("URI"))
        rect = resolve(annot.get("Rect"))
        if isinstance(uri, bytes):
            uri = uri.decode("latin-1", "replace")
        if isinstance(uri, str) and isinstance(rect, list | tuple) and len(rect) == 4:
            found.append((uri, tuple(float(resolve(v)) for v in rect)))  # type: ignore[arg-type]
    return found


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    ax0, ay0, ax1, ay1 = min(a[0], a[2]), min(a[1], a[3]), max(a[0], a[2]), max(a[1], a[3])
    return ax0 < b[2] and b[0] < ax1 and ay0 < b[3] and b[1] < ay1
