"""The gate: one service decides whether a disclosure of pupil data may happen.

A share is recipient x purpose x categories x lawful basis on a day, for some pupils. It passes only if:
1. the recipient is in the school's effective register, serves the purpose, receives every category
   asked for, on the basis asked for (the register's basis when none is given);
2. every special category sent has an Art 9 condition for that purpose in the register;
3. the recipient, serving that purpose, is in the privacy notice published for the school's pupils or
   parents and in force on the day (what families were told is what may happen);
4. where the register says an agreement is required, one is in force on the day covering the purpose
   and every category;
5. per pupil: none of the data is restricted (Art 18; `rights` restrictions), and where the basis is
   consent, consent is recorded for the pupil.
Share-level failures refuse the share; pupil-level failures leave that pupil out, with the reason.
A DPO may override share-level failures with a reason (`require`): audited, and a notice-review flag
is raised. Restrictions and missing consent are never overridden here: they protect one person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from steward.notices.audiences import NoticeAudience
from steward.notices.selectors import notice_on
from steward.organisations.models import School
from steward.register.choices import Art6
from steward.register.resolve import covers, specials_within
from steward.register.selectors import RecipientView, RegisterView, effective_register
from steward.registry.taxonomy import taxonomy
from steward.sharing.models import Agreement

# The notices that tell families about sharing of pupil data (the AP notice covers placements only).
FAMILY_NOTICES = (NoticeAudience.PARENT, NoticeAudience.PUPIL)


class Code(StrEnum):
    """Why a share (or one pupil in it) was refused: stable codes for the API, CLI and tests."""

    NOT_IN_REGISTER = "recipient_not_in_register"
    PURPOSE_NOT_COVERED = "purpose_not_covered"
    CATEGORY_NOT_COVERED = "category_not_covered"
    BASIS_MISMATCH = "basis_mismatch"
    NO_CONDITION = "no_art9_condition"
    NO_NOTICE = "no_published_notice"
    NOT_IN_NOTICE = "not_in_published_notice"
    NO_AGREEMENT = "no_agreement"
    AGREEMENT_EXPIRED = "agreement_not_in_force"
    RESTRICTED = "restricted"
    NO_CONSENT = "no_consent"


# Pupil-level codes: they exclude one pupil and can never be overridden.
PUPIL_CODES = frozenset({Code.RESTRICTED, Code.NO_CONSENT})
# What a DPA 2018 Schedule 2 exemption waives for an ad-hoc disclosure: the transparency provisions (what
# the notice told families) and purpose limitation, so far as they would prejudice the purpose. The
# recipient, basis, categories, Art 9 condition and agreement are still checked.
EXEMPTED = frozenset({Code.NO_NOTICE, Code.NOT_IN_NOTICE, Code.PURPOSE_NOT_COVERED})


@dataclass(frozen=True)
class Failure:
    code: Code
    message: str


@dataclass(frozen=True)
class ShareCheck:
    """The gate's answer. `failures` refuse the share; `excluded` maps pupil id to why it is left out."""

    school: School
    recipient_key: str
    recipient: RecipientView | None
    purpose_key: str
    basis: str
    categories: tuple[str, ...]
    on: dt.date
    failures: tuple[Failure, ...]
    excluded: dict[int, tuple[Failure, ...]] = field(default_factory=dict)
    agreement: Agreement | None = None

    @property
    def allowed(self) -> bool:
        return not self.failures

    def allowed_for(self, pupil_id: int) -> bool:
        return self.allowed and pupil_id not in self.excluded

    def reasons(self) -> list[str]:
        return [f.message for f in self.failures]


class ShareRefused(ValidationError):
    """The gate refused a share; nothing was sent and nothing logged. `failures` name every condition."""

    def __init__(self, failures: Sequence[Failure]) -> None:
        super().__init__([ValidationError(f.message, code=f.code.value) for f in failures])
        self.failures = tuple(failures)


def _label(key: str) -> str:
    cat = taxonomy().categories.get(key)
    return f"{cat.label} ({key})" if cat else key


def _covered(key: str, by: Iterable[str]) -> bool:
    return any(covers(b, key) for b in by)


