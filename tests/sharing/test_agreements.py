"""Agreements cover only what the register shares with the recipient; notice-review flags are resolved once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.organisations.models import School, Trust
from steward.sharing.agreements import agreement_create, flag_resolve
from steward.sharing.models import Agreement, NoticeReviewFlag

TODAY = timezone.localdate()


def create(actor: User, trust: Trust, **kw: Any) -> Agreement:
    args: dict[str, Any] = {
        "recipient_key": "nhs",
        "title": "School nursing information sharing agreement",
        "parties": "The trust and the NHS school nursing service",
        "purposes": ["pastoral_care"],
        "categories": ["pupil.identity", "pupil.health"],
        "starts_on": TODAY,
        "ends_on": TODAY + dt.timedelta(days=365),
    }
    args.update(kw)
    with acting_as(actor, channel="web"):
        return agreement_create(actor=actor, trust=trust, **args)


def test_an_agreement_takes_the_registers_basis_and_keeps_its_document(
    loaded: Any, trust: Trust, dpo: User
) -> None:
    doc = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    a = create(dpo, trust, document=doc)
    assert (a.lawful_basis, a.recipient_key) == ("public_task", "nhs")
    assert a.document.name.endswith(".pdf") and "signed" not in a.document.name


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"purposes": ["statutory_returns"]}, "purposes"),
        ({"categories": ["pupil.safeguarding"]}, "categories"),
        ({"starts_on": None}, "starts_on"),
    ],
)
def test_an_agreement_beyond_the_register_is_refused(
    loaded: Any, trust: Trust, dpo: User, kw: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        create(dpo, trust, **kw)
    assert field in err.value.message_dict
    assert not Agreement.objects.exists()


def test_only_the_dpo_records_agreements_and_unknown_recipients_are_refused(
    loaded: Any, trust: Trust, users: dict[str, User], dpo: User
) -> None:
    with pytest.raises(PermissionDenied):
        create(users["headteacher"], trust)
    with pytest.raises(ValidationError, match="no recipient"):
        create(dpo, trust, recipient_key="acme")


def test_a_flag_is_resolved_once_by_the_dpo(
    loaded: Any, school_a: School, users: dict[str, User], dpo: User
) -> None:
    flag = NoticeReviewFlag.objects.create(school=school_a, reason="Override: health data to the DfE.")
    with acting_as(users["headteacher"], channel="web"), pytest.raises(PermissionDenied):
        flag_resolve(actor=users["headteacher"], flag=flag, resolution="x", on=TODAY)
    with acting_as(dpo, channel="web"):
        with pytest.raises(ValidationError):
            flag_resolve(actor=dpo, flag=flag, resolution=" ", on=TODAY)
        flag = flag_resolve(actor=dpo, flag=flag, resolution="Notice republished as version 2.", on=TODAY)
        assert flag.resolved_on == TODAY
        with pytest.raises(ValidationError, match="was resolved"):
            flag_resolve(actor=dpo, flag=flag, resolution="again", on=TODAY)
