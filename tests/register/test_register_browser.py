"""The register pages in a real browser: the DPO loads the default register, moves between the tabs,
changes a recipient, meets a refusal, and every page fits a phone screen.

Runs Debian's Chromium through Playwright's sync API, as tests/browser does. Set STEWARD_SCREENSHOT_DIR
to keep the screenshots.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser_support import (  # noqa: F401  (plain_static_storage is an autouse fixture)
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    plain_static_storage,
    screenshot_dir,
)

from steward.accounts.models import User
from steward.organisations.models import School, Trust
from steward.register.models import Purpose, Recipient

PHONE = {"width": 375, "height": 812}

pytestmark = BROWSER_MARKS


def test_dpo_works_on_the_register_in_a_browser(
    live_server: Any,
    transactional_db: Any,
    users: dict[str, User],
    trust: Trust,
    school_a: School,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = screenshot_dir(tmp_path)
    base = live_server.url
    failures: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.on("requestfailed", lambda r: failures.append(f"failed {r.url}"))
            page.goto(f"{base}/sign-in/")
            page.get_by_label("Username").fill("dpo")
            page.get_by_label("Password", exact=True).fill("correct horse battery staple")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base}/")

            # An empty trust: the DPO starts from the default register.
            page.goto(f"{base}/register/")
            expect(page).to_have_url(f"{base}/register/{trust.pk}/")
            page.get_by_role("button", name="Load the default register").click()
            expect(page.get_by_text("Loaded Steward's default register")).to_be_visible()

            # GOV.UK tabs: one section at a time on a desktop.
            expect(page.locator("#purposes")).to_be_visible()
            expect(page.locator("#recipients")).to_be_hidden()
            page.get_by_role("tab", name="Recipients (18)").click()
            expect(page.locator("#recipients")).to_be_visible()
            expect(page.locator("#purposes")).to_be_hidden()
            page.screenshot(path=str(shots / "register_recipients.png"))

            page.locator("#recipient-ofsted").get_by_role("link", name="Change Ofsted").click()
            page.get_by_label("Legal gateway").fill("Education and Inspections Act 2006 s5")
            page.get_by_role("button", name="Save changes").click()
            # Back on the recipients tab, with the change confirmed.
            expect(page).to_have_url(f"{base}/register/{trust.pk}/#recipients")
            expect(page.get_by_text("Recipient 'Ofsted' saved")).to_be_visible()
            expect(page.locator("#recipients")).to_be_visible()
            expect(page.locator("#recipient-ofsted")).to_contain_text("Education and Inspections Act 2006 s5")

            # A refused edit: the GOV.UK error summary says why and takes the focus.
            # (No ORM calls in here: Playwright's sync API runs an event loop in this thread.)
            ofsted_path = (
                page.locator("#recipient-ofsted")
                .get_by_role("link", name="Change Ofsted")
                .get_attribute("href")
            )
            page.get_by_role("tab", name="Purposes (17)").click()
            page.locator("#purpose-library").get_by_role("link", name="Change Library").click()
            page.get_by_role("link", name="Remove Public task (UK GDPR Art 6(1)(e))").click()
            page.get_by_role("button", name="Remove lawful basis").click()
            summary = page.locator(".govuk-error-summary")
            expect(summary).to_contain_text("'Library' (library) is active but has no lawful basis")
            expect(summary).to_be_focused()
            page.screenshot(path=str(shots / "register_refused.png"))

            # On a phone every register page fits the screen (wide tables scroll inside their box).
            page.set_viewport_size(PHONE)
            for name, path in [
                ("overview", f"/register/{trust.pk}/"),
                ("school", f"/register/{trust.pk}/schools/{school_a.pk}/"),
                ("recipient", str(ofsted_path)),
                ("new_category", f"/register/{trust.pk}/categories/new/"),
                ("history", f"/register/{trust.pk}/history/"),
            ]:
                page.goto(base + path)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], f"{path} is {width}px wide on a phone"
                page.screenshot(path=str(shots / f"register_{name}_phone.png"))
        finally:
            browser.close()

    # The only 4xx is none: no broken asset or link was fetched.
    assert failures == []
    ofsted = Recipient.objects.get(trust=trust, key="ofsted", school=None)
    assert ofsted.legal_gateway == "Education and Inspections Act 2006 s5"
    assert ofsted_path == f"/register/{trust.pk}/recipients/{ofsted.pk}/"
    assert Purpose.objects.get(trust=trust, key="library", school=None).bases.count() == 1
