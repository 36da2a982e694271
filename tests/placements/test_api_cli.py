"""Placements through the API (/api/placements: list, commission, detail, end) with a bearer token, and
the CLI (`steward placements list|end`): the same services, the same refusals, nothing written on a
refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from tests.placements.conftest import DAY, TODAY, commission, counts, make_agreement

from steward.accounts.models import User
from steward.api.tokens import issue_token
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.organisations.models import School, Trust
from steward.people.models import Pupil
from steward.placements.models import Placement, Provider
from steward.sharing.models import Agreement, Disclosure


def _api(user: User) -> Client:
    with acting_as(user, channel="cli"):
        key = issue_token(actor=user, user=user, name="placements test").key
    return Client(headers={"Authorization": f"Bearer {key}"})


def _body(
    school: School, pupil: Pupil, provider: Provider, agreement: Agreement, **kw: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "school": school.urn,
        "pupil": pupil.pk,
        "provider": provider.pk,
        "agreement": agreement.pk,
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + 30 * DAY).isoformat(),
        "services": "Afternoons of vocational learning.",
        "categories": ["pupil.identity", "pupil.attendance"],
        "reason": "Needs a different setting.",
    }
    body.update(kw)
    return body


def test_api_commission_list_detail_end(
    published: School, agreement: Agreement, provider: Provider, pupil_a: Pupil, office: User
) -> None:
    api = _api(office)
    created = api.post(
        "/api/placements", _body(published, pupil_a, provider, agreement), content_type="application/json"
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["status"] == "current" and data["ap_notice_version"] == 1
    assert "people.Pupil.legal_surname" in data["shared_fields"]
    assert Disclosure.objects.filter(run_id=data["disclosure_run_id"], pupil_ref=pupil_a.pk).exists()
    listed = api.get(f"/api/placements?school={published.urn}&status=current").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == data["id"]
    assert api.get("/api/placements?status=ended").json()["count"] == 0
    detail = api.get(f"/api/placements/{data['id']}")
    assert detail.status_code == 200 and detail.json()["provider_name"] == provider.name
    assert AuditEvent.objects.filter(model="placements.Placement", action="view", channel="api").exists()
    ended = api.post(
        f"/api/placements/{data['id']}/end", {"reason": "Back at school."}, content_type="application/json"
    )
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    again = api.post(
        f"/api/placements/{data['id']}/end", {"reason": "Twice."}, content_type="application/json"
    )
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "ended_on"


def test_api_refusals_are_422_naming_the_field_and_write_nothing(
    published: School, trust: Trust, provider: Provider, pupil_a: Pupil, office: User, users: dict[str, User]
) -> None:
    expired = make_agreement(trust, starts_on=TODAY - 400 * DAY, ends_on=TODAY - DAY)
    api = _api(office)
    teacher = _api(users["teacher"])
    before = counts()
    refused = api.post(
        "/api/placements", _body(published, pupil_a, provider, expired), content_type="application/json"
    )
    assert refused.status_code == 422
    assert "agreement" in {e["field"] for e in refused.json()["errors"]}
    wide = make_agreement(trust, categories=["pupil.identity", "pupil.image"])
    refused = api.post(
        "/api/placements",
        _body(published, pupil_a, provider, wide, categories=["pupil.identity", "pupil.image"]),
        content_type="application/json",
    )
    errors = {e["field"]: e["codes"] for e in refused.json()["errors"]}
    assert refused.status_code == 422 and "category_not_covered" in errors["categories"]
    unknown = api.post(
        "/api/placements",
        {**_body(published, pupil_a, provider, wide), "pupil": 999999},
        content_type="application/json",
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "pupil"
    forbidden = teacher.post(
        "/api/placements", _body(published, pupil_a, provider, wide), content_type="application/json"
    )
    assert forbidden.status_code == 403
    other_school = api.post(
        "/api/placements",
        _body(School.objects.get(urn="100002"), pupil_a, provider, wide),
        content_type="application/json",
    )
    assert other_school.status_code == 404
    assert counts()[:3] == before[:3]
    assert not Placement.objects.exists()


def test_api_is_404_for_placements_outside_the_callers_schools(
    published: School,
    agreement: Agreement,
    provider: Provider,
    pupil_a: Pupil,
    office: User,
    users: dict[str, User],
) -> None:
    placement = commission(office, pupil_a, published, provider, agreement)
    teacher_b = _api(users["teacher_b"])
    assert teacher_b.get(f"/api/placements/{placement.pk}").status_code == 404
    assert teacher_b.get("/api/placements").json()["count"] == 0
    assert (
        teacher_b.post(
            f"/api/placements/{placement.pk}/end", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_cli_list_and_end(
    published: School, agreement: Agreement, provider: Provider, pupil_a: Pupil, office: User, capsys: Any
) -> None:
    placement = commission(office, pupil_a, published, provider, agreement)
    call_command(
        "placements", "list", "--school", published.urn, "--actor", office.username, "--format", "json"
    )
    data = json.loads(capsys.readouterr().out)
    assert [p["id"] for p in data["current"]] == [placement.pk] and data["ended"] == []
    call_command("placements", "list", "--school", published.urn, "--actor", office.username)
    assert "Current (1)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Say why"):
        call_command("placements", "end", str(placement.pk), "--reason", " ", "--actor", office.username)
    call_command(
        "placements", "end", str(placement.pk), "--reason", "Back at school.", "--actor", office.username
    )
    assert "can no longer see the pupil" in capsys.readouterr().out
    placement.refresh_from_db()
    assert placement.ended_on == TODAY and placement.end_reason == "Back at school."
    assert AuditEvent.objects.filter(
        model="placements.Placement", action="update", channel="cli", actor=office
    ).exists()
    with pytest.raises(CommandError, match="already ended"):
        call_command("placements", "end", str(placement.pk), "--reason", "Again.", "--actor", office.username)
    with pytest.raises(CommandError, match="no placement"):
        call_command("placements", "end", "999999", "--reason", "x", "--actor", office.username)
    with pytest.raises(CommandError, match="--school"):
        call_command("placements", "list", "--school", "100002", "--actor", office.username)
