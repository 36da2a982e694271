"""Decisions in the portal: youth-support sharing (a parent until 16, the pupil from 16, the other told
why not) and consents through the consent ledger (skipped, saying so, while the consent app is absent)."""

from __future__ import annotations

import importlib.util

import pytest
from tests.conftest import make_pupil
from tests.portal.conftest import Family, link_contact, make_portal_user, signed_in, years_ago

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.organisations.models import School, Trust
from steward.rights.models import YouthSupportChoice

pytestmark = pytest.mark.django_db

CONSENT_MISSING = importlib.util.find_spec("steward.consent") is None


def test_parent_opts_a_14_year_old_down_and_back_up(
    family: Family, parent_user: User, published: School
) -> None:
    client = signed_in(parent_user)
    url = f"/portal/children/{family.teen.pk}/youth-support/"
    page = client.get(url)
    assert page.status_code == 200 and b"A parent or carer (until the 16th birthday)" in page.content
    assert client.post(url, {"choice": "limited"}).status_code == 302
    choice = YouthSupportChoice.objects.get()
    assert (choice.state, choice.decided_by, choice.contact) == ("limited", "parent", family.parent)
    assert b"Only name, address and date of birth" in client.get(url).content
    same = client.post(url, {"choice": "limited"})
    assert same.status_code == 400 and b"already the choice" in same.content
    assert client.post(url, {"choice": "full"}).status_code == 302
    assert list(YouthSupportChoice.objects.values_list("state", flat=True)) == ["limited", "full"]


def test_from_16_the_pupil_decides_and_the_parent_is_told_why_not(
    trust: Trust, school_a: School, published: School, system: object
) -> None:
    sixteen = make_pupil(trust, school_a, 50, legal_forename="Lee", date_of_birth=years_ago(16), ncy="11")
    parent = link_contact(sixteen, "Drew")
    parent_user = make_portal_user(school_a, contact=parent)
    pupil_user = make_portal_user(school_a, pupil=sixteen)
    url = f"/portal/children/{sixteen.pk}/youth-support/"
    told = signed_in(parent_user).get(url)
    assert b"only Lee can decide" in told.content and b"Save my choice" not in told.content
    refused = signed_in(parent_user).post(url, {"choice": "limited"})
    assert refused.status_code == 400 and b"16th birthday only the pupil decides" in refused.content
    assert not YouthSupportChoice.objects.exists()
    assert signed_in(pupil_user).post(url, {"choice": "limited"}).status_code == 302
    assert YouthSupportChoice.objects.get().decided_by == "pupil"


def test_a_pupil_under_16_is_told_a_parent_decides(
    family: Family, school_a: School, published: School
) -> None:
    pupil_user = make_portal_user(school_a, pupil=family.teen)
    url = f"/portal/children/{family.teen.pk}/youth-support/"
    assert b"a parent decides this" in signed_in(pupil_user).get(url).content
    assert signed_in(pupil_user).post(url, {"choice": "limited"}).status_code == 400
    assert not YouthSupportChoice.objects.exists()


def test_notice_for_each_audience_from_the_published_version(
    family: Family, parent_user: User, school_a: School, published: School
) -> None:
    from steward.notices.selectors import current_notice

    page = signed_in(parent_user).get(f"/portal/children/{family.child.pk}/notice/")
    parent_notice = current_notice(school_a, "parent")
    assert parent_notice is not None and parent_notice.title.encode() in page.content
    assert b"Version 1, in effect from" in page.content
    teen_user = make_portal_user(school_a, pupil=family.teen)
    pupil_page = signed_in(teen_user).get(f"/portal/children/{family.teen.pk}/notice/")
    pupil_notice = current_notice(school_a, "pupil")
    assert pupil_notice is not None and pupil_notice.title.encode() in pupil_page.content


@pytest.mark.skipif(CONSENT_MISSING, reason="the consent app (steward.consent) is not installed yet")
def test_parent_gives_and_withdraws_a_consent(family: Family, parent_user: User, published: School) -> None:
    from steward.consent.selectors import consent_states
    from steward.portal import decisions

    with acting_as(parent_user, channel="web"):
        rows = decisions.consent_rows(user=parent_user, pupil=family.child)
    assert "photos_website" in {p.key for p, _ in rows}
    client = signed_in(parent_user)
    url = f"/portal/children/{family.child.pk}/consents/"
    page = client.get(url)
    assert page.status_code == 200 and b"Photographs on the school website" in page.content

    def state() -> str:
        return {p.key: s for p, s in consent_states(family.child)}["photos_website"].state

    assert client.post(url, {"purpose": "photos_website", "action": "grant"}).status_code == 302
    assert state() == "given"
    assert client.post(url, {"purpose": "photos_website", "action": "withdraw"}).status_code == 302
    assert state() == "withdrawn"
    bad = client.post(url, {"purpose": "no_such_purpose", "action": "grant"})
    assert bad.status_code == 400 and b"Choose one of the consents listed" in bad.content
    assert (
        signed_in(parent_user).get(f"/portal/children/{family.other_child.pk}/consents/").status_code == 404
    )
