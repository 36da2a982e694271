"""A parent's journey through the portal in a real browser, at phone width (375 px, no sideways scroll):
follow the invitation email's link and set a password; sign out and sign in again through the ordinary
sign-in page, landing on the portal; read the school's parent notice; give and then withdraw website
photo consent, and the website photo export leaves the child out; make a subject access request; guess
another family's child's id and get "Page not found"; the DPO sees the request on the dashboard.

Runs Debian's Chromium through Playwright's sync API. Set STEWARD_SCREENSHOT_DIR to keep the screenshots.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from tests.browser_support import (  # noqa: F401  (plain_static_storage is an autouse fixture)
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    plain_static_storage,
    screenshot_dir,
)
from tests.portal.conftest import Family, Inbox

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.organisations.models import School
from steward.portal import invitations
from steward.rights.models import RightsRequest

pytestmark = BROWSER_MARKS
PHONE = {"width": 375, "height": 812}
NEW_PASSWORD = "lantern orchard pebble violin"
CONSENT = importlib.util.find_spec("steward.consent") is not None
PHOTO_EXPORT = CONSENT and importlib.util.find_spec("steward.consent.enforcement") is not None
# A 1x1 PNG, enough for a stored photograph.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _no_sideways_scroll(page: Any, where: str, problems: list[str]) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{where}: page is {width}px wide at {PHONE['width']}px")


def sign_out(page: Any) -> None:
    """At phone width the service navigation folds behind its Menu button."""
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    page.get_by_role("button", name="Sign out").click()


def _website_photo_included(school: School, pupil_pk: int) -> bool:
    """Whether the website photo export includes the child's photograph now. Read in another thread:
    Django refuses database access in the thread where Playwright's sync API runs its event loop."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from steward.consent.enforcement import photo_selection

    def read() -> bool:
        try:
            included, _ = photo_selection(school, "website", dt.date.today())
            return any(p.pupil_id == pupil_pk for p in included)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(read).result()


