"""Enforcement: the sharing gate asks the ledger, the photo export leaves out pupils without consent, and
what relies on a consent is reported when it is withdrawn."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.conftest import make_pupil
from tests.consent.conftest import DAY, TODAY, Family, make_contact, purpose, record

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.consent.enforcement import consented_pupils, photo_export, relying_on, withdrawal_report
from steward.consent.services import consent_purpose_upsert
from steward.organisations.models import School, Trust
from steward.people.models import Pupil
from steward.records.models import Photograph
from steward.sharing.gate import Code, check_share


def photo(pupil: Pupil, school: School, use: str, caption: str) -> Photograph:
    p = Photograph(pupil=pupil, school=school, purpose=use, taken_on=TODAY - 30 * DAY, caption=caption)
    p.image.save("photo.jpg", ContentFile(b"\xff\xd8 fictional jpeg " + caption.encode()), save=False)
    p.save()
    return p


def _grant_all_photos(actor: User, family: Family, school: School, on: Any = None) -> None:
    for key in ("photos_display", "photos_website", "photos_social", "photos_press"):
        record(
            actor,
            pupil=family.pupil,
            purpose=purpose(school, key),
            action="grant",
            by="parent",
            contact=family.mum,
            on=on or TODAY - 5 * DAY,
        )


def test_the_gate_counts_a_pupil_only_with_every_linked_consent(
    family: Family, trust: Trust, school_a: School, users: dict[str, User]
) -> None:
    office = users["office_manager"]
    other = make_pupil(trust, school_a, 7)
    assert consented_pupils([family.pupil.pk, other.pk], "publicity", TODAY) == set()
    _grant_all_photos(office, family, school_a)
    assert consented_pupils([family.pupil.pk, other.pk], "publicity", TODAY) == {family.pupil.pk}
    # Withdrawing one of the linked consents takes the pupil out from that day.
    record(
        office,
        pupil=family.pupil,
        purpose=purpose(school_a, "photos_press"),
        action="withdraw",
        by="parent",
        contact=family.dad,
        method="letter",
        on=TODAY - DAY,
    )
    assert consented_pupils([family.pupil.pk], "publicity", TODAY - 2 * DAY) == {family.pupil.pk}
    assert consented_pupils([family.pupil.pk], "publicity", TODAY) == set()
    # A register purpose no consent purpose is linked to: no consent can be shown.
    assert consented_pupils([family.pupil.pk], "research", TODAY) == set()


def test_the_gate_check_is_bulk(
    family: Family, trust: Trust, school_a: School, users: dict[str, User]
) -> None:
    pupils = [make_pupil(trust, school_a, 20 + i) for i in range(30)]
    ids = [p.pk for p in pupils]
    with CaptureQueriesContext(connection) as few:
        consented_pupils(ids[:3], "publicity", TODAY)
    with CaptureQueriesContext(connection) as many:
        consented_pupils(ids, "publicity", TODAY)
    assert len(many) == len(few) <= 8


def test_check_share_leaves_out_pupils_without_consent(
    family: Family, trust: Trust, school_a: School, dpo: User, users: dict[str, User]
) -> None:
    with acting_as(dpo, channel="web"):
        consent_purpose_upsert(
            actor=dpo,
            trust=trust,
            key="surveys",
            name="Research surveys",
            description="Taking part in education research.",
            purpose_key="research",
            given_by="either",
        )
    other = make_pupil(trust, school_a, 8)
    make_contact(trust, other, "Olu")
    record(
        users["office_manager"],
        pupil=family.pupil,
        purpose=purpose(school_a, "surveys"),
        action="grant",
        by="parent",
        contact=family.mum,
    )
    check = check_share(
        school=school_a,
        recipient_key="research_organisations",
        purpose_key="research",
        categories=["pupil.assessment"],
        on=TODAY,
        pupil_ids=[family.pupil.pk, other.pk],
    )
    assert family.pupil.pk not in check.excluded
    assert [f.code for f in check.excluded[other.pk]] == [Code.NO_CONSENT]


def test_the_photo_export_leaves_out_pupils_without_that_consent(
    family: Family, trust: Trust, school_a: School, users: dict[str, User]
) -> None:
    office = users["office_manager"]
    other = make_pupil(trust, school_a, 9, legal_forename="Robin")
    mine = photo(family.pupil, school_a, "website", "Sports day")
    theirs = photo(other, school_a, "website", "Science fair")
    photo(family.pupil, school_a, "identification", "ID card")  # never exported
    photo(family.pupil, school_a, "press", "Prize")
    record(
        office,
        pupil=family.pupil,
        purpose=purpose(school_a, "photos_website"),
        action="grant",
        by="parent",
        contact=family.mum,
        on=TODAY - 3 * DAY,
    )
    with acting_as(office, channel="web"):
        export = photo_export(actor=office, school=school_a, use="website", on=TODAY)
    assert export.included == [mine]
    assert [(p, "No consent for photographs on the school website" in why) for p, why in export.left_out] == [
        (theirs, True)
    ]
    names = zipfile.ZipFile(io.BytesIO(export.zip)).namelist()
    assert len(names) == 1 and "Testpupil1" in names[0]
    audit = AuditEvent.objects.filter(action="export", model="records.Photograph")
    assert audit.filter(pupil_id_ref=family.pupil.pk).count() == 1
    assert audit.filter(pupil_id_ref__isnull=True, detail__included=1, detail__left_out=1).count() == 1
    # After withdrawal the same export leaves the pupil out.
    record(
        office,
        pupil=family.pupil,
        purpose=purpose(school_a, "photos_website"),
        action="withdraw",
        by="parent",
        contact=family.mum,
        method="email",
    )
    with acting_as(office, channel="web"):
        after = photo_export(actor=office, school=school_a, use="website", on=TODAY)
    assert after.included == [] and {p for p, _ in after.left_out} == {mine, theirs}


def test_the_photo_export_needs_the_export_permission(
    family: Family, school_a: School, users: dict[str, User]
) -> None:
    with pytest.raises(PermissionDenied), acting_as(users["dsl"], channel="web"):
        photo_export(actor=users["dsl"], school=school_a, use="website", on=TODAY)


def test_what_relies_on_a_purpose_is_reported_on_withdrawal(
    family: Family, school_a: School, users: dict[str, User]
) -> None:
    website = purpose(school_a, "photos_website")
    general = relying_on(website)
    assert "The school website" in general
    assert any("photo export for 'website'" in line for line in general)
    assert any("sharing gate" in line for line in general)
    photo(family.pupil, school_a, "website", "Sports day")
    report = withdrawal_report(pupil=family.pupil, purpose=website, school=school_a)
    assert any("1 photograph(s) of Alex Testpupil1 taken for website" in line for line in report)
