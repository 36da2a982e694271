"""The Consents tab of the register pages: consent purposes listed with who gives them, from what age,
what relies on them and whether they are on (and why not); their page; the trust DPO adds and changes
them through `consent_purpose_upsert`, whose refusals (biometrics without a DPIA reference, CCTV, a
register purpose not resting on consent) come back on the field they name with nothing saved; a school's
own version; their history. Everyone else reads, or gets a 404, as on the other register pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from tests.register.test_register_ui import error_summary, html_of, text_of, url

from steward.audit.context import acting_as
from steward.consent.selectors import purpose_for, purposes_for
from steward.consent.services import record_consent
from steward.organisations.models import School, Trust
from steward.people.models import Contact, Pupil, PupilContact
from steward.register.models import ConsentPurpose, Register


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


def consent(trust: Trust, key: str, school: School | None = None) -> ConsentPurpose:
    return ConsentPurpose.objects.get(trust=trust, key=key, school=school)


def consent_post(row: ConsentPurpose | None = None, **changes: Any) -> dict[str, Any]:
    """The form as the page would post it for `row` (or empty), with `changes`; False ticks are left out."""
    data: dict[str, Any] = {
        "name": row.name if row else "",
        "description": row.description if row else "",
        "given_by": row.given_by if row else "",
        "competent_age": str(row.competent_age) if row else "13",
        "written_only": row.written_only if row else False,
        "relies_on": row.relies_on if row else "",
        "purpose_key": row.purpose_key if row else "",
        "biometric": row.biometric if row else False,
        "dpia_reference": row.dpia_reference if row else "",
        "alternative": row.alternative if row else "",
        "phases": list(row.phases) if row else [],
        "active": row.active if row else True,
        "notes": row.notes if row else "",
    }
    data.update(changes)
    return {k: ("1" if v is True else v) for k, v in data.items() if v is not False}


# --- reading ---------------------------------------------------------------------------------------


def test_the_consents_tab_lists_each_purpose_with_who_gives_it_and_what_relies_on_it(
    dpo_client: Client, loaded: Register, trust: Trust
) -> None:
    response = dpo_client.get(url(trust))
    assert response.status_code == 200
    text = text_of(response)
    count = ConsentPurpose.objects.filter(trust=trust, school=None).count()
    assert f"Consents ({count})" in text
    # The other tabs are still there.
    assert "Purposes (17)" in text and "Recipients (18)" in text
    html = html_of(response)
    website = consent(trust, "photos_website")
    card = html[html.index('id="consent-photos_website"') :]
    card = card[: card.index('<div class="govuk-summary-card"', 10)]
    assert "Photographs on the school website" in card
    assert "A parent with parental responsibility, or the pupil" in card and "From 13" in card
    assert "Steward's photo export for 'website' leaves out pupils without this consent." in card
    assert f'href="/register/{trust.pk}/consents/{website.pk}/view/"' in card
    assert f'href="/register/{trust.pk}/consents/{website.pk}/"' in card  # Change, for the DPO
    # Biometrics are off until the DPIA reference is entered, and the page says so.
    bio = html[html.index('id="consent-biometric_catering"') :]
    bio = bio[: bio.index("</dl>")]
    assert "Switched off: no DPIA reference" in bio and "Biometric" in bio
    assert "the pupil's objection overrides" in bio and "The pupil may object at any age" in bio
    trips = html[html.index('id="consent-trips"') :]
    assert "The pupil does not decide" in trips[: trips.index("</dl>")]


def test_a_consent_purposes_page_says_what_relies_on_it(
    dpo_client: Client, loaded: Register, trust: Trust
) -> None:
    website = consent(trust, "photos_website")
    response = dpo_client.get(url(trust, "consents", website.pk, "view"))
    assert response.status_code == 200
    text = text_of(response)
    assert "Photographs on the school website" in text and website.description in text
    assert "Celebrating achievements (publicity)" in text  # the register purpose, by name
    for line in website.relies_on_items():
        assert line in text
    assert "Change this consent purpose" in text and "History of this consent purpose" in text
    bio = consent(trust, "biometric_catering")
    text = text_of(dpo_client.get(url(trust, "consents", bio.pk, "view")))
    assert "Not active Switched off: no DPIA reference" in text
    assert "The alternative every pupil without consent uses: A PIN or card." in text


def test_readers_see_consents_but_cannot_change_them(
    client: Client, loaded: Register, trust: Trust, users: dict[str, Any], school_a: School, school_b: School
) -> None:
    website = consent(trust, "photos_website")
    client.force_login(users["school_dpl"])
    page = client.get(url(trust, "schools", school_a.pk))
    assert "Photographs on the school website" in text_of(page)
    assert f"/consents/{website.pk}/override/" not in html_of(page)
    assert "Add a consent purpose" not in text_of(page)
    assert client.get(url(trust, "consents", website.pk, "view")).status_code == 200
    for path in [
        url(trust, "consents", "new"),
        url(trust, "consents", website.pk),
        url(trust, "consents", website.pk, "remove"),
        url(trust, "schools", school_a.pk, "consents", website.pk, "override"),
        url(trust, "schools", school_a.pk, "consents", website.pk, "disable"),
    ]:
        assert client.get(path).status_code == 404, path
    response = client.post(url(trust, "consents", website.pk), consent_post(website, name="Changed"))
    assert response.status_code == 404
    assert consent(trust, "photos_website").name == "Photographs on the school website"
    # A school's own version at another school is not theirs to read.
    with acting_as(users["trust_dpo"], channel="web"):
        from steward.consent.services import consent_purpose_upsert

        theirs = consent_purpose_upsert(
            actor=users["trust_dpo"], trust=trust, school=school_b, key="photos_website", name="At B"
        )
    assert client.get(url(trust, "consents", theirs.pk, "view")).status_code == 404
    # A teacher reads no register at all.
    client.force_login(users["teacher"])
    assert client.get(url(trust, "consents", website.pk, "view")).status_code == 404


# --- changing --------------------------------------------------------------------------------------


def test_the_dpo_adds_a_consent_purpose_then_changes_it(
    dpo_client: Client, loaded: Register, trust: Trust, school_a: School
) -> None:
    form = dpo_client.get(url(trust, "consents", "new"))
    assert form.status_code == 200
    assert "Add a consent purpose" in text_of(form) and 'name="dpia_reference"' in html_of(form)
    data = consent_post(
        name="Photographs in the prospectus",
        description="Photographs of your child in the printed prospectus.",
        given_by="either",
        competent_age="12",
        relies_on="The prospectus print run",
        purpose_key="publicity",
    )
    response = dpo_client.post(url(trust, "consents", "new"), data)
    assert response.status_code == 302, error_summary(response)
    assert response["Location"] == url(trust) + "#consents"
    row = consent(trust, "photographs_in_the_prospectus")
    assert (row.given_by, row.competent_age, row.purpose_key, row.active) == ("either", 12, "publicity", True)
    assert row in purposes_for(school_a)
    text = text_of(dpo_client.get(url(trust)))
    assert "Photographs in the prospectus" in text and "From 12" in text
    # Change it: parents only, written.
    path = url(trust, "consents", row.pk)
    assert "Change consent purpose: Photographs in the prospectus" in text_of(dpo_client.get(path))
    response = dpo_client.post(path, consent_post(row, given_by="parent", written_only=True))
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.given_by, row.written_only) == ("parent", True)
    # The history names the change.
    history = text_of(dpo_client.get(url(trust, "consents", row.pk, "history")))
    assert "Consent purpose 'Photographs in the prospectus'" in history
    assert "who may give it" in history and "in writing only" in history


def test_biometrics_are_refused_without_a_dpia_reference_and_switched_on_with_one(
    dpo_client: Client, loaded: Register, trust: Trust, school_a: School
) -> None:
    bio = consent(trust, "biometric_catering")
    path = url(trust, "consents", bio.pk)
    response = dpo_client.post(path, consent_post(bio, active=True))
    assert response.status_code == 200
    [message] = error_summary(response)
    assert message.startswith("A biometric purpose cannot be active without a DPIA reference")
    assert 'href="#id_dpia_reference"' in html_of(response)
    assert consent(trust, "biometric_catering").active is False
    # Without the alternative too, both fields are named.
    response = dpo_client.post(path, consent_post(bio, active=True, alternative=""))
    summary = " ".join(error_summary(response))
    assert "without a DPIA reference" in summary and "Record the reasonable alternative" in summary
    assert 'href="#id_alternative"' in html_of(response)
    assert consent(trust, "biometric_catering").alternative == "A PIN or card"
    # With a DPIA reference it is switched on.
    response = dpo_client.post(path, consent_post(bio, active=True, dpia_reference="DPIA-2026-04"))
    assert response.status_code == 302, error_summary(response)
    bio.refresh_from_db()
    assert (bio.active, bio.dpia_reference) == (True, "DPIA-2026-04")
    assert bio in purposes_for(school_a)
    text = text_of(dpo_client.get(url(trust, "consents", bio.pk, "view")))
    assert "Active" in text and "DPIA-2026-04" in text


def test_cctv_and_a_purpose_not_resting_on_consent_are_refused_naming_the_field(
    dpo_client: Client, loaded: Register, trust: Trust
) -> None:
    before = ConsentPurpose.objects.count()
    base = {"description": "Cameras.", "given_by": "parent"}
    response = dpo_client.post(
        url(trust, "consents", "new"), consent_post(name="CCTV in the playground", **base)
    )
    assert response.status_code == 200
    summary = " ".join(error_summary(response))
    assert "CCTV is not consent-based" in summary and 'href="#id_key"' in html_of(response)
    response = dpo_client.post(
        url(trust, "consents", "new"),
        consent_post(name="Census", description="x", given_by="parent", purpose_key="statutory_returns"),
    )
    [message] = error_summary(response)
    assert message.startswith("Register purpose: The purpose") and "does not rest on consent" in message
    assert 'href="#id_purpose_key"' in html_of(response)
    # A biometric purpose must be given by both.
    response = dpo_client.post(
        url(trust, "consents", "new"),
        consent_post(name="Library fingerprints", description="x", given_by="parent", biometric=True),
    )
    summary = " ".join(error_summary(response))
    assert "Who may give it:" in summary and "choose 'both'" in summary
    assert ConsentPurpose.objects.count() == before


def test_a_school_has_its_own_version_of_a_consent_purpose(
    dpo_client: Client, loaded: Register, trust: Trust, school_a: School, school_b: School
) -> None:
    website = consent(trust, "photos_website")
    path = url(trust, "schools", school_a.pk, "consents", website.pk, "override")
    form = dpo_client.get(path)
    assert form.status_code == 200 and "Your changes apply at Oakfield Primary only." in text_of(form)
    # The school's version is refused like any other (biometric without both), and nothing is saved.
    response = dpo_client.post(path, consent_post(website, biometric=True))
    assert response.status_code == 200 and "Who may give it:" in " ".join(error_summary(response))
    assert not ConsentPurpose.objects.filter(trust=trust, school=school_a).exists()
    response = dpo_client.post(path, consent_post(website, competent_age="12"))
    assert response.status_code == 302
    assert response["Location"] == url(trust, "schools", school_a.pk) + "#consents"
    mine = consent(trust, "photos_website", school_a)
    assert purpose_for(school_a, "photos_website") == mine and mine.competent_age == 12
    assert purpose_for(school_b, "photos_website") == website
    a = text_of(dpo_client.get(url(trust, "schools", school_a.pk)))
    whole = text_of(dpo_client.get(url(trust)))
    assert "School version" in a and "Own version at Oakfield Primary" in whole
    page = text_of(dpo_client.get(url(trust, "consents", mine.pk, "view")))
    assert "Oakfield Primary's own version" in page and "From 12" in page
    # Leaving a purpose out at a school switches it off there only.
    social = consent(trust, "photos_social")
    response = dpo_client.post(url(trust, "schools", school_b.pk, "consents", social.pk, "disable"))
    assert response.status_code == 302
    assert "photos_social" not in [p.key for p in purposes_for(school_b)]
    assert "photos_social" in [p.key for p in purposes_for(school_a)]
    assert "Left out at this school" in text_of(dpo_client.get(url(trust, "schools", school_b.pk)))
    # Going back to the trust's version.
    assert dpo_client.post(url(trust, "consents", mine.pk, "remove")).status_code == 302
    assert purpose_for(school_a, "photos_website") == website


def test_a_consent_purpose_with_recorded_decisions_is_not_removed(
    dpo_client: Client, loaded: Register, trust: Trust, school_a: School, pupil_a: Pupil, dpo: Any
) -> None:
    contact = Contact.objects.create(trust=trust, forename="Maya", surname="Parent", email="maya@example.com")
    PupilContact.objects.create(
        pupil=pupil_a, contact=contact, relationship="PAM", parental_responsibility=True
    )
    website = consent(trust, "photos_website")
    with acting_as(dpo, channel="web"):
        record_consent(
            actor=dpo,
            pupil=pupil_a,
            purpose=website,
            action="grant",
            by="parent",
            contact=contact,
            method="paper",
            on=dt.date(2026, 9, 7),
        )
    response = dpo_client.post(url(trust, "consents", website.pk, "remove"))
    assert response.status_code == 200
    [message] = error_summary(response)
    assert "the consent ledger keeps them" in message and "switch it off instead" in message
    assert ConsentPurpose.objects.filter(pk=website.pk).exists()
