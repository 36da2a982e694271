"""The checker on the five seed notices: real school and trust notices, copied into tests/notices/seeds/.

Each expectation below comes from reading the notice, not from running the checker: which Art 13/14
items it has, which it lacks, and each slip with its line. The reasons are in the comments.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from steward.notices.checker import CheckReport, check_file
from steward.notices.patterns import ITEM_KEYS

SEEDS = Path(__file__).parent / "seeds"


def report(name: str) -> CheckReport:
    return check_file(SEEDS / name)


def problems(rep: CheckReport) -> set[tuple[str, int]]:
    return {(p.kind, p.line) for p in rep.problems}


def evidence_lines(rep: CheckReport, key: str) -> list[int]:
    return [e.line for e in rep.items[key].evidence]


# --- 000: an alternative-provision notice built from a template whose lists were never filled in ------


def test_000_alternative_provision_template_with_empty_lists() -> None:
    rep = report("000_7bf0473a92b1a712.txt")
    assert set(rep.missing) == {
        "controller_identity",  # no school or trust is named anywhere
        "dpo_contact",  # no DPO at all
        "data_categories",  # "includes, but is not restricted to:" and then nothing (line 12)
        "lawful_basis",  # "Most commonly, we process it where:" and the list is missing (lines 16-18)
        "special_category_condition",  # "sensitive data" shared, no Art 9 condition
        "international_transfers",
        "retention",  # only "see our ... Policy"
        "rights",  # "You will find details about your rights" on the website: none listed
        "automated_decision_making",
        "data_source",
        "youth_support_services",
        "national_pupil_database",
    }
    # What it does say: the purpose (line 2), recipients (AP providers), consent can be withdrawn
    # (line 19, worded as "permission"), mandatory/optional (line 21), complain to the ICO (line 29).
    assert evidence_lines(rep, "purposes") == [2]
    assert 10 in evidence_lines(rep, "recipients")
    assert evidence_lines(rep, "withdraw_consent") == [19]
    assert evidence_lines(rep, "statutory_or_contractual_requirement") == [21]
    assert evidence_lines(rep, "complaint_to_ico") == [29]
    assert problems(rep) == {
        # Lead-ins promising lists that never came: each is followed by a heading or another lead-in.
        (
            "placeholder",
            12,
        ),  # "... includes, but is not restricted to:" -> heading "Purpose of sharing the data"
        ("placeholder", 14),  # "... in order to:" -> heading "The legal basis for sharing this data"
        ("placeholder", 16),  # "Most commonly, we process it where:" -> another lead-in
        ("placeholder", 17),  # "The processing is necessary for us to:" -> another lead-in
        ("placeholder", 18),  # "... in situations where:" -> a paragraph about withdrawing permission
        ("placeholder", 23),  # "... who may include but who are not limited to:" -> a heading
        # "You have the right to complain to the Information Commissioner's Office." and no way to reach it.
        ("missing_ico_contact", 29),
    }


# --- 001: Collaborative Learning Trust: a good DfE-model notice with 1998-era rights wording ---------


def test_001_collaborative_learning_trust() -> None:
    rep = report("001_e5220d7089e17ae0.txt")
    assert set(rep.missing) == {
        # The trust's name is a letterhead (line 5); nothing says who the controller is or how to reach it.
        "controller_identity",
        # "special category" data is listed (line 28) but no Art 9 condition is given.
        "special_category_condition",
        # Arbor, CPOMS, Tapestry, Class Dojo are named as recipients; nothing on transfers abroad.
        "international_transfers",
        # Only the right to object to automated decisions (line 136); no statement whether ADM happens.
        "automated_decision_making",
        # Only "information you provide to us"; nothing on data from previous schools, the LA or DfE.
        "data_source",
        # No youth support services section (the trust's schools look primary: Tapestry, Class Dojo).
        "youth_support_services",
    }
    assert evidence_lines(rep, "dpo_contact") == [
        149,
        151,
    ]  # "Richard Lewis-Ogden, Data Protection Officer" + email
    assert 65 in evidence_lines(rep, "retention")  # the IRMS toolkit, by (mis)name
    assert evidence_lines(rep, "complaint_to_ico") == [143]
    assert problems(rep) == {
        ("wrong_term", 53),  # "Keeping Children Safe in Education regulations": it is statutory guidance
        ("wrong_term", 65),  # "Information Records Management Society": the Information *and* Records ...
        (
            "outdated_law",
            135,
        ),  # object to processing "likely to cause ... damage or distress" (DPA 1998 s.10)
        ("outdated_law", 138),  # "rectified, blocked, erased or destroyed" (DPA 1998 s.14)
    }
    # The complaint line gives the ICO's website, number and address: no missing_ico_contact.
    assert not rep.problem_lines("missing_ico_contact")


# --- 002: Alsager MAT: the notice that still cites the Data Protection Act 1998 ---------------------


def test_002_alsager_cites_the_1998_act() -> None:
    rep = report("002_f50be4515bf686cb.txt")
    assert set(rep.missing) == {
        # "as part of our public functions" and "a statutory requirement": no Art 6 basis named.
        "lawful_basis",
        "special_category_condition",
        # "We hold pupil data for the statutory recommended period": neither a period nor criteria.
        "retention",
        "withdraw_consent",
        # The NPD appears only as a bare entry in the recipients list (line 45); nothing explains it.
        "national_pupil_database",
    }
    assert evidence_lines(rep, "controller_identity") == [
        5
    ]  # "We Alsager Multi Academy Trust (AMAT) collect ..."
    assert evidence_lines(rep, "international_transfers") == [97]  # "... transferred abroad and why? No"
    assert evidence_lines(rep, "automated_decision_making") == [95]
    assert evidence_lines(rep, "data_source") == [50]  # the Learning Records Service gives us the ULN
    assert problems(rep) == {
        (
            "outdated_law",
            5,
        ),  # "under both the Data Protection Act 1998 and General Data Protection Regulation"
        ("placeholder", 5),  # "[Section 537A of the Education Act 1996](#)"
        ("outdated_law", 28),  # "the General Data Protection Regulation": EU only; UK GDPR is never mentioned
        (
            "outdated_law",
            101,
        ),  # "the right under the Data Protection Act 1998 (General Data Protection Regulation)"
        ("outdated_law", 107),  # damage or distress
        ("outdated_law", 110),  # blocked
    }
    dpa_1998 = next(p for p in rep.problems if p.line == 5 and p.kind == "outdated_law")
    assert "Data Protection Act 1998 was repealed" in dpa_1998.advice
    assert "UK GDPR" in dpa_1998.advice


# --- 003: St Neots Learning Partnership: the DPO named two ways, links to "#" -----------------------


def test_003_st_neots_names_its_dpo_two_ways() -> None:
    rep = report("003_12312462d6893b60.txt")
    assert set(rep.missing) == {
        # Medical, ethnic background, SEN and safeguarding data listed; no Art 9 condition.
        "special_category_condition",
        # Line 144 promises to say *in a SAR reply* whether ADM is used, line 165 is the right to object:
        # neither says whether it happens.
        "automated_decision_making",
    }
    assert evidence_lines(rep, "controller_identity") == [17]
    assert evidence_lines(rep, "data_source") == [37]  # "received from other organisations ..."
    assert evidence_lines(rep, "international_transfers") == [129]
    assert problems(rep) == {
        ("placeholder", 78),  # [Information and Records Management Society's toolkit for schools](#)
        ("placeholder", 109),  # [National Pupil Database](#)
        ("placeholder", 115),  # [how it collects and shares research data](#)
        ("placeholder", 117),  # [contact the Department for Education](#)
        ("placeholder", 191),  # [Department for Education's model privacy notice](#)
        (
            "outdated_law",
            129,
        ),  # transfers "outside the European Economic Area": the UK rule is outside the UK
        ("outdated_law", 163),  # object ... "damage or distress"
        ("inconsistent_contact", 189),  # "Paul Stafford" on line 19, "Paul Stratford" here
    }
    dpo = next(p for p in rep.problems if p.kind == "inconsistent_contact")
    assert "Paul Stafford" in dpo.advice and "Paul Stratford" in dpo.advice and "line 19" in dpo.advice


# --- 004: University of Wolverhampton MAT: "National Student Database" and a pupil->student rewrite ----


def test_004_student_notice_with_national_student_database() -> None:
    rep = report("004_8b8c92d444d07b16.txt")
    assert set(rep.missing) == {
        "controller_identity",  # the trust is named only as a recipient (line 71)
        "dpo_contact",  # requests and questions go to "the Headteacher at your school"; no DPO at all
        "special_category_condition",  # line 35 borrows Art 9(2)(c) words but as a general basis
        "international_transfers",  # Google docs, OneDrive, ...: nothing said
        "withdraw_consent",
        "automated_decision_making",
        "data_source",  # line 99 is the DfE's sources for the NPD, not the school's
    }
    assert evidence_lines(rep, "lawful_basis") == [35]  # vital interests
    assert evidence_lines(rep, "retention") == [42]  # "Information Commissioners Guidance on data retention"
    assert problems(rep) == {
        ("wrong_term", 5),  # "unique student number": the UPN is the unique pupil number
        ("wrong_term", 33),  # "legitimate activities": Art 9(2)(d), for not-for-profit bodies
        ("outdated_law", 39),  # "General Data Protection Regulations", UK GDPR never mentioned
        ("placeholder", 70),  # "[bookmark: _GoBack]" Word residue
        ("wrong_term", 82),  # "(Information About Individual Students) (England) Regulations 2013"
        ("wrong_term", 96),  # "The National Student Database (NPD)"
        ("wrong_term", 99),  # "... Individual Students ..." again
        ("wrong_term", 102),  # .../national-student-database-user-guide...: no such page
        ("wrong_term", 110),  # "The Department of Education"
        ("wrong_term", 121),  # .../national-student-database-requests-received
        ("outdated_law", 129),  # damage or distress
        ("outdated_law", 132),  # blocked
    }


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_every_seed_report_has_every_item_key_and_quotes_its_lines(name: str) -> None:
    rep = report(name)
    assert tuple(rep.items) == ITEM_KEYS
    lines = (SEEDS / name).read_text(encoding="utf-8").splitlines()
    for item in rep.items.values():
        assert item.present == bool(item.evidence)
        for ev in item.evidence:
            assert lines[ev.line - 1].strip() == ev.text
    for problem in rep.problems:
        assert lines[problem.line - 1].strip() == problem.text
        assert problem.advice
