"""A withdraw-consent request applied through the consent ledger: the withdrawal is recorded as the
requester's own decision (a parent, or the pupil), by the method the request came in, so the consent's
state is "withdrawn" at once and the website photo export leaves the pupil out; what relies on the
consent comes back to act on. Refusals (an unknown or inactive consent, one resting on another basis, a
requester who may not withdraw it, a verbal withdrawal of a written-only consent) name the field and
write nothing, neither in the ledger nor in the request's log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from tests.rights.conftest import ON, log
from tests.rights.test_web_requests import (  # noqa: F401  (plain_static_storage is an autouse fixture)
    date_fields,
    error_summary,
    plain_static_storage,
    text_of,
)

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.consent.enforcement import photo_export
from steward.consent.models import ConsentEvent
from steward.consent.selectors import consent_state, purpose_for
from steward.consent.services import consent_purpose_upsert, record_consent
from steward.organisations.models import School, Trust
from steward.people.models import Contact, Pupil
from steward.records.models import Photograph
from steward.rights import outcomes, services
from steward.rights.models import EventKind, RequestEvent, RightsRequest, Status

D = dt.date
BEFORE = D(2026, 3, 1)  # consent given before the request


def started(actor: User, school: School, pupil: Pupil, **kw: Any) -> RightsRequest:
    """A withdraw-consent request, logged and in progress."""
    req = log(actor, school, pupil, kind="withdraw_consent", description="Please stop.", **kw)
    with acting_as(actor, channel="web"):
        return services.transition(actor=actor, request=req, to=Status.IN_PROGRESS, on=ON)


@pytest.fixture
def office(users: dict[str, User]) -> User:
    return users["office_manager"]


def outcome_events(req: RightsRequest) -> list[RequestEvent]:
    return list(req.events.filter(kind=EventKind.OUTCOME_APPLIED).order_by("pk"))


def photo(pupil: Pupil, school: School, use: str) -> Photograph:
    p = Photograph(pupil=pupil, school=school, purpose=use, taken_on=D(2026, 2, 10), caption="Sports day")
    p.image.save("photo.jpg", ContentFile(b"\xff\xd8 fictional jpeg"), save=False)
    p.save()
    return p


def grant(actor: User, pupil: Pupil, school: School, key: str, contact: Contact) -> None:
    with acting_as(actor, channel="web"):
        record_consent(
            actor=actor,
            pupil=pupil,
            purpose=purpose_for(school, key),  # type: ignore[arg-type]
            action="grant",
            by="parent",
            contact=contact,
            method="paper",
            on=BEFORE,
        )


def withdraw(actor: User, req: RightsRequest, name: str, on: dt.date = ON) -> outcomes.ConsentWithdrawal:
    with acting_as(actor, channel="web"):
        return outcomes.consent_withdrawn(actor=actor, request=req, purpose_name=name, on=on)


def refused(actor: User, req: RightsRequest, name: str, field: str) -> str:
    """Refused naming `field`, and nothing written anywhere; the message."""
    ledger, log_events = ConsentEvent.objects.count(), req.events.count()
    with pytest.raises(ValidationError) as err:
        withdraw(actor, req, name)
    assert field in err.value.message_dict, err.value.message_dict
    assert ConsentEvent.objects.count() == ledger and req.events.count() == log_events
    return " ".join(err.value.message_dict[field])


# --- applied through the ledger -----------------------------------------------------------------------


def test_a_parents_withdrawal_stops_the_website_photo_export_at_once(
    office: User,
    users: dict[str, User],
    school_a: School,
    child: Pupil,
    parent_of_child: Contact,
    loaded: Any,
) -> None:
    website = purpose_for(school_a, "photos_website")
    assert website is not None
    grant(office, child, school_a, "photos_website", parent_of_child)
    picture = photo(child, school_a, "website")
    with acting_as(office, channel="web"):
        before = photo_export(actor=office, school=school_a, use="website", on=ON)
    assert before.included == [picture]

    req = started(
        office, school_a, child, requester_kind="parent", requester_contact=parent_of_child, channel="email"
    )
    got = withdraw(office, req, "Photographs on the school website")

    # The ledger has the parent's own withdrawal, by email, and the state is withdrawn.
    event = ConsentEvent.objects.get(pupil=child, action="withdraw")
    assert (event.by, event.contact, event.method, event.on) == ("parent", parent_of_child, "email", ON)
    assert event.purpose == website and event.recorded_by == office
    state = consent_state(child, website, ON)
    assert (state.state, state.effective) == ("withdrawn", False)
    assert (got.found, got.purpose_key, got.purpose_name, got.state) == (
        True,
        "photos_website",
        "Photographs on the school website",
        "withdrawn",
    )
    assert got.event_id == event.pk and got.register_purpose == "publicity"
    assert "pupil.image" in got.categories
    # What relies on it, to act on.
    assert "Steward's photo export for 'website' leaves out pupils without this consent." in got.relies_on
    assert any(line.startswith("1 photograph(s) of") for line in got.relies_on)
    # The website export leaves the pupil out from that day, with the reason.
    with acting_as(office, channel="web"):
        after = photo_export(actor=office, school=school_a, use="website", on=ON)
    assert after.included == []
    [(left, why)] = after.left_out
    assert left == picture and "withdrew consent" in why
    # The request's log says what was done.
    [logged] = outcome_events(req)
    assert "photos_website" in logged.note and "withdrawn" in logged.note and "photo export" in logged.note
    # Other consents are untouched.
    display = purpose_for(school_a, "photos_display")
    assert display is not None and consent_state(child, display, ON).state == "not_asked"


def test_a_competent_pupils_withdrawal_by_letter_is_their_own(
    office: User, school_a: School, teen: Pupil, parent_of_teen: Contact, loaded: Any
) -> None:
    grant(office, teen, school_a, "photos_social", parent_of_teen)
    req = started(office, school_a, teen, requester_kind="pupil", channel="letter")
    got = withdraw(office, req, "photos_social")  # by key
    event = ConsentEvent.objects.get(pupil=teen, action="withdraw")
    assert (event.by, event.contact, event.method) == ("pupil", None, "letter")
    assert got.state == "withdrawn"
    social = purpose_for(school_a, "photos_social")
    assert social is not None and not consent_state(teen, social, ON).effective


def test_a_request_made_in_the_portal_is_recorded_as_made_in_the_portal(
    office: User, school_a: School, child: Pupil, parent_of_child: Contact, loaded: Any
) -> None:
    req = started(
        office, school_a, child, requester_kind="parent", requester_contact=parent_of_child, channel="portal"
    )
    withdraw(office, req, "Texts and emails")
    event = ConsentEvent.objects.get(pupil=child, action="withdraw")
    assert (event.by, event.contact, event.method, event.recorded_by) == (
        "parent",
        parent_of_child,
        "portal",
        office,
    )


def test_a_childs_biometric_objection_counts_at_any_age_even_in_person(
    office: User,
    users: dict[str, User],
    trust: Trust,
    school_a: School,
    child: Pupil,
    parent_of_child: Contact,
    loaded: Any,
) -> None:
    with acting_as(users["trust_dpo"], channel="web"):
        consent_purpose_upsert(
            actor=users["trust_dpo"],
            trust=trust,
            key="biometric_catering",
            dpia_reference="DPIA-7",
            active=True,
        )
    # A parent may not withdraw a written-only consent verbally: the channel is named.
    by_parent = started(
        office,
        school_a,
        child,
        requester_kind="parent",
        requester_contact=parent_of_child,
        channel="in_person",
    )
    assert "in writing" in refused(office, by_parent, "biometric_catering", "channel")
    # The child (aged 10) may, in any form (Protection of Freedoms Act 2012 s.26(5)).
    with acting_as(office, channel="web"):
        services.transition(actor=office, request=by_parent, to=Status.WITHDRAWN, on=ON, note="Duplicate.")
    by_child = started(office, school_a, child, requester_kind="pupil", channel="in_person")
    got = withdraw(office, by_child, "biometric_catering")
    event = ConsentEvent.objects.get(pupil=child, action="withdraw")
    assert (event.by, event.method) == ("pupil", "verbal")
    assert got.state == "objected"
    assert "The alternative every pupil without consent uses: A PIN or card." in got.relies_on


# --- refused, with nothing written ----------------------------------------------------------------------


def test_refusals_name_the_field_and_write_nothing(
    office: User,
    school_a: School,
    child: Pupil,
    parent_of_child: Contact,
    loaded: Any,
) -> None:
    req = started(
        office, school_a, child, requester_kind="parent", requester_contact=parent_of_child, channel="email"
    )
    assert "asks no consent called 'Choir recordings'" in refused(
        office, req, "Choir recordings", "purpose_name"
    )
    assert "Photographs on the school website" in refused(office, req, "Choir recordings", "purpose_name")
    assert "does not rest on consent" in refused(office, req, "statutory_returns", "purpose_name")
    # A register purpose resting on consent: the consents asked for it are named, to pick one.
    message = refused(office, req, "Celebrating achievements", "purpose_name")
    assert "is a purpose of the register" in message and "Photographs in the press" in message
    # Biometrics are off until the DPIA reference is entered.
    assert "is not active" in refused(office, req, "biometric_catering", "purpose_name")
    assert "Name the purpose" in refused(office, req, "  ", "purpose_name")
    # A date in the future is not a withdrawal yet.
    ledger = ConsentEvent.objects.count()
    with pytest.raises(ValidationError) as err:
        withdraw(office, req, "photos_website", on=D(2099, 1, 1))
    assert "on" in err.value.message_dict and ConsentEvent.objects.count() == ledger


def test_a_pupil_too_young_to_decide_is_refused_naming_the_requester(
    office: User, school_a: School, child: Pupil, loaded: Any
) -> None:
    req = started(office, school_a, child, requester_kind="pupil", channel="email")
    message = refused(office, req, "Photographs on the school website", "requester")
    assert "from the age of 13" in message and "Ask a parent" in message
    # A consent only a parent gives.
    assert "decided by a parent" in refused(office, req, "trips", "requester")


def test_a_third_party_cannot_withdraw_in_the_ledger(
    office: User, school_a: School, child: Pupil, loaded: Any
) -> None:
    req = started(
        office,
        school_a,
        child,
        requester_kind="third_party",
        requester_name="A. Solicitor",
        authority=ContentFile(b"%PDF-1.4 fictional authority", name="authority.pdf"),
        channel="letter",
    )
    assert "parent or pupil they act for" in refused(office, req, "photos_website", "requester")


# --- the request's consent page ---------------------------------------------------------------------------


def test_the_consent_page_lists_the_consents_and_shows_what_relies_on_the_withdrawn_one(
    client: Client, office: User, school_a: School, child: Pupil, parent_of_child: Contact, loaded: Any
) -> None:
    req = started(
        office, school_a, child, requester_kind="parent", requester_contact=parent_of_child, channel="letter"
    )
    client.force_login(office)
    page = text_of(client.get(f"/requests/{req.pk}/consent/"))
    assert "Consents the school asks for:" in page and "Photographs on the school website" in page
    response = client.post(
        f"/requests/{req.pk}/consent/", {"purpose_name": "Choir recordings", **date_fields("on", ON)}
    )
    assert "asks no consent called 'Choir recordings'" in " ".join(error_summary(response))
    response = client.post(
        f"/requests/{req.pk}/consent/", {"purpose_name": "photos_press", **date_fields("on", ON)}
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "the consent is now withdrawn" in text
    assert "Steward's photo export for 'press' leaves out pupils without this consent." in text
    press = purpose_for(school_a, "photos_press")
    assert press is not None and consent_state(child, press, ON).state == "withdrawn"
