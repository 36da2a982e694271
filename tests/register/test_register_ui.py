"""The register pages: who may read and change the register, edits through the services with their
refusals shown the GOV.UK way, per-school overrides, the catalogue, loading the defaults, history."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from tests.conftest import make_user

from steward.audit.models import AuditEvent
from steward.organisations.models import School, Trust
from steward.register.models import (
    CategoryUse,
    LawfulBasis,
    Purpose,
    Recipient,
    Register,
    SpecialCondition,
    System,
)
from steward.register.selectors import effective_register


@pytest.fixture(autouse=True)
def plain_static_storage(settings: Any, tmp_path: Any) -> None:
    # As tests/web/conftest.py: render {% static %} without a collected tree.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()


@pytest.fixture
def dpo_client(client: Client, dpo: Any) -> Client:
    client.force_login(dpo)
    return client


def html_of(response: Any) -> str:
    return unescape(response.content.decode())


def text_of(response: Any) -> str:
    """The page's text, tags removed and spaces collapsed, for assertions about what people read."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_of(response)))


def error_summary(response: Any) -> list[str]:
    html = html_of(response)
    match = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', html, re.S)
    assert match, "no error summary on the page"
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip()
        for li in re.findall(r"<li>(.*?)</li>", match[1], re.S)
    ]


def url(trust: Trust, *parts: Any) -> str:
    return "/register/" + "/".join(str(p) for p in (trust.pk, *parts)) + "/"


def recipient(trust: Trust, key: str, school: School | None = None) -> Recipient:
    return Recipient.objects.get(trust=trust, key=key, school=school)


def purpose(trust: Trust, key: str, school: School | None = None) -> Purpose:
    return Purpose.objects.get(trust=trust, key=key, school=school)


# --- reading -------------------------------------------------------------------------------------


def test_overview_lists_the_default_register(dpo_client: Client, loaded: Register, trust: Trust) -> None:
    response = dpo_client.get(url(trust))
    assert response.status_code == 200
    text = text_of(response)
    assert "Register of processing" in text and trust.name in text
    # Purposes with their bases and legislation, and Art 9 conditions.
    assert "Keep children safe" in text
    assert "Legal obligation (UK GDPR Art 6(1)(c))" in text
    assert "Education Act 1996 s537A" in text
    assert "UK GDPR Art 9(2)(g); DPA 2018 Sch 1 Pt 2 para 18 (Safeguarding of children" in text
    # Recipients, category uses, systems, retention, ADM.
    assert "The Department for Education (DfE)" in text
    assert "National Pupil Database" in text
    assert "Youth support services (pupils aged 13+)" in text
    assert "Allergies and dietary needs" in text and "Special category" in text
    assert "Management information system (MIS)" in text
    assert "To confirm" in text
    assert "Attendance register" in text
    assert "Automated decision-making" in text
    # Each school, with whether its notice is complete.
    assert "Oakfield Primary" in text and "Oakfield Secondary" in text
    assert "Purposes (17)" in text and "Recipients (18)" in text


def test_a_schools_register_lists_its_problems_with_links_to_fix_them(
    dpo_client: Client, loaded: Register, trust: Trust, school_a: School, system: Any
) -> None:
    Recipient.objects.filter(trust=trust, key="ofsted").update(legal_gateway="")
    response = dpo_client.get(url(trust, "schools", school_a.pk))
    assert response.status_code == 200
    html = html_of(response)
    ofsted = recipient(trust, "ofsted")
    assert "has no legal gateway: say which law or agreement allows the sharing." in html
    assert f'href="/register/{trust.pk}/recipients/{ofsted.pk}/#id_legal_gateway"' in html
    assert "things to confirm" in html


def test_the_school_selector_leads_to_the_schools_register(
    dpo_client: Client, loaded: Register, trust: Trust, school_b: School
) -> None:
    response = dpo_client.get(url(trust), {"school": school_b.pk})
    assert response.status_code == 302
    assert response["Location"] == url(trust, "schools", school_b.pk)
    assert dpo_client.get(url(trust), {"school": ""})["Location"] == url(trust)


