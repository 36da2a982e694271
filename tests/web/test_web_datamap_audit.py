"""The data map and the audit log: who may read them and what they show."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from steward.accounts.models import User
from steward.audit.models import AuditEvent
from steward.audit.selectors import events_visible_to
from steward.people.models import Pupil
from steward.registry.registry import as_data, registered_models
from steward.registry.taxonomy import taxonomy


def test_data_map_lists_every_registered_model(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["trust_dpo"])
    response = client.get("/data-map/")
    assert response.status_code == 200
    html = response.content.decode()
    entries = registered_models()
    assert entries
    for entry in entries:
        assert f'<h2 class="govuk-summary-card__title">{entry.label}</h2>' in html, entry.label
    assert f"taxonomy version <strong>{taxonomy().version}</strong>" in html
    assert "<code>pupil.safeguarding</code>" in html
    assert "<code>pupil__date_of_birth</code>" in html
    assert '<strong class="govuk-tag govuk-tag--red">Special</strong>' in html
    assert 'href="/data-map.json"' in html


def test_data_map_json_is_the_registry(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["auditor"])
    response = client.get("/data-map.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="steward-data-map.json"'
    assert json.loads(response.content) == json.loads(json.dumps(as_data()))


def test_data_map_is_a_404_for_a_teacher(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["teacher"])
    assert client.get("/data-map/").status_code == 404
    assert client.get("/data-map.json").status_code == 404


def test_audit_log_is_a_404_for_a_teacher(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["teacher"])
    response = client.get("/audit/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Audit log" not in client.get("/").content.decode()


def test_dpo_reads_the_log_and_verifies_the_chain(
    client: Client, users: dict[str, User], pupil_a: Pupil
) -> None:
    client.force_login(users["trust_dpo"])
    response = client.get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Verify the chain" in html
    assert f'href="/pupils/{pupil_a.pk}/">Pupil {pupil_a.pk}</a>' in html  # the fixture's create event
    # Reading the log is itself recorded.
    looked = AuditEvent.objects.filter(action="view", model="audit.AuditEvent").get()
    assert looked.actor == users["trust_dpo"]
    assert looked.categories == ["staff.activity"]
    checked = client.get("/audit/", {"verify": "1"}).content.decode()
    assert '<strong class="govuk-tag govuk-tag--green">Chain intact</strong>' in checked


def test_a_broken_chain_is_reported(client: Client, users: dict[str, User], pupil_a: Pupil) -> None:
    client.force_login(users["trust_dpo"])
    first = AuditEvent.objects.order_by("id").first()
    assert first is not None
    AuditEvent.objects.filter(pk=first.pk).update(actor_label="someone else")
    html = client.get("/audit/", {"verify": "1"}).content.decode()
    assert (
        f"Chain broken at event {first.pk}: content does not match its hash (the event was altered)." in html
    )


def test_audit_log_filters_by_action_and_pupil(
    client: Client, users: dict[str, User], pupil_a: Pupil, pupil_b: Pupil
) -> None:
    client.force_login(users["trust_dpo"])
    page = client.get("/audit/", {"action": "create", "pupil": pupil_b.pk}).context["page"]
    events = list(page.object_list)
    assert events
    assert {e.action for e in events} == {"create"}
    assert {e.pupil_id_ref for e in events} == {pupil_b.pk}
    bad = client.get("/audit/", {"pupil": "abc"})
    assert {"href": "#id_pupil", "text": "Pupil id must be a number, like 42"} in bad.context["error_summary"]


def test_school_audit_viewer_sees_only_their_school_and_themselves(
    client: Client, users: dict[str, User], pupil_a: Pupil, pupil_b: Pupil
) -> None:
    # A view of each pupil, each tied to that pupil's school.
    for teacher, pupil in [("teacher", pupil_a), ("teacher_b", pupil_b)]:
        other = Client()
        other.force_login(users[teacher])
        assert other.get(f"/pupils/{pupil.pk}/").status_code == 200
    view_a = AuditEvent.objects.get(action="view", pupil_id_ref=pupil_a.pk)
    view_b = AuditEvent.objects.get(action="view", pupil_id_ref=pupil_b.pk)
    dpl = users["school_dpl"]
    visible = set(events_visible_to(dpl).values_list("pk", flat=True))
    assert view_a.pk in visible
    assert view_b.pk not in visible
    # Pupil writes carry no school; they are matched through the pupil's enrolment.
    create_a = AuditEvent.objects.get(action="create", model="people.Pupil", pupil_id_ref=pupil_a.pk)
    create_b = AuditEvent.objects.get(action="create", model="people.Pupil", pupil_id_ref=pupil_b.pk)
    assert create_a.pk in visible
    assert create_b.pk not in visible
    # Trust-wide roles see both schools.
    for role in ["trust_dpo", "auditor"]:
        wide = set(events_visible_to(users[role]).values_list("pk", flat=True))
        assert {view_a.pk, view_b.pk, create_a.pk, create_b.pk} <= wide, role
    client.force_login(dpl)
    response = client.get("/audit/")
    assert response.status_code == 200
    shown = {e.pk for e in response.context["page"].object_list}
    assert view_a.pk in shown and view_b.pk not in shown
    own = AuditEvent.objects.filter(actor=dpl, model="audit.AuditEvent").get()
    assert own.pk in shown  # their own reading of the log


def test_nobody_else_sees_events(users: dict[str, User], pupil_a: Pupil, system: Any) -> None:
    for role in ["teacher", "dsl", "senco", "office_manager"]:
        assert not events_visible_to(users[role]).exists(), role
