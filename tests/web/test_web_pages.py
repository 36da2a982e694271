"""Layout, navigation, error pages and GOV.UK asset URLs."""

from __future__ import annotations

from typing import Any

from django.test import Client

from steward.accounts.models import User


def nav_texts(response: Any) -> list[str]:
    return [item.text for item in response.context["nav_items"]]


def test_home_shows_roles_schools_and_links(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["teacher"])
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<th scope="row" class="govuk-table__header">Oakfield Primary</th>' in html
    assert '<td class="govuk-table__cell">Teacher</td>' in html
    assert "Oakfield Secondary" not in html
    assert nav_texts(response) == ["Pupils"]
    assert (
        '<button type="submit" class="govuk-service-navigation__link steward-link-button">Sign out</button>'
        in html
    )


def test_navigation_follows_the_roles(client: Client, users: dict[str, User]) -> None:
    expected = {
        "trust_dpo": [
            "Pupils",
            "Add pupil",
            "Requests",
            "Placements",
            "Consent",
            "Sharing",
            "Portal",
            "Register",
            "Notices",
            "Data map",
            "Audit log",
        ],
        "auditor": ["Pupils", "Register", "Notices", "Data map", "Audit log"],
        "school_dpl": [
            "Pupils",
            "Add pupil",
            "Requests",
            "Placements",
            "Consent",
            "Sharing",
            "Portal",
            "Register",
            "Notices",
            "Data map",
            "Audit log",
        ],
        "office_manager": [
            "Pupils",
            "Add pupil",
            "Requests",
            "Placements",
            "Consent",
            "Sharing",
            "Portal",
            "Register",
            "Notices",
            "Data map",
        ],
        "dsl": ["Pupils", "Add pupil", "Placements", "Consent", "Portal", "Register", "Notices", "Data map"],
        "teacher": ["Pupils"],
    }
    for role, items in expected.items():
        client.force_login(users[role])
        assert nav_texts(client.get("/")) == items, role


def test_current_page_is_marked_in_the_navigation(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["trust_dpo"])
    html = client.get("/data-map/").content.decode()
    assert 'href="/data-map/" aria-current="page"' in html
    assert 'href="/pupils/" aria-current="page"' not in html
    html = client.get("/register/", follow=True).content.decode()
    assert 'href="/register/" aria-current="page"' in html


def test_dpo_home_lists_every_school(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["trust_dpo"])
    html = client.get("/").content.decode()
    assert '<th scope="row" class="govuk-table__header">Oakfield Primary</th>' in html
    assert '<th scope="row" class="govuk-table__header">Oakfield Secondary</th>' in html
    assert "Trust data protection officer" in html


def test_unknown_page_uses_the_govuk_404(client: Client, db: Any) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Page not found – Steward</title>" in html
    assert "no-such-page" not in html
    assert "govuk-frontend.min.css" in html


def test_govuk_font_urls_lead_to_the_packaged_fonts(client: Client, db: Any) -> None:
    response = client.get("/assets/fonts/bold-b542beb274-v2.woff2")
    assert response.status_code == 302
    assert response["Location"] == "/static/govuk/assets/fonts/bold-b542beb274-v2.woff2"
    assert "max-age=86400" in response["Cache-Control"]
    assert (
        client.get("/assets/images/govuk-crest.svg")["Location"]
        == "/static/govuk/assets/images/govuk-crest.svg"
    )
    assert client.get("/assets/../settings.py").status_code == 404
    assert client.get("/assets/fonts/..%2F..%2Fsecret").status_code == 404
