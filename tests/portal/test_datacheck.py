"""The annual data check: the details shown with whether each is mandatory or optional and why (from the
register); corrections validated by the models (invalid values refused naming the field, nothing stored);
staff review accepting all, some or none, applied as a rectification with history and audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from tests.portal.conftest import Family, signed_in

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.organisations.models import School
from steward.portal import datacheck
from steward.portal.models import DataCheckSubmission, SubmissionStatus
from steward.records.models import Allergy
from steward.rights.models import Rectification, RightsRequest, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def allergy(family: Family, school_a: School, system: Any) -> Allergy:
    return Allergy.objects.create(pupil=family.child, school=school_a, allergen="Peanuts", severity="severe")


def fields(user: User, pupil: Any) -> dict[str, Any]:
    with acting_as(user, channel="web"):
        return {f.key: f for g in datacheck.data_check_items(user=user, pupil=pupil) for f in g.fields}


def submit(user: User, pupil: Any, values: dict[str, str], message: str = "") -> DataCheckSubmission:
    with acting_as(user, channel="web"):
        return datacheck.submit_data_check(actor=user, pupil=pupil, values=values, message=message)


def test_each_detail_says_whether_it_must_be_given_and_why(
    family: Family, parent_user: User, allergy: Allergy, published: School
) -> None:
    shown = fields(parent_user, family.child)
    phone = shown[f"people.Contact:{family.parent.pk}:phone_mobile"]
    assert phone.mandatory and phone.category == "contact.details"
    assert "reach a parent" in phone.requirement and phone.consequence
    severity = shown[f"records.Allergy:{allergy.pk}:severity"]
    assert severity.provision == "optional" and "allergies" in severity.requirement
    assert severity.value == "severe" and ("anaphylaxis", "Anaphylaxis risk") in severity.choices
    # Only the parent's own contact record: never the other contacts'.
    assert not any(k.startswith(f"people.Contact:{family.no_pr.pk}:") for k in shown)
    page = signed_in(parent_user).get(f"/portal/children/{family.child.pk}/data-check/")
    assert page.status_code == 200 and b"Must be given" in page.content and b"Peanuts" in page.content
    view = AuditEvent.objects.filter(action="view", actor=parent_user, detail__page="portal data check").get()
    assert view.special and "pupil.health.allergy" in view.categories


def test_invalid_values_refused_naming_the_field_and_nothing_stored(
    family: Family, parent_user: User, allergy: Allergy, published: School
) -> None:
    email_key = f"people.Contact:{family.parent.pk}:email"
    severity_key = f"records.Allergy:{allergy.pk}:severity"
    with pytest.raises(ValidationError) as err:
        submit(parent_user, family.child, {email_key: "not-an-email", severity_key: "deadly"})
    errors = err.value.message_dict
    assert "Email" in errors[email_key][0] and "valid email" in errors[email_key][0]
    assert "Severity" in errors[severity_key][0]
    with pytest.raises(ValidationError) as err:
        submit(parent_user, family.child, {f"people.Contact:{family.no_pr.pk}:email": "x@example.com"})
    assert "cannot be changed here" in next(iter(err.value.message_dict.values()))[0]
    with pytest.raises(ValidationError) as err:
        submit(parent_user, family.child, {})
    assert "changes" in err.value.message_dict
    assert not DataCheckSubmission.objects.exists()
    # Through the page: a 400 with the error by the field, and the typed value kept.
    page = signed_in(parent_user).post(
        f"/portal/children/{family.child.pk}/data-check/", {email_key: "not-an-email"}
    )
    assert page.status_code == 400 and b"valid email" in page.content and b"not-an-email" in page.content
    assert not DataCheckSubmission.objects.exists()


def test_accept_all_applies_as_a_rectification_with_history(
    family: Family, parent_user: User, allergy: Allergy, users: dict[str, User], published: School
) -> None:
    phone_key = f"people.Contact:{family.parent.pk}:phone_mobile"
    severity_key = f"records.Allergy:{allergy.pk}:severity"
    response = signed_in(parent_user).post(
        f"/portal/children/{family.child.pk}/data-check/",
        {phone_key: "07700 900456", severity_key: "anaphylaxis", "message": "Carries two auto-injectors."},
    )
    assert response.status_code == 302
    sub = DataCheckSubmission.objects.get()
    assert sub.status == SubmissionStatus.PENDING and sub.contact == family.parent
    assert {(c["field"], c["old"], c["new"]) for c in sub.changes} == {
        ("phone_mobile", "07700 900123", "07700 900456"),
        ("severity", "severe", "anaphylaxis"),
    }
    family.parent.refresh_from_db()
    assert family.parent.phone_mobile == "07700 900123"  # nothing changes before review

    office = users["office_manager"]
    client = signed_in(office)
    queue = client.get("/portal/staff/data-checks/")
    assert queue.status_code == 200 and family.child.display_name.encode() in queue.content
    page = client.get(f"/portal/staff/data-checks/{sub.pk}/")
    assert b"07700 900456" in page.content and b"Carries two auto-injectors." in page.content
    done = client.post(f"/portal/staff/data-checks/{sub.pk}/", {"decision": "all"})
    assert done.status_code == 302
    sub.refresh_from_db()
    family.parent.refresh_from_db()
    allergy.refresh_from_db()
    assert sub.status == SubmissionStatus.ACCEPTED and sub.reviewed_by == office
    assert family.parent.phone_mobile == "07700 900456" and allergy.severity == "anaphylaxis"
    req = sub.request
    assert req is not None and req.kind == "rectification" and req.channel == "portal"
    assert req.status == Status.RELEASED and req.requester_contact == family.parent
    rect = Rectification.objects.get(request=req)
    assert (rect.field, rect.before, rect.after) == ("severity", "severe", "anaphylaxis")
    assert AuditEvent.objects.filter(
        actor=office, model="people.Contact", action="update", fields=["phone_mobile"]
    ).exists()
    assert AuditEvent.objects.filter(actor=office, model="records.Allergy", action="update").exists()
    assert req.events.filter(note__contains="field phone_mobile").exists()
    # The family sees it answered.
    assert b"Answered" in signed_in(parent_user).get("/portal/requests/").content


def test_accept_some_or_reject_needs_a_note_and_stale_changes_are_refused(
    family: Family, parent_user: User, allergy: Allergy, users: dict[str, User], published: School
) -> None:
    office = users["office_manager"]
    phone_key = f"people.Contact:{family.parent.pk}:phone_mobile"
    town_key = f"people.Contact:{family.parent.pk}:town"
    sub = submit(parent_user, family.child, {phone_key: "07700 900999", town_key: "Elmfield"})
    with acting_as(office, channel="web"), pytest.raises(ValidationError) as err:
        datacheck.review_submission(actor=office, submission=sub, accept=[0])
    assert "note" in err.value.message_dict
    with acting_as(office, channel="web"):
        done = datacheck.review_submission(
            actor=office, submission=sub, accept=[0], note="We confirmed the town by phone."
        )
    assert done.status == SubmissionStatus.PARTLY
    family.parent.refresh_from_db()
    assert family.parent.phone_mobile == "07700 900999" and family.parent.town == "Oakfield"
    assert [c["decision"] for c in done.changes] == ["accepted", "rejected"]
    with acting_as(office, channel="web"), pytest.raises(ValidationError):
        datacheck.review_submission(actor=office, submission=sub, accept=[])

    # A change whose record moved on since it was sent cannot be accepted.
    sub2 = submit(parent_user, family.child, {f"records.Allergy:{allergy.pk}:allergen": "Tree nuts"})
    with acting_as(office, channel="web"):
        allergy.allergen = "Peanuts and sesame"
        allergy.save()
        with pytest.raises(ValidationError) as err:
            datacheck.review_submission(actor=office, submission=sub2, accept=[0])
        assert "changed since" in err.value.message_dict["changes"][0]
        rejected = datacheck.review_submission(
            actor=office, submission=sub2, accept=[], note="Already updated."
        )
    assert rejected.status == SubmissionStatus.REJECTED and rejected.request is None
    assert RightsRequest.objects.count() == 1


def test_review_pages_are_scoped(
    family: Family, parent_user: User, allergy: Allergy, users: dict[str, User], published: School
) -> None:
    sub = submit(parent_user, family.child, {f"records.Allergy:{allergy.pk}:reaction": "Hives"})
    # Staff of another school, a teacher (no such pages) and the family get a 404.
    for who in ("teacher_b", "teacher", "dsl"):
        assert signed_in(users[who]).get(f"/portal/staff/data-checks/{sub.pk}/").status_code == 404, who
    assert signed_in(parent_user).get(f"/portal/staff/data-checks/{sub.pk}/").status_code == 404
    with acting_as(users["teacher_b"], channel="web"), pytest.raises(Http404):
        datacheck.review_submission(actor=users["teacher_b"], submission=sub, accept=[0])
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.PENDING