def test_readers_see_the_register_but_cannot_change_it(
    client: Client, loaded: Register, trust: Trust, users: dict[str, Any], school_a: School, school_b: School
) -> None:
    client.force_login(users["school_dpl"])
    response = client.get(url(trust, "schools", school_a.pk))
    assert response.status_code == 200
    html = html_of(response)
    assert "Keep children safe" in html
    assert "Change for this school" not in html and "/remove/" not in html
    # Their own school only.
    assert client.get(url(trust, "schools", school_b.pk)).status_code == 404
    dfe = recipient(trust, "dfe")
    assert client.get(url(trust, "recipients", dfe.pk)).status_code == 404
    assert client.post(url(trust, "recipients", dfe.pk), {"legal_gateway": "x"}).status_code == 404
    assert recipient(trust, "dfe").legal_gateway != "x"


@pytest.mark.parametrize("role", ["teacher", "teacher_b"])
def test_a_teacher_gets_a_404_everywhere(
    client: Client, loaded: Register, trust: Trust, users: dict[str, Any], school_a: School, role: str
) -> None:
    client.force_login(users[role])
    dfe = recipient(trust, "dfe")
    library = purpose(trust, "library")
    for path in [
        "/register/",
        url(trust),
        url(trust, "schools", school_a.pk),
        url(trust, "recipients", dfe.pk),
        url(trust, "recipients", "new"),
        url(trust, "purposes", library.pk, "bases", library.bases.get().pk, "remove"),
        url(trust, "schools", school_a.pk, "recipients", dfe.pk, "override"),
        url(trust, "history"),
        url(trust, "systems", "pick"),
    ]:
        assert client.get(path).status_code == 404, path
    assert client.post(url(trust, "load-defaults")).status_code == 404


def test_another_trusts_dpo_gets_a_404(client: Client, loaded: Register, trust: Trust, system: Any) -> None:
    other = Trust.objects.create(name="Elmwood Trust", dpo_email="dpo@elmwood.example.com")
    client.force_login(make_user("elmwood_dpo", "trust_dpo", other, None))
    assert client.get(url(trust)).status_code == 404
    assert client.get(url(trust, "recipients", recipient(trust, "dfe").pk)).status_code == 404
    # Their own register is empty; the index leads to it.
    assert client.get("/register/")["Location"] == url(other)


# --- changing ------------------------------------------------------------------------------------


def recipient_post(row: Recipient, **changes: Any) -> dict[str, Any]:
    """What the edit form posts for a recipient left as it is, with `changes`."""
    data: dict[str, Any] = {
        "name": row.name,
        "kind": row.kind,
        "description": row.description,
        "lawful_basis": row.lawful_basis,
        "legal_gateway": row.legal_gateway,
        "sharing": row.sharing,
        "categories": list(row.categories),
        "purposes": list(row.purposes),
        "information_url": row.information_url,
        "phases": list(row.phases),
        "notes": row.notes,
    }
    for flag in ("dsa_required", "youth_support_13", "youth_support_16", "npd", "active"):
        if getattr(row, flag):
            data[flag] = "1"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_dpo_changes_a_recipients_legal_gateway(
    dpo_client: Client, loaded: Register, trust: Trust, dpo: Any
) -> None:
    ofsted = recipient(trust, "ofsted")
    form = dpo_client.get(url(trust, "recipients", ofsted.pk))
    assert form.status_code == 200
    assert ofsted.legal_gateway in html_of(form)
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    gateway = "Education and Inspections Act 2006 s5; Education Act 2005 s5"
    response = dpo_client.post(
        url(trust, "recipients", ofsted.pk), recipient_post(ofsted, legal_gateway=gateway)
    )
    assert response.status_code == 302
    assert response["Location"] == url(trust) + "#recipients"
    assert recipient(trust, "ofsted").legal_gateway == gateway
    (event,) = AuditEvent.objects.filter(id__gt=start, model="register.Recipient")
    assert (event.action, event.actor, event.actor_label, event.channel) == ("update", dpo, "dpo", "web")
    assert event.object_id == str(ofsted.pk)
    assert [f for f in event.fields if f != "updated_at"] == ["legal_gateway"]
    # The success banner names what was saved.
    assert "Recipient 'Ofsted' saved" in text_of(dpo_client.get(response["Location"]))


