"""The notice compiler: every audience and format of a notice compiled from the default register checks
complete with no problems, the sections follow the register, and register text is escaped."""

from __future__ import annotations

import json
from typing import Any

import pytest

from steward.audit.context import acting_as
from steward.notices import render
from steward.notices.audiences import AUDIENCES
from steward.notices.checker import check_extracted
from steward.notices.compiler import compile_notice
from steward.notices.document import Document, Heading
from steward.notices.extract import read_notice_bytes
from steward.notices.patterns import ITEM_KEYS
from steward.organisations.models import School, Trust
from steward.register import services as register_services
from steward.register.models import Purpose, Recipient, Register
from steward.register.selectors import effective_register


def check_rendered(data: str | bytes, fmt: str) -> Any:
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    return check_extracted(read_notice_bytes(raw, name=f"notice.{fmt}"))


def headings(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, Heading)]


@pytest.mark.parametrize("fmt", render.FORMATS)
@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_audience_and_format_checks_complete(
    loaded: Register, school_b: School, audience: str, fmt: str
) -> None:
    notice = compile_notice(school_b, audience)
    report = check_rendered(notice.render(fmt), fmt)
    assert report.format == fmt
    assert [k for k, item in report.items.items() if item.present] == list(ITEM_KEYS)
    assert report.problems == []


@pytest.mark.parametrize("audience", AUDIENCES)
def test_a_primary_school_notice_checks_complete_without_youth_support(
    loaded: Register, school_a: School, audience: str
) -> None:
    notice = compile_notice(school_a, audience)
    assert effective_register(school_a).youth_support_13 is False
    for fmt in ("md", "txt", "html"):
        report = check_rendered(notice.render(fmt), fmt)
        assert report.missing == [] and report.problems == [], (fmt, report.missing, report.problems)
    # The youth support item is answered by a statement, not by the section.
    assert "Youth support services" not in headings(notice.document)
    assert "We do not pass information about pupils to youth support services." in notice.text() or (
        "We do not pass information about you to youth support services." in notice.text()
    )


def test_the_parent_notice_reads_from_the_register(loaded: Register, school_b: School) -> None:
    notice = compile_notice(school_b, "parent")
    md = notice.markdown()
    assert md.startswith(
        "# Privacy notice for parents and carers: how we use information about pupils and their families\n\n"
        f"Last updated {render.long_date(notice.on)}\n\n"
    )
    assert headings(notice.document) == [
        "Who we are",
        "The information we hold",
        "Why we collect and use this information",
        "Our lawful bases",
        "Collecting this information",
        "How long we keep information",
        "Who we share information with",
        "Systems that hold information for us",
        "Transfers outside the UK",
        "Automated decision-making and profiling",
        "Youth support services",
        "Pupils aged 13 and over",
        "Pupils aged 16 and over",
        "Limiting what is passed on",
        "How the government uses pupil information",
        "Data collection requirements",
        "The National Pupil Database (NPD)",
        "Sharing by the Department for Education",
        "What the Department for Education holds about you",
        "Your rights",
        "Complaints",
        "Contact us",
    ]
    assert (
        "Oakfield Secondary is part of Oakfield Learning Trust. Oakfield Learning Trust is the data controller "
        "for the personal information in this notice: it decides how and why the information is used.\n"
    ) in md
    assert (
        "Our data protection officer (DPO) is Dana Protector. You can contact them by email at "
        "dpo@oakfield.example.com.\n"
    ) in md
    # Purposes with their register descriptions; lawful bases with the law the register cites.
    assert (
        "- **Keep children safe**: to protect pupils from harm, act on safeguarding concerns, and work with "
        "children's social care"
    ) in md
    assert (
        "| Meet our legal duties: census returns, registers, data sharing and audit | legal obligation "
        "(UK GDPR Art 6(1)(c)) | Legal obligation: Education Act 1996 s537A;"
    ) in md
    assert (
        "| Keep children safe | Safeguarding | Substantial public interest (UK GDPR Art 9(2)(g)), with DPA 2018 "
        "Sch 1 Pt 2 para 18 (Safeguarding of children and of individuals at risk)."
    ) in md
    assert "We rely on consent for these purposes: Celebrating achievements and Research and surveys." in md
    # Art 14 sources other than the family and the school.
    assert (
        "We also receive information about pupils from other organisations: previous schools, the local "
        "authority, the Department for Education, the Learning Records Service, exam boards and awarding "
        "bodies, the NHS and other health professionals, children's social care and the police.\n"
    ) in md
    assert (
        "| Attendance register entries | The date of the entry + 6 years, then secure disposal. | School "
        "Attendance (Pupil Registration) (England) Regulations 2024 reg 7 (SI 2024/208): every entry kept for at "
        "least 6 years. |"
    ) in md
    # Transfers: the default register's systems are still to be confirmed, and the notice says so.
    assert (
        "We are checking with the suppliers of our systems whether they transfer any personal information"
        in md
    )
    assert (
        "We do not make decisions about pupils by automated means alone, and we do not use profiling." in md
    )
    assert (
        "A parent or carer can ask that only their child's name, address and date of birth is passed to the youth "
        "support services provider, by telling us. This right passes to the pupil once they reach the age of 16."
    ) in md
    assert "- by telephone on 0303 123 1113\n" in md
    assert (
        "- by post to Information Commissioner's Office, Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF\n"
    ) in md
    assert "- online at <https://ico.org.uk/make-a-complaint/>\n" in md
    # An academy is not bound by the 2005 regulations' 15-school-day educational record right.
    assert "15 school days" not in md


