"""The outcome pages through Django's test client: rectification (record, field, current value, Art 19
recipients), erasure (the plan, the confirmation, DPO only), restriction (categories, lifting once told,
DPO only), objection (outcomes the law allows, restriction while pending), youth-support sharing (the
state, who decides, the opt-down), withdrawal of consent; each refusal shown with nothing changed, each
page only for its kind of request, another school a 404; the pupil page's restriction notice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from tests.rights.conftest import ON, log
from tests.rights.test_web_requests import (  # noqa: F401  (plain_static_storage is an autouse fixture)
    TODAY,
    date_fields,
    error_summary,
    html_of,
    plain_static_storage,
    text_of,
)

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.organisations.models import School
from steward.people.models import Contact, Pupil
from steward.register.models import Purpose
from steward.rights import services
from steward.rights.models import (
    ErasureEntry,
    ObjectionDecision,
    Rectification,
    Restriction,
    RightsRequest,
    Status,
    YouthSupportChoice,
)


def started(actor: User, school: School, pupil: Pupil, kind: str, **kw: Any) -> RightsRequest:
    req = log(actor, school, pupil, kind=kind, description="As discussed at the office.", **kw)
    with acting_as(actor, channel="web"):
        return services.transition(actor=actor, request=req, to=Status.IN_PROGRESS, on=ON)


@pytest.fixture
def office(users: dict[str, User]) -> User:
    return users["office_manager"]


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def url(req: RightsRequest, slug: str = "") -> str:
    return f"/requests/{req.pk}/" + (f"{slug}/" if slug else "")


# --- rectification ----------------------------------------------------------------------------------------


def test_rectify_a_field_chosen_from_the_pupils_records_then_recipients_to_tell(
    client: Client, office: User, school_a: School, pupil_a: Pupil, loaded: Any
) -> None:
    req = started(office, school_a, pupil_a, "rectification")
    login(client, office)
    first = client.get(url(req, "rectify"))
    assert first.status_code == 200 and '<option value="people.Pupil">Pupil</option>' in html_of(first)
    chosen = f"?record_type=people.Pupil&record={pupil_a.pk}&field=legal_forename"
    page = client.get(url(req, "rectify") + chosen)
    assert 'id="current-value">Alex<' in html_of(page)
    data = {"record_type": "people.Pupil", "record": pupil_a.pk, "field": "legal_forename"}

    # Refused by the model (the date of birth cannot be a word): the message names the field; nothing changes.
    bad = {**data, "field": "date_of_birth", "value": "yesterday", **date_fields("on", TODAY())}
    response = client.post(url(req, "rectify"), bad)
    assert error_summary(response) and "date" in error_summary(response)[0].lower()
    assert not Rectification.objects.exists()

    response = client.post(url(req, "rectify"), {**data, "value": "Alexa", **date_fields("on", TODAY())})
    assert response.status_code == 302
    pupil_a.refresh_from_db()
    assert pupil_a.legal_forename == "Alexa"
    rect = Rectification.objects.get(request=req)
    assert (rect.before, rect.after, rect.field) == ("Alex", "Alexa", "legal_forename")
    after = text_of(client.get(url(req, "rectify")))
    assert "Corrections on this request" in after and "Recipients to tell" in after

    # A supplementary statement keeps the value.
    client.post(
        url(req, "rectify"),
        {**data, "statement_only": "1", "statement": "Known as Lexi.", **date_fields("on", TODAY())},
    )
    pupil_a.refresh_from_db()
    assert pupil_a.legal_forename == "Alexa" and Rectification.objects.count() == 2


def test_outcome_pages_only_for_their_kind_and_school(
    client: Client,
    users: dict[str, User],
    office: User,
    school_b: School,
    pupil_b: Pupil,
    school_a: School,
    pupil_a: Pupil,
) -> None:
    access = started(office, school_a, pupil_a, "access")
    elsewhere = started(users["trust_dpo"], school_b, pupil_b, "rectification")
    login(client, office)
    for slug in (
        "rectify",
        "erasure",
        "restrict",
        "objection-pending",
        "youth-support",
        "opt-down",
        "consent",
    ):
        assert client.get(url(access, slug)).status_code == 404, slug
    assert client.get(url(elsewhere, "rectify")).status_code == 404
    assert client.get(url(elsewhere, "restrict")).status_code == 404


# --- erasure ------------------------------------------------------------------------------------------------


def test_erasure_shows_the_plan_needs_the_check_and_is_for_the_dpo(
    client: Client, users: dict[str, User], office: User, school_a: School, pupil_a: Pupil
) -> None:
    req = started(office, school_a, pupil_a, "erasure")
    login(client, office)
    assert client.get(url(req, "erasure")).status_code == 404
    assert url(req, "erasure") not in html_of(client.get(url(req)))
    assert client.post(url(req, "erasure"), {"checked": "1", **date_fields("on", TODAY())}).status_code == 404
    dpo = users["trust_dpo"]
    login(client, dpo)
    page = text_of(client.get(url(req, "erasure")))
    assert "Kept" in page and "Pupil" in page and "I have checked the plan" in page
    response = client.post(url(req, "erasure"), date_fields("on", TODAY()))
    assert error_summary(response) == ["Confirm that you have checked the plan"]
    assert not ErasureEntry.objects.exists()
    response = client.post(url(req, "erasure"), {"checked": "1", **date_fields("on", TODAY())})
    assert response.status_code == 302
    assert ErasureEntry.objects.filter(request=req).exists()
    assert "What erasure did" in text_of(client.get(url(req, "erasure")))


def test_erasure_refused_when_not_in_progress(
    client: Client, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    dpo = users["trust_dpo"]
    req = log(dpo, school_a, pupil_a, kind="erasure")
    login(client, dpo)
    response = client.post(url(req, "erasure"), {"checked": "1", **date_fields("on", TODAY())})
    assert "only while it is in progress" in " ".join(error_summary(response))
    assert not ErasureEntry.objects.exists()


# --- restriction ---------------------------------------------------------------------------------------------


def test_restrict_categories_then_the_dpo_lifts_once_told_and_the_pupil_page_warns(
    client: Client, users: dict[str, User], office: User, school_a: School, pupil_a: Pupil
) -> None:
    req = started(office, school_a, pupil_a, "restriction")
    login(client, office)
    form = {"ground": "accuracy", **date_fields("on", TODAY())}
    response = client.post(url(req, "restrict"), form)
    assert error_summary(response) == ["Choose the categories to restrict, or tick every category"]
    assert not Restriction.objects.exists()
    assert client.post(url(req, "restrict"), {**form, "categories": ["pupil.health"]}).status_code == 302
    r = Restriction.objects.get(pupil=pupil_a)
    assert (r.categories, r.ground, r.request) == (["pupil.health"], "accuracy", req)

    pupil_page = client.get(f"/pupils/{pupil_a.pk}/")
    banner = text_of(pupil_page)
    assert "Processing restricted" in banner and f"since {TODAY():%-d %B %Y}" in banner
    assert "Medical" in banner or "ealth" in banner
    login(client, users["teacher"])
    assert "Processing restricted" not in text_of(client.get(f"/pupils/{pupil_a.pk}/"))

    # Lifting is the DPO's: a 404 for the office manager, refused until the person is told first.
    login(client, office)
    assert client.get(url(req, f"restrictions/{r.pk}/lift")).status_code == 404
    login(client, users["trust_dpo"])
    tomorrow = TODAY() + dt.timedelta(days=1)
    late = {"reason": "Checked: accurate.", **date_fields("told_on", tomorrow), **date_fields("on", TODAY())}
    response = client.post(url(req, f"restrictions/{r.pk}/lift"), late)
    assert "before the restriction is lifted" in " ".join(error_summary(response))
    assert Restriction.objects.get(pk=r.pk).lifted_on is None
    ok = {"reason": "Checked: accurate.", **date_fields("told_on", TODAY()), **date_fields("on", TODAY())}
    assert client.post(url(req, f"restrictions/{r.pk}/lift"), ok).status_code == 302
    assert Restriction.objects.get(pk=r.pk).lifted_on == TODAY()


# --- objection ---------------------------------------------------------------------------------------------


def test_objection_offers_only_the_outcomes_the_law_allows(
    client: Client, users: dict[str, User], office: User, school_a: School, pupil_a: Pupil, loaded: Any
) -> None:
    req = started(office, school_a, pupil_a, "objection")
    login(client, office)
    assert client.get(url(req, "objection")).status_code == 404
    assert (
        client.post(
            url(req, "objection-pending"), {"categories": ["pupil.assessment"], **date_fields("on", TODAY())}
        ).status_code
        == 302
    )
    pending = Restriction.objects.get(pupil=pupil_a, ground="objection_pending")

    login(client, users["trust_dpo"])
    census = Purpose.objects.get(key="statutory_returns", school__isnull=True)
    page = client.get(url(req, "objection") + f"?purpose={census.pk}")
    html = html_of(page)
    assert "there is no right to object" in text_of(page)
    assert 'value="no_right"' in html and 'value="upheld"' not in html
    form = {
        "purpose": census.pk,
        "outcome": "no_right",
        "reasons": "Education Act 1996 s537A.",
        **date_fields("on", TODAY()),
    }
    response = client.post(url(req, "objection"), form)
    assert error_summary(response) == ["Processing objected to: Say which processing the objection is to."]
    assert not ObjectionDecision.objects.exists()
    response = client.post(url(req, "objection"), {**form, "outcome": "upheld", "processing": "The census"})
    assert error_summary(response) and not ObjectionDecision.objects.exists()
    assert client.post(url(req, "objection"), {**form, "processing": "The census"}).status_code == 302
    assert ObjectionDecision.objects.get(request=req).outcome == "no_right"
    pending.refresh_from_db()
    assert pending.lifted_on == TODAY()


# --- youth-support sharing -----------------------------------------------------------------------------------


def test_youth_support_state_who_decides_and_the_opt_down(
    client: Client, office: User, school_a: School, child: Pupil, parent_of_child: Contact
) -> None:
    req = started(
        office,
        school_a,
        child,
        "youth_support_opt_down",
        requester_kind="parent",
        requester_contact=parent_of_child,
    )
    login(client, office)
    page = text_of(client.get(url(req, "youth-support")))
    assert "Not yet asked" in page and "A parent (pupil under 16)" in page
    # The pupil is under 16: their own choice is refused, naming the rule.
    response = client.post(
        url(req, "youth-support"), {"state": "limited", "decided_by": "pupil", **date_fields("on", TODAY())}
    )
    assert "until the 16th birthday a parent decides" in " ".join(error_summary(response))
    assert not YouthSupportChoice.objects.exists()
    assert client.post(url(req, "opt-down"), date_fields("on", TODAY())).status_code == 302
    choice = YouthSupportChoice.objects.get(pupil=child)
    assert (choice.state, choice.decided_by, choice.contact) == ("limited", "parent", parent_of_child)
    assert "Name, address and date of birth only" in text_of(client.get(url(req, "youth-support")))
    pupil_page = html_of(client.get(f"/pupils/{child.pk}/"))
    assert "Name, address and date of birth only" in pupil_page


# --- withdrawal of consent --------------------------------------------------------------------------------------


def test_consent_withdrawal_shows_what_relied_on_it(
    client: Client, office: User, school_a: School, child: Pupil, parent_of_child: Any, loaded: Any
) -> None:
    req = started(
        office,
        school_a,
        child,
        "withdraw_consent",
        requester_kind="parent",
        requester_contact=parent_of_child,
    )
    login(client, office)
    assert "Photographs on the school website" in text_of(client.get(url(req, "consent")))
    response = client.post(
        url(req, "consent"), {"purpose_name": "statutory_returns", **date_fields("on", TODAY())}
    )
    assert "does not rest on consent" in " ".join(error_summary(response))
    events = req.events.count()
    response = client.post(url(req, "consent"), {"purpose_name": "", **date_fields("on", TODAY())})
    assert "Name the purpose" in " ".join(error_summary(response)) and req.events.count() == events
    response = client.post(
        url(req, "consent"),
        {"purpose_name": "Photographs on the school website", **date_fields("on", TODAY())},
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "rests on consent" in page and "Data relying on it:" in page and "withdrawn" in page
    assert req.events.count() == events + 1
