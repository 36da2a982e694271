"""The rights-request pages in a real browser: the office manager logs a parent's request for a
14-year-old's educational record from the pupil page, verifies the parent's identity, sends it for
review, is refused release while the pupil's view is missing, records the pupil's consent, marks it
ready and releases it; the dashboard then lists it as closed. The pages fit a phone screen.

An educational record (a disclosing request, with the same competence rule as subject access) keeps
this journey independent of the bundle an access request also needs before it is ready.
Runs Debian's Chromium through Playwright's sync API. Set STEWARD_SCREENSHOT_DIR to keep the screenshots.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone
from tests.browser_support import (  # noqa: F401  (plain_static_storage is an autouse fixture)
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    plain_static_storage,
    screenshot_dir,
)

from steward.accounts.models import User
from steward.organisations.models import School, Term
from steward.people.models import Contact, Pupil
from steward.rights.models import CompetenceAssessment, EventKind, RightsRequest, Status

PHONE = {"width": 375, "height": 812}

pytestmark = BROWSER_MARKS


def _maintained_with_terms(school: School) -> None:
    """The educational-record deadline counts school days of a maintained school's terms."""
    School.objects.filter(pk=school.pk).update(school_type="maintained")
    today = timezone.localdate()
    first = today.year if today.month >= 9 else today.year - 1
    for name, start, end in [
        ("Autumn", dt.date(first, 9, 1), dt.date(first, 12, 18)),
        ("Spring", dt.date(first + 1, 1, 5), dt.date(first + 1, 3, 26)),
        ("Summer", dt.date(first + 1, 4, 13), dt.date(first + 1, 7, 21)),
        ("Autumn", dt.date(first + 1, 9, 1), dt.date(first + 1, 12, 18)),
    ]:
        Term.objects.create(
            school=school,
            academic_year=f"{start.year if start.month >= 9 else start.year - 1}/"
            f"{(start.year if start.month >= 9 else start.year - 1) + 1}",
            name=name,
            start=start,
            end=end,
        )


def test_office_manager_takes_a_parents_request_from_intake_to_release(
    live_server: Any,
    transactional_db: Any,
    users: dict[str, User],
    school_a: School,
    teen: Pupil,
    parent_of_teen: Contact,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    _maintained_with_terms(school_a)
    shots = screenshot_dir(tmp_path)
    base = live_server.url
    pupil_path = f"/pupils/{teen.pk}/"
    failures: list[str] = []
    phone_widths: dict[str, int] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.on("requestfailed", lambda r: failures.append(f"failed {r.url}"))
            page.goto(f"{base}/sign-in/")
            page.get_by_label("Username").fill("office_manager")
            page.get_by_label("Password", exact=True).fill("correct horse battery staple")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base}/")

            # From the pupil page, log the parent's request.
            page.goto(base + pupil_path)
            page.get_by_role("link", name="Log a request for this pupil").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Request about Jordan")
            expect(page.get_by_text("treated as likely to be competent")).to_be_visible()
            page.get_by_label("Educational record").check()
            page.get_by_label("A contact with parental responsibility").check()
            page.get_by_label("Morgan Parentson (Mother, has parental responsibility)").check()
            page.get_by_label("Email", exact=True).check()
            page.get_by_label("What is asked").fill("A copy of my child's educational record.")
            page.get_by_label("Identity evidence asked for").check()
            page.get_by_role("button", name="Log the request").click()
            expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
                "Educational record request #"
            )
            expect(page.locator(".govuk-summary-list").first).to_contain_text("Awaiting identity")
            expect(page.locator("#due-date")).to_contain_text("Due ")
            request_path = page.url.removeprefix(base)

            # Identity verified: work starts.
            page.get_by_role("link", name="Record identity verified").click()
            page.get_by_label("How identity was verified").fill("Seen in person at the school office")
            page.get_by_label("Evidence noted").fill("Passport: name and address match the contact record.")
            page.get_by_role("button", name="Record identity verified").click()
            expect(page.get_by_text("Identity verified", exact=True).first).to_be_visible()
            expect(page.locator(".govuk-summary-list").first).to_contain_text("In progress")

            # Drafted: send for review.
            page.get_by_role("link", name="Change the status").click()
            page.get_by_label("Awaiting review: response drafted: send for review").check()
            page.get_by_role("button", name="Change the status").click()
            expect(page.locator(".govuk-summary-list").first).to_contain_text("Awaiting review")

            # Release is refused while the pupil's view is missing; the error summary says why.
            page.get_by_role("link", name="Release the response").click()
            expect(page.locator("#blockers")).to_contain_text("pupil's consent")
            page.get_by_label("How it was sent").fill("Secure email")
            page.get_by_role("button", name="Record the release").click()
            summary = page.locator(".govuk-error-summary")
            expect(summary).to_contain_text("record the pupil's consent to release to the parent")
            expect(summary).to_be_focused()
            page.screenshot(path=str(shots / "request_release_refused.png"))

            # The pupil consents.
            page.goto(base + request_path)
            page.get_by_role("link", name="Record the pupil's view").click()
            page.get_by_label("Consents to release to the parent").check()
            page.get_by_label("Pupil's view, or why not asked").fill("Happy for their parent to see it.")
            page.get_by_role("button", name="Save the pupil's view").click()
            expect(page.locator("#competence")).to_be_visible()

            # Reviewed: ready.
            page.get_by_role("link", name="Change the status").click()
            page.get_by_label("Ready to release: reviewed: ready to release").check()
            page.get_by_label("Reason or note").fill("Checked every page; other pupils' names redacted.")
            page.get_by_role("button", name="Change the status").click()
            expect(page.get_by_text("Nothing stops the release")).to_be_visible()

            # Released.
            page.get_by_role("link", name="Release the response").click()
            page.get_by_label("How it was sent").fill("Secure email")
            page.get_by_role("button", name="Record the release").click()
            expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Response released")
            expect(page.locator("#release")).to_have_text("Outcome")

            # The dashboard lists it as closed, no longer open.
            page.goto(f"{base}/requests/")
            expect(page.get_by_text("No open requests.")).to_be_visible()
            page.get_by_role("link", name="Closed (1)").click()
            expect(page.locator("#requests")).to_contain_text("Released")
            expect(page.locator("#requests")).to_contain_text("Jordan")

            # On a phone the pages fit the screen (tables scroll inside their box).
            page.set_viewport_size(PHONE)
            for name, path in [
                ("dashboard", "/requests/?closed=1"),
                ("request", request_path),
                ("log", f"/requests/new/?pupil={teen.pk}"),
            ]:
                page.goto(base + path)
                phone_widths[path] = page.evaluate("document.documentElement.scrollWidth")
                if name == "request":
                    page.screenshot(path=str(shots / "request_phone.png"), full_page=True)
        finally:
            browser.close()

    assert failures == []
    for path, width in phone_widths.items():
        assert width <= PHONE["width"], f"{path} is {width}px wide on a phone"
    req = RightsRequest.objects.get(pupil=teen)
    assert req.status == Status.RELEASED
    assert (req.release_method, req.released_to) == ("Secure email", "Morgan Parentson")
    assert CompetenceAssessment.objects.get(request=req).pupil_view == "consents"
    kinds = list(req.events.values_list("kind", flat=True))
    assert kinds[0] == EventKind.LOGGED and kinds[-1] == EventKind.RELEASED
    assert EventKind.IDENTITY_VERIFIED in kinds and EventKind.PUPIL_VIEW_RECORDED in kinds
