"""Who sees what in the portal: a parent only the children they have parental responsibility for with no
court order; a contact without it, or with a court order, nothing about that child; a pupil only
themself. Guessed ids of another family's child, request or submission are a 404, and so are staff pages
for portal users and portal pages for staff."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from tests.portal.conftest import Family, make_portal_user, signed_in

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.organisations.models import School
from steward.portal import requests as portal_requests
from steward.portal.selectors import children

pytestmark = pytest.mark.django_db

CHILD_PAGES = ["", "notice/", "youth-support/", "requests/new/", "data-check/"]


def test_parent_sees_their_children_only(family: Family, parent_user: User, published: School) -> None:
    assert set(children(parent_user)) == {family.child, family.teen}
    client = signed_in(parent_user)
    home = client.get("/portal/")
    assert home.status_code == 200
    assert family.child.display_name.encode() in home.content
    assert family.other_child.display_name.encode() not in home.content
    for page in CHILD_PAGES:
        assert client.get(f"/portal/children/{family.child.pk}/{page}").status_code == 200, page
        assert client.get(f"/portal/children/{family.other_child.pk}/{page}").status_code == 404, page
        assert client.get(f"/portal/children/999999/{page}").status_code == 404, page
    assert (
        client.post(
            f"/portal/children/{family.other_child.pk}/youth-support/", {"choice": "limited"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/portal/children/{family.other_child.pk}/requests/new/",
            {"kind": "access", "description": "All of it"},
        ).status_code
        == 404
    )


@pytest.mark.parametrize("who", ["no_pr", "court"])
def test_contact_without_pr_or_with_a_court_order_sees_nothing_about_the_child(
    family: Family, school_a: School, published: School, who: str
) -> None:
    user = make_portal_user(school_a, contact=getattr(family, who))
    assert not children(user).exists()
    client = signed_in(user)
    home = client.get("/portal/")
    assert home.status_code == 200 and family.child.display_name.encode() not in home.content
    assert b"nothing to show" in home.content
    for page in CHILD_PAGES:
        assert client.get(f"/portal/children/{family.child.pk}/{page}").status_code == 404


def test_a_court_order_recorded_later_takes_the_child_away_at_once(
    family: Family, parent_user: User, published: School
) -> None:
    client = signed_in(parent_user)
    assert client.get(f"/portal/children/{family.child.pk}/").status_code == 200
    with acting_as(None, channel="system", system_label="test: DSL records an order"):
        link = family.parent.pupil_links.get(pupil=family.child)
        link.court_order = True
        link.court_order_note = "Prohibited steps order."
        link.save()
    assert client.get(f"/portal/children/{family.child.pk}/").status_code == 404
    assert client.get(f"/portal/children/{family.teen.pk}/").status_code == 200


def test_pupil_sees_only_themself(family: Family, school_a: School, published: School) -> None:
    user = make_portal_user(school_a, pupil=family.teen)
    assert list(children(user)) == [family.teen]
    client = signed_in(user)
    assert client.get(f"/portal/children/{family.teen.pk}/").status_code == 200
    for pk in (family.child.pk, family.other_child.pk):
        assert client.get(f"/portal/children/{pk}/").status_code == 404


def test_guessing_request_ids_and_download_tokens_is_a_404(
    family: Family, parent_user: User, other_parent_user: User, published: School
) -> None:
    with acting_as(other_parent_user, channel="web"):
        theirs = portal_requests.make_request(
            actor=other_parent_user, pupil=family.other_child, kind="access", description="Everything."
        )
    client = signed_in(parent_user)
    assert client.get(f"/portal/requests/{theirs.pk}/").status_code == 404
    assert client.get(f"/portal/requests/{theirs.pk + 1000}/").status_code == 404
    assert client.get("/portal/download/abc:def.pdf").status_code == 404
    assert theirs.pupil.display_name.encode() not in client.get("/portal/requests/").content


def _staff_urls() -> list[str]:
    """Every staff page that takes no arguments (the staff UI, requests, placements, sharing, register,
    notices management): portal users must get a 404 or be sent to sign in, never a page."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and not p.pattern.converters and "(?P" not in str(p.pattern):
                found.append((namespace, prefix + str(p.pattern)))  # type: ignore[arg-type]

    walk(get_resolver().url_patterns, "/", "")
    keep = {"web", "rights", "placements", "sharing", "register", "notices"}
    urls = []
    for namespace, route in found:
        route = route.replace("^", "").replace("$", "")
        if namespace in keep and "\\" not in route:
            urls.append(route)
    return sorted(set(urls))


def test_staff_pages_are_404_for_portal_users(parent_user: User, published: School) -> None:
    client = signed_in(parent_user)
    # The staff home, sign-in/out and the public notice pages are not staff data pages.
    public = {"/", "/sign-in/", "/sign-out/", "/notices/check/"}
    reached = []
    for url in _staff_urls():
        if url in public:
            continue
        status = client.get(url).status_code
        if status not in (404, 405):
            reached.append((url, status))
    assert not reached, reached
    assert client.get("/portal/staff/invitations/").status_code == 404
    assert client.get("/portal/staff/data-checks/").status_code == 404
    # The API answers a portal user with nothing of anyone's (its scope is the staff scope, which is empty).
    api = client.get("/api/requests")
    assert api.status_code in (401, 403, 404) or not api.json().get("items", api.json())


def test_portal_pages_are_404_for_staff_and_home_sends_them_to_theirs(
    family: Family, users: dict[str, User], published: School
) -> None:
    client = signed_in(users["trust_dpo"])
    assert client.get("/portal/")["Location"] == "/"
    for page in CHILD_PAGES:
        assert client.get(f"/portal/children/{family.child.pk}/{page}").status_code == 404
    assert client.get("/portal/requests/").status_code == 404
    anonymous = Client().get(f"/portal/children/{family.child.pk}/")
    assert anonymous.status_code == 302 and "/sign-in/" in anonymous["Location"]


def test_a_parent_signing_in_to_the_staff_home_lands_in_the_portal(parent_user: User) -> None:
    response = signed_in(parent_user).get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/portal/"
