"""Register edits: refusals that name the field, who may edit, per-school overrides, audit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from tests.conftest import make_user

from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.audit.services import verify_chain
from steward.organisations.models import School, Trust
from steward.register import services
from steward.register.models import (
    CategoryUse,
    LawfulBasis,
    Purpose,
    Recipient,
    Register,
    RetentionRule,
    SpecialCondition,
    System,
)
from steward.register.selectors import effective_register, register_problems

PUBLIC_TASK = {"basis": "public_task", "legislation": "Education Act 1996"}


def _purpose(trust: Trust, key: str, school: School | None = None) -> Purpose:
    return Purpose.objects.get(trust=trust, key=key, school=school)


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- refusals ----------------------------------------------------------------------------------


def test_a_purpose_without_a_lawful_basis_is_refused(loaded: Register, trust: Trust, dpo: Any) -> None:
    before = Purpose.objects.count()
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.purpose_create(
            actor=dpo,
            trust=trust,
            key="clubs",
            name="After-school clubs",
            description="Running clubs.",
            bases=[],
        )
    assert _messages(exc) == {
        "bases": [
            "An active purpose needs at least one lawful basis (UK GDPR Art 6(1)); add one, or create the "
            "purpose inactive."
        ]
    }
    assert Purpose.objects.count() == before


def test_removing_the_last_basis_of_an_active_purpose_is_refused(
    loaded: Register, trust: Trust, dpo: Any
) -> None:
    library = _purpose(trust, "library")
    (only,) = library.bases.all()
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.basis_remove(actor=dpo, basis=only)
    assert _messages(exc) == {
        "basis": [
            "The purpose 'Library' (library) is active but has no lawful basis (UK GDPR Art 6(1)): add one, "
            "or make the purpose inactive."
        ]
    }
    assert library.bases.count() == 1
    # With a second basis the first can go.
    with acting_as(dpo, channel="web"):
        services.basis_add(actor=dpo, purpose=library, basis="consent", explanation="Optional e-book loans.")
        services.basis_remove(actor=dpo, basis=only)
    assert [b.basis for b in library.bases.all()] == ["consent"]


def test_making_a_purpose_without_a_basis_active_is_refused(loaded: Register, trust: Trust, dpo: Any) -> None:
    with acting_as(dpo, channel="web"):
        draft = services.purpose_create(
            actor=dpo, trust=trust, key="clubs", name="Clubs", description="Clubs.", bases=[], active=False
        )
        with pytest.raises(ValidationError) as exc:
            services.purpose_update(actor=dpo, purpose=draft, active=True)
    assert list(_messages(exc)) == ["active"]
    assert "'Clubs' (clubs) is active but has no lawful basis" in _messages(exc)["active"][0]
    draft.refresh_from_db()
    assert draft.active is False


@pytest.mark.parametrize(
    ("basis", "field", "message"),
    [
        (
            {"basis": "legal_obligation"},
            "bases[0].legislation",
            "Legal obligation (UK GDPR Art 6(1)(c)) must cite the legislation it rests on (Art 6(3)), e.g. "
            "Education Act 1996 s537A.",
        ),
        (
            {"basis": "public_task", "legislation": "  "},
            "bases[0].legislation",
            "Public task (UK GDPR Art 6(1)(e)) must cite the legislation it rests on (Art 6(3)), e.g. Education "
            "Act 1996 s537A.",
        ),
        (
            {"basis": "public_task", "legislation": "Data Protection Act 1998"},
            "bases[0].legislation",
            "The Data Protection Act 1998 was repealed on 25 May 2018: cite the UK GDPR and the Data Protection "
            "Act 2018 instead.",
        ),
        (
            {"basis": "legitimate_interests"},
            "bases[0].legitimate_interests",
            "Say what the legitimate interests are (UK GDPR Art 13(1)(d)). Note that a school, as a public "
            "authority, cannot rely on them for processing in the performance of its tasks.",
        ),
        ({"basis": "whim"}, "bases[0].basis", "Value 'whim' is not a valid choice."),
    ],
)
def test_bases_must_cite_their_law(
    loaded: Register, trust: Trust, dpo: Any, basis: dict[str, str], field: str, message: str
) -> None:
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.purpose_create(
            actor=dpo, trust=trust, key="clubs", name="Clubs", description="Clubs.", bases=[basis]
        )
    assert _messages(exc)[field] == [message]
    assert not Purpose.objects.filter(key="clubs").exists()


@pytest.mark.parametrize(
    ("condition", "field", "message"),
    [
        (
            {"category_key": "pupil.health", "condition": "substantial_public_interest"},
            "schedule_1_paragraph",
            "Substantial public interest (UK GDPR Art 9(2)(g)) needs a condition in DPA 2018 Schedule 1: a Part 2 "
            "paragraph (6-28), e.g. para 6 statutory purposes or para 18 safeguarding.",
        ),
        (
            {"category_key": "pupil.health", "condition": "health_care", "schedule_1_paragraph": 6},
            "schedule_1_paragraph",
            "Health or social care (UK GDPR Art 9(2)(h)) needs a condition in DPA 2018 Schedule 1: para 2.",
        ),
        (
            {"category_key": "pupil.health", "condition": "vital_interests", "schedule_1_paragraph": 18},
            "schedule_1_paragraph",
            "Vital interests (UK GDPR Art 9(2)(c)) needs no Schedule 1 paragraph; leave it empty.",
        ),
        (
            {"category_key": "pupil.attendance", "condition": "explicit_consent"},
            "category_key",
            "Attendance (pupil.attendance) is not special category data: it needs no Art 9 condition.",
        ),
        (
            {"category_key": "pupil.shoe_size", "condition": "explicit_consent"},
            "category_key",
            "Unknown data category 'pupil.shoe_size': use a key from the taxonomy 2026.3, e.g. pupil.health.allergy.",
        ),
    ],
)
def test_conditions_need_the_right_schedule_1_paragraph(
    loaded: Register, trust: Trust, dpo: Any, condition: dict[str, Any], field: str, message: str
) -> None:
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.condition_add(actor=dpo, purpose=_purpose(trust, "library"), **condition)
    assert _messages(exc)[field] == [message]


def test_a_special_category_used_in_a_purpose_without_a_condition_is_refused(
    loaded: Register, trust: Trust, dpo: Any
) -> None:
    use = CategoryUse.objects.get(trust=trust, category_key="pupil.health.allergy", school=None)
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.category_use_upsert(
            actor=dpo, trust=trust, category_key="pupil.health.allergy", purposes=[*use.purposes, "library"]
        )
    assert _messages(exc) == {
        "purposes": [
            "Allergies and dietary needs (pupil.health.allergy) is special category data used for 'Library' "
            "(library), which has no Art 9 condition for it: add one (UK GDPR Art 9(2) with its DPA 2018 "
            "Schedule 1 paragraph) first."
        ]
    }
    use.refresh_from_db()
    assert "library" not in use.purposes
    # Once the purpose has a condition, the same edit goes through.
    with acting_as(dpo, channel="web"):
        services.condition_add(
            actor=dpo,
            purpose=_purpose(trust, "library"),
            category_key="pupil.health.allergy",
            condition="explicit_consent",
        )
        services.category_use_upsert(
            actor=dpo, trust=trust, category_key="pupil.health.allergy", purposes=[*use.purposes, "library"]
        )


def test_a_new_special_category_use_without_any_condition_is_refused(
    loaded: Register, trust: Trust, dpo: Any
) -> None:
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.category_use_upsert(
            actor=dpo,
            trust=trust,
            category_key="pupil.health.plan",
            provision="school_record",
            sources=["school"],
            purposes=["educational_software", "library"],
        )
    tail = (
        ", which has no Art 9 condition for it: add one (UK GDPR Art 9(2) with its DPA 2018 Schedule 1 "
        "paragraph) first."
    )
    assert _messages(exc)["purposes"] == [
        "Individual healthcare plan (pupil.health.plan) is special category data used for 'Educational "
        "software and online learning' (educational_software)" + tail,
        "Individual healthcare plan (pupil.health.plan) is special category data used for 'Library' (library)"
        + tail,
    ]
    assert not CategoryUse.objects.filter(category_key="pupil.health.plan").exists()


def test_sharing_a_special_category_for_purposes_without_a_condition_is_refused(
    loaded: Register, trust: Trust, dpo: Any
) -> None:
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.recipient_upsert(
            actor=dpo,
            trust=trust,
            key="book_club",
            name="The county library service",
            kind="other",
            lawful_basis="public_task",
            legal_gateway="Public Libraries and Museums Act 1964",
            categories=["pupil.identity.name", "pupil.sen"],
            purposes=["library"],
        )
    assert _messages(exc) == {
        "categories": [
            "Special educational needs (pupil.sen) is special category data shared with 'The county library "
            "service' (book_club), but none of its purposes (library) has an Art 9 condition for it."
        ]
    }
    assert not Recipient.objects.filter(key="book_club").exists()


def test_removing_a_condition_a_category_relies_on_is_refused(
    loaded: Register, trust: Trust, dpo: Any
) -> None:
    condition = SpecialCondition.objects.get(
        purpose=_purpose(trust, "school_meals"), category_key="pupil.health.allergy"
    )
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.condition_remove(actor=dpo, condition=condition)
    assert list(_messages(exc)) == ["condition"]
    assert _messages(exc)["condition"][0].startswith(
        "Allergies and dietary needs (pupil.health.allergy) is special category data used for 'School meals and "
        "cashless catering' (school_meals), which has no Art 9 condition for it"
    )
    assert SpecialCondition.objects.filter(pk=condition.pk).exists()


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        (
            {"category_key": "pupil.shoe_size", "sources": ["parents"], "purposes": ["library"]},
            "category_key",
            "Unknown data category 'pupil.shoe_size': use a key from the taxonomy 2026.3, e.g. pupil.health.allergy.",
        ),
        (
            {"category_key": "system.key", "sources": ["parents"], "purposes": ["library"]},
            "category_key",
            "'system.key' is system metadata, not personal data: it has no place in the register.",
        ),
        (
            {"category_key": "pupil.image", "purposes": ["library", "nope"]},
            "purposes",
            "No such purpose in this register: nope.",
        ),
        (
            {"category_key": "pupil.image", "sources": ["gossip"]},
            "sources",
            "Unknown source 'gossip': use one of parents, pupil, school, previous_school, local_authority, dfe, "
            "lrs, health, social_care, police, awarding_bodies.",
        ),
        (
            {"category_key": "pupil.image", "provision": "mandatory", "consequence": ""},
            "consequence",
            "Say what happens if this mandatory data is not provided (Art 13(2)(e)).",
        ),
    ],
)
def test_category_uses_are_validated(
    loaded: Register, trust: Trust, dpo: Any, call: dict[str, Any], field: str, message: str
) -> None:
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.category_use_upsert(actor=dpo, trust=trust, **call)
    assert _messages(exc)[field] == [message]


def test_unknown_category_keys_in_recipients_and_systems_are_refused(
    loaded: Register, trust: Trust, dpo: Any
) -> None:
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.system_upsert(
            actor=dpo, trust=trust, key="mis", categories=["pupil.identity", "pupil.horoscope"]
        )
    assert _messages(exc) == {
        "categories": [
            "Unknown data category 'pupil.horoscope': use a key from the taxonomy 2026.3, e.g. pupil.health.allergy."
        ]
    }


def test_international_transfers_need_a_destination_and_safeguard(
    loaded: Register, trust: Trust, dpo: Any
) -> None:
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.system_upsert(actor=dpo, trust=trust, key="email_cloud", international_transfer="yes")
    assert _messages(exc) == {
        "transfer_destination": ["Say which country or territory the data goes to."],
        "transfer_safeguard": [
            "Say what makes the transfer lawful: UK adequacy regulations, the IDTA or the UK Addendum."
        ],
    }
    with acting_as(dpo, channel="web"):
        services.system_upsert(
            actor=dpo,
            trust=trust,
            key="email_cloud",
            international_transfer="yes",
            transfer_destination="United States",
            transfer_safeguard="idta",
        )


# --- who may edit ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["school_dpl", "headteacher", "office_manager", "dsl", "senco", "teacher", "auditor", "teacher_b"]
)
def test_only_the_trust_dpo_may_change_the_register(
    loaded: Register, trust: Trust, users: dict[str, Any], role: str
) -> None:
    actor = users[role]
    purpose = _purpose(trust, "library")
    events = AuditEvent.objects.count()
    with acting_as(actor, channel="web"):
        with pytest.raises(
            PermissionDenied, match="Only the data protection officer of Oakfield Learning Trust"
        ):
            services.purpose_update(actor=actor, purpose=purpose, name="Books")
        with pytest.raises(PermissionDenied):
            services.basis_remove(actor=actor, basis=purpose.bases.get())
        with pytest.raises(PermissionDenied):
            services.load_default_register(trust, actor=actor, replace=True)
    purpose.refresh_from_db()
    assert purpose.name == "Library" and purpose.bases.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_dpo_of_another_trust_does_not_learn_the_register_exists(
    loaded: Register, trust: Trust, system: Any
) -> None:
    other = Trust.objects.create(name="Elmwood Trust", dpo_email="dpo@elmwood.example.com")
    outsider = make_user("elmwood_dpo", "trust_dpo", other, None)
    with acting_as(outsider, channel="web"), pytest.raises(Http404):
        services.purpose_update(actor=outsider, purpose=_purpose(trust, "library"), name="Books")
    with acting_as(outsider, channel="web"), pytest.raises(Http404):
        services.load_default_register(trust, actor=outsider, replace=True)


# --- per-school overrides ----------------------------------------------------------------------


def test_a_school_disables_a_trust_purpose_and_adds_its_own_recipient(
    loaded: Register, trust: Trust, dpo: Any, school_a: School, school_b: School
) -> None:
    with acting_as(dpo, channel="web"):
        services.disable_for_school(actor=dpo, entry=_purpose(trust, "research"), school=school_a)
        services.recipient_upsert(
            actor=dpo,
            trust=trust,
            school=school_a,
            key="forest_school",
            name="Oakfield Forest School (outdoor learning provider)",
            kind="other",
            lawful_basis="public_task",
            legal_gateway="Education Act 1996; a contract with the provider",
            sharing="routine",
            categories=["pupil.identity.name", "pupil.health.allergy"],
            purposes=["trips"],
        )
    a, b = effective_register(school_a), effective_register(school_b)
    assert "research" not in [p.key for p in a.purposes] and "research" in [p.key for p in b.purposes]
    assert "forest_school" in [r.key for r in a.recipients] and "forest_school" not in [
        r.key for r in b.recipients
    ]
    # With research off at school A, the research organisations go from its notice too.
    assert "research_organisations" not in [r.key for r in a.recipients]
    assert register_problems(school_a) == [] and register_problems(school_b) == []
    advice = [
        p.code
        for p in register_problems(school_a, include_advice=True)
        if p.ref == "recipient:research_organisations"
    ]
    assert advice == ["recipient_without_active_purpose"]


def test_a_school_override_of_a_purpose_keeps_its_bases_and_can_be_removed(
    loaded: Register, trust: Trust, dpo: Any, school_a: School, school_b: School
) -> None:
    trips = _purpose(trust, "trips")
    with acting_as(dpo, channel="web"):
        mine = services.override_for_school(
            actor=dpo, entry=trips, school=school_a, description="Our residential in Year 6, and day trips."
        )
    assert mine.school == school_a and mine.key == "trips"
    assert [b.basis for b in mine.bases.all()] == [b.basis for b in trips.bases.all()]
    assert mine.conditions.count() == trips.conditions.count() == 2
    a, b = effective_register(school_a), effective_register(school_b)
    assert a.purpose("trips").description == "Our residential in Year 6, and day trips."
    assert a.purpose("trips").school_specific and not b.purpose("trips").school_specific
    assert b.purpose("trips").description == trips.description
    # The school's purpose obeys the rules too.
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.basis_remove(actor=dpo, basis=mine.bases.get(basis="public_task"))
        services.basis_remove(actor=dpo, basis=mine.bases.get(basis="vital_interests"))
    assert (
        "At Oakfield Primary: The purpose 'Trips and visits' (trips) is active but has no lawful basis"
        in (_messages(exc)["basis"][0])
    )
    with acting_as(dpo, channel="web"):
        services.override_remove(actor=dpo, entry=mine)
    assert effective_register(school_a).purpose("trips").description == trips.description


def test_a_school_cannot_use_another_trusts_school(
    loaded: Register, trust: Trust, dpo: Any, system: Any
) -> None:
    other = Trust.objects.create(name="Elmwood Trust")
    elsewhere = School.objects.create(
        trust=other,
        urn="100003",
        la_code="201",
        estab="5001",
        name="Elmwood Primary",
        phase="primary",
        school_type="academy",
    )
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.disable_for_school(actor=dpo, entry=_purpose(trust, "research"), school=elsewhere)
    assert _messages(exc) == {"school": ["Elmwood Primary belongs to another trust."]}


def test_picking_a_system_from_the_catalogue(
    loaded: Register, trust: Trust, dpo: Any, school_b: School
) -> None:
    with acting_as(dpo, channel="web"):
        mis = services.system_pick_from_catalogue(actor=dpo, trust=trust, catalogue_key="bromcom", key="mis")
        cpoms = services.system_pick_from_catalogue(
            actor=dpo, trust=trust, catalogue_key="cpoms", school=school_b
        )
    assert (mis.key, mis.name, mis.supplier, mis.origin, mis.catalogue_key) == (
        "mis",
        "Bromcom",
        "Bromcom",
        "catalogue",
        "bromcom",
    )
    assert (mis.hosting_location, mis.international_transfer) == ("", "unknown")
    assert (cpoms.school, cpoms.key, cpoms.function) == (school_b, "cpoms", "safeguarding")
    view = effective_register(school_b)
    assert [s.name for s in view.systems if s.function == "mis"] == ["Bromcom"]
    advice = [p.message for p in register_problems(school_b, include_advice=True) if p.ref == "system:mis"]
    assert advice == [
        "Bromcom: confirm where the data is hosted; confirm whether data leaves the UK (and if so, the "
        "safeguard); record when the processor agreement (UK GDPR Art 28) was signed."
    ]
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.system_pick_from_catalogue(actor=dpo, trust=trust, catalogue_key="abacus")
    assert _messages(exc) == {"catalogue_key": ["No system 'abacus' in the catalogue."]}


def test_register_facts_and_adm(loaded: Register, trust: Trust, dpo: Any, school_b: School) -> None:
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.register_update(actor=dpo, trust=trust, profiling=True)
    assert _messages(exc) == {
        "adm_description": [
            "Describe the automated decision-making or profiling: its logic, significance and consequences "
            "(UK GDPR Art 13(2)(f))."
        ]
    }
    with acting_as(dpo, channel="web"):
        services.register_update(
            actor=dpo,
            trust=trust,
            school=school_b,
            profiling=True,
            adm_description="Attendance software flags pupils whose attendance falls below 90% for a person to review.",
        )
    assert effective_register(school_b).adm.any is True
    assert Register.objects.get(trust=trust, school=None).profiling is False


# --- audit -------------------------------------------------------------------------------------


def test_register_changes_are_audited_with_the_acting_user(
    loaded: Register, trust: Trust, dpo: Any, school_a: School
) -> None:
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    with acting_as(dpo, channel="web"):
        library = _purpose(trust, "library")
        services.purpose_update(actor=dpo, purpose=library, description="Lending books and e-books.")
        basis = services.basis_add(actor=dpo, purpose=library, basis="consent")
        basis_id = str(basis.pk)
        services.disable_for_school(actor=dpo, entry=_purpose(trust, "research"), school=school_a)
        services.basis_remove(actor=dpo, basis=basis)
    events = list(AuditEvent.objects.filter(id__gt=start).order_by("id"))
    assert [(e.action, e.model, e.actor_id, e.actor_label, e.channel) for e in events[:2]] == [
        ("update", "register.Purpose", dpo.pk, "dpo", "web"),
        ("create", "register.LawfulBasis", dpo.pk, "dpo", "web"),
    ]
    assert "description" in events[0].fields and events[0].object_id == str(library.pk)
    override = [e for e in events if e.model == "register.Purpose" and e.action == "create"]
    assert [(e.school_id_ref, e.object_id) for e in override] == [
        (school_a.pk, str(Purpose.objects.get(key="research", school=school_a).pk))
    ]
    assert (events[-1].action, events[-1].model, events[-1].object_id) == (
        "delete",
        "register.LawfulBasis",
        basis_id,
    )
    assert verify_chain().ok


def test_a_refused_edit_leaves_no_trace(loaded: Register, trust: Trust, dpo: Any) -> None:
    events = AuditEvent.objects.count()
    bases = LawfulBasis.objects.count()
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError):
        services.basis_remove(actor=dpo, basis=_purpose(trust, "library").bases.get())
    assert (AuditEvent.objects.count(), LawfulBasis.objects.count()) == (events, bases)


def test_deleting_a_purpose_still_named_elsewhere_is_refused(
    loaded: Register, trust: Trust, dpo: Any
) -> None:
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.purpose_delete(actor=dpo, purpose=_purpose(trust, "research"))
    assert _messages(exc) == {
        "key": [
            "'Research and surveys' is still named by category use pupil.identity, category use "
            "pupil.assessment, recipient research_organisations: remove it from them first, or make the "
            "purpose inactive."
        ]
    }
    assert System.objects.filter(trust=trust).count() == 9


def test_a_rows_key_never_changes_and_new_rows_go_last(
    loaded: Register, trust: Trust, dpo: Any, school_a: School
) -> None:
    with acting_as(dpo, channel="web"), pytest.raises(ValidationError) as exc:
        services.override_for_school(
            actor=dpo, entry=_purpose(trust, "trips"), school=school_a, key="outings"
        )
    assert _messages(exc) == {"key": ["A purpose's key cannot be changed."]}
    with acting_as(dpo, channel="web"):
        services.recipient_upsert(
            actor=dpo,
            trust=trust,
            key="music_service",
            name="The county music service",
            kind="other",
            lawful_basis="public_task",
            legal_gateway="Education Act 1996",
            categories=["pupil.identity.name", "pupil.enrolment"],
            purposes=["support_learning"],
        )
    assert [r.key for r in effective_register(school_a).recipients][-1] == "music_service"


def test_problems_list_what_a_notice_would_lack(
    loaded: Register, trust: Trust, school_a: School, system: Any
) -> None:
    # Written around the services (as an admin or a migration might) to show the report, not the guard.
    Recipient.objects.filter(trust=trust, key="ofsted").update(legal_gateway="")
    SpecialCondition.objects.filter(purpose__key="school_meals").delete()
    LawfulBasis.objects.filter(purpose__key="library").delete()
    problems = register_problems(school_a)
    assert [(p.code, p.field, p.ref) for p in problems] == [
        ("purpose_without_basis", "bases", "purpose:library"),
        ("special_category_without_condition", "conditions", "category:pupil.health.allergy"),
        ("recipient_without_gateway", "legal_gateway", "recipient:ofsted"),
    ]
    assert problems[1].message.startswith("Allergies and dietary needs (pupil.health.allergy) is special")


def test_a_category_without_a_retention_rule_is_a_problem(
    loaded: Register, trust: Trust, school_a: School, system: Any
) -> None:
    RetentionRule.objects.filter(trust=trust, category_key="contact").delete()
    assert [(p.code, p.ref) for p in register_problems(school_a)] == [
        ("category_without_retention", "category:contact.identity"),
        ("category_without_retention", "category:contact.details"),
        ("category_without_retention", "category:contact.relationship"),
        ("category_without_retention", "category:contact.legal"),
    ]
