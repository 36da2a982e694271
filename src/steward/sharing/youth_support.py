"""The youth-support run: what a school passes to the local authority's youth support services on a day.

Rules (`/work/shared/domain/rules.md` §6): pupils aged 13 or over go to the youth support services
(Education Act 1996 s.507B; register recipient flagged `youth_support_13`); from 16 data may also go to
post-16 education and training providers (flag `youth_support_16`). A parent (until the 16th birthday)
or the pupil (from it) may limit what is passed to the pupil's name, address and date of birth; the
recorded choice carries over the birthday (`rights.outcomes.youth_support`).

Minimisation is driven by the register and the registry, not by a hand-kept list: each column of the
file names a registered field, so it has a data category, and a column is written only when the
recipient's register row receives that category. Limited pupils get only the name, address and date
of birth columns. Every pupil sent is logged in the disclosure log through the gate, in the same
transaction as the file is produced; a refused share writes nothing.

Steward follows the DfE model notice wording for a limited pupil ("only their child's name, address and
date of birth"), which is narrower than ESA 2008 s.14(b) (a parent's name and address may also go):
families were told the narrower thing, so that is what is sent.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q

from steward.organisations.models import School
from steward.people.models import Contact, Enrolment, Pupil, PupilAddress, PupilContact, age_on
from steward.records.models import Post16Destination
from steward.register.selectors import effective_register
from steward.rights.models import YouthSupportChoice, YouthSupportState
from steward.sharing.columns import Column, allowed, categories_of
from steward.sharing.gate import Code, Failure, ShareCheck, ShareRefused, check_share
from steward.sharing.log import Sent, record_share
from steward.sharing.models import ShareKind, ShareRun

PURPOSE = "youth_support"
AGE_13 = 13
AGE_16 = 16
# What a limited pupil's row may carry (rules §6: name, address and date of birth only).
LIMITED_CATEGORIES = ("pupil.identity.name", "pupil.identity.dob", "pupil.contact.address")
CONTACTS_PER_PUPIL = 2


@dataclass
class _PupilData:
    pupil: dict[str, Any]
    address: dict[str, Any] | None
    enrolment: dict[str, Any]
    contacts: list[dict[str, Any]]
    destination: dict[str, Any] | None


def _a(name: str) -> Callable[[_PupilData], Any]:
    return lambda d: (d.address or {}).get(name, "")


def _c(i: int, name: str) -> Callable[[_PupilData], Any]:
    return lambda d: d.contacts[i].get(name, "") if i < len(d.contacts) else ""


def _columns() -> list[Column]:
    cols = [
        Column("forename", Pupil, "legal_forename", lambda d: d.pupil["legal_forename"]),
        Column("preferred_forename", Pupil, "preferred_forename", lambda d: d.pupil["preferred_forename"]),
        Column("surname", Pupil, "legal_surname", lambda d: d.pupil["legal_surname"]),
        Column("date_of_birth", Pupil, "date_of_birth", lambda d: d.pupil["date_of_birth"].isoformat()),
        Column("upn", Pupil, "upn", lambda d: d.pupil["upn"]),
        Column("sex", Pupil, "sex", lambda d: d.pupil["sex"]),
        Column("address_line1", PupilAddress, "line1", _a("line1")),
        Column("address_line2", PupilAddress, "line2", _a("line2")),
        Column("town", PupilAddress, "town", _a("town")),
        Column("county", PupilAddress, "county", _a("county")),
        Column("postcode", PupilAddress, "postcode", _a("postcode")),
        Column(
            "admission_date", Enrolment, "admission_date", lambda d: d.enrolment["admission_date"].isoformat()
        ),
        Column("registration_group", Enrolment, "tutor_group", lambda d: d.enrolment["tutor_group"]),
    ]
    for i in range(CONTACTS_PER_PUPIL):
        n = i + 1
        cols += [
            Column(f"contact{n}_relationship", PupilContact, "relationship", _c(i, "relationship")),
            Column(f"contact{n}_forename", Contact, "forename", _c(i, "forename")),
            Column(f"contact{n}_surname", Contact, "surname", _c(i, "surname")),
            Column(f"contact{n}_phone", Contact, "phone_mobile", _c(i, "phone")),
            Column(f"contact{n}_email", Contact, "email", _c(i, "email")),
            Column(f"contact{n}_address_line1", Contact, "address_line1", _c(i, "address_line1")),
            Column(f"contact{n}_postcode", Contact, "postcode", _c(i, "postcode")),
        ]
    cols += [
        Column(
            "post16_destination",
            Post16Destination,
            "destination",
            lambda d: (d.destination or {}).get("destination", ""),
        ),
        Column(
            "post16_provider",
            Post16Destination,
            "provider",
            lambda d: (d.destination or {}).get("provider", ""),
        ),
    ]
    return cols


# Columns every row has, whatever the register: they say what the row is, not who.
FIXED_HEADERS = ("school_urn", "age_group", "sharing")


@dataclass(frozen=True)
class Outcome:
    """What happened to one pupil in the run, and why."""

    pupil_id: int
    name: str
    age: int
    status: str  # "included", "limited" or "excluded"
    reason: str


@dataclass
class YouthSupportRun:
    """The file (CSV bytes) and what happened to each pupil; `runs` are the logged shares."""

    school: School
    on: dt.date
    content: bytes
    sha256: str
    headers: list[str]
    outcomes: list[Outcome] = field(default_factory=list)
    runs: list[ShareRun] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"included": 0, "limited": 0, "excluded": 0}
        for o in self.outcomes:
            out[o.status] += 1
        return out


def cohort(school: School, on: dt.date) -> list[dict[str, Any]]:
    """Pupils on the school's roll on `on` who are 13 or over that day (one query)."""
    born_by = on - relativedelta(years=AGE_13)  # 29 Feb birthdays: 28 Feb in a non-leap year, as age_on
    on_roll = Enrolment.objects.filter(school=school, admission_date__lte=on).filter(
        Q(leaving_date__isnull=True) | Q(leaving_date__gte=on)
    )
    return [
        dict(p)
        for p in Pupil.objects.filter(pk__in=on_roll.values("pupil_id"), date_of_birth__lte=born_by)
        .order_by("legal_surname", "legal_forename", "pk")
        .values(
            "pk",
            "upn",
            "legal_forename",
            "preferred_forename",
            "legal_surname",
            "date_of_birth",
            "sex",
        )
    ]


