"""The staff placement pages through the test client: the list by status, the commission form (only the
register's categories for AP providers, with its labels), refusals on the form with nothing written, the
placement page, ending early, providers and their sign-ins (a one-time set-password link), the DPO's
agreement form; and who may use them."""

from __future__ import annotations

import re

from django.test import Client
from tests.placements.conftest import DAY, PASSWORD, TODAY, commission, counts

from steward.accounts.models import RoleAssignment, User
from steward.audit.models import AuditEvent
from steward.organisations.models import School
from steward.people.models import Pupil
from steward.placements.models import Placement, Provider, ProviderUser
from steward.placements.selectors import recipient_categories
from steward.sharing.models import Agreement, Disclosure


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _dates(name: str, day: object) -> dict[str, object]:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}  # type: ignore[attr-defined]


def _form(pupil: Pupil, provider: Provider, agreement: Agreement, **kw: object) -> dict[str, object]:
    data: dict[str, object] = {
        "pupil": pupil.pk,
        "provider": provider.pk,
        "agreement": agreement.pk,
        **_dates("starts_on", TODAY),
        **_dates("ends_on", TODAY + 30 * DAY),
        "services": "Mornings of English and maths.",
        "categories": ["pupil.identity", "pupil.attendance"],
        "reason": "Needs a smaller setting.",
    }
    data.update(kw)
    return data


def test_the_commission_form_offers_the_registers_categories_and_commissions(
    published: School, agreement: Agreement, provider: Provider, pupil_a: Pupil, office: User
) -> None:
    c = _client(office)
    page = c.get(f"/placements/new/?school={published.urn}")
    assert page.status_code == 200
    html = page.content.decode()
    offered = set(re.findall(r'name="categories" type="checkbox" value="([^"]+)"', html))
    refs = recipient_categories(published)
    assert offered == {r.key for r in refs}
    assert "pupil.characteristics.ethnicity" not in offered and "pupil.image" not in offered
    for r in refs:
        assert r.label in html
    response = c.post(f"/placements/new/?school={published.urn}", _form(pupil_a, provider, agreement))
    placement = Placement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/placements/{placement.pk}/"
    assert placement.created_by == office and placement.categories == ["pupil.identity", "pupil.attendance"]
    detail = c.get(response["Location"]).content.decode()
    assert "Alternative provision notice, version 1" in detail
    assert "Personal identifiers" in detail and "Attendance" in detail
    assert "Legal surname" in detail  # the fields the provider can see, from the registry
    assert "Current" in detail
    listing = c.get(f"/placements/?school={published.urn}").content.decode()
    assert "Alex Testpupil1" in listing and "Northside Tuition Centre" in listing


def test_a_refused_commission_shows_the_reason_on_the_field_and_writes_nothing(
    published: School, trust: object, provider: Provider, pupil_a: Pupil, office: User
) -> None:
    from tests.placements.conftest import make_agreement

    expired = make_agreement(trust, starts_on=TODAY - 400 * DAY, ends_on=TODAY - DAY)  # type: ignore[arg-type]
    c = _client(office)
    before = counts()
    page = c.post(f"/placements/new/?school={published.urn}", _form(pupil_a, provider, expired))
    assert page.status_code == 200
    html = page.content.decode()
    assert "There is a problem" in html and "is not in force" in html
    page = c.post(
        f"/placements/new/?school={published.urn}",
        _form(pupil_a, provider, expired, categories=["pupil.identity", "pupil.image"]),
    )
    assert "pupil.image" in page.content.decode()
    assert counts() == before
    empty = c.post(f"/placements/new/?school={published.urn}", {})
    assert "Select the pupil" in empty.content.decode() and counts() == before


def test_end_early_from_the_placement_page(
    published: School, agreement: Agreement, provider: Provider, pupil_a: Pupil, office: User
) -> None:
    placement = commission(office, pupil_a, published, provider, agreement)
    c = _client(office)
    blank = c.post(f"/placements/{placement.pk}/end/", {"reason": ""})
    assert blank.status_code == 200 and "Say why" in blank.content.decode()
    done = c.post(f"/placements/{placement.pk}/end/", {"reason": "Returned to school."})
    assert done.status_code == 302
    placement.refresh_from_db()
    assert placement.ended_on == TODAY and placement.status_on(TODAY) == "ended"
    listing = c.get(f"/placements/?school={published.urn}").content.decode()
    assert "ended early" in listing


