"""Render a notice `Document` as Markdown, plain text, HTML or PDF, through Django templates.

Every template renders with autoescaping on. HTML escapes the usual way. Markdown and plain text
are not HTML, so their templates pass every value through a filter of their own format (`md`,
`md_runs`, `txt_runs`, in `templatetags/notice_format.py`), which escapes for that format and marks
the result safe; a value that skipped its filter would show up HTML-escaped (a visible bug), never
as raw markup.

The HTML of a notice is an *article* (its sections, without title or date line: what a version
stores), placed in a page: the standalone GOV.UK-styled page (`html_page`, also the public page's
layout) or the print page that WeasyPrint turns into a PDF (`pdf`). PDF rendering fetches nothing
from the network: the print stylesheet is inline and the fetcher refuses every URL that is
not a file inside Steward's own package directory (`local_only_fetcher`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from steward.notices.document import Document

FORMATS = ("md", "txt", "html", "pdf")
TEXT_FORMATS = ("md", "txt", "html")
CONTENT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
EXTENSIONS = {"md": "md", "txt": "txt", "html": "html", "pdf": "pdf"}

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # src/steward: templates and static files live here


def long_date(day: dt.date) -> str:
    """GOV.UK style: "1 September 2026"."""
    return f"{day.day} {day:%B %Y}"


_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING = re.compile(r"[ \t]+\n")


def _tidy(text: str) -> str:
    # Templates leave blank lines where tags were; a text format wants exactly one between blocks.
    text = _TRAILING.sub("\n", text)
    return _BLANK_RUNS.sub("\n\n", text).strip() + "\n"


def markdown(document: Document, *, dateline: str = "") -> str:
    """The notice as Markdown (CommonMark with pipe tables). The stored text of a version has no date line."""
    return _tidy(render_to_string("notices/formats/notice.md", {"doc": document, "dateline": dateline}))


def text(document: Document, *, dateline: str = "") -> str:
    """The notice as plain text: one line per paragraph, heading or list item (tables as lists)."""
    return _tidy(render_to_string("notices/formats/notice.txt", {"doc": document, "dateline": dateline}))


def article(document: Document) -> SafeString:
    """The notice's sections as an HTML fragment (no title, no date line): what a version stores."""
    return mark_safe(render_to_string("notices/formats/article.html", {"doc": document}).strip())  # noqa: S308 - rendered with autoescape


@functools.cache
def govuk_css() -> str:
    """GOV.UK Frontend's stylesheet, for a standalone page that must read well opened from a file."""
    from django.contrib.staticfiles import finders

    found = finders.find("govuk/govuk-frontend.min.css")
    path = found[0] if isinstance(found, list) else found
    if not path:
        return ""  # front-end assets not installed: the page still reads, in the browser's default style
    css = Path(path).read_text(encoding="utf-8")
    return css.replace("</", "<\\/")  # never let the stylesheet close its <style> element


def html_page(
    document: Document,
    article_html: str,
    *,
    dateline: str = "",
    standalone: bool = True,
    extra: dict[str, Any] | None = None,
    template: str = "notices/formats/page.html",
) -> str:
    """A full GOV.UK-styled page around an article. `standalone` inlines GOV.UK Frontend's CSS (for a
    file); otherwise the page links to the static stylesheet (the public page)."""
    context = {
        "doc": document,
        "article": mark_safe(article_html),  # noqa: S308 - an article rendered by `article()`
        "dateline": dateline,
        "inline_css": mark_safe(govuk_css()) if standalone else "",  # noqa: S308 - our own static file
        **(extra or {}),
    }
    return render_to_string(template, context)


def local_only_fetcher(root: Path = PACKAGE_DIR) -> Any:
    """A WeasyPrint URL fetcher that never touches the network.

    Only `file:` URLs inside Steward's package directory (its templates and static files) are read;
    anything else (http, https, ftp, data, a file elsewhere) is refused with ValueError, which
    WeasyPrint reports as a warning and renders without.
    """
    from urllib.parse import unquote, urlparse

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = root.resolve()

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            parsed = urlparse(url)
            if parsed.scheme != "file":
                raise ValueError(f"notice PDFs fetch nothing from the network: refused {url}")
            path = Path(unquote(parsed.path)).resolve()
            if not path.is_relative_to(allowed) or not path.is_file():
                raise ValueError(f"notice PDFs read only Steward's own files: refused {url}")
            return URLFetcherResponse(url, body=path.read_bytes())

    return LocalOnlyFetcher(allowed_protocols=["file"], allow_redirects=False)


def pdf(document: Document, article_html: str, *, dateline: str = "") -> bytes:
    """The notice as a PDF: the article in a print layout (A4, page numbers, school and date in the footer)."""
    import weasyprint

    html = render_to_string(
        "notices/formats/print.html",
        {"doc": document, "article": mark_safe(article_html), "dateline": dateline},  # noqa: S308
    )
    return bytes(
        weasyprint.HTML(
            string=html, base_url=PACKAGE_DIR.as_uri() + "/", url_fetcher=local_only_fetcher()
        ).write_pdf()
    )