def sharing_states(pupil_ids: Sequence[int], on: dt.date) -> dict[int, str]:
    """Each pupil's youth-support sharing state on `on` (latest choice dated on or before it), in one query.

    The same rule as `rights.outcomes.youth_support.youth_support_state`, for many pupils at once.
    """
    states: dict[int, str] = {}
    rows = (
        YouthSupportChoice.objects.filter(pupil_id__in=pupil_ids, on__lte=on)
        .order_by("pupil_id", "on", "at", "pk")
        .values_list("pupil_id", "state")
    )
    for pupil_id, state in rows:
        states[pupil_id] = state  # later rows win
    return states


def _gather(school: School, pupils: list[dict[str, Any]], on: dt.date) -> dict[int, _PupilData]:
    ids = [p["pk"] for p in pupils]
    addresses: dict[int, dict[str, Any]] = {}
    for a in (
        PupilAddress.objects.filter(pupil_id__in=ids)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=on))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .order_by("pupil_id", "start_date", "pk")
        .values("pupil_id", "line1", "line2", "town", "county", "postcode")
    ):
        addresses[a["pupil_id"]] = dict(a)  # the latest current address wins
    enrolments: dict[int, dict[str, Any]] = {}
    for e in (
        Enrolment.objects.filter(school=school, pupil_id__in=ids, admission_date__lte=on)
        .order_by("pupil_id", "admission_date")
        .values("pupil_id", "admission_date", "tutor_group")
    ):
        enrolments[e["pupil_id"]] = dict(e)
    contacts: dict[int, list[dict[str, Any]]] = {}
    links = (
        PupilContact.objects.filter(pupil_id__in=ids, parental_responsibility=True, court_order=False)
        .order_by("pupil_id", "priority", "pk")
        .values_list(
            "pupil_id",
            "relationship",
            "contact__forename",
            "contact__surname",
            "contact__phone_mobile",
            "contact__phone_home",
            "contact__email",
            "contact__address_line1",
            "contact__postcode",
        )
    )
    for pupil_id, relationship, forename, surname, mobile, home, email, line1, postcode in links:
        found = contacts.setdefault(pupil_id, [])
        if len(found) < CONTACTS_PER_PUPIL:
            found.append(
                {
                    "relationship": relationship,
                    "forename": forename,
                    "surname": surname,
                    "phone": mobile or home,
                    "email": email,
                    "address_line1": line1,
                    "postcode": postcode,
                }
            )
    destinations: dict[int, dict[str, Any]] = {}
    for d in (
        Post16Destination.objects.filter(pupil_id__in=ids)
        .order_by("pupil_id", "start_date", "pk")
        .values("pupil_id", "destination", "provider")
    ):
        destinations[d["pupil_id"]] = dict(d)
    return {
        p["pk"]: _PupilData(
            pupil=p,
            address=addresses.get(p["pk"]),
            enrolment=enrolments[p["pk"]],
            contacts=contacts.get(p["pk"], []),
            destination=destinations.get(p["pk"]),
        )
        for p in pupils
    }


