"""Deadline reminder emails, sent through a real SMTP server on loopback (aiosmtpd).

Each threshold (7 calendar days, 2 working days, overdue) goes once per request and due date; paused
and closed requests get nothing; a failed send records nothing so the next run retries."""

from __future__ import annotations

import datetime as dt
import email
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from io import StringIO
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command
from tests.rights.conftest import log

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.organisations.models import School
from steward.people.models import Pupil
from steward.rights import reminders, services
from steward.rights.models import EventKind, RequestEvent, RightsRequest, Status
from steward.rights.reminders import Threshold, send_reminders

pytestmark = pytest.mark.django_db
D = dt.date

# Received Monday 2 November 2026: one calendar month is Wednesday 2 December 2026 (a working day).
RECEIVED = D(2026, 11, 2)
DUE = D(2026, 12, 2)


@dataclass
class Inbox:
    """What the loopback SMTP server received."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.original_content, policy=default_policy)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Smtp:
    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        port = _free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)
        self.controller.start()
        self.settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        self.settings.EMAIL_HOST = "127.0.0.1"
        self.settings.EMAIL_PORT = port
        self.settings.EMAIL_USE_TLS = False
        self.settings.EMAIL_USE_SSL = False
        self.settings.EMAIL_HOST_USER = ""
        self.settings.EMAIL_HOST_PASSWORD = ""
        self.settings.EMAIL_TIMEOUT = 5

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def texts(self) -> list[str]:
        return [m.get_body(preferencelist=("plain",)).get_content() for _, _, m in self.inbox.messages]  # type: ignore[union-attr]


@pytest.fixture
def smtp(settings: Any) -> Iterator[Smtp]:
    server = Smtp(settings)
    settings.STEWARD_BASE_URL = "https://steward.example.com"
    settings.DEFAULT_FROM_EMAIL = "steward@oakfield.example.com"
    server.start()
    yield server
    server.stop()


def remind(users: dict[str, User], on: D) -> reminders.ReminderReport:
    with acting_as(users["trust_dpo"], channel="cli"):
        return send_reminders(actor=users["trust_dpo"], on=on)


def assigned(users: dict[str, User], school: School, pupil: Pupil, **kw: Any) -> RightsRequest:
    kw.setdefault("received_on", RECEIVED)
    req = log(users["school_dpl"], school, pupil, **kw)
    with acting_as(users["school_dpl"], channel="web"):
        return services.assign(
            actor=users["school_dpl"], request=req, to=users["office_manager"], on=RECEIVED
        )


def sent(req: RightsRequest) -> list[tuple[str, D]]:
    return list(
        RequestEvent.objects.filter(request=req, kind=EventKind.REMINDER_SENT)
        .order_by("pk")
        .values_list("method", "on")
    )


# -- the thresholds -----------------------------------------------------------------------------


def test_each_threshold_is_sent_once(
    smtp: Smtp, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    req = assigned(users, school_a, pupil_a)
    assert reminders.due_status(req, D(2026, 11, 24)).due == DUE
    assert remind(users, D(2026, 11, 24)).sent == []  # 8 days left
    week = remind(users, D(2026, 11, 25))  # 7 days left
    assert [(r.request_id, r.threshold, r.recipient) for r in week.sent] == [
        (req.pk, "week", "office_manager@oakfield.example.com")
    ]
    assert remind(users, D(2026, 11, 25)).sent == []  # the same day again: nothing new
    assert remind(users, D(2026, 11, 27)).sent == []  # Friday: Mon, Tue, Wed still to come (3 working days)
    assert remind(users, D(2026, 11, 29)).sent == []  # Sunday: still 3 working days
    assert [r.threshold for r in remind(users, D(2026, 11, 30)).sent] == ["two_working_days"]  # Tue, Wed
    assert remind(users, D(2026, 12, 2)).sent == []  # due today: already told
    assert [r.threshold for r in remind(users, D(2026, 12, 3)).sent] == ["overdue"]
    assert remind(users, D(2026, 12, 10)).sent == []
    assert sent(req) == [
        ("week", D(2026, 11, 25)),
        ("two_working_days", D(2026, 11, 30)),
        ("overdue", D(2026, 12, 3)),
    ]
    assert len(smtp.inbox.messages) == 3
    event = RequestEvent.objects.filter(request=req, kind=EventKind.REMINDER_SENT).first()
    assert event is not None and event.actor == users["trust_dpo"]
    assert "office_manager" in event.note and "2026-12-02" in event.note


def test_the_email_names_the_request_and_due_date_but_not_the_pupil(
    smtp: Smtp, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    req = assigned(users, school_a, pupil_a)
    remind(users, D(2026, 11, 25))
    [(sender, recipients, msg)] = smtp.inbox.messages
    assert sender == "steward@oakfield.example.com"
    assert recipients == ["office_manager@oakfield.example.com"]
    assert msg["To"] == "office_manager@oakfield.example.com"
    assert msg["Subject"] == (
        f"Rights request #{req.pk} (Access (subject access request)): due 2026-12-02, 7 days left (5 working days)"
    )
    text = smtp.texts()[0]
    html = msg.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    link = f"https://steward.example.com/requests/{req.pk}/"
    for part in (text, html):
        assert "2026-12-02" in part and "Wednesday 2 December 2026" in part
        assert link in part
        assert "A. T." in part  # initials only
        assert "Testpupil1" not in part and "Alex" not in part  # never the pupil's name
        assert pupil_a.upn not in part
    assert f"#{req.pk}, Access (subject access request)" in text
    assert "7 days left (5 working days)" in text
    assert "Testpupil1" not in msg["Subject"]


def test_two_working_days_counts_bank_holidays(
    smtp: Smtp, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    # Received 25 November 2026: 25 December is Christmas Day and 28 December Boxing Day (observed),
    # so the due date is Tuesday 29 December; two working days before it are 24 and 29 December.
    req = assigned(users, school_a, pupil_a, received_on=D(2026, 11, 25))
    assert reminders.due_status(req, D(2026, 12, 22)).due == D(2026, 12, 29)
    assert reminders.threshold_start(Threshold.TWO_WORKING_DAYS, D(2026, 12, 29)) == D(2026, 12, 23)
    assert reminders.working_days_left(D(2026, 12, 23), D(2026, 12, 29)) == 2
    assert [r.threshold for r in remind(users, D(2026, 12, 22)).sent] == ["week"]
    assert [r.threshold for r in remind(users, D(2026, 12, 23)).sent] == [
        "two_working_days"
    ]  # 6 calendar days
    assert "2 working days" in smtp.texts()[-1]


def test_only_the_most_urgent_threshold_when_several_are_reached(
    smtp: Smtp, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    req = assigned(users, school_a, pupil_a)
    assert [r.threshold for r in remind(users, D(2026, 12, 4)).sent] == ["overdue"]
    assert remind(users, D(2026, 12, 5)).sent == []
    assert sent(req) == [("overdue", D(2026, 12, 4))]
    assert "overdue by 2 days" in smtp.texts()[0]


def test_an_extension_earns_fresh_reminders(
    smtp: Smtp, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    req = assigned(users, school_a, pupil_a)
    remind(users, D(2026, 11, 25))
    dpo = users["trust_dpo"]
    with acting_as(dpo, channel="web"):
        req = services.extension_decided(
            actor=dpo,
            request=req,
            reason="Numerous records.",
            decided_on=D(2026, 11, 25),
            requester_told_on=D(2026, 11, 25),
        )
    # Three months from 2 November 2026: Tuesday 2 February 2027.
    assert reminders.due_status(req, D(2026, 11, 26)).due == D(2027, 2, 2)
    assert remind(users, D(2026, 11, 30)).sent == []
    assert [r.threshold for r in remind(users, D(2027, 1, 26)).sent] == ["week"]


# -- what gets nothing --------------------------------------------------------------------------


def test_paused_closed_and_unassigned_requests_get_nothing(
    smtp: Smtp, users: dict[str, User], school_a: School, pupil_a: Pupil, teen: Pupil, child: Pupil
) -> None:
    paused = assigned(users, school_a, pupil_a)
    closed = assigned(users, school_a, teen)
    unassigned = log(users["school_dpl"], school_a, child, received_on=RECEIVED)
    dpl = users["school_dpl"]
    with acting_as(dpl, channel="web"):
        services.clarification_asked(actor=dpl, request=paused, on=D(2026, 11, 10), note="Which years?")
        services.transition(
            actor=dpl, request=closed, to=Status.WITHDRAWN, on=D(2026, 11, 10), note="Withdrawn."
        )
    assert reminders.due_status(paused, D(2026, 12, 3)).paused is True
    report = remind(users, D(2026, 12, 3))
    assert report.sent == [] and report.failed == []
    assert [(r.request_id, r.error) for r in report.skipped] == [(unassigned.pk, "not assigned")]
    assert smtp.inbox.messages == []
    assert not RequestEvent.objects.filter(kind=EventKind.REMINDER_SENT).exists()


def test_an_assignee_without_an_email_is_reported(
    smtp: Smtp, users: dict[str, User], school_a: School, pupil_a: Pupil, system: Any
) -> None:
    req = assigned(users, school_a, pupil_a)
    users["office_manager"].email = ""
    users["office_manager"].save()
    report = remind(users, D(2026, 11, 25))
    assert [(r.request_id, r.error) for r in report.skipped] == [
        (req.pk, "office_manager has no email address")
    ]
    assert smtp.inbox.messages == [] and sent(req) == []


def test_only_requests_the_actor_may_handle(
    smtp: Smtp, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    assigned(users, school_a, pupil_a)
    with acting_as(users["teacher_b"], channel="cli"):
        report = send_reminders(actor=users["teacher_b"], on=D(2026, 11, 25))
    assert report.sent == [] and smtp.inbox.messages == []


# -- failures -----------------------------------------------------------------------------------


def test_a_refused_connection_records_nothing_and_the_next_run_retries(
    smtp: Smtp, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    req = assigned(users, school_a, pupil_a)
    smtp.stop()  # nothing listens on the port now: the connection is refused
    report = remind(users, D(2026, 11, 25))
    assert report.sent == []
    [failed] = report.failed
    assert (failed.request_id, failed.threshold, failed.recipient) == (
        req.pk,
        "week",
        "office_manager@oakfield.example.com",
    )
    assert "ConnectionRefusedError" in failed.error
    assert sent(req) == []
    smtp.start()
    assert [r.threshold for r in remind(users, D(2026, 11, 26)).sent] == ["week"]
    assert sent(req) == [("week", D(2026, 11, 26))]


# -- the command --------------------------------------------------------------------------------


def test_remind_command_reports_and_fails_when_a_send_fails(
    smtp: Smtp, users: dict[str, User], school_a: School, pupil_a: Pupil
) -> None:
    req = assigned(users, school_a, pupil_a)
    out = StringIO()
    call_command("rights", "remind", "--on", "2026-11-25", "--actor", "dpo", stdout=out)
    assert (
        f"sent: request #{req.pk} (week, due 2026-12-02) to office_manager@oakfield.example.com"
        in out.getvalue()
    )
    assert "2026-11-25: 1 sent, 0 failed, 0 skipped." in out.getvalue()
    again = StringIO()
    call_command("rights", "remind", "--on", "2026-11-25", "--actor", "dpo", "--format", "json", stdout=again)
    assert '"sent": []' in again.getvalue()
    smtp.stop()
    err = StringIO()
    with pytest.raises(CommandError, match=r"1 reminder\(s\) could not be sent; nothing was recorded"):
        call_command(
            "rights", "remind", "--on", "2026-11-30", "--actor", "dpo", stdout=StringIO(), stderr=err
        )
    assert f"failed: request #{req.pk} (two_working_days)" in err.getvalue()
    assert sent(req) == [("week", D(2026, 11, 25))]
    with pytest.raises(CommandError, match="--on: 'soon' is not a date"):
        call_command("rights", "remind", "--on", "soon", "--actor", "dpo")


def _email_settings(tmp_path: Any, **env: str) -> dict[str, Any]:
    """The email settings `steward.settings` derives from the environment, in a fresh interpreter."""
    code = (
        "import json, steward.settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "['EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_USE_TLS', "
        "'DEFAULT_FROM_EMAIL', 'STEWARD_BASE_URL']}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "STEWARD_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_email_settings_come_from_the_environment(tmp_path: Any) -> None:
    console = _email_settings(tmp_path)
    assert console["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert console["STEWARD_BASE_URL"] == "http://127.0.0.1:8000"
    smtp = _email_settings(
        tmp_path,
        STEWARD_SMTP_HOST="smtp.example.com",
        STEWARD_SMTP_USER="steward",
        STEWARD_SMTP_PASSWORD="not-a-real-password",
        STEWARD_EMAIL_FROM="dpo@oakfield.example.com",
        STEWARD_BASE_URL="https://steward.example.com/",
    )
    assert smtp == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": 587,  # STARTTLS is on by default when a user is set
        "EMAIL_HOST_USER": "steward",
        "EMAIL_USE_TLS": True,
        "DEFAULT_FROM_EMAIL": "dpo@oakfield.example.com",
        "STEWARD_BASE_URL": "https://steward.example.com",
    }
    plain = _email_settings(tmp_path, STEWARD_SMTP_HOST="relay.example.com", STEWARD_SMTP_PORT="2525")
    assert (plain["EMAIL_PORT"], plain["EMAIL_USE_TLS"]) == (2525, False)
