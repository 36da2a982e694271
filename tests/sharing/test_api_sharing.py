"""Data sharing through the API: each endpoint's happy path, gate refusals (409 with the codes, nothing
logged), permission (403) and scope (404), and the one-time encrypted package: the clear file is never in
a response, the package opens with the passphrase (pyzipper) and downloads once, by its maker only."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import pyzipper
from django.conf import settings
from django.test import Client
from django.utils import timezone
from tests.api.conftest import bearer_headers
from tests.conftest import make_pupil, make_user

from steward.accounts.models import User
from steward.api.tokens import issue_token
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.notices.services import publish_notice
from steward.organisations.models import School, Trust
from steward.people.models import Pupil, PupilAddress
from steward.records.models import SafeguardingConcern
from steward.rights.models import Restriction
from steward.sharing.models import AdHocRequest, Agreement, Disclosure, NoticeReviewFlag, ShareRun
from steward.sharing.models_transfer import ChildProtectionTransfer, TransferReceived

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]
TODAY = timezone.localdate()
SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture(autouse=True)
def _storage(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"


def _client(user: User) -> Client:
    with acting_as(user, channel="cli"):
        key = issue_token(actor=user, user=user, name="sharing test token").key
    return Client(headers=bearer_headers(key))


@pytest.fixture
def client_for(users: dict[str, User]) -> Clients:
    """A test client signed in with a bearer API token of the role user."""
    return lambda role: _client(users[role])


def publish(dpo: User, school: School) -> School:
    with acting_as(dpo, channel="web"):
        publish_notice(actor=dpo, school=school, audience="parent")
    return school


@pytest.fixture
def published_a(loaded: Any, school_a: School, dpo: User) -> School:
    return publish(dpo, school_a)


@pytest.fixture
def published_b(loaded: Any, school_b: School, dpo: User) -> School:
    return publish(dpo, school_b)


@pytest.fixture
def teen_b(trust: Trust, school_b: School) -> Pupil:
    """A 14-year-old at the secondary school, with an address."""
    p = make_pupil(trust, school_b, 31, legal_forename="Quinn", date_of_birth=dt.date(2012, 1, 1), ncy="10")
    PupilAddress.objects.create(pupil=p, line1="9 Orchard Lane", town="Exampleton", postcode="EX1 2AB")
    return p


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def opened(client: Client, package: dict[str, Any]) -> dict[str, bytes]:
    """Download the package once and open it with its passphrase, as a recipient's tool does."""
    response = client.get(package["download_url"])
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert response["X-Package-SHA256"] == package["sha256"]
    with pyzipper.AESZipFile(io.BytesIO(data)) as zf:
        zf.setpassword(package["passphrase"].encode())
        return {name: zf.read(name) for name in zf.namelist()}


def codes(response: Any) -> set[str]:
    return {c for e in response.json()["errors"] for c in e["codes"]}


def outbox() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "sharing" / "api-outbox"
    return sorted(folder.iterdir()) if folder.exists() else []


# -- youth support and the one-time package ---------------------------------------------------------


def test_youth_support_run_returns_an_encrypted_package_downloaded_once(
    published_b: School, teen_b: Pupil, client_for: Clients, dpo: User
) -> None:
    client = client_for("trust_dpo")
    response = post(client, "/api/share/youth-services", {"school": "100002", "on": TODAY.isoformat()})
    assert response.status_code == 200, response.json()
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["counts"] == {"included": 1, "limited": 0, "excluded": 0}
    assert [p["pupil_id"] for p in data["pupils"]] == [teen_b.pk]
    assert len(data["run_ids"]) == 1 and Disclosure.objects.filter(pupil_ref=teen_b.pk).count() == 1
    # The clear CSV is never in the response: no header line, no address.
    assert b"school_urn,age_group" not in response.content and b"Orchard Lane" not in response.content
    package = data["package"]
    assert package["file_name"] == f"youth-support-100002-{TODAY.isoformat()}.zip"
    assert package["members"] == [f"youth-support-100002-{TODAY.isoformat()}.csv"]
    # Kept encrypted on the server: neither the CSV nor the passphrase is readable there.
    (stored,) = [p for p in outbox() if p.suffix == ".zip"]
    assert b"Orchard Lane" not in stored.read_bytes()
    assert package["passphrase"].encode() not in b"".join(p.read_bytes() for p in outbox())
    # Someone else cannot take it (and trying does not use it up).
    assert client_for("school_dpl").get(package["download_url"]).status_code == 404
    files = opened(client, package)
    (csv_bytes,) = files.values()
    assert csv_bytes.startswith(b"school_urn,age_group,sharing") and b"Orchard Lane" in csv_bytes
    # Once only, and gone from the server.
    assert client.get(package["download_url"]).status_code == 404
    assert outbox() == []
    download = AuditEvent.objects.filter(action="export", model="sharing.ShareRun").last()
    assert download is not None and download.detail["encrypted"] is True and download.channel == "api"


