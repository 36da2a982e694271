"""Data sharing agreements and notice-review flags: the DPO's writes around the gate.

An agreement is with a recipient in the register and can cover only what the register shares with it
(its purposes and categories); its basis and gateway are the register's. A notice-review flag, raised
by a DPO override, is resolved with what was done about the notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.organisations.models import School, Trust
from steward.register.resolve import covers
from steward.register.selectors import effective_register
from steward.sharing.models import Agreement, NoticeReviewFlag


def _require_dpo(actor: Any, trust_id: int) -> None:
    if Action.MANAGE_REGISTER not in scope_for(actor).trust_actions.get(trust_id, set()):
        raise PermissionDenied("Only the trust's data protection officer records data sharing agreements.")


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    trust: Trust,
    recipient_key: str,
    title: str,
    parties: str,
    purposes: Sequence[str],
    categories: Sequence[str],
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    onward_sharing: str = "",
    school: School | None = None,
    document: UploadedFile | None = None,
) -> Agreement:
    """Record a data sharing agreement with a register recipient (the trust's DPO only).

    Refused unless the recipient is in the register and serves every purpose and receives every
    category named; the lawful basis and legal gateway are taken from the register's row.
    """
    _require_dpo(actor, trust.pk)
    if school is not None and school.trust_id != trust.pk:
        raise ValidationError({"school": "The school is not in this trust."})
    any_school = school or School.objects.filter(trust=trust).order_by("pk").first()
    recipient = (
        next((r for r in effective_register(any_school).recipients if r.key == recipient_key), None)
        if any_school is not None
        else None
    )
    if recipient is None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: f"The register has no recipient {recipient_key!r}: add it to the register first."
            }
        )
    errors: dict[str, str] = {}
    if starts_on is None:
        errors["starts_on"] = "Enter the date the agreement comes into force."
    if not purposes:
        errors["purposes"] = "Name at least one purpose the agreement covers."
    elif stray := [p for p in purposes if p not in recipient.purposes]:
        errors["purposes"] = f"The register does not share with {recipient.name} for: {', '.join(stray)}."
    given = [c.key for c in recipient.categories]
    if not categories:
        errors["categories"] = "Name at least one data category the agreement covers."
    elif stray := [c for c in categories if not any(covers(g, c) for g in given)]:
        errors["categories"] = f"The register does not share these with {recipient.name}: {', '.join(stray)}."
    if errors or starts_on is None:
        raise ValidationError(errors)
    agreement = Agreement(
        trust=trust,
        school=school,
        recipient_key=recipient.key,
        title=title.strip(),
        parties=parties.strip(),
        purposes=list(dict.fromkeys(purposes)),
        categories=list(dict.fromkeys(categories)),
        lawful_basis=recipient.lawful_basis.basis,
        legal_gateway=recipient.legal_gateway,
        starts_on=starts_on,
        ends_on=ends_on,
        onward_sharing=onward_sharing.strip(),
    )
    if document is not None:
        agreement.document = document
    agreement.full_clean()
    agreement.save()
    return agreement


@transaction.atomic
def flag_resolve(*, actor: Any, flag: NoticeReviewFlag, resolution: str, on: dt.date) -> NoticeReviewFlag:
    """Record how a notice-review flag was resolved (e.g. the notice republished, or the share stopped)."""
    if not scope_for(actor).may(Action.MANAGE_REGISTER, flag.school_id):
        raise PermissionDenied("Only the data protection officer resolves notice-review flags.")
    flag = NoticeReviewFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.resolved_on is not None:
        raise ValidationError({"resolution": f"This flag was resolved on {flag.resolved_on:%d %B %Y}."})
    if not resolution.strip():
        raise ValidationError({"resolution": "Say what was done about the notice."})
    flag.resolution = resolution.strip()
    flag.resolved_on = on
    flag.full_clean()
    flag.save(update_fields=["resolution", "resolved_on"])
    return flag