def test_the_notices_for_pupils_differ_where_they_should(loaded: Register, school_b: School) -> None:
    pupil = compile_notice(school_b, "pupil").markdown()
    young = compile_notice(school_b, "pupil-young").markdown()
    ap = compile_notice(school_b, "ap").markdown()
    parent = compile_notice(school_b, "parent").markdown()
    # Admissions is a parent purpose only (register audiences).
    assert "**Admissions and waiting lists**" in parent and "**Admissions and waiting lists**" not in pupil
    # The younger pupils' notice uses each purpose's description_young.
    assert young.startswith("# How we look after information about you\n")
    assert "- To help you learn.\n" in young and "- To keep you safe.\n" in young
    assert (
        "The laws we follow include Education Act 1996, Education Act 2002 and the Education (Pupil "
        "Information) (England) Regulations 2005.\n"
    ) in young
    assert "(the law calls this 'public task')" in young
    assert (
        "Your parents or carers can ask us to tell them only your name, address and date of birth." in young
    )
    # The alternative provision notice opens with the AP purpose and lists the AP providers.
    assert ap.startswith("# Privacy notice: sharing pupil information with alternative provision providers\n")
    assert (
        "We do this to arrange education with an alternative provision provider when a pupil needs it" in ap
    )
    assert "| Alternative provision providers |" in ap
    # Youth support is not an AP purpose: the AP notice points to the main notice instead.
    assert "## Youth support services" not in ap
    assert (
        "Information about pupils aged 13 and over is also passed to youth support services, as our privacy "
        "notice for pupils and parents explains."
    ) in ap


def test_youth_support_section_follows_the_register(
    loaded: Register, trust: Trust, school_b: School, dpo: Any
) -> None:
    assert "Youth support services" in headings(compile_notice(school_b, "parent").document)
    with acting_as(dpo, channel="web"):
        for key in ("youth_support_13", "youth_support_16"):
            entry = Recipient.objects.get(trust=trust, school=None, key=key)
            register_services.disable_for_school(actor=dpo, entry=entry, school=school_b)
    view = effective_register(school_b)
    assert (view.youth_support_13, view.youth_support_16) == (False, False)
    notice = compile_notice(school_b, "parent")
    assert "Youth support services" not in headings(notice.document)
    assert "Pupils aged 13 and over" not in headings(notice.document)
    md = notice.markdown()
    assert "We do not pass information about pupils to youth support services.\n" in md
    report = check_rendered(md, "md")
    assert report.missing == [] and report.problems == []


def test_only_a_13_plus_recipient_gives_only_the_13_plus_section(
    loaded: Register, trust: Trust, school_b: School, dpo: Any
) -> None:
    with acting_as(dpo, channel="web"):
        entry = Recipient.objects.get(trust=trust, school=None, key="youth_support_16")
        register_services.disable_for_school(actor=dpo, entry=entry, school=school_b)
    found = headings(compile_notice(school_b, "parent").document)
    assert "Pupils aged 13 and over" in found and "Pupils aged 16 and over" not in found


def test_the_consent_model_changes_the_youth_support_wording(
    loaded: Register, trust: Trust, school_b: School, dpo: Any
) -> None:
    with acting_as(dpo, channel="web"):
        register_services.register_update(actor=dpo, trust=trust, youth_support_model="consent")
    md = compile_notice(school_b, "parent").markdown()
    assert (
        "We pass only the pupil's name, address and date of birth, unless a parent or carer agrees that we may "
        "pass more. This decision passes to the pupil once they reach the age of 16."
    ) in md


def test_npd_section_follows_the_register(loaded: Register, trust: Trust, school_b: School, dpo: Any) -> None:
    assert "The National Pupil Database (NPD)" in headings(compile_notice(school_b, "pupil").document)
    with acting_as(dpo, channel="web"):
        entry = Recipient.objects.get(trust=trust, school=None, key="npd")
        register_services.disable_for_school(actor=dpo, entry=entry, school=school_b)
    notice = compile_notice(school_b, "pupil")
    assert "The National Pupil Database (NPD)" not in headings(notice.document)
    assert "How the government uses pupil information" not in headings(notice.document)
    assert (
        "We do not send information to the Department for Education for the National Pupil Database."
        in notice.markdown()
    )