def test_removing_the_last_basis_of_an_active_purpose_is_refused(
    dpo_client: Client, loaded: Register, trust: Trust
) -> None:
    library = purpose(trust, "library")
    (only,) = library.bases.all()
    path = url(trust, "purposes", library.pk, "bases", only.pk, "remove")
    assert dpo_client.get(path).status_code == 200
    events = AuditEvent.objects.count()
    response = dpo_client.post(path)
    assert response.status_code == 200
    assert error_summary(response) == [
        "The lawful basis was not removed: The purpose 'Library' (library) is active but has no lawful basis "
        "(UK GDPR Art 6(1)): add one, or make the purpose inactive."
    ]
    assert "<title>Error: " in html_of(response)
    assert LawfulBasis.objects.filter(pk=only.pk).exists()
    assert AuditEvent.objects.count() == events


def test_a_special_category_use_without_a_condition_is_refused(
    dpo_client: Client, loaded: Register, trust: Trust
) -> None:
    response = dpo_client.post(
        url(trust, "categories", "new"),
        {
            "category_key": "pupil.health.plan",
            "provision": "school_record",
            "sources": ["school", "health"],
            "purposes": ["library"],
            "active": "1",
        },
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        "Purposes: Individual healthcare plan (pupil.health.plan) is special category data used for 'Library' "
        "(library), which has no Art 9 condition for it: add one (UK GDPR Art 9(2) with its DPA 2018 Schedule 1 "
        "paragraph) first."
    ]
    html = html_of(response)
    assert '<a href="#id_purposes">' in html
    assert 'class="govuk-error-message"' in html
    # The form keeps what was typed.
    assert 'value="pupil.health.plan" selected' in html
    assert not CategoryUse.objects.filter(category_key="pupil.health.plan").exists()


def test_a_new_row_starts_from_the_models_defaults(
    dpo_client: Client, loaded: Register, trust: Trust
) -> None:
    html = html_of(dpo_client.get(url(trust, "categories", "new")))
    assert re.search(r'name="active" type="checkbox" value="1" checked', html)
    assert 'name="provision" type="radio" value="mandatory" checked' in html
    purpose_form = html_of(dpo_client.get(url(trust, "purposes", "new")))
    assert 'name="audiences" type="checkbox" value="pupil" checked' in purpose_form
    assert 'name="audiences" type="checkbox" value="ap" checked' not in purpose_form


def test_an_unknown_category_key_is_refused_naming_the_field(
    dpo_client: Client, loaded: Register, trust: Trust
) -> None:
    response = dpo_client.post(
        url(trust, "categories", "new"),
        {
            "category_key": "pupil.shoe_size",
            "provision": "optional",
            "sources": ["parents"],
            "purposes": ["library"],
        },
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        "Unknown data category 'pupil.shoe_size': use a key from the taxonomy 2026.3, e.g. pupil.health.allergy."
    ]
    assert '<a href="#id_category_key">' in html_of(response)


def test_legal_obligation_without_legislation_is_refused(
    dpo_client: Client, loaded: Register, trust: Trust
) -> None:
    response = dpo_client.post(
        url(trust, "purposes", "new"),
        {
            "name": "After-school clubs",
            "description": "Running clubs after school.",
            "audiences": ["pupil", "parent"],
            "basis": "legal_obligation",
            "legislation": "",
            "active": "1",
        },
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        "Legal obligation (UK GDPR Art 6(1)(c)) must cite the legislation it rests on (Art 6(3)), e.g. Education "
        "Act 1996 s537A."
    ]
    assert '<a href="#id_legislation">' in html_of(response)
    assert not Purpose.objects.filter(key="after_school_clubs").exists()


def test_dpo_adds_a_purpose_with_its_first_basis_then_a_condition(
    dpo_client: Client, loaded: Register, trust: Trust
) -> None:
    response = dpo_client.post(
        url(trust, "purposes", "new"),
        {
            "name": "After-school clubs",
            "description": "Running clubs after school.",
            "audiences": ["pupil", "parent"],
            "basis": "public_task",
            "legislation": "Education Act 1996",
            "active": "1",
        },
    )
    clubs = purpose(trust, "after_school_clubs")
    assert response["Location"] == url(trust, "purposes", clubs.pk)
    assert [(b.basis, b.legislation) for b in clubs.bases.all()] == [("public_task", "Education Act 1996")]
    page = text_of(dpo_client.get(url(trust, "purposes", clubs.pk)))
    assert "Public task (UK GDPR Art 6(1)(e))" in page and "Add a condition" in page
    bad = dpo_client.post(
        url(trust, "purposes", clubs.pk, "conditions", "new"),
        {"category_key": "pupil.health.allergy", "condition": "substantial_public_interest"},
    )
    assert error_summary(bad) == [
        "DPA 2018 Schedule 1 paragraph: Substantial public interest (UK GDPR Art 9(2)(g)) needs a condition in DPA "
        "2018 Schedule 1: a Part 2 paragraph (6-28), e.g. para 6 statutory purposes or para 18 safeguarding."
    ]
    ok = dpo_client.post(
        url(trust, "purposes", clubs.pk, "conditions", "new"),
        {
            "category_key": "pupil.health.allergy",
            "condition": "substantial_public_interest",
            "schedule_1_paragraph": "18",
        },
    )
    assert ok.status_code == 302
    assert SpecialCondition.objects.get(purpose=clubs).schedule_1_paragraph == 18


