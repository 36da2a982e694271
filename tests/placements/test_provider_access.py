"""What a provider user sees, through the pages: nothing before the start (404), only the chosen
categories during, nothing after the end, an early end or the agreement's end (404), never another
provider's pupil, never a staff page; what they record back is attributed to them and audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from tests.placements.conftest import DAY, TODAY, commission, counts

from steward.accounts.models import User
from steward.accounts.scope import scope_for
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.organisations.models import School
from steward.people.models import Pupil
from steward.placements import services
from steward.placements.models import Placement, Provider
from steward.placements.selectors import placements_for
from steward.records.models import AttendanceMark, BehaviourIncident, MedicalCondition, SENNeed
from steward.rights.models import Restriction
from steward.sharing.models import Agreement


@pytest.fixture
def records(published: School, pupil_a: Pupil, office: User) -> None:
    """An SEN need (shared), a medical condition and an incident (not shared), and a school mark."""
    with acting_as(office, channel="web"):
        SENNeed.objects.create(
            pupil=pupil_a, school=published, need="SPLD", rank=1, notes="Dyslexia: coloured overlays"
        )
        MedicalCondition.objects.create(
            pupil=pupil_a, school=published, condition="Asthma", details="Inhaler"
        )
        BehaviourIncident.objects.create(
            pupil=pupil_a,
            school=published,
            occurred_at=dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC),
            category="Disruption",
            description="Threw a chair in maths",
        )
        AttendanceMark.objects.create(
            pupil=pupil_a, school=published, date=TODAY - 3 * DAY, session="AM", code="/"
        )


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _shift(placement: Placement, **dates: dt.date) -> None:
    """Move a placement's dates, as time passing would (no audit context needed for a test's clock)."""
    Placement.objects.filter(pk=placement.pk).update(**dates)


def test_nothing_before_the_start(
    published: School,
    agreement: Agreement,
    provider: Provider,
    pupil_a: Pupil,
    office: User,
    provider_user: User,
) -> None:
    placement = commission(office, pupil_a, published, provider, agreement, starts_on=TODAY + 7 * DAY)
    c = _client(provider_user)
    home = c.get("/provider/")
    assert home.status_code == 200 and pupil_a.legal_surname not in home.content.decode()
    assert c.get(f"/provider/placements/{placement.pk}/").status_code == 404
    assert not placements_for(provider_user, TODAY).exists()
    assert list(placements_for(provider_user, TODAY + 7 * DAY)) == [placement]


def test_only_the_chosen_categories_during_and_the_view_is_audited(
    published: School,
    agreement: Agreement,
    provider: Provider,
    pupil_a: Pupil,
    office: User,
    provider_user: User,
    records: None,
) -> None:
    placement = commission(office, pupil_a, published, provider, agreement)
    c = _client(provider_user)
    home = c.get("/provider/").content.decode()
    assert "Alex Testpupil1" in home
    page = c.get(f"/provider/placements/{placement.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Alex Testpupil1" in html
    assert "Dyslexia: coloured overlays" in html  # pupil.sen: chosen
    assert "14 March 2015" in html  # pupil.identity: chosen
    assert "Asthma" not in html  # pupil.health: not chosen
    assert "Threw a chair" not in html  # pupil.behaviour: not chosen
    assert "WBRI" not in html and "White" not in html  # characteristics: never offered
    event = AuditEvent.objects.filter(action="view", pupil_id_ref=pupil_a.pk, actor=provider_user).latest(
        "id"
    )
    assert event.detail["page"] == "provider pupil page"
    assert set(event.categories) <= {"pupil.identity.name", "pupil.identity.upn", "pupil.identity.uln",
                                     "pupil.identity.dob", "pupil.identity.sex", "pupil.attendance",
                                     "pupil.sen.need", "pupil.sen.provision", "pupil.sen.ehcp"}  # fmt: skip
    assert "pupil.sen.need" in event.categories and event.special
    assert AuditEvent.objects.filter(
        action="view", actor=provider_user, detail__page="provider placements"
    ).exists()


def test_a_restriction_during_the_placement_withholds_that_category(
    published: School,
    agreement: Agreement,
    provider: Provider,
    pupil_a: Pupil,
    office: User,
    provider_user: User,
    records: None,
) -> None:
    placement = commission(office, pupil_a, published, provider, agreement)
    with acting_as(office, channel="web"):
        Restriction.objects.create(
            pupil=pupil_a, categories=["pupil.sen"], ground="accuracy", started_on=TODAY
        )
    html = _client(provider_user).get(f"/provider/placements/{placement.pk}/").content.decode()
    assert "Dyslexia" not in html and "Withheld while processing is restricted" in html


@pytest.mark.parametrize("how", ["past its end", "ended early", "agreement ended"])
def test_nothing_after_the_end(
    published: School,
    agreement: Agreement,
    provider: Provider,
    pupil_a: Pupil,
    office: User,
    provider_user: User,
    how: str,
) -> None:
    placement = commission(office, pupil_a, published, provider, agreement)
    c = _client(provider_user)
    assert c.get(f"/provider/placements/{placement.pk}/").status_code == 200
    if how == "past its end":
        _shift(placement, starts_on=TODAY - 30 * DAY, ends_on=TODAY - DAY)
    elif how == "ended early":
        with acting_as(office, channel="web"):
            services.end_placement(
                actor=office, placement=placement, reason="Back at school full time.", on=TODAY
            )
    else:
        Agreement.objects.filter(pk=agreement.pk).update(ends_on=TODAY - DAY)
    assert c.get(f"/provider/placements/{placement.pk}/").status_code == 404
    assert "Alex Testpupil1" not in c.get("/provider/").content.decode()
    before = counts()
    post = c.post(
        f"/provider/placements/{placement.pk}/attendance/",
        {
            "date_day": TODAY.day,
            "date_month": TODAY.month,
            "date_year": TODAY.year,
            "session": "AM",
            "code": "/",
        },
    )
    assert post.status_code == 404 and counts() == before


def test_another_providers_pupil_is_404(
    published: School,
    agreement: Agreement,
    provider: Provider,
    pupil_a: Pupil,
    office: User,
    other_provider_user: User,
) -> None:
    placement = commission(office, pupil_a, published, provider, agreement)
    c = _client(other_provider_user)
    assert c.get(f"/provider/placements/{placement.pk}/").status_code == 404
    assert c.get(f"/provider/placements/{placement.pk}/incidents/").status_code == 404
    assert "Alex Testpupil1" not in c.get("/provider/").content.decode()


def test_a_provider_user_gets_no_staff_page_and_staff_get_no_provider_page(
    published: School,
    agreement: Agreement,
    provider: Provider,
    pupil_a: Pupil,
    office: User,
    provider_user: User,
) -> None:
    placement = commission(office, pupil_a, published, provider, agreement)
    assert not scope_for(provider_user).grants and not scope_for(provider_user).trust_ids
    c = _client(provider_user)
    for url in (
        "/pupils/",
        f"/pupils/{pupil_a.pk}/",
        "/pupils/new/",
        "/placements/",
        f"/placements/{placement.pk}/",
        "/placements/new/",
        "/placements/providers/",
        "/register/",
        "/requests/",
        "/data-map/",
        "/audit/",
        "/notices/",
    ):
        assert c.get(url).status_code == 404, url
    # The staff home sends a provider to their own pages, where the staff navigation is empty.
    home = c.get("/", follow=True)
    assert home.redirect_chain[-1][0] == "/provider/" and home.context["nav_items"] == []
    api = c.get("/api/pupils")
    assert api.status_code == 200 and api.json()["items"] == []
    staff = _client(office)
    assert staff.get("/provider/").status_code == 404
    assert staff.get(f"/provider/placements/{placement.pk}/").status_code == 404


def test_records_written_back_are_attributed_and_audited(
    published: School,
    agreement: Agreement,
    provider: Provider,
    pupil_a: Pupil,
    office: User,
    provider_user: User,
) -> None:
    placement = commission(office, pupil_a, published, provider, agreement)
    c = _client(provider_user)
    day = {"date_day": TODAY.day, "date_month": TODAY.month, "date_year": TODAY.year}
    response = c.post(
        f"/provider/placements/{placement.pk}/attendance/", {**day, "session": "AM", "code": "/"}
    )
    assert response.status_code == 302, response.content.decode()
    mark = AttendanceMark.objects.get(pupil=pupil_a)
    assert (mark.school, mark.source, mark.recorded_by) == (published, "provider", provider_user)
    event = AuditEvent.objects.get(model="records.AttendanceMark", object_id=str(mark.pk), action="create")
    assert (event.actor, event.channel, event.pupil_id_ref) == (provider_user, "web", pupil_a.pk)
    response = c.post(
        f"/provider/placements/{placement.pk}/incidents/",
        {"day_day": TODAY.day, "day_month": TODAY.month, "day_year": TODAY.year, "time": "10:15",
         "kind": "positive", "category": "Kindness", "description": "Helped a new pupil settle in."},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    incident = BehaviourIncident.objects.get(pupil=pupil_a)
    assert (incident.source, incident.recorded_by, incident.kind) == ("provider", provider_user, "positive")
    assert AuditEvent.objects.filter(
        model="records.BehaviourIncident", object_id=str(incident.pk), action="create", actor=provider_user
    ).exists()
    # A day before the placement, or in the future, is refused on the field, and nothing is written.
    before = counts()
    early = TODAY - DAY
    bad = c.post(
        f"/provider/placements/{placement.pk}/attendance/",
        {
            "date_day": early.day,
            "date_month": early.month,
            "date_year": early.year,
            "session": "PM",
            "code": "/",
        },
    )
    assert bad.status_code == 200 and "record only days from then" in bad.content.decode()
    assert counts() == before


def test_a_duplicate_mark_is_refused_with_the_models_message(
    published: School,
    agreement: Agreement,
    provider: Provider,
    pupil_a: Pupil,
    office: User,
    provider_user: User,
) -> None:
    placement = commission(office, pupil_a, published, provider, agreement)
    with acting_as(provider_user, channel="web"):
        services.record_attendance(
            actor=provider_user, placement_id=placement.pk, date=TODAY, session="AM", code="/", on=TODAY
        )
    day = {"date_day": TODAY.day, "date_month": TODAY.month, "date_year": TODAY.year}
    bad = _client(provider_user).post(
        f"/provider/placements/{placement.pk}/attendance/", {**day, "session": "AM", "code": "L"}
    )
    assert bad.status_code == 200 and "already has a mark for that session" in bad.content.decode()
    assert AttendanceMark.objects.count() == 1


def test_placements_for_is_empty_for_staff_and_users_without_the_role(
    published: School,
    agreement: Agreement,
    provider: Provider,
    pupil_a: Pupil,
    office: User,
    provider_user: User,
) -> None:
    commission(office, pupil_a, published, provider, agreement)
    assert placements_for(provider_user, TODAY).count() == 1
    assert not placements_for(office, TODAY).exists()
    provider_user.roles.all().delete()
    assert not placements_for(provider_user, TODAY).exists()