def _register_failures(
    view: RegisterView, recipient: RecipientView, purpose_key: str, basis: str, categories: Sequence[str]
) -> list[Failure]:
    out: list[Failure] = []
    if purpose_key not in recipient.purposes:
        out.append(
            Failure(
                Code.PURPOSE_NOT_COVERED,
                f"The register does not share with {recipient.name} for the purpose {purpose_key!r} "
                f"(it does for: {', '.join(recipient.purposes) or 'nothing'}).",
            )
        )
    given = [c.key for c in recipient.categories]
    for key in categories:
        if not _covered(key, given):
            out.append(
                Failure(
                    Code.CATEGORY_NOT_COVERED,
                    f"The register does not share {_label(key)} with {recipient.name}.",
                )
            )
    if basis != recipient.lawful_basis.basis:
        out.append(
            Failure(
                Code.BASIS_MISMATCH,
                f"The register shares with {recipient.name} on {recipient.lawful_basis.label}, "
                f"not on {Art6(basis).label}.",
            )
        )
    conditions = [c.category.key for c in view.conditions if c.purpose_key == purpose_key]
    missing: list[str] = []
    for key in categories:
        for special in sorted(set(specials_within(key))):
            # Report a parent key once, not again for each key below it.
            if not _covered(special, conditions) and not _covered(special, missing):
                missing.append(special)
    out += [
        Failure(
            Code.NO_CONDITION,
            f"{_label(special)} is special category data and the register has no Art 9 condition for it "
            f"under the purpose {purpose_key!r}.",
        )
        for special in missing
    ]
    return out


def _notice_failures(school: School, recipient_key: str, purpose_key: str, on: dt.date) -> list[Failure]:
    versions = [v for a in FAMILY_NOTICES if (v := notice_on(school, a, on)) is not None]
    if not versions:
        return [
            Failure(
                Code.NO_NOTICE,
                f"No privacy notice for pupils or parents of {school.name} is published and in force on "
                f"{on:%d %B %Y}: families have not been told of any sharing.",
            )
        ]
    for v in versions:
        for r in v.register_snapshot.get("recipients", []):
            if r.get("key") == recipient_key and purpose_key in r.get("purposes", []):
                return []
    told = ", ".join(f"{v.get_audience_display().lower()} version {v.number}" for v in versions)
    return [
        Failure(
            Code.NOT_IN_NOTICE,
            f"The published notices in force on {on:%d %B %Y} ({told}) do not tell families that data is "
            f"shared with {recipient_key!r} for {purpose_key!r}.",
        )
    ]


def _agreement(
    school: School, recipient: RecipientView, purpose_key: str, categories: Sequence[str], on: dt.date
) -> tuple[Agreement | None, list[Failure]]:
    rows = list(
        Agreement.objects.filter(
            Q(school__isnull=True) | Q(school=school), trust_id=school.trust_id, recipient_key=recipient.key
        ).order_by("-starts_on", "-pk")
    )
    fitting = [
        a for a in rows if purpose_key in a.purposes and all(_covered(c, a.categories) for c in categories)
    ]
    for a in fitting:
        if a.in_force(on):
            return a, []
    if not recipient.dsa_required:
        return None, []
    if fitting:
        last = fitting[0]
        span = (
            f"{last.starts_on:%d %B %Y} to {last.ends_on:%d %B %Y}"
            if last.ends_on
            else f"from {last.starts_on}"
        )
        return None, [
            Failure(
                Code.AGREEMENT_EXPIRED,
                f"The agreement with {recipient.name} ({last.title}) is not in force on {on:%d %B %Y} "
                f"(in force {span}).",
            )
        ]
    return None, [
        Failure(
            Code.NO_AGREEMENT,
            f"The register requires a data sharing agreement with {recipient.name}, and none in force covers "
            f"the purpose {purpose_key!r} and every category shared.",
        )
    ]


def restricted_pupils(
    pupil_ids: Iterable[int], categories: Sequence[str], on: dt.date
) -> dict[int, list[str]]:
    """Pupils with an active restriction (Art 18) on any of `categories` on the day: id -> restricted keys.

    One query for any number of pupils (youth-support runs cover a whole trust).
    """
    from steward.rights.models import Restriction

    ids = list(pupil_ids)
    if not ids:
        return {}
    out: dict[int, list[str]] = {}
    rows = Restriction.objects.filter(
        Q(lifted_on__isnull=True) | Q(lifted_on__gt=on), pupil_id__in=ids, started_on__lte=on
    ).values_list("pupil_id", "categories")
    for pupil_id, restricted in rows:
        hit = (
            list(categories)
            if not restricted
            else [c for c in categories if any(covers(r, c) or covers(c, r) for r in restricted)]
        )
        if hit:
            out.setdefault(pupil_id, []).extend(hit)
    return out