def test_an_unchanged_form_changes_nothing(dpo_client: Client, loaded: Register, trust: Trust) -> None:
    dfe = recipient(trust, "dfe")
    events = AuditEvent.objects.count()
    # The categories come back in the order of the checkboxes, not the stored order.
    data = recipient_post(dfe, categories=sorted(dfe.categories))
    response = dpo_client.post(url(trust, "recipients", dfe.pk), data)
    assert response.status_code == 302
    assert AuditEvent.objects.count() == events
    assert recipient(trust, "dfe").categories == dfe.categories


# --- per-school overrides ------------------------------------------------------------------------


def test_a_school_override_shows_only_in_that_schools_register(
    dpo_client: Client, loaded: Register, trust: Trust, school_a: School, school_b: School
) -> None:
    trips = purpose(trust, "trips")
    path = url(trust, "schools", school_a.pk, "purposes", trips.pk, "override")
    form = dpo_client.get(path)
    assert form.status_code == 200
    assert "Your changes apply at Oakfield Primary only." in text_of(form)
    data = {
        "name": trips.name,
        "description": "Our Year 6 residential at the coast, and day trips.",
        "description_young": trips.description_young,
        "audiences": trips.audiences,
        "phases": trips.phases,
        "active": "1",
        "notes": trips.notes,
    }
    response = dpo_client.post(path, data)
    assert response.status_code == 302
    assert response["Location"] == url(trust, "schools", school_a.pk) + "#purposes"
    mine = purpose(trust, "trips", school_a)
    assert mine.bases.count() == trips.bases.count()
    a = text_of(dpo_client.get(url(trust, "schools", school_a.pk)))
    b = text_of(dpo_client.get(url(trust, "schools", school_b.pk)))
    whole = text_of(dpo_client.get(url(trust)))
    assert "Our Year 6 residential at the coast" in a and "School version" in a
    assert "Our Year 6 residential at the coast" not in b
    assert "Our Year 6 residential at the coast" not in whole
    assert "Own version at Oakfield Primary" in whole
    assert effective_register(school_a).purpose("trips").description.startswith("Our Year 6")
    # Going back to the trust's version.
    assert dpo_client.post(url(trust, "purposes", mine.pk, "remove")).status_code == 302
    assert not Purpose.objects.filter(pk=mine.pk).exists()


def test_a_school_leaves_a_trust_row_out(
    dpo_client: Client, loaded: Register, trust: Trust, school_a: School, school_b: School
) -> None:
    research = purpose(trust, "research")
    response = dpo_client.post(url(trust, "schools", school_a.pk, "purposes", research.pk, "disable"))
    assert response.status_code == 302
    assert purpose(trust, "research", school_a).active is False
    a = text_of(dpo_client.get(url(trust, "schools", school_a.pk)))
    assert "Left out here" in a
    assert "research" not in [p.key for p in effective_register(school_a).purposes]
    assert "research" in [p.key for p in effective_register(school_b).purposes]


def test_an_unchanged_override_is_refused(
    dpo_client: Client, loaded: Register, trust: Trust, school_a: School
) -> None:
    cctv = System.objects.get(trust=trust, key="cctv", school=None)
    data = {
        "name": cctv.name,
        "function": cctv.function,
        "description": cctv.description,
        "international_transfer": cctv.international_transfer,
        "categories": cctv.categories,
        "active": "1",
    }
    response = dpo_client.post(url(trust, "schools", school_a.pk, "systems", cctv.pk, "override"), data)
    assert response.status_code == 200
    assert error_summary(response)[0].startswith("Nothing differs from the trust's system")
    assert not System.objects.filter(trust=trust, key="cctv", school=school_a).exists()


