"""The youth-support run in a real browser: the DPO signs in, opens Sharing, previews and runs the share for
a secondary school with a pupil whose parent opted down, sees that pupil's row marked limited and the
passphrase shown once, then opens the pupil's page and sees the disclosure listed. The result page and the
pupil page are checked at phone width (375 px) for horizontal scrolling.

Runs Debian's Chromium through Playwright's sync API. Set STEWARD_SCREENSHOT_DIR to keep the screenshots.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from tests.browser_support import (  # noqa: F401  (plain_static_storage is an autouse fixture)
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    plain_static_storage,
    screenshot_dir,
)
from tests.conftest import make_pupil

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.notices.services import publish_notice
from steward.organisations.models import School, Trust
from steward.people.models import Contact, PupilAddress, PupilContact
from steward.rights.models import YouthSupportChoice
from steward.sharing.models import Disclosure

pytestmark = BROWSER_MARKS
PASSWORD = "correct horse battery staple"
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def storage(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"


def test_the_dpo_runs_youth_support_sees_the_limited_row_then_the_pupils_disclosure(
    live_server: Any,
    transactional_db: Any,
    loaded: Any,
    trust: Trust,
    school_b: School,
    dpo: User,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with acting_as(dpo, channel="web"):
        publish_notice(actor=dpo, school=school_b, audience="parent")
        pupils = {}
        for serial, name, dob in ((21, "Opted", dt.date(2012, 5, 1)), (22, "Fully", dt.date(2011, 2, 3))):
            p = make_pupil(
                trust, school_b, serial, legal_forename=name, legal_surname="Sharer", date_of_birth=dob
            )
            PupilAddress.objects.create(
                pupil=p, line1=f"{serial} Orchard Lane", town="Exampleton", postcode="EX1 2AB"
            )
            parent = Contact.objects.create(
                trust=trust, forename="Pat", surname="Sharer", email=f"p{serial}@example.com"
            )
            PupilContact.objects.create(
                pupil=p, contact=parent, relationship="PAM", parental_responsibility=True
            )
            pupils[name] = (p, parent)
        opted, parent = pupils["Opted"]
        YouthSupportChoice.objects.create(
            pupil=opted,
            state="limited",
            decided_by="parent",
            contact=parent,
            on=TODAY - dt.timedelta(days=20),
        )
    shots = screenshot_dir(tmp_path)
    base = live_server.url
    failures: list[str] = []
    widths: dict[str, int] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.on("requestfailed", lambda r: failures.append(f"failed {r.url}"))
            page.goto(f"{base}/sign-in/")
            page.get_by_label("Username").fill(dpo.username)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base}/")
            page.get_by_role("link", name="Sharing", exact=True).first.click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Data sharing")
            page.goto(f"{base}/sharing/?school={school_b.urn}")
            page.get_by_role("link", name="Youth support services run").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Youth support services run")
            page.get_by_label("School").select_option(label=school_b.name)
            page.get_by_role("button", name="Preview").click()
            expect(page.locator("#preview")).to_contain_text("cover 2 pupils")
            expect(page.locator("#preview")).to_contain_text("1 limited to name, address and date of birth")
            page.get_by_role("button", name="Run and create the package").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Youth support services run done")
            limited_row = page.locator('#outcomes tr[data-status="limited"]')
            expect(limited_row).to_have_count(1)
            expect(limited_row).to_contain_text("Opted Sharer")
            expect(limited_row).to_contain_text("Limited")
            expect(page.locator('#outcomes tr[data-status="included"]')).to_contain_text("Fully Sharer")
            expect(page.locator("#passphrase")).to_have_text(
                re.compile(r"^\s*[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){4}\s*$")
            )
            page.screenshot(path=str(shots / "youth_support_done.png"), full_page=True)
            page.set_viewport_size({"width": 375, "height": 800})
            widths["result"] = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=str(shots / "youth_support_done_phone.png"), full_page=True)
            with page.expect_download() as got:
                page.get_by_role("link", name="Download the encrypted package").click()
            assert got.value.suggested_filename == f"youth-support-{school_b.urn}-{TODAY.isoformat()}.zip"

            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(f"{base}/pupils/{opted.pk}/")
            section = page.locator("#disclosures + p + .steward-table-scroll")
            expect(section).to_contain_text("Youth support services")
            expect(section).to_contain_text("Limited")
            page.set_viewport_size({"width": 375, "height": 800})
            widths["pupil"] = page.evaluate("document.documentElement.scrollWidth")
            page.locator("#disclosures").scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "pupil_disclosures_phone.png"), full_page=True)
        finally:
            browser.close()
    assert not failures, failures
    assert all(w <= 375 for w in widths.values()), widths
    row = Disclosure.objects.get(pupil_ref=opted.pk)
    assert row.limited and row.actor_label and row.channel == "web"