def test_contacts_come_from_the_school_and_trust_records(
    loaded: Register, trust: Trust, school_a: School, system: Any
) -> None:
    trust.address = "Oakfield House\n1 Trust Road\nOakfield OK1 1AA"
    trust.ico_registration = "ZA123456"
    trust.save()
    school_a.address, school_a.postcode = "1 School Lane, Oakfield", "OK1 2AB"
    school_a.phone, school_a.email = "01632 960001", "office@oakfield-primary.example.com"
    school_a.dpo_name, school_a.dpo_email, school_a.dpo_phone = (
        "Sam Lead",
        "dpl@oakfield-primary.example.com",
        "01632 960002",
    )
    school_a.school_type = "maintained"
    school_a.save()
    md = compile_notice(school_a, "parent").markdown()
    assert (
        "Our registered address is Oakfield House, 1 Trust Road, Oakfield OK1 1AA. We are registered with the "
        "Information Commissioner's Office as a data controller (registration number ZA123456).\n"
    ) in md
    assert (
        "You can contact Oakfield Primary by post at 1 School Lane, Oakfield, OK1 2AB, by telephone on "
        "01632 960001 or by email at office@oakfield-primary.example.com.\n"
    ) in md
    assert (
        "Our data protection officer (DPO) is Sam Lead. You can contact them by email at "
        "dpl@oakfield-primary.example.com or by telephone on 01632 960002.\n"
    ) in md
    # A maintained school's parents have the 2005 regulations' right to the educational record.
    assert "within 15 school days of a written request" in md
    for fmt in ("md", "html", "pdf"):
        report = check_rendered(compile_notice(school_a, "parent").render(fmt), fmt)
        assert report.missing == [] and report.problems == [], (fmt, report.problems)


def test_register_text_is_escaped_in_every_format(
    loaded: Register, trust: Trust, school_b: School, dpo: Any
) -> None:
    purpose = Purpose.objects.get(trust=trust, school=None, key="library")
    with acting_as(dpo, channel="web"):
        register_services.purpose_update(
            actor=dpo,
            purpose=purpose,
            name="Library <script>alert(1)</script> & *books*",
            description="To lend [books](javascript:alert(1)) | and <b>track</b> loans.",
        )
    notice = compile_notice(school_b, "parent")
    html = notice.html()
    assert "<script>alert(1)</script>" not in html
    assert "Library &lt;script&gt;alert(1)&lt;/script&gt; &amp; *books*" in html
    assert "<b>track</b>" not in html and 'href="javascript' not in html
    md = notice.markdown()
    assert (
        "- **Library \\<script\\>alert(1)\\</script\\> & \\*books\\***: to lend \\[books\\](javascript:alert(1)) | "
        "and \\<b\\>track\\</b\\> loans.\n"
    ) in md
    assert "| Library \\<script\\>alert(1)\\</script\\> & \\*books\\* |" in md
    txt = notice.text()
    assert "- Library <script>alert(1)</script> & *books*: to lend [books](javascript:alert(1)) | and" in txt


def test_an_unsafe_register_link_is_never_a_link(
    loaded: Register, trust: Trust, school_b: School, system: Any
) -> None:
    # The model validates URLs, but a notice must not trust that every write went through it.
    Recipient.objects.filter(trust=trust, key="dfe").update(information_url="javascript:alert(1)")
    notice = compile_notice(school_b, "parent")
    assert 'href="javascript:' not in notice.html()
    assert "(javascript:alert(1))" not in notice.markdown()


def test_the_document_round_trips_through_json(loaded: Register, school_b: School) -> None:
    notice = compile_notice(school_b, "parent")
    data = json.loads(json.dumps(notice.document.as_data()))
    again = Document.from_data(data)
    assert again == notice.document
    assert render.markdown(again) == notice.content


def test_pdf_rendering_fetches_nothing(loaded: Register, school_b: School, caplog: Any) -> None:
    fetch = render.local_only_fetcher()
    with pytest.raises(ValueError, match="fetch nothing from the network"):
        fetch("https://example.com/style.css")
    with pytest.raises(ValueError, match="read only Steward's own files"):
        fetch("file:///etc/passwd")
    css = render.PACKAGE_DIR / "notices" / "templates" / "notices" / "formats" / "print.css"
    assert fetch(css.as_uri()).read().startswith(b"/* The print layout")
    data = compile_notice(school_b, "pupil-young").pdf()
    assert data.startswith(b"%PDF-")
    assert not [r for r in caplog.records if r.name.startswith("weasyprint") and r.levelname == "ERROR"]


def test_compile_refuses_an_unknown_audience(loaded: Register, school_b: School) -> None:
    with pytest.raises(
        ValueError, match="unknown audience 'staff': use one of pupil, pupil-young, parent, ap"
    ):
        compile_notice(school_b, "staff")
    with pytest.raises(ValueError, match="unknown format 'docx'"):
        compile_notice(school_b, "pupil").render("docx")