# --- the catalogue and the default register ------------------------------------------------------


def test_picking_a_system_from_the_catalogue(dpo_client: Client, loaded: Register, trust: Trust) -> None:
    page = html_of(dpo_client.get(url(trust, "systems", "pick")))
    assert '<optgroup label="Safeguarding and pastoral records">' in page
    assert '<option value="cpoms">CPOMS</option>' in page
    response = dpo_client.post(url(trust, "systems", "pick"), {"catalogue_key": "cpoms", "replace": ""})
    cpoms = System.objects.get(trust=trust, key="cpoms", school=None)
    assert response["Location"] == url(trust, "systems", cpoms.pk)
    assert (cpoms.name, cpoms.supplier, cpoms.function, cpoms.origin) == (
        "CPOMS",
        "CPOMS",
        "safeguarding",
        "catalogue",
    )
    # In place of a listed system.
    dpo_client.post(url(trust, "systems", "pick"), {"catalogue_key": "arbor", "replace": "mis"})
    mis = System.objects.get(trust=trust, key="mis", school=None)
    assert (mis.name, mis.catalogue_key) == ("Arbor", "arbor")
    unknown = dpo_client.post(url(trust, "systems", "pick"), {"catalogue_key": "abacus", "replace": ""})
    assert error_summary(unknown) == ["No system 'abacus' in the catalogue."]


def test_loading_the_default_register_into_an_empty_trust(
    dpo_client: Client, trust: Trust, users: dict[str, Any], dpo: Any
) -> None:
    page = text_of(dpo_client.get(url(trust)))
    assert "has no register yet" in page and "Load the default register" in page
    response = dpo_client.post(url(trust, "load-defaults"))
    assert response.status_code == 302
    register = Register.objects.get(trust=trust, school=None)
    assert register.defaults_version
    assert Purpose.objects.filter(trust=trust).count() == 17
    event = AuditEvent.objects.get(action="import", model="register.Register")
    assert (event.actor, event.channel) == (dpo, "web")
    assert "Keep children safe" in text_of(dpo_client.get(url(trust)))
    # A second load is refused, with the reason.
    again = dpo_client.post(url(trust, "load-defaults"))
    assert again.status_code == 200
    assert "already has a register" in error_summary(again)[0]


def test_others_see_no_load_button(client: Client, trust: Trust, users: dict[str, Any]) -> None:
    client.force_login(users["auditor"])
    page = text_of(client.get(url(trust)))
    assert "has no register yet" in page and "Load the default register" not in page


# --- history -------------------------------------------------------------------------------------


def test_history_lists_the_edit(dpo_client: Client, loaded: Register, trust: Trust) -> None:
    ofsted = recipient(trust, "ofsted")
    dpo_client.post(
        url(trust, "recipients", ofsted.pk), recipient_post(ofsted, legal_gateway="Education Act 2005 s5")
    )
    whole = dpo_client.get(url(trust, "history"))
    assert whole.status_code == 200
    text = text_of(whole)
    assert "Updated Recipient 'Ofsted' legal gateway" in text
    assert "legal gateway" in text
    first_row = re.search(
        r'<tbody class="govuk-table__body">\s*<tr class="govuk-table__row">(.*?)</tr>', html_of(whole), re.S
    )
    assert first_row and "legal gateway" in first_row[1] and "dpo" in first_row[1]
    assert "Loaded the default register" in text
    own = text_of(dpo_client.get(url(trust, "recipients", ofsted.pk, "history")))
    assert "legal gateway" in own and "Keep children safe" not in own
    # Reading the history is recorded.
    assert AuditEvent.objects.filter(action="view", detail__page="register history").count() == 2


def test_history_is_for_audit_readers(
    client: Client, loaded: Register, trust: Trust, users: dict[str, Any]
) -> None:
    client.force_login(users["auditor"])
    assert client.get(url(trust, "history")).status_code == 200
    client.force_login(users["office_manager"])
    assert client.get(url(trust)).status_code == 200
    assert client.get(url(trust, "history")).status_code == 404


# --- more edits ----------------------------------------------------------------------------------