def consented_pupils(pupil_ids: Iterable[int], purpose_key: str, on: dt.date) -> set[int]:
    """Pupils whose consent for the register purpose is effective on the day, from the consent ledger.

    Every active consent purpose of the pupil's school linked to the purpose must be effective
    (`steward.consent.enforcement`); a pupil with none recorded is left out, the lawful default
    (consent must be demonstrable, Art 7(1)).
    """
    from steward.consent.enforcement import consented_pupils as from_ledger

    return from_ledger(pupil_ids, purpose_key, on)


def check_share(
    *,
    school: School,
    recipient_key: str,
    purpose_key: str,
    categories: Sequence[str],
    on: dt.date,
    basis: str | None = None,
    pupil_ids: Iterable[int] = (),
    exemption: str = "",
) -> ShareCheck:
    """Check one share against the register, the published notice, agreements, restrictions and consent.

    `exemption` (an ad-hoc disclosure relying on DPA 2018 Sch 2, `sharing.models.Exemption`) waives the
    notice and purpose checks (`EXEMPTED`), and restrictions: Art 18(2) allows restricted data to be used
    for legal claims, another person's rights or important public interest.
    """
    view = effective_register(school)
    cats = tuple(dict.fromkeys(categories))
    recipient = next((r for r in view.recipients if r.key == recipient_key), None)
    failures: list[Failure] = []
    agreement = None
    if recipient is None:
        failures.append(
            Failure(
                Code.NOT_IN_REGISTER,
                f"{recipient_key!r} is not a recipient in the register of {school.name}: add it to the "
                "register (and publish the notice) before sharing.",
            )
        )
        chosen_basis = basis or ""
    else:
        chosen_basis = basis or recipient.lawful_basis.basis
        failures += _register_failures(view, recipient, purpose_key, chosen_basis, cats)
        agreement, agreement_failures = _agreement(school, recipient, purpose_key, cats, on)
        failures += agreement_failures
    failures += _notice_failures(school, recipient_key, purpose_key, on)
    if exemption:
        failures = [f for f in failures if f.code not in EXEMPTED]
    ids = list(pupil_ids)
    excluded: dict[int, list[Failure]] = {}
    for pid, keys in ({} if exemption else restricted_pupils(ids, cats, on)).items():
        excluded.setdefault(pid, []).append(
            Failure(Code.RESTRICTED, f"Processing is restricted for {', '.join(sorted(set(keys)))} (Art 18).")
        )
    if chosen_basis == Art6.CONSENT:
        consented = consented_pupils(ids, purpose_key, on)
        for pid in ids:
            if pid not in consented:
                excluded.setdefault(pid, []).append(
                    Failure(
                        Code.NO_CONSENT, f"Consent is the basis and none is recorded for {purpose_key!r}."
                    )
                )
    return ShareCheck(
        school=school,
        recipient_key=recipient_key,
        recipient=recipient,
        purpose_key=purpose_key,
        basis=chosen_basis,
        categories=cats,
        on=on,
        failures=tuple(failures),
        excluded={k: tuple(v) for k, v in excluded.items()},
        agreement=agreement,
    )


def require(check: ShareCheck, *, actor: Any, override_reason: str = "") -> None:
    """Raise ShareRefused unless the share passed, or a DPO overrides its share-level failures with a reason.

    The caller logs the override (`sharing.log`) and raises the notice-review flag.
    """
    from steward.accounts.roles import Action
    from steward.accounts.scope import scope_for

    if check.allowed:
        return
    if not override_reason.strip():
        raise ShareRefused(check.failures)
    if not scope_for(actor).may(Action.MANAGE_REGISTER, check.school.pk):
        raise ShareRefused(
            [*check.failures, Failure(check.failures[0].code, "Only the DPO may override the gate.")]
        )
    if check.recipient is None:
        # An override cannot invent a recipient: the log must name one from the register.
        raise ShareRefused(check.failures)