def test_an_expired_package_is_gone(published_b: School, teen_b: Pupil, client_for: Clients) -> None:
    client = client_for("trust_dpo")
    package = post(client, "/api/share/youth-services", {"school": "100002", "on": TODAY.isoformat()}).json()[
        "package"
    ]
    (meta,) = [p for p in outbox() if p.suffix == ".json"]
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "expires": 0}))
    assert client.get(package["download_url"]).status_code == 404
    assert outbox() == []
    assert client.get("/api/packages/not-a-token").status_code == 404


def test_youth_support_gate_refusal_is_409_with_codes_and_nothing_logged(
    loaded: Any, school_b: School, teen_b: Pupil, client_for: Clients
) -> None:
    # School B has the register but no published notice.
    before = Disclosure.objects.count()
    response = post(
        client_for("trust_dpo"), "/api/share/youth-services", {"school": "100002", "on": TODAY.isoformat()}
    )
    assert response.status_code == 409, response.json()
    assert "no_published_notice" in codes(response)
    assert all(e["field"] is None and e["messages"] for e in response.json()["errors"])
    assert Disclosure.objects.count() == before and not ShareRun.objects.exists()
    assert [p for p in outbox() if p.suffix == ".zip"] == []


def test_youth_support_permission_and_scope(
    published_a: School, published_b: School, client_for: Clients
) -> None:
    body = {"school": "100001", "on": TODAY.isoformat()}
    assert post(client_for("teacher"), "/api/share/youth-services", body).status_code == 403
    assert post(client_for("teacher_b"), "/api/share/youth-services", body).status_code == 404
    # School B is outside the school A lead's schools.
    response = post(client_for("school_dpl"), "/api/share/youth-services", {**body, "school": "100002"})
    assert response.status_code == 404
    # Only the DPO overrides the gate.
    response = post(client_for("school_dpl"), "/api/share/youth-services", {**body, "override_reason": "x"})
    assert response.status_code == 403
    assert not Disclosure.objects.exists()


# -- statutory, overrides and notice-review flags ------------------------------------------------------


