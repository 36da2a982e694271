"""Replacing the register keeps the consent purposes that recorded consents name: the ledger is never lost."""

from __future__ import annotations

from typing import Any

from tests.consent.conftest import TODAY, Family, purpose, record

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.consent.models import ConsentEvent
from steward.consent.selectors import consent_state
from steward.organisations.models import School, Trust
from steward.register.models import ConsentPurpose
from steward.register.services import load_default_register


def test_replacing_the_register_keeps_purposes_with_recorded_consents(
    family: Family, school_a: School, trust: Trust, dpo: User
) -> None:
    website = purpose(school_a, "photos_website")
    record(dpo, pupil=family.pupil, purpose=website, action="grant", by="parent", contact=family.mum)
    before = ConsentPurpose.objects.filter(trust=trust).count()
    with acting_as(dpo, channel="cli"):
        load_default_register(trust, actor=dpo, replace=True)
    kept = ConsentPurpose.objects.get(pk=website.pk)  # the same row, refreshed from the defaults
    assert kept.key == "photos_website" and kept.active
    assert ConsentPurpose.objects.filter(trust=trust).count() == before  # no duplicate purpose
    assert ConsentEvent.objects.filter(purpose=kept).count() == 1
    assert consent_state(family.pupil, kept, TODAY).effective


def test_purposes_without_consents_are_replaced(loaded: Any, trust: Trust, dpo: User) -> None:
    ids = set(ConsentPurpose.objects.filter(trust=trust).values_list("pk", flat=True))
    with acting_as(dpo, channel="cli"):
        load_default_register(trust, actor=dpo, replace=True)
    assert not ids & set(ConsentPurpose.objects.filter(trust=trust).values_list("pk", flat=True))