def test_register_facts_need_a_description_of_profiling(
    dpo_client: Client, loaded: Register, trust: Trust, school_b: School
) -> None:
    refused = dpo_client.post(url(trust, "facts"), {"profiling": "1", "youth_support_model": "object"})
    assert error_summary(refused) == [
        "Description: Describe the automated decision-making or profiling: its logic, significance and "
        "consequences (UK GDPR Art 13(2)(f))."
    ]
    assert '<a href="#id_adm_description">' in html_of(refused)
    assert Register.objects.get(trust=trust, school=None).profiling is False
    description = "Attendance software flags pupils below 90% attendance for a member of staff to review."
    response = dpo_client.post(
        url(trust, "schools", school_b.pk, "facts"),
        {"profiling": "1", "adm_description": description, "youth_support_model": "object"},
    )
    assert response["Location"] == url(trust, "schools", school_b.pk) + "#facts"
    assert Register.objects.get(trust=trust, school=school_b).profiling is True
    assert Register.objects.get(trust=trust, school=None).profiling is False
    assert description in text_of(dpo_client.get(url(trust, "schools", school_b.pk)))
    assert description not in text_of(dpo_client.get(url(trust)))


def test_a_school_adds_a_recipient_of_its_own(
    dpo_client: Client, loaded: Register, trust: Trust, school_a: School, school_b: School
) -> None:
    data = {
        "name": "Oakfield Forest School",
        "kind": "other",
        "lawful_basis": "public_task",
        "legal_gateway": "Education Act 1996; a contract with the provider",
        "sharing": "routine",
        "categories": ["pupil.identity.name"],
        "purposes": ["trips"],
        "active": "1",
    }
    response = dpo_client.post(url(trust, "schools", school_a.pk, "recipients", "new"), data)
    assert response["Location"] == url(trust, "schools", school_a.pk) + "#recipients"
    row = Recipient.objects.get(key="oakfield_forest_school")
    assert row.school == school_a and row.origin == "local"
    a = text_of(dpo_client.get(url(trust, "schools", school_a.pk)))
    assert "Oakfield Forest School" in a and "School only" in a
    assert "Oakfield Forest School" not in text_of(dpo_client.get(url(trust, "schools", school_b.pk)))
    # The same key again is refused, naming the row that has it.
    again = dpo_client.post(url(trust, "schools", school_a.pk, "recipients", "new"), data)
    assert error_summary(again) == [
        "Oakfield Primary's register already has recipient 'Oakfield Forest School' with this key: change that "
        "one instead."
    ]


def test_a_trust_key_cannot_be_added_again(dpo_client: Client, loaded: Register, trust: Trust) -> None:
    response = dpo_client.post(url(trust, "systems", "new"), {"name": "CCTV", "function": "cctv"})
    assert error_summary(response) == [
        "The trust's register already has system 'CCTV' with this key: change that one instead."
    ]
    assert '<a href="#id_key">' in html_of(response)


def test_removing_a_purpose_still_named_elsewhere_is_refused(
    dpo_client: Client, loaded: Register, trust: Trust
) -> None:
    research = purpose(trust, "research")
    response = dpo_client.post(url(trust, "purposes", research.pk, "remove"))
    assert error_summary(response) == [
        "Purpose 'Research and surveys' was not removed: 'Research and surveys' is still named by category use "
        "pupil.identity, category use pupil.assessment, recipient research_organisations: remove it from them "
        "first, or make the purpose inactive."
    ]
    assert Purpose.objects.filter(pk=research.pk).exists()


def test_removing_a_condition_a_category_relies_on_is_refused(
    dpo_client: Client, loaded: Register, trust: Trust
) -> None:
    meals = purpose(trust, "school_meals")
    condition = meals.conditions.get(category_key="pupil.health.allergy")
    response = dpo_client.post(url(trust, "purposes", meals.pk, "conditions", condition.pk, "remove"))
    (message,) = error_summary(response)
    assert message.startswith(
        "The condition was not removed: Allergies and dietary needs (pupil.health.allergy) is special category "
        "data used for 'School meals and cashless catering' (school_meals), which has no Art 9 condition"
    )
    assert SpecialCondition.objects.filter(pk=condition.pk).exists()


