"""The notice checker's rules: a complete notice checks clean, each problem kind is found, and the
phrasings that look like problems but are not (the false-alarm guards) stay quiet."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward.notices.checker import CheckReport, check_file, check_notice
from steward.notices.extract import Artefact
from steward.notices.patterns import ITEM_KEYS

COMPLETE = Path(__file__).parent / "samples" / "complete_notice.md"


def kinds(text: str) -> list[tuple[str, int]]:
    return [(p.kind, p.line) for p in check_notice(text).problems]


def present(text: str, key: str) -> bool:
    return check_notice(text).items[key].present


# --- a complete notice, written the way Steward will compile one ---------------------------------


def test_complete_notice_has_every_item_and_no_problem() -> None:
    rep = check_file(COMPLETE)
    assert rep.missing == []
    assert rep.problems == []
    assert rep.complete
    assert tuple(rep.items) == ITEM_KEYS
    lines = COMPLETE.read_text(encoding="utf-8").splitlines()
    for item in rep.items.values():
        assert item.evidence, item.key
        for ev in item.evidence:
            assert lines[ev.line - 1].strip() == ev.text


def test_report_shape_matches_the_cli_json() -> None:
    data = check_file(COMPLETE).to_dict()
    assert set(data) == {"file", "format", "items", "problems", "summary"}
    assert list(data["items"]) == list(ITEM_KEYS)
    assert data["items"]["dpo_contact"]["present"] is True
    assert set(data["items"]["dpo_contact"]["evidence"][0]) == {"line", "text"}
    assert data["summary"] == {"present": len(ITEM_KEYS), "missing": [], "problems": 0}


def test_text_or_lines_give_the_same_report() -> None:
    text = COMPLETE.read_text(encoding="utf-8")
    assert check_notice(text).to_dict() == check_notice(text.splitlines()).to_dict()


@pytest.mark.parametrize("key", ITEM_KEYS)
def test_removing_an_items_section_makes_it_missing(key: str) -> None:
    """Each item is found by its own section of the complete notice, not by accident elsewhere."""
    sections = {
        "controller_identity": ["is the data controller"],
        "dpo_contact": ["Our data protection officer is", "You can contact our data protection officer"],
        "data_categories": ["- "],  # every list item goes: no categories, purposes or recipients lists
        "purposes": ["- "],
        "lawful_basis": ["Article 6", "public task", "legal obligation", "vital interests", "consent"],
        "special_category_condition": ["Article 9", "Schedule 1"],
        "recipients": ["share", "pass", "- "],
        "international_transfers": ["outside the UK"],
        "retention": ["retention schedule"],
        "rights": ["object to processing", "restrict processing", "rectified", "erased", "portability"],
        "withdraw_consent": ["withdraw"],
        "complaint_to_ico": ["complain to the Information Commissioner"],
        "statutory_or_contractual_requirement": ["mandatory"],
        "automated_decision_making": ["automated means alone", "automated means"],
        "data_source": ["receive"],
        "youth_support_services": ["13", "youth support", "Youth support"],
        "national_pupil_database": ["NPD", "National Pupil Database"],
    }[key]
    lines = [
        line
        for line in COMPLETE.read_text(encoding="utf-8").splitlines()
        if line.startswith("#") or not any(s in line for s in sections)
    ]
    assert not check_notice(lines).items[key].present


# --- headings and lead-ins are not content ------------------------------------------------------


def test_headings_alone_do_not_count() -> None:
    text = "\n".join(
        [
            "Transferring data internationally",
            "",
            "Youth support services",
            "",
            "Why we collect and use this information",
            "",
            "The National Pupil Database (NPD)",
            "",
            "Data protection officer",
        ]
    )
    rep = check_notice(text)
    assert rep.missing == list(ITEM_KEYS)


def test_lead_in_with_empty_list_is_a_placeholder_and_not_evidence() -> None:
    text = "The categories of pupil information that we process include:\n\nWhy we use this data\n\nWe use it well."
    rep = check_notice(text)
    assert not rep.items["data_categories"].present
    assert [(p.kind, p.line) for p in rep.problems] == [("placeholder", 1)]


def test_lead_in_at_the_end_of_the_notice_is_a_placeholder() -> None:
    assert kinds("Some text.\n\nWe share pupil information with:\n\n") == [("placeholder", 3)]


@pytest.mark.parametrize(
    "text",
    [
        # bullets of every usual kind
        "We share pupil information with:\n- the DfE\n- our local authority",
        "We share pupil information with:\n\n· the DfE\n· our local authority",
        "We share pupil information with:\n1. the DfE\n2. our local authority",
        # a list written without bullets, one item per line
        "We share pupil information with:\nThe Department for Education\nOur local authority\nOfsted",
        # labels followed by prose, a person, a link
        "Contact:\n\nIf you would like to discuss anything in this notice, please contact the office.",
        "Data collection requirements:\n\nTo find out more about the data collection requirements, go to:\n\n"
        "<https://www.gov.uk/education/data-collection-and-censuses-for-schools>",
        "If you would like to discuss anything in this privacy notice, please contact:\n\n"
        "Jo Bloggs, Data Protection Officer\n\nEmail: dpo@school.example.com",
        # a continuation on the next line
        "The categories of data include:\nnames, addresses and dates of birth; attendance; assessment.",
        # a table
        "Retention periods are as follows:\nPupil record | DOB + 25 years",
    ],
)
def test_filled_lead_ins_are_not_placeholders(text: str) -> None:
    assert kinds(text) == []


# --- outdated law --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "We process data under the Data Protection Act 1998.",
        "Your rights under the DPA 1998 are set out below.",
        "We comply with the Data Protection Act (1998) and the GDPR.",
        "Processing is lawful under Regulation (EU) 2016/679.",
        "Our supplier is certified under the EU-US Privacy Shield.",
        "Transfers to the USA rely on Safe Harbor.",
        "Attendance registers are kept under the Education (Pupil Registration) (England) Regulations 2006.",
        "Where we transfer data outside the EEA we use standard contractual clauses.",
        "We will respond to a subject access request within 40 days.",
        "A fee of £10 is charged for each subject access request.",
        "You may have inaccurate data rectified, blocked, erased or destroyed.",
        "Object to processing that is likely to cause damage or distress.",
    ],
)
def test_outdated_law_is_found(line: str) -> None:
    assert kinds(line) == [("outdated_law", 1)]


@pytest.mark.parametrize(
    "line",
    [
        # historical mentions are not citations of the old law as current
        "The Data Protection Act 2018 replaced the Data Protection Act 1998 on 25 May 2018.",
        "The UK GDPR superseded the Data Protection Act 1998.",
        "Under the UK GDPR (the EU GDPR as it forms part of UK law) you have these rights.",
        "We process data under the UK GDPR and the Data Protection Act 2018.",
        "A bare GDPR is fine when the UK law is named: see the Data Protection Act 2018 and the GDPR.",
        "We do not transfer data outside the UK and the EEA.",
        "Registers are kept under the School Attendance (Pupil Registration) (England) Regulations 2024, "
        "which replaced the Education (Pupil Registration) (England) Regulations 2006.",
        "You can ask to see your exam results within 40 days of their announcement.",
        "You can claim compensation for damage or distress caused by a breach.",
        "Trips cost £10.",
    ],
)
def test_false_alarm_guards_for_law(line: str) -> None:
    assert kinds(line) == []


def test_historical_words_count_only_in_the_same_sentence() -> None:
    line = "We process data under the Data Protection Act 1998. The UK GDPR replaced the EU Directive."
    assert kinds(line) == [("outdated_law", 1)]


def test_dpo_in_an_email_address_is_not_a_role_mention() -> None:
    # "dpo@" is an address, not the DPO named again with a different address.
    text = "Contact our data protection officer at dpo@school.example.com.\nEmail: dpo@school.example.com"
    assert kinds(text) == []


def test_bare_gdpr_is_outdated_only_when_the_notice_never_names_the_uk_law() -> None:
    assert kinds("We comply with the General Data Protection Regulation.") == [("outdated_law", 1)]
    assert kinds("We comply with the General Data Protection Regulation.\nSee also the UK GDPR.") == []


# --- wrong terms ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Some of this information is then stored in the National Student Database.",
        "The Department of Education may share information.",
        "The DfES collects census data.",
        "We send returns to the Education Funding Agency.",
        "The Information Commission's Office regulates data protection.",
        "We send a Common Transfer Form to the next school.",
        "We follow the Keeping Children Safe in Education regulations.",
        "We keep data in line with the Information Records Management Society toolkit.",
        "Each pupil has a unique student number.",
        "We process it in the course of the school's legitimate activities.",
    ],
)
def test_wrong_terms_are_found(line: str) -> None:
    assert kinds(line) == [("wrong_term", 1)]


@pytest.mark.parametrize(
    "line",
    [
        "The Department for Education (DfE) collects census data.",
        "For pupils in Northern Ireland the Department of Education is responsible.",
        "The ESFA funds academies.",
        "The Information Commission will replace the ICO.",  # DUAA 2025: not a misnaming
        "Complain to the Information Commissioners Office.",  # apostrophe slip: not worth a flag
        "The Information and Records Management Society toolkit for schools sets our periods.",
        "The Department for Education and Skills (DfES) was the former name of the department.",
    ],
)
def test_false_alarm_guards_for_terms(line: str) -> None:
    assert [k for k, _ in kinds(line) if k == "wrong_term"] == []


# --- placeholders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Our data protection officer is [insert name].",
        "We, [School Name], are the data controller.",
        "Contact the DPO at <email address>.",
        "Contact {{ dpo_email }} for help.",
        "Our DPO is XXXX.",
        "Our DPO is TBC.",
        "Insert school logo here.",
        "Lorem ipsum dolor sit amet.",
        "Click here to enter text.",
        "See section Error! Reference source not found. for details.",
        "[bookmark: _GoBack]Our auditors",
        "Deleted: the local authority",
        "See our [retention policy](#).",
        "See our [retention policy]().",
        'See our <a href="#">retention policy</a>.',
    ],
)
def test_placeholders_are_found(line: str) -> None:
    assert kinds(line) == [("placeholder", 1)]


@pytest.mark.parametrize(
    "line",
    [
        "See [your rights](#rights) below.",  # an anchor within the page is a real link
        "See the [ICO's website](https://ico.org.uk/).",
        "Email dpo@oakfield.example.com or telephone 01632 960001.",  # Steward's own fictional contacts
        "Our headteacher is Mrs Ann Example.",
        "The [Department for Education](https://www.gov.uk/government/organisations/department-for-education).",
        "Contact the ICO at <https://ico.org.uk/make-a-complaint/>.",
    ],
)
def test_false_alarm_guards_for_placeholders(line: str) -> None:
    assert kinds(line) == []


def test_extraction_artefacts_become_placeholders_on_their_line() -> None:
    rep = check_notice(
        ["Heading", "We share data with the DfE."], artefacts=[Artefact(2, "an unaccepted tracked deletion")]
    )
    assert [(p.kind, p.line) for p in rep.problems] == [("placeholder", 2)]
    assert "tracked deletion" in rep.problems[0].advice


# --- inconsistent contacts -------------------------------------------------------------------------


def test_dpo_with_two_names_is_inconsistent() -> None:
    text = "Our data protection officer is Jane Smith.\n\nContact:\n\nJane Smyth, Data Protection Officer"
    assert kinds(text) == [("inconsistent_contact", 5)]


def test_dpo_with_two_email_addresses_is_inconsistent() -> None:
    text = "Contact our DPO at dpo@school.example.com.\n\nFor anything else, email our DPO at data@trust.example.com."
    assert kinds(text) == [("inconsistent_contact", 3)]


def test_headteacher_with_two_phone_numbers_is_inconsistent() -> None:
    text = "Call the headteacher on 01632 960001.\nThe headteacher can be reached on 01632 960999."
    assert kinds(text) == [("inconsistent_contact", 2)]


@pytest.mark.parametrize(
    "text",
    [
        # the same person with and without a title or first name
        "Our data protection officer is Mrs Jane Smith.\nPlease write to Jane Smith, Data Protection Officer.",
        "Our data protection officer is Jane Smith.\nContact the DPO, Mrs Smith, with questions.",
        # the same address written in two cases
        "Email the DPO at DPO@school.example.com.\nOr email our DPO at dpo@school.example.com.",
        # different roles with different contacts are not an inconsistency
        "Our DPO is Jane Smith.\nOur headteacher is Tom Brown.",
        # the school office's address is not the DPO's
        "Contact the DPO or the school office at office@school.example.com.\nOur DPO: dpo@school.example.com.",
    ],
)
def test_consistent_contacts_are_not_flagged(text: str) -> None:
    assert [k for k, _ in kinds(text) if k == "inconsistent_contact"] == []


# --- the ICO -----------------------------------------------------------------------------------


def test_ico_named_without_contact_details() -> None:
    rep = check_notice(
        "Complaints\n\nYou have the right to complain to the Information Commissioner's Office."
    )
    assert rep.items["complaint_to_ico"].present
    assert [(p.kind, p.line) for p in rep.problems] == [("missing_ico_contact", 3)]


@pytest.mark.parametrize(
    "contact",
    ["at https://ico.org.uk/make-a-complaint/", "on 0303 123 1113", "at Wycliffe House, Wilmslow SK9 5AF"],
)
def test_ico_with_any_contact_detail_is_fine(contact: str) -> None:
    assert kinds(f"You can complain to the Information Commissioner's Office {contact}.") == []


def test_complaints_without_the_ico_is_a_missing_ico_contact() -> None:
    rep = check_notice("Complaints\n\nTo make a complaint, please contact our data protection officer.")
    assert not rep.items["complaint_to_ico"].present
    assert [(p.kind, p.line) for p in rep.problems] == [("missing_ico_contact", 3)]


def test_no_complaints_at_all_is_only_a_missing_item() -> None:
    rep = check_notice("We use pupil data to support learning.")
    assert not rep.items["complaint_to_ico"].present
    assert rep.problems == []


def test_ico_mentioned_for_something_else_is_not_a_complaint_route() -> None:
    text = "The ICO generally regards children aged 12 and above as mature enough to make a request."
    assert not present(text, "complaint_to_ico")


# --- item detection details ------------------------------------------------------------------------


def test_dpo_needs_contact_details() -> None:
    assert not present("To make a request, please contact our data protection officer.", "dpo_contact")
    assert present("Contact our data protection officer at dpo@school.example.com.", "dpo_contact")
    assert present("Please contact our DPO:\n- Jo Bloggs, 1 High Street, Town AB1 2CD", "dpo_contact")
    # the ICO's number is not the DPO's
    assert not present("Ask our DPO, or call the ICO on 0303 123 1113.", "dpo_contact")


def test_automated_decision_right_is_not_a_statement_about_it() -> None:
    assert not present("- object to decisions being taken by automated means", "automated_decision_making")
    assert present("We do not use automated decision-making or profiling.", "automated_decision_making")


def test_npd_named_bare_in_a_list_is_not_an_explanation() -> None:
    assert not present(
        "We routinely share pupil information with:\n- The National Pupil Database (NPD)",
        "national_pupil_database",
    )


def test_vague_retention_does_not_count() -> None:
    assert not present("We hold pupil data for the statutory recommended period.", "retention")
    assert present("We keep pupil records until the pupil's date of birth + 25 years.", "retention")


def test_rights_need_access_and_another_right() -> None:
    assert not present("You have the right to request access to information we hold about you.", "rights")
    assert present(
        "You have the right to request access to information we hold.\n- to have inaccurate data rectified",
        "rights",
    )
    # "not restricted to" is not the right to restriction
    assert not present(
        "Subject access requests are welcome. The data includes, but is not restricted to, names.", "rights"
    )


def test_npd_sources_sentence_is_not_the_schools_data_source() -> None:
    line = "This information is securely collected from a range of sources including schools and local authorities."
    assert not present(line, "data_source")
    assert present(
        "We receive data from the previous school through the common transfer file.", "data_source"
    )


def test_report_is_a_dataclass_graph() -> None:
    rep = check_notice("Hello")
    assert isinstance(rep, CheckReport)
    assert rep.present_count == 0 and rep.problem_lines("placeholder") == []
