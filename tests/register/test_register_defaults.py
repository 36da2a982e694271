"""The default register and the systems catalogue: valid against the taxonomy and the law, complete,
and faithful to what the five seed notices say."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.organisations.models import School, Trust
from steward.register.choices import BASIS_INFO, PARAGRAPHS_FOR, Art9
from steward.register.defaults import (
    DefaultsError,
    catalogue,
    default_register,
    parse_catalogue,
    parse_default_register,
)
from steward.register.models import LawfulBasis, Purpose, Recipient, Register, RetentionRule, SpecialCondition
from steward.register.resolve import covers, specials_within
from steward.register.selectors import effective_register, register_problems
from steward.register.services import load_default_register
from steward.registry.taxonomy import taxonomy

D = default_register()


def _all_category_keys() -> list[tuple[str, str]]:
    """(where, key) for every taxonomy key the default register and the catalogue name."""
    keys: list[tuple[str, str]] = []
    for p in D.purposes:
        keys += [(f"purpose {p['key']} condition", c["category_key"]) for c in p.get("conditions", [])]
    keys += [("category use", u["category_key"]) for u in D.categories]
    for r in D.recipients:
        keys += [(f"recipient {r['key']}", k) for k in r["categories"]]
    for s in D.systems:
        keys += [(f"system {s['key']}", k) for k in s["categories"]]
    keys += [(f"retention {r['key']}", r["category_key"]) for r in D.retention]
    for s in catalogue().systems:
        keys += [(f"catalogue {s.key}", k) for k in s.categories]
    return keys


def test_every_category_key_in_the_defaults_and_catalogue_exists_in_the_taxonomy() -> None:
    tax = taxonomy()
    bad = [(where, key) for where, key in _all_category_keys() if key not in tax or not tax.get(key).personal]
    assert bad == []
    assert len(_all_category_keys()) > 250


def _conditions() -> dict[str, list[dict[str, Any]]]:
    return {p["key"]: p.get("conditions", []) for p in D.purposes}


def test_every_special_category_used_or_shared_has_an_art9_condition_in_its_purpose() -> None:
    conds = {k: [c["category_key"] for c in v] for k, v in _conditions().items()}
    missing = []
    for use in D.categories:
        for purpose in use["purposes"]:
            for special in specials_within(use["category_key"]):
                if not any(covers(c, special) for c in conds[purpose]):
                    missing.append((use["category_key"], purpose, special))
    for rec in D.recipients:
        for key in rec["categories"]:
            for special in specials_within(key):
                if not any(covers(c, special) for p in rec["purposes"] for c in conds[p]):
                    missing.append((rec["key"], ",".join(rec["purposes"]), special))
    assert missing == []


def test_conditions_cite_a_schedule_1_paragraph_exactly_where_the_law_needs_one() -> None:
    seen: set[str] = set()
    for purpose, conditions in _conditions().items():
        for c in conditions:
            seen.add(c["condition"])
            allowed = PARAGRAPHS_FOR.get(c["condition"])
            para = c.get("schedule_1_paragraph")
            if allowed is None:
                assert para is None, (purpose, c)
            else:
                assert para in allowed, (purpose, c)
            assert taxonomy().get(c["category_key"]).special, (purpose, c)
    assert seen == {Art9.SUBSTANTIAL_PUBLIC_INTEREST, Art9.VITAL_INTERESTS}


def test_legal_obligation_and_public_task_bases_cite_legislation() -> None:
    for p in D.purposes:
        assert p["bases"], p["key"]
        for b in p["bases"]:
            if BASIS_INFO[b["basis"]].needs_legislation:
                assert b.get("legislation", "").strip(), (p["key"], b)
            assert "1998" not in b.get("legislation", "") or "School Standards" in b["legislation"]


def test_the_default_register_cites_the_laws_the_seeds_rely_on() -> None:
    text = " ".join(b.get("legislation", "") for p in D.purposes for b in p["bases"]) + " ".join(
        r["legal_gateway"] for r in D.recipients
    )
    for law in [
        "Education Act 1996 s537A",  # seeds 002, 004 (census)
        "The Education (Information About Individual Pupils) (England) Regulations 2013",  # 001, 002, 004
        "The Education (Pupil Information) (England) Regulations 2005",  # 001
        "Keeping Children Safe in Education",  # 001
        "Education Act 1996 s507B",  # 002, 003, 004 (youth support)
        "Education Act 2002",  # 001
        "School Attendance (Pupil Registration) (England) Regulations 2024",  # rules.md §5
        "Children Act 1989",
        "Children Act 2004",
    ]:
        assert law in text, law
    # The seeds' slips are not reproduced.
    assert "Data Protection Act 1998" not in text
    assert "National Student Database" not in str(D)
    assert "Individual Students" not in str(D)


def test_the_default_register_reproduces_the_seeds_purposes_recipients_and_systems() -> None:
    purposes = [p["key"] for p in D.purposes]
    assert purposes == [
        "support_learning",
        "monitor_progress",
        "pastoral_care",
        "keep_safe",
        "assess_quality",
        "statutory_returns",
        "admissions",
        "alternative_provision",
        "youth_support",
        "admin_communication",
        "school_meals",
        "trips",
        "health_safety",
        "educational_software",
        "library",
        "publicity",
        "research",
    ]
    recipients = {r["key"]: r for r in D.recipients}
    assert list(recipients) == [
        "dfe",
        "npd",
        "local_authority",
        "childrens_social_care",
        "youth_support_13",
        "youth_support_16",
        "next_school",
        "ap_providers",
        "trust_schools",
        "nhs",
        "police_courts",
        "ofsted",
        "sta",
        "exam_boards",
        "auditors",
        "suppliers",
        "family",
        "research_organisations",
    ]
    assert recipients["npd"]["npd"] is True
    assert recipients["youth_support_13"]["youth_support_13"] is True
    assert recipients["youth_support_16"]["youth_support_16"] is True
    # Seed 000: AP providers are case by case, under a data sharing agreement.
    assert recipients["ap_providers"]["sharing"] == "case_by_case"
    assert recipients["ap_providers"]["dsa_required"] is True
    assert [s["key"] for s in D.systems] == [
        "mis",
        "safeguarding_records",
        "payments_communication",
        "email_cloud",
        "assessment_tracking",
        "learning_platforms",
        "visits",
        "library",
        "cctv",
    ]
    # Every seed is reflected somewhere.
    seen = {
        s
        for section in (D.purposes, D.categories, D.recipients, D.systems)
        for i in section
        for s in i.get("seen_in", [])
    }
    assert seen == {"000", "001", "002", "003", "004"}
    assert D.register == {
        "automated_decisions": False,
        "profiling": False,
        "adm_description": "",
        "youth_support_model": "object",
    }


def test_retention_rules_carry_the_status_rules_md_gives_them() -> None:
    status = {r["key"]: r["status"] for r in D.retention}
    assert sorted(k for k, v in status.items() if v == "confirmed") == [
        "accident_book",
        "admission_register",
        "attendance_register",
        "child_protection_file",
        "child_protection_transfer",
        "pupil_record_last_school",
        "pupil_record_primary",
        "riddor_reports",
        "sen_files",
    ]
    assert sorted(k for k, v in status.items() if v == "local_choice") == [
        "parent_details_last_school",
        "parent_details_primary",
        "photographs",
    ]
    rules = {r["key"]: r for r in D.retention}
    assert (rules["sen_files"]["trigger"], rules["sen_files"]["years"]) == ("date_of_birth", 31)
    assert (rules["attendance_register"]["trigger"], rules["attendance_register"]["years"]) == (
        "entry_date",
        6,
    )
    assert (rules["cctv_footage"]["days"], rules["cctv_footage"]["status"]) == (30, "unconfirmed")


def test_catalogue_lists_the_systems_schools_use_and_claims_no_hosting() -> None:
    c = catalogue()
    keys = {s.key for s in c.systems}
    assert {
        "arbor",
        "sims",
        "bromcom",
        "scholarpack",
        "cpoms",
        "myconcern",
        "parentpay",
        "parentmail",
        "schoolcomms",
        "teachers2parents",
        "target_tracker",
        "insight",
        "sisra",
        "google_workspace",
        "microsoft_365",
        "seesaw",
        "tapestry",
        "evolve",
        "cctv",
        "crb_cunninghams",
        "nationwide_retail_systems",
    } <= keys
    assert all(s.hosting_location == "" for s in c.systems)
    assert {s.function for s in c.systems if s.key in {"arbor", "sims", "bromcom", "scholarpack"}} == {"mis"}


def test_malformed_data_files_fail_loudly() -> None:
    with pytest.raises(DefaultsError, match=r"purposes\[0\]: unknown field\(s\) colour"):
        parse_default_register('version = "x"\n[[purposes]]\nkey = "a"\ncolour = "red"\n')
    with pytest.raises(DefaultsError, match="missing `version`"):
        parse_default_register("[register]\n")
    with pytest.raises(DefaultsError, match="key 'a' repeats"):
        parse_catalogue(
            'version = "x"\n[[systems]]\nkey = "a"\nname = "A"\nfunction = "mis"\ncategories = []\n'
            '[[systems]]\nkey = "a"\nname = "B"\nfunction = "mis"\ncategories = []\n'
        )


# --- loaded into the database ------------------------------------------------------------------


def test_defaults_load_and_a_school_whose_trust_has_a_dpo_has_no_problems(
    loaded: Register, school_a: School, school_b: School
) -> None:
    assert loaded.defaults_version == D.version == "2026.2"
    assert Purpose.objects.filter(trust=loaded.trust).count() == 17
    assert LawfulBasis.objects.filter(purpose__trust=loaded.trust).count() == 22
    assert SpecialCondition.objects.filter(purpose__trust=loaded.trust).count() == 21
    assert Recipient.objects.filter(trust=loaded.trust).count() == 18
    assert RetentionRule.objects.filter(trust=loaded.trust).count() == 24
    assert register_problems(school_a) == []
    assert register_problems(school_b) == []


def test_every_loaded_basis_of_legal_obligation_or_public_task_cites_legislation(loaded: Register) -> None:
    bases = LawfulBasis.objects.filter(
        purpose__trust=loaded.trust, basis__in=["legal_obligation", "public_task"]
    )
    assert bases.count() == 17
    assert not bases.filter(legislation="").exists()


def test_phase_decides_youth_support_npd_and_the_pupil_record_rule(
    loaded: Register, school_a: School, school_b: School
) -> None:
    primary, secondary = effective_register(school_a), effective_register(school_b)
    assert (primary.youth_support_13, primary.youth_support_16, primary.npd) == (False, False, True)
    assert (secondary.youth_support_13, secondary.youth_support_16, secondary.npd) == (True, True, True)
    assert "youth_support" not in [p.key for p in primary.purposes]
    assert len(primary.purposes) == 16 and len(secondary.purposes) == 17
    pupil_rules = {
        v.school_phase: [r for r in v.retention if r.category.key == "pupil"] for v in (primary, secondary)
    }
    assert [(r.key, r.summary) for r in pupil_rules["primary"]] == [
        ("pupil_record_primary", "while the pupil is on roll, then transfer to the next school")
    ]
    assert [(r.key, r.summary) for r in pupil_rules["secondary"]] == [
        (
            "pupil_record_last_school",
            "the pupil's date of birth + 25 years, then review, then secure disposal unless there is a reason to keep it",
        )
    ]
    assert "sta" in [r.key for r in primary.recipients] and "sta" not in [r.key for r in secondary.recipients]
    assert "exam_boards" in [r.key for r in secondary.recipients]


def test_the_view_the_notice_compiler_reads(loaded: Register, school_b: School) -> None:
    view = effective_register(school_b)
    assert view.exists and view.controller.name == "Oakfield Learning Trust"
    assert (view.dpo.name, view.dpo.email) == ("Dana Protector", "dpo@oakfield.example.com")
    keep_safe = view.purpose("keep_safe")
    assert [b.basis for b in keep_safe.bases] == ["legal_obligation", "vital_interests"]
    assert keep_safe.bases[0].article == "UK GDPR Art 6(1)(c)"
    assert "Keeping Children Safe in Education" in keep_safe.bases[0].legislation
    safeguarding = [c for c in keep_safe.conditions if c.category.key == "pupil.safeguarding"]
    assert [c.citation for c in safeguarding] == [
        "UK GDPR Art 9(2)(g); DPA 2018 Sch 1 Pt 2 para 18 (Safeguarding of children and of individuals at risk)"
    ]
    groups = {g.key: g for g in view.categories}
    assert list(groups)[:4] == ["pupil.identity", "pupil.contact", "pupil.characteristics", "pupil.enrolment"]
    assert groups["pupil.health"].label == "Medical and health" and groups["pupil.health"].special
    assert [u.category.key for u in groups["contact"].uses] == [
        "contact.identity",
        "contact.details",
        "contact.relationship",
        "contact.legal",
    ]
    ethnicity = groups["pupil.characteristics"].uses[0]
    assert (ethnicity.category.key, ethnicity.provision, ethnicity.mandatory) == (
        "pupil.characteristics.ethnicity",
        "optional",
        False,
    )
    uln = next(u for u in view.uses if u.category.key == "pupil.identity.uln")
    assert uln.source_labels == ("The Learning Records Service",)
    dfe = view.recipient("dfe")
    assert (dfe.lawful_basis.short, dfe.routine, dfe.npd) == ("legal obligation", True, False)
    assert view.adm.any is False and view.consent_based is True
    assert view.international_transfers == () and len(view.transfers_unconfirmed) == 9
    data = view.as_data()
    assert data["flags"] == {
        "youth_support_13": True,
        "youth_support_16": True,
        "npd": True,
        "automated_decisions": False,
        "consent_based": True,
        "international_transfers": False,
    }


def test_for_audience_keeps_what_each_notice_needs(loaded: Register, school_b: School) -> None:
    view = effective_register(school_b)
    pupil, parent, ap = (view.for_audience(a) for a in ("pupil", "parent", "ap"))
    assert "admissions" in [p.key for p in parent.purposes] and "admissions" not in [
        p.key for p in pupil.purposes
    ]
    assert [p.key for p in ap.purposes] == [
        "support_learning",
        "monitor_progress",
        "pastoral_care",
        "keep_safe",
        "statutory_returns",
        "alternative_provision",
    ]
    assert "ap_providers" in [r.key for r in ap.recipients]
    assert all(c.purpose_key in {p.key for p in ap.purposes} for c in ap.conditions)
    assert ap.audience == "ap" and ap.youth_support_13 is False
    with pytest.raises(ValueError, match="unknown audience 'staff'"):
        view.for_audience("staff")


def test_loading_twice_is_refused_and_replace_gives_the_same_register(
    loaded: Register, trust: Trust, users: dict[str, Any], school_a: School
) -> None:
    before = effective_register(school_a).as_data()
    with acting_as(users["trust_dpo"], channel="cli"), pytest.raises(ValidationError) as exc:
        load_default_register(trust, actor=users["trust_dpo"])
    assert exc.value.message_dict["trust"] == [
        "Oakfield Learning Trust already has a register (loaded from the default register 2026.2). Replace it "
        "(school overrides included) with replace=True, or edit it."
    ]
    with acting_as(users["trust_dpo"], channel="cli"):
        load_default_register(trust, actor=users["trust_dpo"], replace=True)
        load_default_register(trust, actor=users["trust_dpo"], replace=True)
    assert effective_register(school_a).as_data() == before
    assert Register.objects.filter(trust=trust).count() == 1
    loads = AuditEvent.objects.filter(model="register.Register", action="import").order_by("id")
    assert [(e.actor_label, e.detail["replaced"], e.detail["version"]) for e in loads] == [
        ("dpo", False, "2026.2"),
        ("dpo", True, "2026.2"),
        ("dpo", True, "2026.2"),
    ]


def test_a_trust_with_no_register_or_no_dpo_contact_has_problems(
    trust: Trust, school_a: School, loaded: Register, system: Any
) -> None:
    other = Trust.objects.create(name="Elmwood Trust")
    school = School.objects.create(
        trust=other,
        urn="100003",
        la_code="201",
        estab="5001",
        name="Elmwood Primary",
        phase="primary",
        school_type="academy",
    )
    assert [p.code for p in register_problems(school)] == ["no_register"]
    trust.dpo_email = ""
    trust.save()
    school_a.refresh_from_db()
    problems = register_problems(school_a)
    assert [(p.code, p.field) for p in problems] == [("no_dpo_contact", "dpo_email")]
    school_a.dpo_name, school_a.dpo_email = "Sam Lead", "dpl@oakfield-primary.example.com"
    school_a.save()  # a school's own DPO contact is enough
    assert register_problems(school_a) == []
