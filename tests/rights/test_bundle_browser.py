"""A subject access response in a real browser: the DPO logs a pupil's access request, starts work, asks
for a search of the school's email by hand and completes it with an uploaded text file naming another
pupil; the review screen shows that name proposed for redaction; the DPO accepts it, adds one more
redaction by typing the words, finishes the review, builds the final bundle, marks the request ready
and releases it; the released request shows the final bundle's SHA-256. The review screen fits a phone.

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
from tests.conftest import make_pupil

from steward.accounts.models import User
from steward.organisations.models import School, Trust
from steward.people.models import Pupil
from steward.rights.models import Bundle, EventKind, RedactionMark, RightsRequest, Status

PHONE = {"width": 375, "height": 812}
EMAIL = (
    "From: Class teacher\n"
    "Jordan and Kit Marlowe were late back from the museum trip on Monday.\n"
    "Jordan's mum collected them both at 4pm.\n"
)

pytestmark = BROWSER_MARKS


def test_dpo_reviews_redactions_builds_the_final_bundle_and_releases(
    live_server: Any,
    transactional_db: Any,
    users: dict[str, User],
    trust: Trust,
    school_a: School,
    teen: Pupil,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    make_pupil(trust, school_a, 41, legal_forename="Kit", legal_surname="Marlowe")
    shots = screenshot_dir(tmp_path)
    base = live_server.url
    failures: list[str] = []
    phone_widths: dict[str, int] = {}
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

            # Logged: the pupil asks for their own data.
            page.goto(f"{base}/requests/new/?pupil={teen.pk}")
            page.get_by_label("Access (subject access request)").check()
            page.get_by_label("The pupil", exact=True).check()
            page.get_by_label("Email", exact=True).check()
            page.get_by_label("What is asked").fill("Everything the school holds about me.")
            page.get_by_role("button", name="Log the request").click()
            expect(page.locator(".govuk-notification-banner--success")).to_contain_text("request #")
            request_path = page.url.removeprefix(base)

            # In progress.
            page.get_by_role("link", name="Change the status").click()
            page.get_by_label("In progress: start work (ID, fee and clarification settled)").check()
            page.get_by_role("button", name="Change the status").click()
            expect(page.locator(".govuk-summary-list").first).to_contain_text("In progress")
            expect(page.locator("#response")).to_have_text("Response")

            # A search of the school's email by hand, completed with an uploaded text file.
            page.get_by_role("link", name="Searches, bundles and downloads").click()
            response_path = page.url.removeprefix(base)
            page.get_by_role("link", name="Ask for a search by hand").click()
            page.get_by_label("System or place to search").fill("School email")
            page.get_by_label("What to search for").fill("Emails naming Jordan since September.")
            page.get_by_label("Assign to").select_option(label="dpo")
            page.get_by_role("button", name="Assign the search").click()
            expect(page.locator("#tasks")).to_contain_text("School email")
            page.get_by_role("link", name="Record what was found in School email").click()
            page.get_by_label("Files returned").set_input_files(
                [{"name": "email.txt", "mimeType": "text/plain", "buffer": EMAIL.encode()}]
            )
            page.get_by_label("What was found").fill("One email.")
            page.get_by_role("button", name="Record the search").click()
            expect(page.locator("#tasks")).to_contain_text("Done: files returned")

            # A draft runs the automatic pass; the review screen shows the other pupil's name proposed.
            page.get_by_role("button", name="Build a draft bundle").click()
            expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
                "Draft (for review) bundle built"
            )
            page.get_by_role("link", name="Review the redactions").click()
            proposed = page.locator("mark.steward-mark--proposed", has_text="Kit Marlowe")
            expect(proposed).to_have_count(1)
            expect(proposed.locator(".govuk-visually-hidden").first).to_have_text(
                "Start of redaction 1, proposed, third party: "
            )
            expect(page.locator("#count-proposed")).to_have_text("1")
            page.get_by_role("button", name="Accept redaction 1: Kit Marlowe").click()
            expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Redaction accepted")
            expect(page.locator("mark.steward-mark--accepted", has_text="Kit Marlowe")).to_have_count(1)

            # One more, typed by the DPO.
            email = page.get_by_role("region", name="email.txt (search of School email)")
            email.locator("summary", has_text="Add a redaction").click()
            email.get_by_label("Text to redact").fill("museum trip on Monday")
            email.get_by_label("Reason").select_option(label="Third party")
            page.get_by_role("button", name="Add the redaction to email.txt").click()
            expect(page.locator(".govuk-notification-banner--success")).to_contain_text("1 redaction added")
            expect(page.locator("#count-accepted")).to_have_text("2")
            expect(page.locator("#count-proposed")).to_have_text("0")
            page.screenshot(path=str(shots / "review_desktop.png"), full_page=True)

            # On a phone the review screen fits the width.
            page.set_viewport_size(PHONE)
            review_path = page.url.removeprefix(base).split("#")[0]
            for path in (review_path, response_path, request_path):
                page.goto(base + path)
                phone_widths[path] = page.evaluate("document.documentElement.scrollWidth")
                if path == review_path:
                    page.screenshot(path=str(shots / "review_phone.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(base + review_path)

            # Finish the review, then build the final bundle.
            page.get_by_label("Note on the review").fill("Read the returned email in full.")
            page.get_by_role("button", name="Finish the review").click()
            expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Review finished")
            page.get_by_role("button", name="Build the final bundle").click()
            expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
                "Final (redactions applied) bundle built"
            )
            expect(page.locator("#builds")).to_contain_text("Latest final")
            sha = page.locator("#builds tr", has_text="Latest final").locator("code").inner_text().strip()

            # Ready, then released.
            page.goto(base + request_path)
            page.get_by_role("link", name="Change the status").click()
            page.get_by_label("Awaiting review: response drafted: send for review").check()
            page.get_by_role("button", name="Change the status").click()
            page.get_by_role("link", name="Change the status").click()
            page.get_by_label("Ready to release: reviewed: ready to release").check()
            page.get_by_label("Reason or note").fill("Redactions reviewed; final bundle built.")
            page.get_by_role("button", name="Change the status").click()
            expect(page.get_by_text("Nothing stops the release")).to_be_visible()
            page.get_by_role("link", name="Release the response").click()
            page.get_by_label("How it was sent").fill("Secure email")
            page.get_by_label("Sent to").fill("Jordan")
            page.get_by_role("button", name="Record the release").click()
            expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Response released")
            expect(page.locator("#release").locator("xpath=following-sibling::dl[1]")).to_contain_text(sha)
        finally:
            browser.close()

    assert failures == []
    for path, width in phone_widths.items():
        assert width <= PHONE["width"], f"{path} is {width}px wide on a phone"
    req = RightsRequest.objects.get(pupil=teen)
    final = Bundle.objects.get(request=req, state="final")
    assert req.status == Status.RELEASED and req.bundle_sha256 == final.sha256 == sha
    marks = {m.text: (m.decision, m.reason) for m in RedactionMark.objects.filter(request=req)}
    assert marks == {
        "Kit Marlowe": ("accepted", "third_party"),
        "museum trip on Monday": ("accepted", "third_party"),
    }
    assert req.events.filter(kind=EventKind.REDACTIONS_REVIEWED).exists()
