"""Role scoping: by trust and school, and by data category. Outside scope is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from steward.accounts.models import RoleAssignment
from steward.accounts.roles import ROLES, Action
from steward.accounts.scope import scope_for
from steward.people.selectors import (
    contacts_visible_to,
    get_pupil,
    pupil_profile,
    pupils_visible_to,
    records_visible_to,
)
from steward.records.models import Allergy, AttendanceMark, SafeguardingConcern, SENNeed

# Which roles may read which sensitive categories (the matrix the role table promises).
MATRIX = {
    "pupil.safeguarding": {"trust_dpo", "dsl"},
    "pupil.health.allergy": {"trust_dpo", "school_dpl", "headteacher", "office_manager", "dsl", "senco"},
    "pupil.sen.need": {"trust_dpo", "school_dpl", "headteacher", "dsl", "senco"},
    "pupil.characteristics.ethnicity": {"trust_dpo", "school_dpl", "headteacher", "office_manager", "dsl"},
    "contact.legal": {"trust_dpo", "school_dpl", "headteacher", "office_manager", "dsl", "senco"},
    "pupil.rights": {"trust_dpo", "school_dpl", "headteacher", "office_manager"},
    "pupil.attendance": {
        "trust_dpo",
        "school_dpl",
        "headteacher",
        "office_manager",
        "dsl",
        "senco",
        "teacher",
        "auditor",
    },
}


@pytest.mark.parametrize("category", sorted(MATRIX))
def test_role_category_matrix(category: str) -> None:
    staff_roles = {k for k, r in ROLES.items() if r.staff}
    readers = {k for k in staff_roles if ROLES[k].may_read(category)}
    assert readers == MATRIX[category]


def test_every_role_has_a_description() -> None:
    for r in ROLES.values():
        assert r.description and r.label


def test_portal_roles_grant_no_staff_access(trust: Any, school_a: Any, pupil_a: Any) -> None:
    from steward.accounts.models import User

    parent = User.objects.create_user(username="parent", password="x" * 16)
    RoleAssignment.objects.create(user=parent, role="parent", trust=trust, school=school_a)
    assert list(pupils_visible_to(parent)) == []


def test_school_a_user_cannot_see_school_b_pupils(users: dict[str, Any], pupil_a: Any, pupil_b: Any) -> None:
    assert list(pupils_visible_to(users["teacher"])) == [pupil_a]
    assert list(pupils_visible_to(users["teacher_b"])) == [pupil_b]
    with pytest.raises(Http404):
        get_pupil(users["teacher"], pupil_b.pk)
    with pytest.raises(Http404):
        get_pupil(users["teacher_b"], pupil_a.pk)


def test_trust_wide_roles_see_every_school(users: dict[str, Any], pupil_a: Any, pupil_b: Any) -> None:
    assert set(pupils_visible_to(users["trust_dpo"])) == {pupil_a, pupil_b}
    assert set(pupils_visible_to(users["auditor"])) == {pupil_a, pupil_b}


def test_another_trust_sees_nothing(users: dict[str, Any], pupil_a: Any, system: Any) -> None:
    from tests.conftest import make_user

    from steward.organisations.models import School, Trust

    other = Trust.objects.create(name="Elsewhere Trust")
    School.objects.create(
        trust=other,
        urn="200001",
        la_code="330",
        estab="2001",
        name="Elsewhere",
        phase="primary",
        school_type="academy",
    )
    dpo = make_user("other_dpo", "trust_dpo", other, None)
    assert list(pupils_visible_to(dpo)) == []


def test_left_pupil_stays_visible_to_its_old_school(users: dict[str, Any], pupil_a: Any) -> None:
    pupil_a.enrolments.update(leaving_date=dt.date(2024, 7, 19))
    assert list(pupils_visible_to(users["teacher"])) == [pupil_a]


def _concern(pupil: Any, school: Any) -> SafeguardingConcern:
    return SafeguardingConcern.objects.create(
        pupil=pupil,
        school=school,
        raised_at=timezone.now(),
        raised_by_name="A. Teacher",
        category="neglect",
        narrative="Came to school hungry three days running.",
    )


def test_safeguarding_only_for_dsl_and_dpo(users: dict[str, Any], school_a: Any, pupil_a: Any) -> None:
    concern = _concern(pupil_a, school_a)
    for role, user in users.items():
        visible = list(records_visible_to(user, SafeguardingConcern))
        assert visible == ([concern] if role in {"dsl", "trust_dpo"} else []), role


def test_medical_and_sen_only_for_granted_roles(users: dict[str, Any], school_a: Any, pupil_a: Any) -> None:
    allergy = Allergy.objects.create(
        pupil=pupil_a, school=school_a, allergen="Peanut", severity="anaphylaxis"
    )
    need = SENNeed.objects.create(pupil=pupil_a, school=school_a, need="SLCN", rank=1)
    assert list(records_visible_to(users["teacher"], Allergy)) == []
    assert list(records_visible_to(users["teacher"], SENNeed)) == []
    assert list(records_visible_to(users["office_manager"], Allergy)) == [allergy]
    assert list(records_visible_to(users["office_manager"], SENNeed)) == []
    assert list(records_visible_to(users["senco"], SENNeed)) == [need]


def test_records_are_scoped_by_school(
    users: dict[str, Any], school_a: Any, school_b: Any, pupil_a: Any
) -> None:
    mark_a = AttendanceMark.objects.create(
        pupil=pupil_a, school=school_a, date=dt.date(2026, 11, 2), session="AM", code="/"
    )
    AttendanceMark.objects.create(
        pupil=pupil_a, school=school_b, date=dt.date(2026, 11, 2), session="PM", code="/"
    )
    assert list(records_visible_to(users["teacher"], AttendanceMark)) == [mark_a]


def test_teacher_profile_hides_special_categories(users: dict[str, Any], school_a: Any, pupil_a: Any) -> None:
    _concern(pupil_a, school_a)
    profile = pupil_profile(users["teacher"], pupil_a.pk)
    shown = {s.model for s in profile.sections}
    assert "records.SafeguardingConcern" not in shown
    assert "records.Allergy" not in shown
    assert "records.AttendanceMark" in shown
    labels = [label for _, label, _ in profile.identity]
    assert "ethnicity" not in labels and "legal surname" in labels
    assert "Safeguarding" in profile.hidden_categories
    dsl_profile = pupil_profile(users["dsl"], pupil_a.pk)
    section = next(s for s in dsl_profile.sections if s.model == "records.SafeguardingConcern")
    assert section.total == 1 and section.special is True


def test_contacts_scoped_by_category(users: dict[str, Any], trust: Any, pupil_a: Any) -> None:
    from steward.people.models import Contact, PupilContact

    c = Contact.objects.create(trust=trust, forename="Pat", surname="Parent", email="pat@example.com")
    PupilContact.objects.create(pupil=pupil_a, contact=c, relationship="PAM", parental_responsibility=True)
    assert list(contacts_visible_to(users["office_manager"])) == [c]
    assert list(contacts_visible_to(users["teacher"])) == []
    assert list(contacts_visible_to(users["teacher_b"])) == []


def test_school_role_needs_a_school(trust: Any, school_b: Any, users: dict[str, Any]) -> None:
    ra = RoleAssignment(user=users["teacher"], role="teacher", trust=trust, school=None)
    with pytest.raises(ValidationError, match="held for one school"):
        ra.full_clean()


def test_scope_actions(users: dict[str, Any], school_a: Any, school_b: Any) -> None:
    assert scope_for(users["office_manager"]).may(Action.IMPORT, school_a.pk)
    assert not scope_for(users["office_manager"]).may(Action.IMPORT, school_b.pk)
    assert not scope_for(users["teacher"]).may(Action.CHANGE_PUPILS, school_a.pk)
    assert scope_for(users["trust_dpo"]).may(Action.MANAGE_REGISTER, school_b.pk)


def test_profile_names_linked_contacts_only_when_readable(
    users: dict[str, Any], trust: Any, pupil_a: Any
) -> None:
    from steward.people.models import Contact, PupilContact

    c = Contact.objects.create(trust=trust, title="Ms", forename="Pat", surname="Parent")
    PupilContact.objects.create(pupil=pupil_a, contact=c, relationship="PAM", parental_responsibility=True)
    section = next(
        s
        for s in pupil_profile(users["office_manager"], pupil_a.pk).sections
        if s.model == "people.PupilContact"
    )
    assert section.columns[0] == "contact"
    assert section.rows[0].cells[0] == ("contact", "Ms Pat Parent")
    teacher_models = {s.model for s in pupil_profile(users["teacher"], pupil_a.pk).sections}
    assert "people.PupilContact" not in teacher_models