def test_statutory_extract_package_and_disclosure_log(
    published_a: School, pupil_a: Pupil, client_for: Clients
) -> None:
    client = client_for("school_dpl")
    response = post(
        client, "/api/share/statutory", {"school": "100001", "recipient": "dfe", "on": TODAY.isoformat()}
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["included"] == 1 and data["excluded"] == [] and data["period"][1] == TODAY.isoformat()
    assert pupil_a.upn.encode() not in response.content  # the extract is only in the package
    (csv_bytes,) = opened(client, data["package"]).values()
    assert pupil_a.upn.encode() in csv_bytes and csv_bytes.startswith(b"school_urn,laestab")
    run = ShareRun.objects.get(pk=data["run_id"])
    assert run.kind == "statutory" and run.recipient_key == "dfe"

    # The pupil's disclosures: the lead sees the row; a teacher (no characteristics, SEN, FSM) sees it
    # withheld; outside the pupil's schools it is a 404.
    rows = client.get(f"/api/pupils/{pupil_a.pk}/disclosures").json()
    assert (rows["count"], rows["withheld"]) == (1, 0)
    (row,) = rows["items"]
    assert (row["recipient_key"], row["run_id"], row["kind"]) == ("dfe", run.pk, "statutory")
    assert "upn" in row["fields"] and len(row["payload_sha256"]) == 64
    teacher = client_for("teacher").get(f"/api/pupils/{pupil_a.pk}/disclosures").json()
    assert (teacher["count"], teacher["withheld"], teacher["items"]) == (0, 1, [])
    assert client_for("teacher_b").get(f"/api/pupils/{pupil_a.pk}/disclosures").status_code == 404
    assert AuditEvent.objects.filter(
        action="view", model="sharing.Disclosure", pupil_id_ref=pupil_a.pk
    ).exists()


def test_statutory_refusal_then_dpo_override_raises_a_flag_the_dpo_resolves(
    loaded: Any, school_a: School, pupil_a: Pupil, client_for: Clients
) -> None:
    body = {"school": "100001", "recipient": "dfe", "on": TODAY.isoformat()}
    lead, dpo = client_for("school_dpl"), client_for("trust_dpo")
    refused = post(lead, "/api/share/statutory", body)
    assert refused.status_code == 409 and "no_published_notice" in codes(refused)
    assert not Disclosure.objects.exists()
    assert post(lead, "/api/share/statutory", {**body, "override_reason": "Census day"}).status_code == 403
    done = post(
        dpo, "/api/share/statutory", {**body, "override_reason": "Census day; notice being republished"}
    )
    assert done.status_code == 200, done.json()
    assert done.json()["overridden"] is True and Disclosure.objects.get().override is True

    flags = lead.get("/api/notice-flags").json()
    (flag,) = flags
    assert flag["school_urn"] == "100001" and "Census day" in flag["reason"]
    assert client_for("teacher").get("/api/notice-flags").status_code == 403
    assert post(lead, "/api/notice-flags", {"id": flag["id"], "resolution": "Republished"}).status_code == 403
    assert post(dpo, "/api/notice-flags", {"id": flag["id"], "resolution": "  "}).status_code == 422
    resolved = post(dpo, "/api/notice-flags", {"id": flag["id"], "resolution": "Notice version 2 published"})
    assert resolved.status_code == 200 and resolved.json()["resolved_on"] == TODAY.isoformat()
    assert lead.get("/api/notice-flags").json() == []
    assert NoticeReviewFlag.objects.get().resolution == "Notice version 2 published"
    assert post(dpo, "/api/notice-flags", {"id": flag["id"], "resolution": "again"}).status_code == 404
    assert client_for("teacher_b").get("/api/notice-flags?school=100001").status_code == 403


def test_a_statutory_share_to_a_recipient_the_register_lacks_is_409(
    published_a: School, pupil_a: Pupil, client_for: Clients
) -> None:
    body = {"school": "100001", "recipient": "fan_club", "on": TODAY.isoformat()}
    response = post(client_for("school_dpl"), "/api/share/statutory", body)
    assert response.status_code == 409 and "recipient_not_in_register" in codes(response)
    assert not Disclosure.objects.exists()


# -- the disclosure log and share runs ----------------------------------------------------------------


def test_verify_reports_the_chain_and_a_tampered_row(
    published_a: School, pupil_a: Pupil, client_for: Clients
) -> None:
    post(
        client_for("school_dpl"),
        "/api/share/statutory",
        {"school": "100001", "recipient": "dfe", "on": TODAY.isoformat()},
    )
    assert client_for("auditor").get("/api/disclosures/verify").json() == {
        "ok": True,
        "checked": 1,
        "first_bad_id": None,
        "reason": "",
    }
    assert client_for("teacher").get("/api/disclosures/verify").status_code == 403
    assert client_for("school_dpl").get("/api/disclosures/verify").status_code == 200  # view_audit
    Disclosure.objects.update(recipient_name="Someone else")  # bypasses save(): a tampered row
    report = client_for("trust_dpo").get("/api/disclosures/verify").json()
    assert report["ok"] is False and report["first_bad_id"] == Disclosure.objects.get().pk


def test_share_runs_list_filters_detail_and_scope(
    published_a: School, pupil_a: Pupil, client_for: Clients
) -> None:
    lead = client_for("school_dpl")
    run_id = post(
        lead, "/api/share/statutory", {"school": "100001", "recipient": "dfe", "on": TODAY.isoformat()}
    ).json()["run_id"]
    page = lead.get("/api/share-runs").json()
    assert page["count"] == 1 and page["items"][0]["id"] == run_id and page["items"][0]["pupils"] == 1
    assert lead.get("/api/share-runs?kind=statutory&recipient=dfe&school=100001").json()["count"] == 1
    assert lead.get("/api/share-runs?kind=youth_support").json()["count"] == 0
    bad = lead.get("/api/share-runs?kind=gossip")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kind"
    assert lead.get("/api/share-runs?school=100002").status_code == 404
    assert client_for("teacher").get("/api/share-runs").status_code == 403
    detail = lead.get(f"/api/share-runs/{run_id}").json()
    assert detail["disclosures"][0]["pupil_id"] == pupil_a.pk and detail["by"] == "school_dpl"
    assert client_for("teacher").get(f"/api/share-runs/{run_id}").status_code == 403
    assert client_for("teacher_b").get(f"/api/share-runs/{run_id}").status_code == 404
    assert lead.get("/api/share-runs/999999").status_code == 404
    assert AuditEvent.objects.filter(action="view", model="sharing.ShareRun", object_id=str(run_id)).exists()


# -- ad-hoc disclosures -----------------------------------------------------------------------------


def adhoc_body(pupil: Pupil, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "school": "100001",
        "recipient_key": "police_courts",
        "requester_organisation": "Exampleshire Police",
        "requester_name": "DC Example",
        "reference": "DP-2026-0042",
        "received_on": TODAY.isoformat(),
        "upns": [pupil.upn],
        "asked_for": "Attendance and identity for an investigation near the school.",
        "purpose_key": "investigate_crime",
        "lawful_basis": "legal_obligation",
        "exemption": "sch2_para2",
    }
    body.update(overrides)
    return body


DECIDE = {
    "decision": "disclosed",
    "reasons": "Sch 2 para 2 applies: not disclosing would prejudice the investigation.",
    "categories": ["pupil.identity"],
}


def test_adhoc_log_list_detail_and_decide_with_a_package(
    published_a: School, pupil_a: Pupil, client_for: Clients
) -> None:
    office, dpo = client_for("office_manager"), client_for("trust_dpo")
    created = post(office, "/api/adhoc", adhoc_body(pupil_a))
    assert created.status_code == 201, created.json()
    req = created.json()
    assert (req["decision"], req["pupil_ids"], req["logged_by"]) == (
        "pending",
        [pupil_a.pk],
        "office_manager",
    )
    listed = office.get("/api/adhoc?decision=pending").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == req["id"]
    assert office.get(f"/api/adhoc/{req['id']}").json()["requester_organisation"] == "Exampleshire Police"
    # Only the DPO decides.
    assert post(office, f"/api/adhoc/{req['id']}/decide", DECIDE).status_code == 403
    decided = post(dpo, f"/api/adhoc/{req['id']}/decide", DECIDE)
    assert decided.status_code == 200, decided.json()
    data = decided.json()
    assert data["decision"] == "disclosed" and data["approved_by"] == "dpo" and data["run_id"]
    assert [d["pupil_id"] for d in data["disclosures"]] == [pupil_a.pk]
    assert b"2015-03-14" not in decided.content  # the disclosed data is only in the package
    files = opened(dpo, data["package"])
    sent = json.loads(files[f"disclosure-{req['id']}.json"])
    assert set(sent) == {pupil_a.upn} and "2015-03-14" in json.dumps(sent)
    assert Disclosure.objects.get().recipient_key == "police_courts"
    # Already decided: 422, nothing more sent.
    assert post(dpo, f"/api/adhoc/{req['id']}/decide", DECIDE).status_code == 422
    assert Disclosure.objects.count() == 1


def test_adhoc_gate_refusal_is_409_and_the_request_stays_pending(
    published_a: School, pupil_a: Pupil, client_for: Clients
) -> None:
    dpo = client_for("trust_dpo")
    req = post(dpo, "/api/adhoc", adhoc_body(pupil_a, exemption="")).json()
    response = post(dpo, f"/api/adhoc/{req['id']}/decide", DECIDE)
    assert response.status_code == 409 and "purpose_not_covered" in codes(response)
    assert not Disclosure.objects.exists() and AdHocRequest.objects.get().decision == "pending"
    assert [p for p in outbox() if p.suffix == ".zip"] == []
    refused = post(
        dpo, f"/api/adhoc/{req['id']}/decide", {"decision": "refused", "reasons": "Not necessary."}
    )
    assert refused.status_code == 200 and refused.json()["package"] is None
    assert refused.json()["decision"] == "refused"


def test_adhoc_bad_input_permission_and_scope(
    published_a: School, pupil_a: Pupil, pupil_b: Pupil, client_for: Clients
) -> None:
    office = client_for("office_manager")
    bad = post(office, "/api/adhoc", adhoc_body(pupil_a, upns=[pupil_b.upn]))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "upns"
    bad = post(office, "/api/adhoc", adhoc_body(pupil_a, lawful_basis="whim"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "lawful_basis"
    assert post(client_for("teacher"), "/api/adhoc", adhoc_body(pupil_a)).status_code == 403
    assert post(client_for("teacher_b"), "/api/adhoc", adhoc_body(pupil_a)).status_code == 404
    assert not AdHocRequest.objects.exists()
    req = post(office, "/api/adhoc", adhoc_body(pupil_a, upns=[], pupils=[pupil_a.pk])).json()
    assert client_for("teacher").get(f"/api/adhoc/{req['id']}").status_code == 403
    assert client_for("teacher_b").get(f"/api/adhoc/{req['id']}").status_code == 404
    assert client_for("teacher").get("/api/adhoc").status_code == 403


# -- the common transfer file ---------------------------------------------------------------------------


def test_ctf_export_package_and_child_protection_owed(
    published_a: School, school_b: School, pupil_a: Pupil, client_for: Clients, dpo: User
) -> None:
    with acting_as(dpo, channel="web"):
        SafeguardingConcern.objects.create(
            pupil=pupil_a, school=published_a, raised_at=dt.datetime(2026, 10, 1, 10, tzinfo=dt.UTC),
            raised_by_name="A Teacher", category="online", narrative="Zebra-unique-narrative",
        )  # fmt: skip
    lead = client_for("school_dpl")
    response = post(lead, "/api/ctf/export", {"school": "100001", "upns": [pupil_a.upn], "to": "100002"})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["destination"] == {
        "laestab": "2014001",
        "urn": "100002",
        "name": school_b.name,
        "unknown": False,
    }
    assert [f["name"] for f in data["files"]] == ["2013001_CTF_2014001_001.xml"]
    # The lead does not read safeguarding data: told a file is owed, not whose.
    assert (data["child_protection_owed"], data["child_protection"]) == (1, [])
    assert b"<CTfile" not in response.content and b"Zebra" not in response.content
    files = opened(lead, data["package"])
    xml = files["2013001_CTF_2014001_001.xml"]
    assert pupil_a.upn.encode() in xml and b"Zebra-unique-narrative" not in xml
    assert Disclosure.objects.get().run_id == data["run_id"]

    # The owed file: the DSL sees it and records it sent; the lead may not see the list.
    assert client_for("school_dpl").get("/api/ctf/child-protection").status_code == 403
    dsl = client_for("dsl")
    (owed,) = dsl.get("/api/ctf/child-protection?school=100001").json()
    assert (owed["upn"], owed["destination"], owed["status"]) == (pupil_a.upn, "2014001", owed["status"])
    assert dsl.get("/api/ctf/child-protection?school=100002").status_code == 404
    assert AuditEvent.objects.filter(
        model="sharing.ChildProtectionTransfer", action="view", special=True
    ).exists()
    body = {"sent_on": TODAY.isoformat(), "method": "secure_transfer"}
    assert post(lead, f"/api/ctf/child-protection/{owed['id']}/sent", body).status_code == 404
    bad = post(dsl, f"/api/ctf/child-protection/{owed['id']}/sent", {**body, "method": "pigeon"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "method"
    sent = post(dsl, f"/api/ctf/child-protection/{owed['id']}/sent", body)
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    assert ChildProtectionTransfer.objects.get().method == "secure_transfer"
    assert dsl.get("/api/ctf/child-protection").json() == []
    assert post(dsl, f"/api/ctf/child-protection/{owed['id']}/sent", body).status_code == 404


def test_ctf_export_refusals(
    published_a: School, school_b: School, pupil_a: Pupil, client_for: Clients, dpo: User
) -> None:
    lead = client_for("school_dpl")
    body = {"school": "100001", "upns": [pupil_a.upn], "to": "100002"}
    with acting_as(dpo, channel="web"):
        Restriction.objects.create(pupil=pupil_a, categories=[], ground="accuracy", started_on=TODAY)
    refused = post(lead, "/api/ctf/export", body)
    assert refused.status_code == 409 and codes(refused) == {"restricted"}
    assert not Disclosure.objects.exists() and [p for p in outbox() if p.suffix == ".zip"] == []
    unknown = post(lead, "/api/ctf/export", {**body, "to": "999999"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "to"
    neither = post(lead, "/api/ctf/export", {"school": "100001", "to": "100002"})
    assert neither.status_code == 422
    assert post(client_for("teacher"), "/api/ctf/export", body).status_code == 403
    assert post(client_for("teacher_b"), "/api/ctf/export", body).status_code == 404
    assert not ShareRun.objects.exists()


@pytest.fixture
def school_c(db: Any, system: Any) -> School:
    other = Trust.objects.create(name="Riverside Schools Trust", dpo_email="dpo@riverside.example.com")
    return School.objects.create(
        trust=other, urn="200003", la_code="873", estab="4002", name="Riverside Academy",
        phase="secondary", school_type="academy",
    )  # fmt: skip


def test_ctf_import_dry_run_import_and_malformed_file(school_c: School, users: dict[str, User]) -> None:
    client = _client(make_user("dpo_c", "trust_dpo", school_c.trust, None))
    sample = (SAMPLES / "8231234_CTF_8734002_001.xml").read_bytes()

    def upload(data: bytes, **form: Any) -> Any:
        f = io.BytesIO(data)
        f.name = "8231234_CTF_8734002_001.xml"
        return client.post("/api/ctf/import", {"school": "200003", "file": f, **form})

    dry = upload(sample, dry_run="true")
    assert dry.status_code == 200, dry.json()
    assert dry.json()["dry_run"] is True and dry.json()["counts"]["created"] == 2
    assert not TransferReceived.objects.exists() and not Pupil.objects.filter(trust=school_c.trust).exists()
    done = upload(sample)
    assert done.status_code == 201 and done.json()["counts"]["created"] == 2
    assert TransferReceived.objects.count() == 1
    bad = upload(b"this is not XML <")
    assert bad.status_code == 422
    (problem,) = bad.json()["errors"]
    assert problem["field"] == "file" and problem["element"] == "(document)" and problem["line"] >= 0
    assert "not well-formed XML" in problem["messages"][0]
    assert TransferReceived.objects.count() == 1
    # Outside the caller's schools, or without the import permission.
    f = io.BytesIO(sample)
    f.name = "x.xml"
    assert (
        _client(users["school_dpl"]).post("/api/ctf/import", {"school": "200003", "file": f}).status_code
        == 404
    )
    f.seek(0)
    assert (
        _client(users["teacher"]).post("/api/ctf/import", {"school": "100001", "file": f}).status_code == 403
    )


# -- agreements ---------------------------------------------------------------------------------------


def test_agreements_list_and_create(
    loaded: Any, school_a: School, school_c: School, client_for: Clients
) -> None:
    dpo, lead = client_for("trust_dpo"), client_for("school_dpl")
    body = {
        "title": "AP placements agreement",
        "parties": "Oakfield Learning Trust and its alternative provision providers",
        "categories": ["pupil.identity", "pupil.attendance"],
        "starts_on": (TODAY - dt.timedelta(days=30)).isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=365)).isoformat(),
    }
    assert post(lead, "/api/agreements", body).status_code == 403
    created = post(dpo, "/api/agreements", body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["recipient_key"], data["purposes"], data["in_force"], data["school_urn"]) == (
        "ap_providers",
        ["alternative_provision"],
        True,
        None,
    )
    ended = post(
        dpo,
        "/api/agreements",
        {**body, "school": "100001", "starts_on": "2024-01-01", "ends_on": "2024-12-31"},
    )
    assert ended.status_code == 201 and ended.json()["in_force"] is False
    bad = post(dpo, "/api/agreements", {**body, "ends_on": "2020-01-01"})
    assert bad.status_code == 422
    assert post(dpo, "/api/agreements", {**body, "school": "200003"}).status_code == 404
    listed = lead.get("/api/agreements").json()
    assert {(a["title"], a["in_force"]) for a in listed} == {
        ("AP placements agreement", True),
        ("AP placements agreement", False),
    }
    assert client_for("teacher").get("/api/agreements").status_code == 403
    # Any register recipient, within what the register shares with it.
    dfe = {
        **body,
        "recipient_key": "dfe",
        "purposes": ["statutory_returns"],
        "categories": ["pupil.identity"],
    }
    made = post(dpo, "/api/agreements", dfe)
    assert made.status_code == 201 and (made.json()["recipient_key"], made.json()["lawful_basis"]) == (
        "dfe",
        Agreement.objects.get(pk=made.json()["id"]).lawful_basis,
    )
    stray = post(dpo, "/api/agreements", {**dfe, "purposes": ["youth_support"]})
    assert stray.status_code == 422 and stray.json()["errors"][0]["field"] == "purposes"
    assert Agreement.objects.count() == 3
