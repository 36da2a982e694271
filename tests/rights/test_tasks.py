"""Manual search tasks: suggestions from the register, creating, completing (files with their hash),
cancelling, and the returned files in the bundle (redacted text, or the original)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.conftest import make_pupil
from tests.rights.conftest import ON, log

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.organisations.models import School, Trust
from steward.people.models import Pupil
from steward.register.models import System
from steward.register.services import load_default_register
from steward.rights import review, services, tasks
from steward.rights.bundle import build
from steward.rights.models import EventKind, ManualTask, ManualTaskFile, RightsRequest, Status, TaskStatus

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def dpo(users: dict[str, User]) -> User:
    return users["trust_dpo"]


@pytest.fixture
def register(trust: Trust, dpo: User) -> None:
    with acting_as(dpo, channel="cli"):
        load_default_register(trust, actor=dpo)


@pytest.fixture
def req(dpo: User, school_a: School, pupil_a: Pupil) -> RightsRequest:
    r = log(dpo, school_a, pupil_a)
    with acting_as(dpo, channel="web"):
        return services.transition(actor=dpo, request=r, to=Status.IN_PROGRESS, on=ON)


def new_task(actor: User, req: RightsRequest, assignee: User, **kw: Any) -> ManualTask:
    args: dict[str, Any] = {"system_name": "CCTV", "instructions": "Playground camera, March."}
    args.update(kw)
    with acting_as(actor, channel="web"):
        return tasks.create_task(actor=actor, request=req, assigned_to=assignee, **args)


def test_suggestions_are_the_registers_systems_holding_pupil_data(
    req: RightsRequest, register: None, trust: Trust
) -> None:
    found = tasks.suggest_tasks(req)
    keys = {s.system.key for s in found}
    holding = {
        s.key
        for s in System.objects.filter(trust=trust, school__isnull=True)
        if any(k.startswith("pupil") for k in s.categories)
    }
    assert keys and keys <= holding
    assert "mis" in keys and "payments_communication" in keys
    assert all(s.categories and s.instructions.startswith(f"Search {s.name}") for s in found)
    assert not any(s.has_task for s in found)


def test_create_task_defaults_to_a_week_before_the_deadline(
    dpo: User, users: dict[str, User], req: RightsRequest, register: None
) -> None:
    mis = next(s for s in tasks.suggest_tasks(req) if s.system.key == "mis")
    task = new_task(dpo, req, users["office_manager"], system=mis.system, system_name="")
    deadline = services.due(req).due
    assert task.due_on == deadline - dt.timedelta(days=7)
    assert (task.system_name, task.status, task.assigned_to) == (
        mis.system.name,
        "open",
        users["office_manager"],
    )
    ev = req.events.get(kind=EventKind.TASK_CREATED)
    assert ev.actor == dpo and "assigned to" in ev.note
    assert next(s for s in tasks.suggest_tasks(req) if s.system.key == "mis").has_task


def test_create_task_refusals_change_nothing(dpo: User, users: dict[str, User], req: RightsRequest) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"assignee": users["teacher"]}, "assigned_to"),  # a teacher cannot work on requests
        ({"assignee": users["office_manager"], "system_name": " "}, "system_name"),
    ]
    for kw, field in cases:
        assignee = kw.pop("assignee")
        with pytest.raises(ValidationError) as exc:
            new_task(dpo, req, assignee, **kw)
        assert list(exc.value.message_dict) == [field]
    assert not ManualTask.objects.exists()
    assert not req.events.filter(kind=EventKind.TASK_CREATED).exists()


def test_complete_task_stores_files_with_hash_and_name(
    dpo: User, users: dict[str, User], req: RightsRequest
) -> None:
    office = users["office_manager"]
    task = new_task(dpo, req, office)
    with acting_as(office, channel="web"):
        with pytest.raises(ValidationError) as exc:
            tasks.complete_task(actor=office, task=task, files=[], note="", on=ON)
        assert list(exc.value.message_dict) == ["files"]
        tasks.complete_task(
            actor=office,
            task=task,
            files=[SimpleUploadedFile("still 1.png", PNG, content_type="image/png")],
            note="One still.",
            on=dt.date(2026, 3, 9),
        )
    task.refresh_from_db()
    assert (task.status, task.completed_on, task.completed_by) == (
        TaskStatus.DONE,
        dt.date(2026, 3, 9),
        office,
    )
    f = ManualTaskFile.objects.get(task=task)
    assert (f.original_name, f.sha256, f.uploaded_by) == (
        "still 1.png",
        hashlib.sha256(PNG).hexdigest(),
        office,
    )
    with f.file.open("rb") as fh:
        assert fh.read() == PNG
    assert req.events.get(kind=EventKind.TASK_COMPLETED).note.startswith("Search CCTV: 1 file(s) returned.")
    with acting_as(office, channel="web"), pytest.raises(ValidationError):
        tasks.complete_task(actor=office, task=task, files=[], note="", nothing_found=True, on=ON)


def test_cancel_needs_a_reason(dpo: User, users: dict[str, User], req: RightsRequest) -> None:
    task = new_task(dpo, req, users["office_manager"])
    with acting_as(dpo, channel="web"):
        with pytest.raises(ValidationError) as exc:
            tasks.cancel_task(actor=dpo, task=task, reason="", on=ON)
        assert list(exc.value.message_dict) == ["reason"]
        tasks.cancel_task(actor=dpo, task=task, reason="The school has no CCTV.", on=ON)
    assert ManualTask.objects.get(pk=task.pk).status == TaskStatus.CANCELLED
    assert not tasks.open_tasks(req).exists()


def test_returned_files_in_the_bundle_text_redacted_and_images_as_returned(
    dpo: User, users: dict[str, User], req: RightsRequest, trust: Trust, school_a: School, register: None
) -> None:
    make_pupil(trust, school_a, 51, legal_forename="Bo", legal_surname="Featherstonehaugh")
    office = users["office_manager"]
    email = new_task(dpo, req, office, system_name="Email")
    cctv = new_task(dpo, req, office, system_name="CCTV")
    nothing = new_task(dpo, req, office, system_name="Payments")
    with acting_as(office, channel="web"):
        tasks.complete_task(
            actor=office,
            task=email,
            files=[
                SimpleUploadedFile("emails.txt", b"From the office: Alex sat next to Bo Featherstonehaugh.\n")
            ],
            note="",
            on=ON,
        )
        tasks.complete_task(
            actor=office, task=cctv, files=[SimpleUploadedFile("still.png", PNG)], note="Blurred.", on=ON
        )
        tasks.complete_task(actor=office, task=nothing, files=[], note="", nothing_found=True, on=ON)
    with acting_as(dpo, channel="web"):
        build(actor=dpo, request=req, final=False)
        marks = list(req.redactions.filter(location__startswith="task-file:"))
        assert [m.text for m in marks] == ["Bo Featherstonehaugh"]
        for m in req.redactions.all():
            review.decide(actor=dpo, mark=m, decision="accepted")
        final = build(actor=dpo, request=req, final=True)
    with final.archive.open("rb") as fh, zipfile.ZipFile(io.BytesIO(fh.read())) as z:
        names = z.namelist()
        txt = next(n for n in names if n.startswith("searches/") and n.endswith("emails.txt.txt"))
        png = next(n for n in names if n.startswith("searches/") and n.endswith("still.png"))
        assert z.read(txt).decode() == "From the office: Alex sat next to [REDACTED: third party]."
        assert z.read(png) == PNG
        assert "given as its redacted text (a .txt file)" in z.read("README.txt").decode().replace("\n", " ")
        manifest = z.read("manifest.json").decode()
        assert "search by hand: Payments" in manifest and "Done: nothing held" in manifest
