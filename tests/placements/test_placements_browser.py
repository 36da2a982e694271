"""An AP placement in a real browser, from commissioning to provider sign-in to expiry: the office manager
commissions a placement sharing the pupil's identity and SEN data; the provider's user signs in and sees
the pupil and only those categories; once the placement's dates are past (time is simulated by moving the
placement's dates, as the selectors read today's date), the provider gets "Page not found".

Runs Debian's Chromium through Playwright's sync API. Set STEWARD_SCREENSHOT_DIR to keep the screenshots.
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
from tests.placements.conftest import DAY, PASSWORD, TODAY

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.organisations.models import School
from steward.people.models import Pupil
from steward.placements.models import Placement, Provider
from steward.records.models import MedicalCondition, SENNeed
from steward.sharing.models import Agreement, Disclosure

pytestmark = BROWSER_MARKS


def test_staff_commission_a_placement_the_provider_sees_it_then_loses_it(
    live_server: Any,
    transactional_db: Any,
    published: School,
    agreement: Agreement,
    provider: Provider,
    provider_user: User,
    pupil_a: Pupil,
    office: User,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with acting_as(office, channel="web"):
        SENNeed.objects.create(
            pupil=pupil_a, school=published, need="SPLD", rank=1, notes="Coloured overlays"
        )
        MedicalCondition.objects.create(pupil=pupil_a, school=published, condition="Asthma")
    shots = screenshot_dir(tmp_path)
    base = live_server.url
    failures: list[str] = []
    ends = TODAY + 40 * DAY
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.on("requestfailed", lambda r: failures.append(f"failed {r.url}"))

            # The office manager commissions the placement.
            page.goto(f"{base}/sign-in/")
            page.get_by_label("Username").fill(office.username)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base}/")
            page.get_by_role("link", name="Placements", exact=True).first.click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Alternative provision placements")
            page.get_by_role("link", name="Commission a placement").click()
            page.get_by_label("Pupil", exact=True).select_option(label="Alex Testpupil1")
            page.get_by_label("Provider", exact=True).select_option(label=provider.name)
            page.get_by_label("Data sharing agreement").select_option(label=agreement.title)
            for name, day in (("starts_on", TODAY), ("ends_on", ends)):
                page.locator(f"#id_{name}_day").fill(str(day.day))
                page.locator(f"#id_{name}_month").fill(str(day.month))
                page.locator(f"#id_{name}_year").fill(str(day.year))
            page.get_by_label("Services").fill("Three mornings a week: English, maths and mentoring.")
            page.get_by_label("Personal identifiers").check()
            page.get_by_label("Special educational needs").check()
            page.get_by_label("Reason for the placement").fill("Needs a smaller setting for a term.")
            page.screenshot(path=str(shots / "placement_commission.png"), full_page=True)
            page.get_by_role("button", name="Commission placement").click()
            expect(page.locator(".govuk-notification-banner--success")).to_contain_text("version 1")
            expect(page.locator("#ap-notice")).to_contain_text("Alternative provision notice, version 1")
            expect(page.locator("#categories")).to_contain_text("Special educational needs")
            expect(page.locator("#categories")).not_to_contain_text("Medical and health")
            page.get_by_role("button", name="Sign out").click()
            page.wait_for_url(f"{base}/sign-in/")

            # The provider's user signs in and sees the pupil, and only the chosen categories.
            page.goto(f"{base}/provider/")
            page.wait_for_url(f"{base}/sign-in/?next=/provider/")
            page.get_by_label("Username").fill(provider_user.username)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base}/provider/")
            expect(page.get_by_role("heading", level=1)).to_have_text("Pupils placed with you")
            expect(page.locator(".govuk-service-navigation__link", has_text="Pupils")).to_have_count(0)
            page.get_by_role("link", name="Alex Testpupil1").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Alex Testpupil1")
            expect(page.locator("#shared-categories")).to_have_text(
                "Personal identifiers, Special educational needs"
            )
            expect(page.get_by_text("Coloured overlays")).to_be_visible()
            expect(page.get_by_text("14 March 2015")).to_be_visible()
            expect(page.get_by_text("Asthma")).to_have_count(0)
            page.screenshot(path=str(shots / "placement_provider_pupil.png"), full_page=True)
        finally:
            browser.close()

    # (The database is read between browser sessions: Playwright's sync API runs an event loop.)
    placement = Placement.objects.get()
    assert placement.categories == ["pupil.identity", "pupil.sen"]
    assert placement.created_by == office and placement.ap_notice_number == 1
    assert Disclosure.objects.filter(run=placement.share_run, pupil_ref=pupil_a.pk).exists()
    assert AuditEvent.objects.filter(
        action="view", actor=provider_user, pupil_id_ref=pupil_a.pk, detail__page="provider pupil page"
    ).exists()
    # Time passes: the placement is over, and the pupil no longer exists for the provider.
    Placement.objects.filter(pk=placement.pk).update(starts_on=TODAY - 60 * DAY, ends_on=TODAY - DAY)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.goto(f"{base}/provider/")
            page.get_by_label("Username").fill(provider_user.username)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base}/provider/")
            expect(page.locator("#no-pupils")).to_be_visible()
            page.goto(f"{base}/provider/placements/{placement.pk}/")
            expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
            expect(page.get_by_text("Coloured overlays")).to_have_count(0)
            page.screenshot(path=str(shots / "placement_provider_after.png"), full_page=True)
        finally:
            browser.close()
    unexpected = [f for f in failures if f"/provider/placements/{placement.pk}/" not in f]
    assert not unexpected, unexpected
