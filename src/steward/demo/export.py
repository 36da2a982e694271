"""Write a school's pupils as an MIS-style CSV that `steward import pupils` reads back.

Used by the benchmark and the round-trip tests to get a realistic import file from the demo
trust. It reads personal data, so it runs in an audit context and logs one "export" event.
"""

from __future__ import annotations

import csv
import io

from django.db.models import Prefetch

from steward.audit.context import current
from steward.audit.services import Subject, record
from steward.imports.columns import COLUMNS, Column
from steward.organisations.models import School
from steward.people.models import Enrolment, Pupil, PupilContact


def _cell(col: Column, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")  # type: ignore[union-attr]
    return str(value)


def pupils_csv(school: School) -> str:
    """Every pupil enrolled at `school` (one row each, first two contacts by priority) as CSV text."""
    current()
    enrolments = (
        Enrolment.objects.filter(school=school)
        .select_related("pupil")
        .prefetch_related(
            "pupil__addresses",
            "pupil__fsm_periods",
            Prefetch(
                "pupil__contact_links",
                queryset=PupilContact.objects.select_related("contact").order_by("priority", "pk"),
            ),
        )
        .order_by("pupil__upn")
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    rows = 0
    for enrolment in enrolments:
        pupil: Pupil = enrolment.pupil
        address = next((a for a in pupil.addresses.all() if a.end_date is None), None)
        fsm = max(pupil.fsm_periods.all(), key=lambda p: p.start_date, default=None)
        links = list(pupil.contact_links.all())[:2]
        sources: dict[str, object] = {"pupil": pupil, "enrolment": enrolment, "address": address, "fsm": fsm}
        row = []
        for col in COLUMNS:
            prefix, name = col.target.split(".", 1)
            obj: object
            if col.contact:
                link = links[col.contact - 1] if len(links) >= col.contact else None
                obj = None if link is None else (link.contact if prefix == "contact" else link)
            else:
                obj = sources[prefix]
            row.append(_cell(col, getattr(obj, name) if obj is not None else None))
        writer.writerow(row)
        rows += 1
    record(
        "export",
        model=Pupil._meta.label,
        subject=Subject(school_id=school.pk),
        detail={"format": "mis-csv", "rows": rows},
    )
    return out.getvalue()
