"""The demo's showcase (notices, rights requests, youth-support run, AP provider and placements) and
replacing a demo that has them: both hash chains verify, and a real trust's disclosure log is never
rewritten."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.utils import timezone
from tests.conftest import make_pupil

from steward.accounts.models import RoleAssignment, User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.audit.services import verify_chain
from steward.core.hashchain import GENESIS
from steward.demo.features import PROVIDER_NAME, PROVIDER_USERNAME
from steward.demo.services import DEMO_TRUST_NAME, DemoError, DemoResult, build_demo
from steward.notices.models import NoticeVersion
from steward.organisations.models import School, Trust
from steward.people.models import Pupil, age_on
from steward.placements.models import Placement, Provider, ProviderUser
from steward.rights import services as rights
from steward.rights.models import (
    CompetenceAssessment,
    ManualTask,
    Rectification,
    RequestEvent,
    RequestKind,
    Restriction,
    RightsRequest,
    Status,
    TaskStatus,
    YouthSupportChoice,
)
from steward.rights.selectors import Urgency, deadline_view
from steward.sharing.gate import ShareCheck
from steward.sharing.log import Sent, record_share, verify_disclosures
from steward.sharing.models import (
    AdHocRequest,
    Agreement,
    ChildProtectionTransfer,
    CtfFile,
    Disclosure,
    DisclosureChainHead,
    NoticeReviewFlag,
    ShareRun,
    TransferReceived,
)

TODAY = dt.date(2026, 11, 24)
PASSWORD = "correct horse battery staple"
CLI = {"schools": 2, "pupils": 60, "seed": 7, "password": PASSWORD}
DEMO = {**CLI, "today": TODAY}


def build(**kw: Any) -> DemoResult:
    with acting_as(None, channel="cli", system_label="steward demo"):
        return build_demo(**{**DEMO, **kw})


@pytest.fixture
def demo(db: Any) -> DemoResult:
    return build()


def sign_in(username: str) -> Any:
    return authenticate(RequestFactory().post("/sign-in/"), username=username, password=PASSWORD)


def test_every_school_has_its_four_notices_published(demo: DemoResult) -> None:
    for school in demo.schools:
        assert sorted(NoticeVersion.objects.filter(school=school).values_list("audience", "number")) == [
            ("ap", 1),
            ("parent", 1),
            ("pupil", 1),
            ("pupil-young", 1),
        ]
    assert demo.counts["notices.NoticeVersion"] == 8


def test_rights_requests_in_varied_states_at_the_secondary_school(demo: DemoResult) -> None:
    secondary = demo.schools[1]
    requests = list(RightsRequest.objects.order_by("pk"))
    assert len(requests) == 5 == demo.counts["rights.RightsRequest"]
    assert {r.school_id for r in requests} == {secondary.pk}
    assert len({r.pupil_id for r in requests}) == 5
    by = {(r.kind, r.requester_kind, r.status): r for r in requests}

    # A pupil's own access request, in progress, with a manual search still open.
    own = by[(RequestKind.ACCESS, "pupil", Status.IN_PROGRESS)]
    task = ManualTask.objects.get(request=own)
    assert task.status == TaskStatus.OPEN and task.assigned_to.username == "office-2"
    # A parent's access request about a pupil of 12 to 16 (14 when the demo has one): the pupil is
    # judged competent, so release waits for their view.
    parents = [
        r for r in requests if (r.kind, r.requester_kind) == (RequestKind.ACCESS, "parent") and r.pk != own.pk
    ]
    waiting = next(r for r in parents if CompetenceAssessment.objects.filter(request=r).exists())
    assert 12 <= age_on(waiting.pupil.date_of_birth, waiting.received_on) <= 16
    assert waiting.competence.outcome == "competent" and waiting.competence.pupil_view == ""
    assert "pupil_view_or_dpo_decision_required" in {code for code, _ in rights.release_blockers(waiting)}
    # A rectification applied and reviewed, ready to tell the parent; an erasure refused with reasons.
    ready = by[(RequestKind.RECTIFICATION, "parent", Status.READY)]
    fix = Rectification.objects.get(request=ready)
    assert fix.field == "middle_names" and Pupil.objects.get(pk=ready.pupil_id).middle_names == fix.after
    refused = by[(RequestKind.ERASURE, "parent", Status.REFUSED)]
    assert "Art 17(3)(b)" in refused.outcome_reason and "ICO" in refused.outcome_reason

    # The dashboard's highlights: one overdue, one due this week (neither is the other).
    urgency = {r.pk: deadline_view(r, today=TODAY).urgency for r in requests if r.is_open}
    assert sorted(urgency.values()) == sorted(
        [Urgency.DUE_SOON, Urgency.OVERDUE, Urgency.RUNNING, Urgency.RUNNING]
    )
    assert urgency[own.pk] == Urgency.DUE_SOON
    overdue = next(r for r in requests if urgency.get(r.pk) == Urgency.OVERDUE)
    assert overdue.received_on < TODAY - dt.timedelta(days=31) and overdue.identity_verified_on
    assert sum(1 for r in requests if r.assigned_to and r.assigned_to.username == "office-2") == 3
    # Every step went through the services: each request has its log.
    assert all(RequestEvent.objects.filter(request=r, kind="logged").exists() for r in requests)


def test_the_provider_its_login_agreement_and_placements(demo: DemoResult) -> None:
    provider = Provider.objects.get(trust=demo.trust)
    assert provider.name == PROVIDER_NAME
    link = ProviderUser.objects.get(provider=provider)
    assert link.user.username == PROVIDER_USERNAME == demo.provider_username
    assert sign_in(PROVIDER_USERNAME) is not None  # the demo password works for the provider too
    assert list(RoleAssignment.objects.filter(user=link.user).values_list("role", "school")) == [
        ("provider", demo.schools[1].pk)
    ]
    on = max(TODAY, timezone.localdate())
    agreement = Agreement.objects.get(trust=demo.trust, recipient_key="ap_providers")
    assert agreement.in_force(on)
    placements = list(Placement.objects.filter(provider=provider).order_by("pk"))
    assert [p.status_on(on) for p in placements] == ["current", "ended"]
    assert all(p.school == demo.schools[1] and p.share_run is not None for p in placements)
    assert placements[0].categories == ["pupil.identity", "pupil.attendance", "pupil.behaviour"]
    assert placements[1].end_reason
    assert Placement.objects.active_on(on).get() == placements[0]


def test_the_youth_support_run_logs_disclosures_and_honours_opt_downs(demo: DemoResult) -> None:
    secondary = demo.schools[1]
    runs = ShareRun.objects.filter(kind="youth_support")
    assert runs.exists() and {r.school_id for r in runs} == {secondary.pk}
    limited = set(YouthSupportChoice.objects.filter(state="limited").values_list("pupil_id", flat=True))
    assert limited and {c.decided_by for c in YouthSupportChoice.objects.all()} <= {"parent", "pupil"}
    sent = Disclosure.objects.filter(run__in=runs)
    assert sent.count() >= 5
    assert set(sent.filter(limited=True).values_list("pupil_ref", flat=True)) == limited
    # The pupil asking for their own data was in the run: their bundle lists the disclosure.
    own = RightsRequest.objects.get(kind="access", requester_kind="pupil")
    assert sent.filter(pupil_ref=own.pupil_id, limited=False).exists()
    # The placements' shares are in the same log.
    assert Disclosure.objects.filter(run__kind="ap").count() == 2
    assert verify_disclosures().ok and verify_chain().ok


def test_the_cli_prints_the_logins_and_where_to_look(db: Any) -> None:
    out = io.StringIO()
    call_command("demo", **CLI, stdout=out)
    text = out.getvalue()
    assert f"Alternative provision provider login, same password: {PROVIDER_USERNAME}" in text
    for path in ("/requests/", "/sharing/", "/placements/", "/provider/", "/notices/"):
        assert f"  {path} " in text
    assert "1 overdue, 1 due this week" in text


def test_replace_twice_and_both_chains_verify(demo: DemoResult) -> None:
    first = set(Disclosure.objects.values_list("pk", flat=True))
    assert first
    out = io.StringIO()
    for _ in range(2):
        call_command("demo", **CLI, replace=True, stdout=io.StringIO())
        call_command("disclosures", "verify", stdout=out)
        call_command("audit", "verify", stdout=out)
    assert "Disclosure log intact" in out.getvalue() and "audit chain intact" in out.getvalue()
    assert verify_disclosures().ok and verify_chain().ok
    # The log holds only the newest demo's rows, chained from the genesis hash again.
    rows = list(Disclosure.objects.order_by("id"))
    assert rows and not first & {r.pk for r in rows}
    assert rows[0].prev_hash == GENESIS and DisclosureChainHead.objects.get().last_hash == rows[-1].hash
    assert Trust.objects.filter(name=DEMO_TRUST_NAME).count() == 1
    assert Provider.objects.count() == 1 and User.objects.filter(username=PROVIDER_USERNAME).count() == 1
    assert sign_in(PROVIDER_USERNAME) is not None
    # One event per replacement says the demo's disclosure log was reset.
    resets = AuditEvent.objects.filter(model="sharing.Disclosure", action="delete")
    assert resets.count() == 2
    assert all(
        e.detail["reason"] == "demo replaced" and "reset" in e.detail["disclosure_log"] for e in resets
    )


def test_replace_removes_every_kind_of_row_the_features_add(demo: DemoResult) -> None:
    """Rows the demo does not make itself but a visitor can (ad-hoc requests, CTFs, child protection
    transfers, transfers received, notice flags, restrictions) go with the demo trust too."""
    secondary = demo.schools[1]
    run = ShareRun.objects.filter(school=secondary).first()
    assert run is not None
    pupil = Pupil.objects.get(pk=RightsRequest.objects.get(kind="erasure").pupil_id)
    with acting_as(None, channel="cli", system_label="test fixture"):
        AdHocRequest.objects.create(
            school=secondary, recipient_key="police", requester_organisation="Westshire Police",
            requester_name="PC Example", received_on=TODAY, pupil_refs=[pupil.pk], asked_for="Attendance",
            purpose_key="safeguarding", lawful_basis="public_task", decision="disclosed", reasons="Crime",
            decided_on=TODAY, run=run,
        )  # fmt: skip
        ctf = CtfFile.objects.create(
            run=run, school=secondary, dest_la="380", dest_estab="4999", sequence=1,
            file_name="380499_CTF_990002_001.xml", ctf_version="26.0", sha256="0" * 64, pupil_count=1,
        )  # fmt: skip
        ChildProtectionTransfer.objects.create(
            pupil=pupil, from_school=secondary, ctf=ctf, dest_la="380", dest_estab="4999",
            exported_on=TODAY, due_on=TODAY + dt.timedelta(days=7), due_basis="5 school days",
        )  # fmt: skip
        TransferReceived.objects.create(
            school=secondary, file_name="in.xml", sha256="1" * 64, ctf_version="26.0",
            source_la="380", source_estab="2001",
        )  # fmt: skip
        NoticeReviewFlag.objects.create(school=secondary, run=run, reason="A test override")
        Restriction.objects.create(pupil=pupil, ground="accuracy", started_on=TODAY)
    build(replace=True)
    for model in (
        AdHocRequest,
        CtfFile,
        ChildProtectionTransfer,
        TransferReceived,
        NoticeReviewFlag,
        Restriction,
    ):
        assert not model.objects.exists(), model
    assert RightsRequest.objects.count() == 5 and Placement.objects.count() == 2
    assert verify_disclosures().ok and verify_chain().ok


def test_replace_is_refused_when_another_trust_has_disclosures(
    trust: Trust, school_a: School, demo: DemoResult
) -> None:
    # A real trust's share, logged in the one disclosure chain after the demo's rows.
    theirs = make_pupil(trust, school_a, 42)
    recipient = SimpleNamespace(key="local_authority", name="Oakfield Council")
    check = ShareCheck(
        school=school_a, recipient_key="local_authority", recipient=recipient,  # type: ignore[arg-type]
        purpose_key="statutory_returns", basis="legal_obligation", categories=("pupil.identity.name",),
        on=TODAY, failures=(),
    )  # fmt: skip
    record_share(
        actor=None, check=check, kind="statutory", sent=[Sent(theirs.pk, ["surname"], {"surname": "X"})]
    )
    before = {
        m: m.objects.count()
        for m in (Pupil, Disclosure, ShareRun, RightsRequest, Placement, Provider, NoticeVersion, Trust)
    }
    head = DisclosureChainHead.objects.get().last_hash
    with pytest.raises(DemoError, match=r"disclosure log holds 1 rows of other schools \(Oakfield Primary\)"):
        build(replace=True)
    with pytest.raises(CommandError, match="build the demo in another database"):
        call_command("demo", **CLI, replace=True, stdout=io.StringIO())
    # Nothing was deleted, and both chains still verify.
    assert {m: m.objects.count() for m in before} == before
    assert Trust.objects.filter(pk=demo.trust.pk).exists()
    assert DisclosureChainHead.objects.get().last_hash == head
    assert verify_disclosures().ok and verify_chain().ok


def test_the_portal_family_signs_in_and_sees_the_childs_consents(demo: DemoResult) -> None:
    from steward.consent.models import ConsentEvent
    from steward.portal.models import PortalLink

    assert demo.parent_username == "parent"
    link = PortalLink.objects.select_related("contact").get(user__username="parent")
    assert link.contact is not None
    events = ConsentEvent.objects.filter(contact=link.contact)
    assert events.filter(action="grant").exists() and events.filter(action="refuse").exists()
    user = sign_in("parent")  # the demo password works
    assert user is not None
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    home = client.get("/", follow=True)
    assert home.redirect_chain[-1][0] == "/portal/"
    assert home.status_code == 200