def test_parent_journey_invitation_notice_consent_sar_and_dpo_dashboard(
    live_server: Any,
    transactional_db: Any,
    smtp: Inbox,
    published: School,
    family: Family,
    users: dict[str, User],
    settings: Any,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    settings.STEWARD_BASE_URL = live_server.url
    office, dpo = users["office_manager"], users["trust_dpo"]
    with acting_as(office, channel="web"):
        invitations.invite(actor=office, school=published, email="morgan@example.com", contact=family.parent)
    if PHOTO_EXPORT:
        from steward.records.models import Photograph

        with acting_as(office, channel="web"):
            photo = Photograph(
                pupil=family.child, school=published, purpose="website", taken_on=dt.date.today()
            )
            photo.image.save("sports-day.png", ContentFile(PNG), save=False)
            photo.save()
    link = smtp.texts()[-1].split(live_server.url, 1)[1].split()[0]
    assert link.startswith("/portal/invitation/")

    shots = screenshot_dir(tmp_path)
    base = live_server.url
    failures: list[str] = []
    wide: list[str] = []
    photo_before = photo_granted = photo_after = None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport=PHONE)
            page.on(
                "response",
                lambda r: (
                    failures.append(f"{r.status} {r.url}")
                    if r.status >= 400 and "/children/" not in r.url
                    else None
                ),
            )

            # The invitation link: choose a password, be signed in, land on the portal.
            page.goto(base + link)
            expect(page.get_by_role("heading", level=1)).to_have_text("Create your password")
            expect(page.locator("#username")).to_have_text("morgan@example.com")
            _no_sideways_scroll(page, "create password", wide)
            page.get_by_label("Create a password").fill(NEW_PASSWORD)
            page.get_by_label("Type the password again").fill(NEW_PASSWORD)
            page.get_by_role("button", name="Save password and sign in").click()
            page.wait_for_url(f"{base}/portal/")
            expect(page.get_by_role("heading", level=1)).to_have_text("Your children")

            # Sign out, then sign in again through the ordinary sign-in page.
            sign_out(page)
            page.wait_for_url(f"{base}/sign-in/")
            page.goto(f"{base}/portal/")
            page.wait_for_url(f"{base}/sign-in/?next=/portal/")
            page.get_by_label("Username").fill("morgan@example.com")
            page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base}/portal/")
            expect(page.locator("#children")).to_contain_text(family.child.display_name)
            expect(page.locator("#children")).not_to_contain_text(family.other_child.display_name)
            _no_sideways_scroll(page, "portal home", wide)
            page.screenshot(path=str(shots / "portal_home.png"), full_page=True)

            # Read the school's parent notice.
            page.get_by_role("link", name=family.child.display_name).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(family.child.display_name)
            _no_sideways_scroll(page, "child page", wide)
            page.get_by_role("link", name="How the school uses personal information (privacy notice)").click()
            expect(page.locator("#notice-dateline")).to_contain_text("Version 1")
            expect(page.locator("#notice h2").first).to_be_visible()
            _no_sideways_scroll(page, "notice", wide)
            page.screenshot(path=str(shots / "portal_notice.png"), full_page=True)

            # Give, then withdraw, website photo consent.
            if CONSENT:
                page.goto(f"{base}/portal/children/{family.child.pk}/consents/")
                card = page.locator("#consent-photos_website")
                expect(card).to_contain_text("Photographs on the school website")
                photo_before = _website_photo_included(published, family.child.pk) if PHOTO_EXPORT else None
                card.get_by_role("button", name="Give consent").click()
                expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Consent given")
                expect(page.locator("#consent-photos_website [data-state]")).to_have_attribute(
                    "data-state", "given"
                )
                photo_granted = _website_photo_included(published, family.child.pk) if PHOTO_EXPORT else None
                page.locator("#consent-photos_website").get_by_role("button", name="Withdraw consent").click()
                expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
                    "Consent withdrawn"
                )
                expect(page.locator("#consent-photos_website [data-state]")).to_have_attribute(
                    "data-state", "withdrawn"
                )
                photo_after = _website_photo_included(published, family.child.pk) if PHOTO_EXPORT else None
                _no_sideways_scroll(page, "consents", wide)
                page.screenshot(path=str(shots / "portal_consents.png"), full_page=True)

            # Make a subject access request.
            page.goto(f"{base}/portal/children/{family.child.pk}/")
            page.get_by_role("link", name="Ask for a copy of information, or to correct or delete it").click()
            page.get_by_label("A copy of the information the school holds (subject access request)").check()
            page.get_by_label("Tell us more").fill("Everything you hold about Robin, please.")
            _no_sideways_scroll(page, "request form", wide)
            page.get_by_role("button", name="Send request").click()
            expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
                "Your request has been sent"
            )
            expect(page.locator("#status")).to_have_text("Received")
            expect(page.locator("#due")).to_contain_text(str(dt.date.today().year)[:2])
            _no_sideways_scroll(page, "request", wide)
            page.screenshot(path=str(shots / "portal_request.png"), full_page=True)

            # Guessing another family's child is a 404.
            page.goto(f"{base}/portal/children/{family.other_child.pk}/")
            expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
            expect(page.get_by_text(family.other_child.display_name)).to_have_count(0)
            sign_out(page)
            page.wait_for_url(f"{base}/sign-in/")

            # The DPO sees the request on the dashboard.
            desk = browser.new_page(viewport={"width": 1280, "height": 900})
            desk.goto(f"{base}/requests/")
            desk.get_by_label("Username").fill(dpo.username)
            desk.get_by_label("Password", exact=True).fill("correct horse battery staple")
            desk.get_by_role("button", name="Sign in").click()
            desk.wait_for_url(f"{base}/requests/")
            expect(desk.locator("main")).to_contain_text(family.child.display_name)
            desk.screenshot(path=str(shots / "portal_dpo_dashboard.png"), full_page=True)
        finally:
            browser.close()

    assert not failures, failures
    assert not wide, wide
    req = RightsRequest.objects.get()
    assert req.channel == "portal" and req.requester_contact == family.parent and req.kind == "access"
    if not CONSENT:
        pytest.skip("the consent app (steward.consent) is not installed: the consent steps were not run")
    if not PHOTO_EXPORT:
        pytest.skip("steward.consent.enforcement.photo_export is absent: the photo export was not checked")
    assert (photo_before, photo_granted, photo_after) == (False, True, False)
