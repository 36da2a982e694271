"""Reading notices from text, Markdown, HTML, DOCX and PDF, and refusing what cannot be read.

The complete sample notice (samples/complete_notice.md) is turned into each format here, in the test,
and must come out complete with no problems: extraction loses nothing the checker needs.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from steward.notices.checker import check_extracted, check_file
from steward.notices.extract import NoticeReadError, read_notice, read_notice_bytes

COMPLETE = Path(__file__).parent / "samples" / "complete_notice.md"
AUTOLINK = re.compile(r"<(https?://[^>]+)>")
ESCAPED_AUTOLINK = re.compile(r"&lt;(https?://[^&]+)&gt;")


def markdown_to_html(markdown: str) -> str:
    """Just enough Markdown for the sample: headings, paragraphs, bullet lists, autolinks."""
    out = [
        "<!doctype html><html><head><title>Notice</title><style>body{font-family:serif}</style></head><body>"
    ]
    in_list = False
    for line in markdown.splitlines():
        text = ESCAPED_AUTOLINK.sub(
            lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', html.escape(line, quote=False)
        )
        if line.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{text[2:]}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{text[level + 1 :]}</h{level}>")
        elif line.strip():
            out.append(f"<p>{text}</p>")
    if in_list:
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out)


def add_hyperlink(paragraph: docx.text.paragraph.Paragraph, text: str, url: str) -> None:
    """python-docx has no hyperlink API: add the relationship and the w:hyperlink element."""
    rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def markdown_to_docx(markdown: str, path: Path) -> None:
    document = docx.Document()
    for line in markdown.splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            document.add_heading(line[level + 1 :], level=min(level, 3))
            continue
        style = "List Bullet" if line.startswith("- ") else None
        body = line[2:] if style else line
        paragraph = document.add_paragraph(style=style)
        pos = 0
        for m in AUTOLINK.finditer(body):
            paragraph.add_run(body[pos : m.start()])
            add_hyperlink(paragraph, m.group(1), m.group(1))
            pos = m.end()
        paragraph.add_run(body[pos:])
    document.save(str(path))


def html_to_pdf(source: str, path: Path) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    weasyprint.HTML(string=source).write_pdf(str(path))


# --- each format, from the complete sample ----------------------------------------------------


def test_plain_text_and_markdown_keep_the_files_own_line_numbers(tmp_path: Path) -> None:
    source = COMPLETE.read_text(encoding="utf-8")
    for name, fmt in (("notice.md", "md"), ("notice.txt", "txt"), ("notice", "txt")):
        path = tmp_path / name
        path.write_text(source, encoding="utf-8")
        notice = read_notice(path)
        assert notice.format == fmt
        assert notice.lines == source.splitlines()
        assert check_extracted(notice).complete


def test_html_complete_notice(tmp_path: Path) -> None:
    path = tmp_path / "notice.html"
    path.write_text(markdown_to_html(COMPLETE.read_text(encoding="utf-8")), encoding="utf-8")
    notice = read_notice(path)
    assert notice.format == "html"
    assert "- to support pupil learning" in notice.lines
    rep = check_extracted(notice)
    assert rep.missing == [] and rep.problems == []


def test_html_blocks_lists_links_and_skipped_elements(tmp_path: Path) -> None:
    page = (
        "<html><head><title>T</title><script>var x = 'Data Protection Act 1998';</script></head><body>"
        "<nav><ul><li>Home</li></ul></nav>"
        "<h2>Storing pupil data</h2>"
        '<p>See our <a href="#">retention policy</a> and <a href="#rights">your rights</a>.</p>'
        '<p>Email <a href="mailto:dpo@school.example.com">dpo@school.example.com</a></p>'
        "<ul><li>first<br>item</li><li>second</li></ul>"
        "<p>Line one<br>Line two</p>"
        "<table><tr><th>Record</th><th>Period</th></tr><tr><td>Pupil file</td><td>DOB + 25 years</td></tr></table>"
        "</body></html>"
    )
    path = tmp_path / "page.htm"
    path.write_text(page, encoding="utf-8")
    lines = read_notice(path).lines
    assert lines == [
        "- Home",
        "Storing pupil data",
        "See our [retention policy](#) and [your rights](#rights).",
        "Email dpo@school.example.com",
        "- first item",
        "- second",
        "Line one",
        "Line two",
        "Record | Period",
        "Pupil file | DOB + 25 years",
    ]
    rep = check_file(path)
    assert [(p.kind, p.line) for p in rep.problems] == [("placeholder", 3)]  # the "#" link, not the anchor


def test_html_detected_by_content_without_an_extension() -> None:
    notice = read_notice_bytes(b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", name="upload")
    assert notice.format == "html" and notice.lines == ["Hello"]


def test_docx_complete_notice(tmp_path: Path) -> None:
    path = tmp_path / "notice.docx"
    markdown_to_docx(COMPLETE.read_text(encoding="utf-8"), path)
    notice = read_notice(path)
    assert notice.format == "docx"
    assert "- to support pupil learning" in notice.lines
    assert any(
        "[https://ico.org.uk/make-a-complaint/](https://ico.org.uk/make-a-complaint/)" in ln
        or "<https://ico.org.uk/make-a-complaint/>" in ln
        for ln in notice.lines
    )
    rep = check_extracted(notice)
    assert rep.missing == [] and rep.problems == []


def test_docx_links_tables_content_controls_and_tracked_changes(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Storing pupil data", level=2)
    paragraph = document.add_paragraph("See our ")
    add_hyperlink(paragraph, "retention policy", "#")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Record", "Period"
    table.cell(1, 0).text, table.cell(1, 1).text = "Pupil file", "DOB + 25 years"
    tracked = document.add_paragraph("We share data with ")
    ins = OxmlElement("w:ins")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "the DfE"
    run.append(t)
    ins.append(run)
    tracked._p.append(ins)
    deleted = OxmlElement("w:del")
    del_run = OxmlElement("w:r")
    del_text = OxmlElement("w:delText")
    del_text.text = " and Ofsted"
    del_run.append(del_text)
    deleted.append(del_run)
    tracked._p.append(deleted)
    # A body-level content control holding a paragraph with Word's placeholder text.
    sdt = OxmlElement("w:sdt")
    content = OxmlElement("w:sdtContent")
    sdt_p = OxmlElement("w:p")
    sdt_r = OxmlElement("w:r")
    sdt_t = OxmlElement("w:t")
    sdt_t.text = "Click here to enter text."
    sdt_r.append(sdt_t)
    sdt_p.append(sdt_r)
    content.append(sdt_p)
    sdt.append(content)
    document.element.body.insert(len(document.element.body) - 1, sdt)  # before w:sectPr
    path = tmp_path / "notice.docx"
    document.save(str(path))

    notice = read_notice(path)
    assert notice.lines == [
        "Storing pupil data",
        "See our [retention policy](#)",
        "Record | Period",
        "Pupil file | DOB + 25 years",
        "We share data with the DfE",
        "Click here to enter text.",
    ]
    rep = check_extracted(notice)
    assert sorted((p.kind, p.line) for p in rep.problems) == [
        ("placeholder", 2),  # link to "#"
        ("placeholder", 5),  # tracked insertion and deletion not accepted
        ("placeholder", 6),  # an empty Word content control
    ]
    tracked_problem = next(p for p in rep.problems if p.line == 5)
    assert "tracked deletion" in tracked_problem.advice and "tracked insertion" in tracked_problem.advice


def test_pdf_complete_notice(tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    html_to_pdf(markdown_to_html(COMPLETE.read_text(encoding="utf-8")), path)
    notice = read_notice(path)
    assert notice.format == "pdf"
    assert any(line.endswith("to support pupil learning") for line in notice.lines)
    rep = check_extracted(notice)
    assert rep.missing == [] and rep.problems == []


def test_pdf_paragraphs_bullets_and_link_targets(tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    html_to_pdf(
        "<h1>Complaints</h1>"
        "<p>You can complain to the Information Commissioner's Office through "
        '<a href="https://ico.org.uk/make-a-complaint/">its website</a>. This paragraph is long enough to wrap '
        "across more than one line of the page, and it must come back as one line of text for the checker.</p>"
        "<ul><li>first item</li><li>second item</li></ul>",
        path,
    )
    lines = read_notice(path).lines
    assert lines[0] == "Complaints"
    assert lines[1].startswith(
        "You can complain to the Information Commissioner's Office through its website."
    )
    assert lines[1].endswith("for the checker. <https://ico.org.uk/make-a-complaint/>")
    assert lines[2:] == ["• first item", "• second item"]
    rep = check_file(path)
    assert rep.items["complaint_to_ico"].present
    assert rep.problem_lines("missing_ico_contact") == []  # the link target counts as the ICO's contact


def test_pdf_numbered_list_items_keep_their_markers(tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    html_to_pdf(
        "<p>We share pupil information with:</p><ol><li>the DfE</li><li>our local authority, whose name is long "
        "enough to wrap onto the next line of the page when rendered at the default size</li></ol>",
        path,
    )
    lines = read_notice(path).lines
    assert lines[0] == "We share pupil information with:"
    assert lines[1] == "• the DfE"
    assert lines[2].startswith("• our local authority") and lines[2].endswith("at the default size")
    assert check_file(path).problems == []


def test_pdf_detected_by_content_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    html_to_pdf("<p>Our data protection officer is Jo Bloggs.</p>", path)
    notice = read_notice(path)
    assert notice.format == "pdf"
    assert notice.lines == ["Our data protection officer is Jo Bloggs."]


def test_windows_1252_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_bytes("Information Commissioner\x92s Office \x96 complaints".encode("latin-1"))
    assert read_notice(path).lines == ["Information Commissioner’s Office – complaints"]


# --- what cannot be read ---------------------------------------------------------------------


def encrypted_pdf(tmp_path: Path) -> bytes:
    pypdf = pytest.importorskip("pypdf")
    plain = tmp_path / "plain.pdf"
    html_to_pdf("<p>Secret notice</p>", plain)
    writer = pypdf.PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_without_word() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    return out.getvalue()


def blank_pdf(tmp_path: Path) -> bytes:
    path = tmp_path / "blank.pdf"
    html_to_pdf("<div style='height:10cm;border:1px solid black'></div>", path)
    return path.read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("blank.md", b"  \n\n\t \n", "the file is empty"),
        ("empty.pdf", b"", "the file is empty"),
        ("garbage.pdf", bytes(range(256)) * 8, "is named .pdf but is not a PDF"),
        (
            "notice.docx",
            b"This is plain text pretending to be Word.",
            "is named .docx but is not a Word .docx file",
        ),
        ("notice.docx", "zip", "is a zip archive but not a Word .docx document"),
        ("notice.txt", b"\x00\x01\x02\x03binary\x00data" * 20, "is binary data"),
        ("notice.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old binary Word/Office file"),
        ("notice.odt", b"some bytes", "is not supported"),
        (
            "broken.pdf",
            b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF",
            "the PDF is damaged",
        ),
        ("encrypted.pdf", "encrypted", "encrypted and needs a password"),
        ("blank.pdf", "blank", "no text could be extracted (a PDF with no text in it)"),
        ("empty.html", b"<html><body><script>x=1</script></body></html>", "no text could be extracted"),
    ],
)
def test_unreadable_files_raise_a_clear_error(
    tmp_path: Path, name: str, content: bytes | str, message: str
) -> None:
    if content == "zip":
        content = zip_without_word()
    elif content == "encrypted":
        content = encrypted_pdf(tmp_path)
    elif content == "blank":
        content = blank_pdf(tmp_path)
    assert isinstance(content, bytes)
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(NoticeReadError) as excinfo:
        read_notice(path)
    assert str(path) in str(excinfo.value)
    assert message in str(excinfo.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(NoticeReadError, match="no such file"):
        read_notice(tmp_path / "absent.pdf")
    with pytest.raises(NoticeReadError, match="is a directory"):
        read_notice(tmp_path)
