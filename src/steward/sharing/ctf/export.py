"""Exporting a common transfer file: through the gate, logged, and packaged encrypted, all or nothing.

`export_ctf` checks the share with the gate (recipient `next_school`, purpose `statutory_returns`,
the registry categories of everything a CTF carries), builds one file (or, for the unknown
destination, one file per pupil: rules.md §8.1), logs the share with one disclosure row per pupil,
records a child protection transfer for every pupil with safeguarding records (never in the CTF),
and writes the encrypted package, in one transaction: if any step fails nothing is logged or written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.organisations.models import School
from steward.people.models import Pupil
from steward.records.models import SafeguardingConcern
from steward.sharing import packages
from steward.sharing.ctf import fields, xml
from steward.sharing.ctf.childprotection import record_owed
from steward.sharing.ctf.common import Destination, ctf_version, file_name
from steward.sharing.ctf.payload import Payload, pupil_payload
from steward.sharing.gate import Failure, ShareRefused, check_share
from steward.sharing.log import Sent, record_share
from steward.sharing.models import ShareKind, ShareRun
from steward.sharing.models_transfer import ChildProtectionTransfer, CtfFile

RECIPIENT = "next_school"
PURPOSE = "statutory_returns"


@dataclass(frozen=True)
class CtfOut:
    """One CTF file: its name, the XML, its SHA-256 and the pupils in it."""

    name: str
    xml: bytes
    sha256: str
    pupil_ids: tuple[int, ...]


@dataclass
class CtfExport:
    """What an export did. `passphrase` is the package's, shown once: it is stored nowhere."""

    run: ShareRun
    destination: Destination
    files: list[CtfOut]
    child_protection: list[ChildProtectionTransfer]
    warnings: list[str] = field(default_factory=list)
    package_path: str = ""
    package_sha256: str = ""
    passphrase: str = ""


def check_destination(destination: Destination) -> None:
    """A destination is a school Steward knows (by LA and establishment number) or the unknown codes."""
    if destination.unknown:
        return
    if not School.objects.filter(la_code=destination.la, estab=destination.estab).exists():
        raise ValidationError(
            {
                "destination": f"No school with LA/establishment number {destination.laestab} is known to "
                "Steward: add the school, or use the unknown destination (LA XXX, establishment XXXX)."
            },
            code="unknown_destination",
        )


def _pupils_here(school: School, pupils: Iterable[Pupil]) -> list[Pupil]:
    chosen = list(dict.fromkeys(pupils))
    if not chosen:
        raise ValidationError({"pupils": "Choose at least one pupil to transfer."})
    enrolled = set(school.enrolments.filter(pupil__in=chosen).values_list("pupil_id", flat=True))
    missing = [p for p in chosen if p.pk not in enrolled]
    if missing:
        names = ", ".join(f"{p.upn}" for p in missing)
        raise ValidationError(
            {"pupils": f"Not on the roll of {school.name} (never enrolled there): {names}."}
        )
    return chosen


def _refuse_excluded(check: Any, pupils: list[Pupil]) -> None:
    """A restricted pupil refuses the whole CTF: a transfer file that silently leaves a pupil out would
    look complete to the school receiving it."""
    if not check.excluded:
        return
    by_id = {p.pk: p for p in pupils}
    raise ShareRefused(
        [
            Failure(f.code, f"Pupil {by_id[pid].upn}: {f.message}")
            for pid, failures in check.excluded.items()
            for f in failures
        ]
    )


@transaction.atomic
def export_ctf(
    *,
    actor: Any,
    school: School,
    pupils: Iterable[Pupil],
    destination: Destination,
    on: dt.date,
    override_reason: str = "",
    package_to: str | os.PathLike[str] | None = None,
) -> CtfExport:
    """Export a CTF for `pupils` of `school` to `destination` on `on`.

    Refused with ShareRefused (the gate's reasons) or ValidationError (bad destination, pupils not on
    roll); PermissionDenied without the export permission at the school. With `package_to`, the files
    are written there as one AES-256 encrypted ZIP and the passphrase is returned once.
    """
    if not scope_for(actor).may(Action.EXPORT, school.pk):
        raise PermissionDenied(f"You may not export pupil data from {school.name}.")
    check_destination(destination)
    chosen = _pupils_here(school, pupils)
    check = check_share(
        school=school,
        recipient_key=RECIPIENT,
        purpose_key=PURPOSE,
        categories=fields.categories(),
        on=on,
        pupil_ids=[p.pk for p in chosen],
    )
    _refuse_excluded(check, chosen)

    payloads: dict[int, Payload] = {p.pk: pupil_payload(p, school, on) for p in chosen}
    # The unknown destination takes one pupil per file (rules.md §8.1: S2S's Lost Pupil Database).
    groups = [[p] for p in chosen] if destination.unknown else [chosen]
    last = (
        CtfFile.objects.filter(school=school, dest_la=destination.la, dest_estab=destination.estab).aggregate(
            n=Max("sequence")
        )["n"]
        or 0
    )
    at = timezone.localtime()
    files: list[CtfOut] = []
    for i, group in enumerate(groups, start=1):
        body = xml.document(
            school=school, destination=destination, on=on, at=at, pupils=[payloads[p.pk].data for p in group]
        )
        files.append(
            CtfOut(
                name=file_name(school, destination, last + i),
                xml=body,
                sha256=hashlib.sha256(body).hexdigest(),
                pupil_ids=tuple(p.pk for p in group),
            )
        )
    warnings = [f"{p.upn}: {w}" for p in chosen for w in payloads[p.pk].warnings]
    package = packages.build({f.name: f.xml for f in files}) if package_to is not None else None

    run = record_share(
        actor=actor,
        check=check,
        kind=ShareKind.CTF,
        sent=[Sent(pupil_id=p.pk, fields=payloads[p.pk].fields, payload=payloads[p.pk].data) for p in chosen],
        package_sha256=package.sha256 if package else "",
        summary={
            "destination": destination.laestab,
            "files": [{"name": f.name, "sha256": f.sha256, "pupils": len(f.pupil_ids)} for f in files],
            "warnings": warnings,
        },
        override_reason=override_reason,
    )
    rows = {
        f.name: CtfFile.objects.create(
            run=run,
            school=school,
            dest_la=destination.la,
            dest_estab=destination.estab,
            dest_urn=destination.urn,
            dest_name=destination.name,
            sequence=last + i,
            file_name=f.name,
            ctf_version=ctf_version(on),
            sha256=f.sha256,
            pupil_count=len(f.pupil_ids),
        )
        for i, f in enumerate(files, start=1)
    }
    # Child protection files never go in the CTF; they are owed separately (rules.md §5).
    with_cp = set(SafeguardingConcern.objects.filter(pupil__in=chosen).values_list("pupil_id", flat=True))
    cp: list[ChildProtectionTransfer] = []
    for f in files:
        cp += record_owed(
            pupils=[p for p in chosen if p.pk in with_cp and p.pk in f.pupil_ids],
            school=school,
            destination=destination,
            ctf=rows[f.name],
            on=on,
        )
    result = CtfExport(run=run, destination=destination, files=files, child_protection=cp, warnings=warnings)
    if package is not None and package_to is not None:
        # Last step inside the transaction: if writing fails, the log above is rolled back with it.
        result.package_path = str(packages.write(package, package_to))
        result.package_sha256 = package.sha256
        result.passphrase = package.passphrase
    return result