def _check(school: School, flag: str, on: dt.date, cols: list[Column], ids: Iterable[int]) -> ShareCheck:
    """The gate's answer for the recipient flagged `flag` (13+ or 16+), over the columns it receives."""
    recipient = next(
        (r for r in effective_register(school).recipients if getattr(r, flag) and PURPOSE in r.purposes), None
    )
    if recipient is None:
        raise ShareRefused(
            [
                Failure(
                    Code.NOT_IN_REGISTER,
                    f"The register of {school.name} has no recipient flagged '{flag.replace('_', ' ')}' for "
                    f"the purpose {PURPOSE!r}: add the youth support services recipient first.",
                )
            ]
        )
    categories = categories_of(allowed(cols, recipient))
    return check_share(
        school=school,
        recipient_key=recipient.key,
        purpose_key=PURPOSE,
        categories=categories,
        on=on,
        pupil_ids=ids,
    )


@transaction.atomic
def run_youth_support(
    *,
    actor: Any,
    school: School,
    on: dt.date,
    override_reason: str = "",
    deliver: Callable[[bytes], object] | None = None,
) -> YouthSupportRun:
    """Produce the youth-support file for `school` on `on` and log every pupil sent.

    Pupils 13-15 go under the recipient flagged for 13+, pupils 16+ under the one flagged for 16+ (which
    may receive post-16 data too). Refused as a whole (nothing written) when the gate refuses either
    share; a restricted pupil is left out with the reason. `deliver` (e.g. write the file) runs inside
    the transaction after logging: if it fails, the log is rolled back too, so the log never claims a
    disclosure that did not leave.
    """
    from steward.accounts.roles import Action
    from steward.accounts.scope import scope_for

    if not scope_for(actor).may(Action.CHANGE_PUPILS, school.pk):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("You cannot share data for this school.")
    cols = _columns()
    pupils = cohort(school, on)
    by_age: dict[str, list[dict[str, Any]]] = {"13-15": [], "16+": []}
    for p in pupils:
        by_age["16+" if age_on(p["date_of_birth"], on) >= AGE_16 else "13-15"].append(p)
    data = _gather(school, pupils, on)
    states = sharing_states([p["pk"] for p in pupils], on)
    groups = [("13-15", "youth_support_13"), ("16+", "youth_support_16")]
    checks = {
        group: _check(school, flag, on, cols, [p["pk"] for p in by_age[group]])
        for group, flag in groups
        if by_age[group]
    }
    sendable = {c.header for ch in checks.values() for c in allowed(cols, ch.recipient)}
    headers = [*FIXED_HEADERS, *[c.header for c in cols if c.header in sendable]]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=headers, lineterminator="\r\n")
    writer.writeheader()
    result = YouthSupportRun(school=school, on=on, content=b"", sha256="", headers=headers)
    sent: dict[str, list[Sent]] = {group: [] for group, _ in groups}
    for group, _ in groups:
        check = checks.get(group)
        if check is None:
            continue
        # Which columns this recipient gets, in full and for a limited pupil: decided once per group.
        full_cols = allowed(cols, check.recipient)
        limited_cols = allowed(cols, check.recipient, limit_to=LIMITED_CATEGORIES)
        for p in by_age[group]:
            pid = p["pk"]
            name = f"{p['legal_forename']} {p['legal_surname']}"
            age = age_on(p["date_of_birth"], on)
            if pid in check.excluded:
                reasons = "; ".join(f.message for f in check.excluded[pid])
                result.outcomes.append(Outcome(pid, name, age, "excluded", reasons))
                continue
            limited = states.get(pid) == YouthSupportState.LIMITED
            use = limited_cols if limited else full_cols
            row = {c.header: c.read(data[pid]) for c in use}
            writer.writerow(
                {
                    "school_urn": school.urn,
                    "age_group": group,
                    "sharing": "limited" if limited else "full",
                    **row,
                }
            )
            sent[group].append(
                Sent(pupil_id=pid, fields=[c.header for c in use], payload=row, limited=limited)
            )
            reason = (
                "A parent (under 16) or the pupil (16+) asked that only name, address and date of birth be passed."
                if limited
                else "Aged 13 or over on the day; no limit recorded."
            )
            result.outcomes.append(Outcome(pid, name, age, "limited" if limited else "included", reason))
    result.content = buffer.getvalue().encode("utf-8")
    result.sha256 = hashlib.sha256(result.content).hexdigest()
    summary = result.counts()
    for group, _ in groups:
        check = checks.get(group)
        if check is None or not sent[group]:
            continue
        result.runs.append(
            record_share(
                actor=actor,
                check=check,
                kind=ShareKind.YOUTH_SUPPORT,
                sent=sent[group],
                package_sha256=result.sha256,
                summary={"age_group": group, **summary},
                override_reason=override_reason,
            )
        )
    if deliver is not None:
        deliver(result.content)
    return result