def test_providers_and_a_sign_in_with_a_one_time_link(published: School, office: User) -> None:
    c = _client(office)
    bad = c.post("/placements/providers/new/", {"name": "Hilltop", "email": "not an email", "ukprn": "123"})
    assert bad.status_code == 200 and "UK provider reference number" in bad.content.decode()
    assert not Provider.objects.exists()
    made = c.post(
        "/placements/providers/new/",
        {"name": "Hilltop Learning", "email": "office@hilltop.example.com", "ukprn": "10012345"},
    )
    provider = Provider.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/placements/providers/{provider.pk}/"
    added = c.post(
        f"/placements/providers/{provider.pk}/users/new/",
        {
            "first_name": "Pat",
            "last_name": "Tutor",
            "email": "pat@hilltop.example.com",
            "username": "pat.hilltop",
            "school": published.pk,
        },
    )
    assert added.status_code == 200
    link = re.search(r'id="set-password-link"[^>]*>([^<]+)<', added.content.decode())
    assert link is not None
    user = User.objects.get(username="pat.hilltop")
    assert not user.has_usable_password()
    assert ProviderUser.objects.get(user=user).provider == provider
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == ["provider"]
    # The person sets their own password once; the link then stops working.
    anon = Client()
    path = link.group(1).strip().removeprefix("http://testserver")
    form_page = anon.get(path, follow=True)
    assert b"Set your password" in form_page.content and b"new_password1" in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    ok = anon.post(set_url, {"new_password1": PASSWORD + " 2", "new_password2": PASSWORD + " 2"})
    assert ok.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD + " 2")
    assert AuditEvent.objects.filter(actor=user, model="accounts.User", action="update").exists()
    again = Client().get(path, follow=True)
    assert b"has been used or has expired" in again.content


def test_the_dpo_records_an_agreement_and_others_cannot(
    published: School, users: dict[str, User], office: User
) -> None:
    dpo = _client(users["trust_dpo"])
    page = dpo.get(f"/placements/agreements/new/?school={published.urn}")
    assert page.status_code == 200
    made = dpo.post(
        f"/placements/agreements/new/?school={published.urn}",
        {
            "title": "AP agreement 2026-27",
            "parties": "The trust and Hilltop Learning",
            "categories": ["pupil.identity", "pupil.attendance"],
            **_dates("starts_on", TODAY),
            **_dates("ends_on", TODAY + 300 * DAY),
            "onward_sharing": "Back to the school only.",
        },
    )
    assert made.status_code == 302
    agreement = Agreement.objects.get()
    assert (agreement.recipient_key, agreement.purposes, agreement.lawful_basis) == (
        "ap_providers",
        ["alternative_provision"],
        "public_task",
    )
    assert _client(office).get(f"/placements/agreements/new/?school={published.urn}").status_code == 404


def test_staff_who_may_not_change_pupils_get_404_and_no_nav_item(
    published: School,
    agreement: Agreement,
    provider: Provider,
    pupil_a: Pupil,
    office: User,
    users: dict[str, User],
) -> None:
    placement = commission(office, pupil_a, published, provider, agreement)
    teacher = _client(users["teacher"])
    for url in ("/placements/", f"/placements/{placement.pk}/", "/placements/new/", "/placements/providers/"):
        assert teacher.get(url).status_code == 404, url
    assert "Placements" not in [i.text for i in teacher.get("/").context["nav_items"]]
    assert "Placements" in [i.text for i in _client(office).get("/").context["nav_items"]]
    # Staff at another school do not see this school's placement.
    other = User.objects.create_user(username="office_b", password=PASSWORD)
    RoleAssignment.objects.create(
        user=other, role="office_manager", trust=published.trust, school=School.objects.get(urn="100002")
    )
    assert _client(other).get(f"/placements/{placement.pk}/").status_code == 404
    assert Disclosure.objects.count() == 1
