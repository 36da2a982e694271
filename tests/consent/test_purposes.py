"""Consent purposes in the register: the defaults, per-school overrides, and the rules the model keeps."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.consent.selectors import purpose_rows, purposes_for
from steward.consent.services import consent_purpose_upsert
from steward.organisations.models import School, Trust
from steward.register.defaults import default_register
from steward.register.models import ConsentPurpose


def test_the_default_register_brings_the_consent_purposes(loaded: Any, school_a: School) -> None:
    rows = {p.key: p for p in purpose_rows(school_a)}
    assert list(rows) == [
        "photos_display",
        "photos_website",
        "photos_social",
        "photos_press",
        "biometric_catering",
        "trips",
        "otc_medication",
        "communications",
    ]
    for key in ("photos_display", "photos_website", "photos_social", "photos_press"):
        assert (rows[key].purpose_key, rows[key].given_by, rows[key].competent_age) == (
            "publicity",
            "either",
            13,
        )
    catering = rows["biometric_catering"]
    assert (catering.biometric, catering.active, catering.given_by) == (True, False, "both")
    assert catering.alternative == "A PIN or card"
    assert {rows[k].given_by for k in ("trips", "otc_medication", "communications")} == {"parent"}
    assert "biometric_catering" not in [p.key for p in purposes_for(school_a)]
    assert len(default_register().consents) == 8


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"key": "cctv", "name": "Images on CCTV"}, "key"),
        ({"key": "site_cameras", "name": "Closed-circuit television"}, "name"),
    ],
)
def test_cctv_is_refused_as_not_consent_based(
    trust: Trust, loaded: Any, dpo: User, fields: dict[str, str], field: str
) -> None:
    key = fields.pop("key")
    with pytest.raises(ValidationError) as exc, acting_as(dpo, channel="web"):
        consent_purpose_upsert(
            actor=dpo, trust=trust, key=key, description="Cameras on the site.", given_by="parent", **fields
        )
    assert "CCTV is not consent-based" in " ".join(exc.value.message_dict[field])
    assert "public task" in " ".join(exc.value.message_dict[field])
    assert not ConsentPurpose.objects.filter(key=key).exists()


def test_purpose_key_must_name_a_purpose_resting_on_consent(trust: Trust, loaded: Any, dpo: User) -> None:
    base = {"name": "Research", "description": "Surveys.", "given_by": "either"}
    with pytest.raises(ValidationError) as exc, acting_as(dpo, channel="web"):
        consent_purpose_upsert(actor=dpo, trust=trust, key="surveys", purpose_key="no_such", **base)
    assert "No such purpose" in " ".join(exc.value.message_dict["purpose_key"])
    with pytest.raises(ValidationError) as exc, acting_as(dpo, channel="web"):
        consent_purpose_upsert(actor=dpo, trust=trust, key="surveys", purpose_key="trips", **base)
    assert "does not rest on consent" in " ".join(exc.value.message_dict["purpose_key"])
    with acting_as(dpo, channel="web"):
        row = consent_purpose_upsert(actor=dpo, trust=trust, key="surveys", purpose_key="research", **base)
    assert row.purpose_key == "research"


def test_only_the_dpo_changes_consent_purposes(trust: Trust, loaded: Any, users: dict[str, User]) -> None:
    office = users["office_manager"]
    with pytest.raises(PermissionDenied), acting_as(office, channel="web"):
        consent_purpose_upsert(actor=office, trust=trust, key="trips", name="Changed")


def test_a_school_override_switches_a_purpose_off_there(
    trust: Trust, loaded: Any, dpo: User, school_a: School, school_b: School
) -> None:
    with acting_as(dpo, channel="web"):
        consent_purpose_upsert(actor=dpo, trust=trust, key="photos_press", school=school_b, active=False)
    assert "photos_press" in [p.key for p in purposes_for(school_a)]
    assert "photos_press" not in [p.key for p in purposes_for(school_b)]
