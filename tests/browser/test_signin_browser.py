"""A real browser signs in, searches, opens a pupil, and gets GOV.UK styling with no broken URLs.

Runs Debian's Chromium through Playwright's sync API (no Playwright-downloaded browser).
Set STEWARD_SCREENSHOT_DIR to keep the screenshots it takes.
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
from steward.audit.models import AuditEvent
from steward.people.models import Pupil

GENERIC_HEADER_BLACK = "rgb(11, 12, 12)"  # GOV.UK Frontend paints the generic header #0b0c0c

pytestmark = BROWSER_MARKS


def test_dpo_signs_in_searches_and_opens_a_pupil(
    live_server: Any, transactional_db: Any, users: dict[str, User], pupil_a: Pupil, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = screenshot_dir(tmp_path)
    failures: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.on("requestfailed", lambda r: failures.append(f"failed {r.url}"))

            page.goto(f"{live_server.url}/")
            expect(page).to_have_url(f"{live_server.url}/sign-in/?next=/")
            # initAll() ran: the password input's "Show" button is revealed by GOV.UK's JavaScript.
            expect(page.get_by_role("button", name="Show password")).to_be_visible()
            page.get_by_label("Username").fill("dpo")
            page.get_by_label("Password", exact=True).fill("correct horse battery staple")
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Your roles")).to_be_visible()

            page.get_by_role("link", name="Pupils", exact=True).first.click()
            page.get_by_label("Name or UPN").fill("Testpupil1")
            page.get_by_role("button", name="Search").click()
            page.get_by_role("link", name="Testpupil1, Alex").click()

            expect(page.get_by_role("heading", level=1)).to_have_text("Alex Testpupil1")
            expect(page.get_by_role("heading", name="Name", exact=True)).to_be_visible()
            expect(page.get_by_role("heading", name="Date of birth", exact=True)).to_be_visible()
            expect(page.get_by_text("14 March 2015")).to_be_visible()

            heading_font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
            assert "GDS Transport" in heading_font
            header_colour = page.evaluate(
                "getComputedStyle(document.querySelector('.govuk-generic-header')).backgroundColor"
            )
            assert header_colour == GENERIC_HEADER_BLACK  # unstyled, it would be transparent
            loaded_faces = page.evaluate(
                """async () => {
                    await document.fonts.ready;
                    return [...document.fonts]
                        .filter(f => f.family.includes("GDS Transport") && f.status === "loaded").length;
                }"""
            )
            assert loaded_faces >= 1
            assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
            page.screenshot(path=str(shots / "pupil_page.png"), full_page=True)

            # On a phone the page fits the screen and the menu collapses behind a button.
            page.set_viewport_size({"width": 375, "height": 812})
            page.reload()
            expect(page.get_by_role("button", name="Menu")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            page.screenshot(path=str(shots / "pupil_page_phone.png"), full_page=True)
        finally:
            browser.close()

    assert failures == []
    dpo = users["trust_dpo"]
    assert AuditEvent.objects.filter(action="login", actor=dpo, channel="web").count() == 1
    assert AuditEvent.objects.filter(action="view", actor=dpo, pupil_id_ref=pupil_a.pk).count() == 2
