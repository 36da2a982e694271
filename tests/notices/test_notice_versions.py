"""Publishing notices: who may, what is refused, immutable versions, the as-of-date query and diffs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.notices.models import ImmutableVersion, NoticeVersion, content_hash, history_teardown
from steward.notices.selectors import (
    current_notice,
    diff_versions,
    latest_version,
    notice_on,
    render_version,
    versions,
)
from steward.notices.services import PublishRefused, publish_notice
from steward.organisations.models import School, Trust
from steward.register import services as register_services
from steward.register.models import Purpose, Register


def today() -> dt.date:
    return timezone.localdate()


def publish(actor: Any, school: School, audience: str = "parent", **kwargs: Any) -> NoticeVersion:
    with acting_as(actor, channel="web"):
        return publish_notice(actor=actor, school=school, audience=audience, **kwargs)


def reword_library(actor: Any, trust: Trust, description: str) -> None:
    purpose = Purpose.objects.get(trust=trust, school=None, key="library")
    with acting_as(actor, channel="web"):
        register_services.purpose_update(actor=actor, purpose=purpose, description=description)


def test_publishing_creates_version_1_then_2_with_hashes(
    loaded: Register, trust: Trust, school_b: School, dpo: Any
) -> None:
    v1 = publish(dpo, school_b)
    assert (v1.number, v1.effective_from, v1.audience, v1.published_by) == (1, today(), "parent", dpo)
    assert v1.content.startswith("# Privacy notice for parents and carers")
    assert "Last updated" not in v1.content  # the date belongs to the version, not to the text
    assert v1.content_hash == content_hash(v1.content) and len(v1.content_hash) == 64
    assert v1.html.startswith(
        '<p class="govuk-body">This notice explains what information Oakfield Secondary'
    )
    assert '<h2 class="govuk-heading-l" id="who-we-are">Who we are</h2>' in v1.html
    assert v1.register_snapshot["school_urn"] == "100002"
    assert v1.register_snapshot["flags"]["youth_support_13"] is True
    assert (v1.taxonomy_version, v1.defaults_version) == (
        v1.register_snapshot["taxonomy_version"],
        "2026.2",
    )
    reword_library(dpo, trust, "To lend books, e-books and audiobooks to pupils and keep track of loans.")
    v2 = publish(dpo, school_b, effective_from=today() + dt.timedelta(days=30))
    assert (v2.number, v2.effective_from) == (2, today() + dt.timedelta(days=30))
    assert v2.content_hash != v1.content_hash
    assert [v.number for v in versions(school_b, "parent")] == [1, 2]
    assert latest_version(school_b, "parent") == v2
    assert current_notice(school_b, "parent") == v1  # version 2 is not in effect yet
    # Numbering is per school and audience.
    assert publish(dpo, school_b, "pupil").number == 1
    created = AuditEvent.objects.filter(model="notices.NoticeVersion", action="create").order_by("id")
    assert [(e.object_id, e.actor_label, e.channel, e.school_id_ref) for e in created] == [
        (str(v1.pk), "dpo", "web", school_b.pk),
        (str(v2.pk), "dpo", "web", school_b.pk),
        (str(NoticeVersion.objects.get(audience="pupil").pk), "dpo", "web", school_b.pk),
    ]


def test_publishing_identical_content_is_refused_as_no_change(
    loaded: Register, school_b: School, dpo: Any
) -> None:
    v1 = publish(dpo, school_b)
    with pytest.raises(PublishRefused) as excinfo:
        publish(dpo, school_b, effective_from=today() + dt.timedelta(days=7))
    assert excinfo.value.refusal_code == "no_change"
    assert excinfo.value.reasons == [
        "No change: the parents and carers notice compiled from the register is identical to version 1 (in "
        f"effect from {today().day} {today():%B %Y}), so there is nothing new to publish."
    ]
    assert list(versions(school_b, "parent")) == [v1]


def test_publishing_is_refused_with_everything_missing(
    loaded: Register, trust: Trust, school_b: School, dpo: Any, system: Any
) -> None:
    trust.dpo_email = ""
    trust.save()
    with acting_as(dpo, channel="web"):
        register_services.recipient_upsert(actor=dpo, trust=trust, key="ofsted", legal_gateway="")
    school_b.refresh_from_db()
    with pytest.raises(PublishRefused) as excinfo:
        publish(dpo, school_b, effective_from=today() - dt.timedelta(days=1))
    refused = excinfo.value
    assert refused.reasons == [
        "No contact details for the data protection officer: give an email address or telephone number on the "
        "trust (Oakfield Learning Trust) or the school (Oakfield Secondary) record.",
        "The recipient 'Ofsted' (ofsted) has no legal gateway: say which law or agreement allows the sharing.",
        f"The effective date {(today() - dt.timedelta(days=1)).day} "
        f"{today() - dt.timedelta(days=1):%B %Y} is in the past: a notice cannot take effect before it is "
        "published.",
    ]
    assert refused.message_dict == {
        NON_FIELD_ERRORS: refused.reasons[:2],
        "effective_from": refused.reasons[2:],
    }
    assert not NoticeVersion.objects.exists()


def test_a_trust_with_no_register_cannot_publish(
    trust: Trust, school_a: School, users: dict[str, Any]
) -> None:
    with pytest.raises(PublishRefused) as excinfo:
        publish(users["trust_dpo"], school_a)
    assert len(excinfo.value.reasons) == 1
    assert excinfo.value.reasons[0].startswith("Oakfield Learning Trust has no register yet")


def test_only_the_trust_dpo_may_publish(
    loaded: Register, school_a: School, users: dict[str, Any], system: Any
) -> None:
    for role in ("teacher", "headteacher", "school_dpl", "auditor"):
        with pytest.raises(
            PermissionDenied, match="Only the data protection officer of Oakfield Learning Trust"
        ):
            publish(users[role], school_a)
    other = Trust.objects.create(name="Elmwood Trust")
    elsewhere = School.objects.create(
        trust=other,
        urn="100009",
        la_code="201",
        estab="5009",
        name="Elmwood Primary",
        phase="primary",
        school_type="academy",
    )
    with pytest.raises(Http404):
        publish(users["trust_dpo"], elsewhere)
    with pytest.raises(ValidationError, match="Unknown audience 'staff'"):
        publish(users["trust_dpo"], school_a, "staff")
    assert not NoticeVersion.objects.exists()


def test_a_version_cannot_take_effect_before_the_latest(
    loaded: Register, trust: Trust, school_b: School, dpo: Any
) -> None:
    publish(dpo, school_b, effective_from=today() + dt.timedelta(days=10))
    reword_library(dpo, trust, "To lend books to pupils.")
    with pytest.raises(PublishRefused) as excinfo:
        publish(dpo, school_b, effective_from=today() + dt.timedelta(days=5))
    later = today() + dt.timedelta(days=10)
    assert excinfo.value.message_dict == {
        "effective_from": [
            f"Version 1 takes effect on {later.day} {later:%B %Y}: a new version cannot take effect before it."
        ]
    }


def test_versions_are_immutable(loaded: Register, school_b: School, dpo: Any) -> None:
    v1 = publish(dpo, school_b)
    v1.content = "# Something else"
    with pytest.raises(ImmutableVersion, match="cannot be changed"):
        v1.save()
    with pytest.raises(ImmutableVersion, match="cannot be changed"):
        NoticeVersion.objects.filter(pk=v1.pk).update(content="# Something else")
    with pytest.raises(ImmutableVersion, match="cannot be deleted"):
        v1.delete()
    with pytest.raises(ImmutableVersion, match="cannot be deleted"):
        NoticeVersion.objects.all().delete()
    stored = NoticeVersion.objects.get(pk=v1.pk)
    assert stored.content.startswith("# Privacy notice for parents") and stored.hash_ok
    with pytest.raises(Exception, match="protected"):
        school_b.delete()
    # Removing a whole (demo) trust is the one way to delete history, and it must say so.
    with pytest.raises(ValueError, match="say why"), history_teardown(""):
        pass
    with acting_as(dpo, channel="cli"), history_teardown("demo trust replaced"):
        assert NoticeVersion.objects.filter(school=school_b).delete()[0] == 1
    assert AuditEvent.objects.filter(model="notices.NoticeVersion", action="delete").count() == 1


def test_notice_on_answers_from_the_stored_versions(
    loaded: Register, trust: Trust, school_b: School, dpo: Any
) -> None:
    start = today()
    v1 = publish(dpo, school_b, effective_from=start + dt.timedelta(days=1))
    reword_library(dpo, trust, "To lend books to pupils.")
    v2 = publish(dpo, school_b, effective_from=start + dt.timedelta(days=31))
    assert notice_on(school_b, "parent", start) is None  # before the first version
    assert notice_on(school_b, "parent", start + dt.timedelta(days=1)) == v1
    assert notice_on(school_b, "parent", start + dt.timedelta(days=30)) == v1
    assert notice_on(school_b, "parent", start + dt.timedelta(days=31)) == v2
    assert notice_on(school_b, "parent", start + dt.timedelta(days=400)) == v2
    assert notice_on(school_b, "pupil", start + dt.timedelta(days=400)) is None
    # What it said is the stored text, whatever the register says now.
    reword_library(dpo, trust, "To lend comics.")
    md = render_version(v1, "md")
    assert isinstance(md, str)
    assert md == v1.content.replace(
        "\n", f"\n\nVersion 1, in effect from {v1.effective_from.day} {v1.effective_from:%B %Y}\n", 1
    )
    assert "To lend comics" not in md


def test_two_versions_on_the_same_day_the_later_number_wins(
    loaded: Register, trust: Trust, school_b: School, dpo: Any
) -> None:
    day = today() + dt.timedelta(days=3)
    publish(dpo, school_b, effective_from=day)
    reword_library(dpo, trust, "To lend books to pupils.")
    v2 = publish(dpo, school_b, effective_from=day)
    assert notice_on(school_b, "parent", day) == v2


def test_diff_shows_the_changed_line(loaded: Register, trust: Trust, school_b: School, dpo: Any) -> None:
    v1 = publish(dpo, school_b)
    reword_library(dpo, trust, "To lend books, e-books and audiobooks to pupils.")
    v2 = publish(dpo, school_b, effective_from=today() + dt.timedelta(days=1))
    diff = diff_versions(v1, v2)
    assert diff.changed and (diff.added, diff.removed) == (1, 1)
    lines = diff.unified.splitlines()
    assert lines[0] == f"--- version 1 (in effect from {v1.effective_from.isoformat()})"
    assert lines[1] == f"+++ version 2 (in effect from {v2.effective_from.isoformat()})"
    assert [x for x in lines[2:] if x.startswith(("-", "+"))] == [
        "-- **Library**: to lend books and other resources to pupils and keep track of loans.",
        "+- **Library**: to lend books, e-books and audiobooks to pupils.",
    ]
    removed = next(x for x in diff.lines if x.kind == "removed")
    added = next(x for x in diff.lines if x.kind == "added")
    assert removed.segments == (
        ("equal", "- **Library**: to lend "),
        ("delete", "books and other resources to pupils and keep track of loans."),
    )
    assert added.segments == (
        ("equal", "- **Library**: to lend "),
        ("insert", "books, e-books and audiobooks to pupils."),
    )
    html = diff.html()
    assert '<tr class="govuk-table__row notice-diff__added">' in html
    assert "<ins>books, e-books and audiobooks to pupils.</ins>" in html
    assert "<del>books and other resources to pupils and keep track of loans.</del>" in html
    assert not diff_versions(v1, v1).changed