def test_changing_a_basis_cites_current_law(dpo_client: Client, loaded: Register, trust: Trust) -> None:
    library = purpose(trust, "library")
    basis = library.bases.get()
    path = url(trust, "purposes", library.pk, "bases", basis.pk)
    refused = dpo_client.post(
        path, {"legislation": "Data Protection Act 1998", "explanation": basis.explanation}
    )
    assert error_summary(refused) == [
        "Legislation: The Data Protection Act 1998 was repealed on 25 May 2018: cite the UK GDPR and the Data Protection Act "
        "2018 instead."
    ]
    ok = dpo_client.post(path, {"legislation": "Education Act 1996 s13A", "explanation": basis.explanation})
    assert ok["Location"] == url(trust, "purposes", library.pk) + "#bases"
    basis.refresh_from_db()
    assert basis.legislation == "Education Act 1996 s13A"


def test_making_a_purpose_without_a_basis_active_is_refused(
    dpo_client: Client, loaded: Register, trust: Trust, dpo: Any
) -> None:
    created = dpo_client.post(
        url(trust, "purposes", "new"),
        {"key": "clubs", "name": "Clubs", "description": "Clubs after school.", "audiences": ["parent"]},
    )
    clubs = purpose(trust, "clubs")
    assert created["Location"] == url(trust, "purposes", clubs.pk) and clubs.active is False
    response = dpo_client.post(
        url(trust, "purposes", clubs.pk),
        {"name": "Clubs", "description": "Clubs after school.", "audiences": ["parent"], "active": "1"},
    )
    assert error_summary(response) == [
        "The purpose 'Clubs' (clubs) is active but has no lawful basis (UK GDPR Art 6(1)): add one, or "
        "make the purpose inactive."
    ]
    assert '<a href="#id_active">' in html_of(response)
    assert purpose(trust, "clubs").active is False


def test_a_purpose_without_a_basis_links_to_its_bases(
    dpo_client: Client, loaded: Register, trust: Trust, school_a: School, system: Any
) -> None:
    # Written around the services, as a migration might, to show the report and its link.
    LawfulBasis.objects.filter(purpose__key="library").delete()
    html = html_of(dpo_client.get(url(trust, "schools", school_a.pk)))
    library = purpose(trust, "library")
    assert "The purpose 'Library' (library) is active but has no lawful basis" in html
    assert f'href="/register/{trust.pk}/purposes/{library.pk}/#bases"' in html


def test_history_keeps_to_the_trust(
    dpo_client: Client, loaded: Register, trust: Trust, users: dict[str, Any], system: Any
) -> None:
    from steward.audit.context import acting_as
    from steward.register.services import load_default_register

    other = Trust.objects.create(name="Elmwood Trust", dpo_email="dpo@elmwood.example.com")
    elmwood_dpo = make_user("elmwood_dpo", "trust_dpo", other, None)
    with acting_as(elmwood_dpo, channel="cli"):
        load_default_register(other, actor=elmwood_dpo)
    ours = {e.object_id for e in AuditEvent.objects.filter(model="register.Register", action="import")}
    assert len(ours) == 2
    html = html_of(dpo_client.get(url(trust, "history")))
    assert html.count("Loaded the default register") == 1
    # The other trust's own DPO sees theirs only.
    client = Client()
    client.force_login(elmwood_dpo)
    assert client.get(url(other, "history")).content.decode().count("Loaded the default register") == 1
    assert client.get(url(trust, "history")).status_code == 404


def test_a_purposes_history_includes_its_bases(dpo_client: Client, loaded: Register, trust: Trust) -> None:
    library = purpose(trust, "library")
    dpo_client.post(
        url(trust, "purposes", library.pk, "bases", "new"),
        {"basis": "consent", "explanation": "Optional e-book loans."},
    )
    text = text_of(dpo_client.get(url(trust, "purposes", library.pk, "history")))
    assert "Created Lawful basis Consent (UK GDPR Art 6(1)(a)) of 'Library'" in text
    assert "Created Purpose 'Library'" in text
    assert "Ofsted" not in text


def test_a_category_without_retention_links_to_a_new_rule(
    dpo_client: Client, loaded: Register, trust: Trust, school_a: School, system: Any
) -> None:
    from steward.register.models import RetentionRule

    RetentionRule.objects.filter(trust=trust, category_key="contact").delete()
    html = html_of(dpo_client.get(url(trust, "schools", school_a.pk)))
    assert "Contact identity (contact.identity) has no retention rule" in html
    assert f'<a class="govuk-link" href="/register/{trust.pk}/retention/new/">Fix this' in html
