"""Everything that relies on consent asks the ledger here.

- `consented_pupils`: the sharing gate's per-pupil consent check (sharing/gate.py calls it) for a
  register purpose whose basis is consent;
- `photo_export`: photographs for one use (display, website, social media, press), leaving out every
  pupil without that consent on the day, with the reason;
- `relying_on` and `withdrawal_report`: what relies on a consent purpose, in general and, when a
  pupil's consent is withdrawn, concretely for that pupil, so staff can act.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.audit.services import Subject, record, record_many
from steward.consent.biometrics import open_task
from steward.consent.selectors import ConsentState, purposes_for, states_for
from steward.organisations.models import School
from steward.people.models import Enrolment, Pupil
from steward.records.models import Photograph
from steward.register.choices import Art6
from steward.register.models import ConsentPurpose
from steward.register.selectors import effective_register

# Which consent purpose each photograph use needs (records.Photograph.purpose -> consent purpose key).
# Identification and learning-record photographs rest on public task, not consent, and never leave
# through this export; prospectus photographs would need a consent purpose of their own.
PHOTO_CONSENT: dict[str, str] = {
    "display": "photos_display",
    "website": "photos_website",
    "social": "photos_social",
    "press": "photos_press",
}
USES = tuple(PHOTO_CONSENT)


# --- the sharing gate ---------------------------------------------------------------------------------


def consented_pupils(pupil_ids: Iterable[int], purpose_key: str, on: dt.date) -> set[int]:
    """The pupils whose consent for the register purpose `purpose_key` is effective on the day.

    A pupil counts only when their school has at least one active consent purpose linked to that register
    purpose and every one of them is effective: a share for the purpose serves all of it, and consent
    must be demonstrable for what is shared (Art 7(1)); the lawful default is to leave the pupil out.
    A handful of queries for any number of pupils: enrolments, consent purposes, events.
    """
    ids = list(dict.fromkeys(pupil_ids))
    if not ids:
        return set()
    # Each pupil's school on the day (the latest enrolment running then).
    school_of: dict[int, int] = {}
    rows = (
        Enrolment.objects.filter(pupil_id__in=ids, admission_date__lte=on)
        .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=on))
        .order_by("pupil_id", "-admission_date", "-pk")
        .values_list("pupil_id", "school_id")
    )
    for pid, sid in rows:
        school_of.setdefault(pid, sid)
    schools = {s.pk: s for s in School.objects.filter(pk__in=set(school_of.values()))}
    linked: dict[int, list[ConsentPurpose]] = {
        sid: [p for p in purposes_for(s) if p.purpose_key == purpose_key] for sid, s in schools.items()
    }
    by_school: dict[int, list[int]] = defaultdict(list)
    for pid, sid in school_of.items():
        if linked.get(sid):
            by_school[sid].append(pid)
    out: set[int] = set()
    for sid, pids in by_school.items():
        states = states_for(pids, linked[sid], on)
        out.update(pid for pid in pids if all(states[(pid, p.key)].effective for p in linked[sid]))
    return out


# --- photo export -------------------------------------------------------------------------------------


class PhotoExport(NamedTuple):
    """The zip of photographs that may be used, the ones included, and the ones left out with why."""

    zip: bytes
    included: list[Photograph]
    left_out: list[tuple[Photograph, str]]


def _archive_name(photo: Photograph, pupil: Pupil) -> str:
    suffix = PurePosixPath(photo.image.name).suffix.lower()[:10]
    return f"{photo.taken_on.isoformat()}-{photo.pk}-{pupil.surname}-{pupil.forename}{suffix}".replace(
        " ", "_"
    )


def photo_selection(
    school: School, use: str, on: dt.date
) -> tuple[list[Photograph], list[tuple[Photograph, str]]]:
    """The school's photographs taken for `use`: those whose pupils have that consent on `on`, and the
    rest with the reason (reads only; `photo_export` writes the zip and the audit)."""
    if use not in PHOTO_CONSENT:
        raise ValidationError({"use": f"Unknown use {use!r}: use one of {', '.join(USES)}."})
    key = PHOTO_CONSENT[use]
    purpose = next((p for p in purposes_for(school) if p.key == key), None)
    photos = list(
        Photograph.objects.filter(school=school, purpose=use)
        .select_related("pupil")
        .order_by("taken_on", "pk")
    )
    states: dict[tuple[int, str], ConsentState] = (
        states_for({p.pupil_id for p in photos}, [purpose], on) if purpose is not None else {}
    )
    included: list[Photograph] = []
    left_out: list[tuple[Photograph, str]] = []
    for photo in photos:
        if purpose is None:
            left_out.append((photo, f"{school.name} has no active consent purpose '{key}' in its register."))
            continue
        state = states[(photo.pupil_id, key)]
        if state.effective:
            included.append(photo)
        else:
            left_out.append((photo, f"No consent for {purpose.name.lower()}: {state.reason}"))
    return included, left_out


@transaction.atomic
def photo_export(*, actor: Any, school: School, use: str, on: dt.date) -> PhotoExport:
    """The school's photographs taken for `use` whose pupils have that consent on `on`, as a zip.

    Needs Action.EXPORT at the school. Audited as one export event for the school plus one per pupil
    included (which photographs of whom left Steward, never their content).
    """
    if not scope_for(actor).may(Action.EXPORT, school.pk):
        raise PermissionDenied(f"You may not export photographs from {school.name}.")
    included, left_out = photo_selection(school, use, on)
    key = PHOTO_CONSENT[use]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for photo in included:
            with photo.image.open("rb") as fh:
                archive.writestr(_archive_name(photo, photo.pupil), fh.read())
    record(
        "export",
        model=Photograph._meta.label,
        subject=Subject(school_id=school.pk),
        categories=["pupil.image"],
        detail={
            "export": "photographs",
            "use": use,
            "consent_purpose": key,
            "on": on.isoformat(),
            "included": len(included),
            "left_out": len(left_out),
        },
    )
    per_pupil: dict[int, list[int]] = defaultdict(list)
    for photo in included:
        per_pupil[photo.pupil_id].append(photo.pk)
    record_many(
        {
            "action": "export",
            "model": Photograph._meta.label,
            "subject": Subject(school_id=school.pk, pupil_id=pid),
            "categories": ["pupil.image"],
            "detail": {"use": use, "photographs": pks},
        }
        for pid, pks in per_pupil.items()
    )
    return PhotoExport(buffer.getvalue(), included, left_out)


# --- what relies on a consent -------------------------------------------------------------------------


def _consent_recipients(school: School, purpose: ConsentPurpose) -> list[str]:
    if not purpose.purpose_key:
        return []
    view = effective_register(school)
    return [
        r.name
        for r in view.recipients
        if purpose.purpose_key in r.purposes and r.lawful_basis.basis == Art6.CONSENT
    ]


def relying_on(purpose: ConsentPurpose, school: School | None = None) -> list[str]:
    """What relies on a consent purpose: its `relies_on` lines, the photo export of its use, and the
    register's recipients that share on consent for its register purpose (the gate leaves out pupils
    without it)."""
    items = purpose.relies_on_items()
    uses = [u for u, k in PHOTO_CONSENT.items() if k == purpose.key]
    items += [f"Steward's photo export for '{u}' leaves out pupils without this consent." for u in uses]
    if purpose.purpose_key:
        items.append(
            f"Shares for the register purpose '{purpose.purpose_key}' (the sharing gate leaves out pupils "
            "without this consent)."
        )
        if school is not None:
            items += [f"Sharing with {name}." for name in _consent_recipients(school, purpose)]
    if purpose.biometric:
        items.append(f"The alternative every pupil without consent uses: {purpose.alternative}.")
    return items


def withdrawal_report(*, pupil: Pupil, purpose: ConsentPurpose, school: School) -> list[str]:
    """What to act on now that the pupil's consent for `purpose` is withdrawn (or refused, or objected
    to): the general items plus the concrete ones for this pupil."""
    items = relying_on(purpose, school)
    uses = [u for u, k in PHOTO_CONSENT.items() if k == purpose.key]
    if uses:
        count = Photograph.objects.filter(pupil=pupil, school=school, purpose__in=uses).count()
        if count:
            items.append(
                f"{count} photograph(s) of {pupil.display_name} taken for {', '.join(uses)}: take them down "
                "wherever they are displayed or published; exports from now on leave them out."
            )
    if purpose.purpose_key:
        names = _consent_recipients(school, purpose)
        if names:
            items.append(
                f"Future shares of {pupil.display_name}'s data with {', '.join(names)} are refused by the gate."
            )
    task = open_task(pupil, purpose) if purpose.biometric else None
    if task is not None:
        items.append(
            f"Delete {pupil.display_name}'s biometric template by {task.due_on:%d %B %Y} (task {task.pk})."
        )
    return items
