"""The automatic third-party redaction pass: matching rules, patterns, spans, and the register."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.conftest import make_pupil, make_upn

from steward.core.validators import uln_check_digit, upn_check_letter
from steward.people.models import Contact, PupilAddress, PupilContact
from steward.rights.redaction import (
    Kind,
    KnownPerson,
    Matcher,
    ReasonCode,
    Redaction,
    apply,
    build_matcher,
    known_people_for,
    merge,
    redact,
)

SUBJECT = KnownPerson(
    kind="pupil",
    id="pupil:1",
    forenames=("Thomas", "Tom"),
    surnames=("Fairbrother",),
    emails=("tom.fairbrother@pupils.example.com",),
    addresses=("7 Heron Drive",),
    postcodes=("MB1 4HX",),
    upns=(make_upn("201", "3001", 1),),
)
PARENT = KnownPerson(
    "contact", "contact:1", ("Rebecca",), ("Fairbrother",), ("rebecca.f@example.org",), ("07700 900001",)
)
SAM = KnownPerson("pupil", "pupil:2", ("Samuel", "Sam"), ("Taylor",))
SISTER = KnownPerson("pupil", "pupil:3", ("Ella",), ("Fairbrother",))
GRACE = KnownPerson("pupil", "pupil:4", ("Grace",), ("O'Neill",))
MAY = KnownPerson("pupil", "pupil:5", ("May",), ("Smith-Jones",))
WILL = KnownPerson("pupil", "pupil:6", ("Will",), ("Young",))
DAD = KnownPerson(
    "contact",
    "contact:2",
    ("Gareth",),
    ("Kettering",),
    emails=("gareth.k@example.com",),
    phones=("07700 900123",),
    addresses=("12 Larkspur Lane",),
    postcodes=("MB2 3HT",),
)


@pytest.fixture
def matcher() -> Matcher:
    return build_matcher([SAM, SISTER, GRACE, MAY, WILL, DAD], protected=[SUBJECT, PARENT])


def found(text: str, m: Matcher) -> list[tuple[str, str]]:
    return [(r.kind.value, r.text) for r in redact(text, m).redactions]


def test_full_name_is_one_span_with_the_person(matcher: Matcher) -> None:
    result = redact("Tom pushed Sam Taylor.", matcher)
    assert [(r.start, r.end, r.text, r.kind, r.person_id) for r in result.redactions] == [
        (11, 21, "Sam Taylor", Kind.NAME, "pupil:2")
    ]
    assert result.redactions[0].reason is ReasonCode.THIRD_PARTY


def test_surname_alone_forename_alone_and_preferred_name(matcher: Matcher) -> None:
    assert found("Mrs Kettering phoned about Samuel and Sam.", matcher) == [
        ("name", "Kettering"),
        ("name", "Samuel"),
        ("name", "Sam"),
    ]


def test_possessive_and_lower_case(matcher: Matcher) -> None:
    assert found("Sam's bag and sam’s coat", matcher) == [("name", "Sam"), ("name", "sam")]
    assert apply("Sam's bag", redact("Sam's bag", matcher).redactions) == "[REDACTED: third party]'s bag"


def test_hyphenated_and_apostrophe_names(matcher: Matcher) -> None:
    assert found("O'Neill and O’Neill met Smith-Jones.", matcher) == [
        ("name", "O'Neill"),
        ("name", "O’Neill"),
        ("name", "Smith-Jones"),
    ]
    # Known in part only: the known part of a double-barrelled name.
    m = build_matcher([KnownPerson("pupil", "pupil:9", ("Ann",), ("Smith",))])
    assert found("Smith-Brown", m) == [("name", "Smith")]


def test_subject_names_and_shared_surname(matcher: Matcher) -> None:
    # The subject's own names stay; a sibling's surname alone is ambiguous and stays, but the
    # sibling's full name is redacted.
    assert found("Thomas Fairbrother (Tom) and Fairbrother sat with Ella Fairbrother.", matcher) == [
        ("name", "Ella Fairbrother")
    ]


def test_namesake_of_the_subject_is_not_redacted() -> None:
    namesake = KnownPerson("pupil", "pupil:8", ("Thomas",), ("Fairbrother",))
    m = build_matcher([namesake, SAM], protected=[SUBJECT])
    assert found("Thomas Fairbrother sat with Sam Taylor's group.", m) == [("name", "Sam Taylor")]


def test_subject_details_are_not_redacted(matcher: Matcher) -> None:
    text = (
        "Tom lives at 7 Heron Drive, MB1 4HX, email tom.fairbrother@pupils.example.com, "
        f"UPN {SUBJECT.upns[0]}."
    )
    assert found(text, matcher) == []


def test_requesting_parent_kept_and_other_parent_redacted(matcher: Matcher) -> None:
    text = "Rebecca Fairbrother (07700 900001, rebecca.f@example.org) said Gareth Kettering moved."
    assert found(text, matcher) == [("name", "Gareth Kettering")]
    # Without keep, the parent is a third party like anyone else.
    m = build_matcher([PARENT, DAD], protected=[SUBJECT])
    assert found(text, m) == [
        ("name", "Rebecca Fairbrother"),
        ("phone", "07700 900001"),
        ("email", "rebecca.f@example.org"),
        ("name", "Gareth Kettering"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The library will close in May.", []),
        ("Books returned on 3 May 2025.", []),
        ("May I ask for an update?", []),
        ("Will you call me?", []),
        ("I will ask; we hope so.", []),
        ("Young people use the side gate.", []),
        ("May cried after lunch.", [("name", "May")]),
        ("Tom sat next to May.", [("name", "May")]),
        ("Tom sat next to Will and Grace.", [("name", "Will"), ("name", "Grace")]),
        ("Will was upset.", [("name", "Will")]),
        ("Will Young and Grace's friend", [("name", "Will Young"), ("name", "Grace")]),
        ("There was grace and hope.", []),
    ],
)
def test_names_that_are_ordinary_words(matcher: Matcher, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text, matcher) == expected


def test_emails_and_uk_phone_numbers(matcher: Matcher) -> None:
    text = (
        "Call 07700 900123, 07700900456, +44 7700 900789, +44 (0)1632 960001, (01632) 960002, "
        "0161 496 0003 or 020 7946 0004; not 12345 or 0999 123. Email gareth.k@example.com."
    )
    assert found(text, matcher) == [
        ("phone", "07700 900123"),
        ("phone", "07700900456"),
        ("phone", "+44 7700 900789"),
        ("phone", "+44 (0)1632 960001"),
        ("phone", "(01632) 960002"),
        ("phone", "0161 496 0003"),
        ("phone", "020 7946 0004"),
        ("email", "gareth.k@example.com"),
    ]
    assert redact("07700 900123", matcher).redactions[0].person_id == "contact:2"


def test_upn_needs_a_correct_check_letter(matcher: Matcher) -> None:
    good = make_upn("201", "3001", 42)
    wrong = ("A" if good[0] != "A" else "B") + good[1:]
    assert found(f"UPN {good}, typo {wrong}", matcher) == [("upn", good)]


def test_uln_needs_a_correct_check_digit(matcher: Matcher) -> None:
    nine = "123456789"
    check = uln_check_digit(nine)
    assert check is not None
    good = f"{nine}{check}"
    wrong = f"{nine}{(check + 1) % 10}"
    assert found(f"ULN {good}, not {wrong}", matcher) == [("uln", good)]


def test_postcodes_and_addresses(matcher: Matcher) -> None:
    text = "Moved to 12 Larkspur Lane, MB2 3HT; before that Flat 2, 40 Quarry Hill, LS1 4AP. Room 12."
    assert found(text, matcher) == [
        ("address", "12 Larkspur Lane"),
        ("postcode", "MB2 3HT"),
        ("address", "Flat 2, 40 Quarry Hill"),
        ("postcode", "LS1 4AP"),
    ]
    # A known address of another person is found without its house number pattern too.
    m = build_matcher([KnownPerson("contact", "contact:7", addresses=("Rose Cottage",))])
    assert found("She lives at Rose Cottage.", m) == [("address", "Rose Cottage")]


def test_name_inside_an_email_is_absorbed(matcher: Matcher) -> None:
    assert found("sam.taylor@example.com", matcher) == [("email", "sam.taylor@example.com")]


def test_merge_overlapping_spans() -> None:
    a = Redaction(0, 5, "Sam T", Kind.NAME)
    b = Redaction(4, 10, "Taylor", Kind.OTHER, source="manual")
    c = Redaction(12, 14, "xx", Kind.OTHER)
    merged = merge([b, c, a])
    assert [(r.start, r.end, r.kind) for r in merged] == [(0, 10, Kind.OTHER), (12, 14, Kind.OTHER)]


def test_apply_styles_review_and_reasons(matcher: Matcher) -> None:
    text = "Sam Taylor met Grace at 12 Larkspur Lane."
    result = redact(text, matcher, reason=ReasonCode.SAFEGUARDING_EXEMPTION)
    assert {r.reason for r in result.redactions} == {ReasonCode.SAFEGUARDING_EXEMPTION}
    assert result.apply() == (
        "[REDACTED: safeguarding exemption] met [REDACTED: safeguarding exemption] at "
        "[REDACTED: safeguarding exemption]."
    )
    assert result.apply("block") == "██████████ met █████ at ████████████████."
    # Review: remove one, add one.
    result.redactions[1].accepted = False
    added = result.add(0, 3, kind=Kind.NAME, reason=ReasonCode.THIRD_PARTY)
    assert added.source == "manual" and added.text == "Sam"
    assert [r.text for r in result.accepted()] == ["Sam Taylor", "Sam", "12 Larkspur Lane"]
    assert apply(text, result.redactions, style="block") == "██████████ met Grace at ████████████████."
    with pytest.raises(ValueError, match="outside"):
        result.add(5, 500)


# ---------------------------------------------------------------------------------------------
# From the database


def test_known_people_for(
    trust: Any, school_a: Any, school_b: Any, users: dict[str, Any], system: Any
) -> None:
    subject = make_pupil(
        trust, school_a, 1, legal_forename="Matilda", preferred_forename="Tilly", legal_surname="Fairbrother",
        email="tilly@pupils.example.com",
    )  # fmt: skip
    other = make_pupil(trust, school_b, 2, legal_forename="Samuel", preferred_forename="Sam",
                       legal_surname="Taylor", former_surname="Ashdown")  # fmt: skip
    PupilAddress.objects.create(pupil=subject, line1="7 Heron Drive", postcode="MB1 4HX")
    PupilAddress.objects.create(pupil=other, line1="9 Foxglove Close", postcode="MB3 2AB")
    mum = Contact.objects.create(trust=trust, forename="Rebecca", surname="Fairbrother",
                                 phone_mobile="07700 900001", address_line1="7 Heron Drive")  # fmt: skip
    dad = Contact.objects.create(trust=trust, forename="Gareth", surname="Kettering", email="g.k@example.com")
    for c in (mum, dad):
        PupilContact.objects.create(
            pupil=subject, contact=c, relationship="PAR", parental_responsibility=True
        )
    teacher = users["teacher"]
    teacher.first_name, teacher.last_name = "Judith", "Hargreaves"
    teacher.save()

    people = known_people_for(subject, school=school_a, keep={f"contact:{mum.pk}"})
    assert [p.id for p in people.protected] == [f"pupil:{subject.pk}", f"contact:{mum.pk}"]
    assert {p.id for p in people.others} == {f"pupil:{other.pk}", f"contact:{dad.pk}"}
    sam = next(p for p in people.others if p.kind == "pupil")
    assert sam.forenames == ("Samuel", "Sam") and sam.surnames == ("Taylor", "Ashdown")
    assert sam.addresses == ("9 Foxglove Close",) and sam.upns == (other.upn,)

    text = (
        "Tilly Fairbrother (7 Heron Drive, MB1 4HX) said Sam Ashdown and Gareth told Mrs Hargreaves. "
        "Rebecca Fairbrother rang from 07700 900001."
    )
    assert found(text, people.matcher()) == [("name", "Sam Ashdown"), ("name", "Gareth")]

    # Staff acting in their professional role stay unless the policy flag asks otherwise.
    with_staff = known_people_for(subject, school=school_a, keep={f"contact:{mum.pk}"}, redact_staff=True)
    assert f"staff:{teacher.pk}" in {p.id for p in with_staff.others}
    assert found(text, with_staff.matcher()) == [
        ("name", "Sam Ashdown"),
        ("name", "Gareth"),
        ("name", "Hargreaves"),
    ]


# ---------------------------------------------------------------------------------------------
# The labelled set (bench/redaction.py) at a small size: a quality check, not a timing one.


def _bench() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "bench" / "redaction.py"
    spec = importlib.util.spec_from_file_location("bench_redaction", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_labelled_set_recall_on_names() -> None:
    bench = _bench()
    world = bench.build_world(200, seed=3)
    passages = bench.build_passages(world, 120, seed=3)
    sc = bench.score(passages, bench.steward_spans(world, passages))
    assert sc.all_gold["name"] > 200
    assert sc.tp_gold["name"] / sc.all_gold["name"] >= 0.98
    for kind in ("email", "phone", "upn", "uln", "postcode", "address"):
        assert sc.tp_gold[kind] == sc.all_gold[kind], kind
    assert sum(sc.tp_pred.values()) / sum(sc.all_pred.values()) >= 0.95


def test_upn_helper_is_consistent() -> None:
    body = "201300100042"
    assert make_upn("201", "3001", 42, "00") == upn_check_letter(body) + body
