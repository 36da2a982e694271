"""Build the response to an access or portability request: a readable PDF and a ZIP of JSON and CSV.

`build(actor=, request=, final=)` collects everything the registry knows about the pupil
(`collect.collect`), the Art 15 information (`art15`), the manual searches and their returned files
(`rights.tasks`), applies the redactions (`rights.review`: a draft shows accepted and proposed marks
highlighted for the reviewer; the final applies accepted marks only), writes the search log and the
events, and stores a `Bundle` whose `sha256` is the hash of the ZIP (which holds the PDF too).

The output is deterministic: the same data on the same day gives the same bytes (fixed ZIP entry
times, sorted entries, a fixed PDF creation date), so the hash recorded on release can be recomputed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from steward.accounts.scope import scope_for
from steward.audit.services import Subject, record
from steward.core import codes
from steward.organisations.models import Term
from steward.registry.taxonomy import taxonomy
from steward.rights import review as rv
from steward.rights import tasks as tk
from steward.rights.bundle.art15 import Art15, art15_information
from steward.rights.bundle.collect import Collection, Section, Text, collect, display
from steward.rights.bundle.pdf import Block, Document, Table, render
from steward.rights.models import (
    Bundle,
    BundleState,
    EventKind,
    ManualTask,
    ManualTaskFile,
    RedactionMark,
    RightsRequest,
    SearchLogEntry,
    TaskStatus,
)
from steward.rights.services import _event, _locked, _not_closed, due
from steward.rights.workflow import Refusal, TransitionRefused

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a ZIP can say: entries carry no build time
ATTENDANCE = "pupil.attendance"
# Columns the PDF leaves out (they are in the CSV/JSON): numbers and codes for machines.
PDF_HIDDEN = ("record_id",)


# --- checks --------------------------------------------------------------------------------------


def require_readable(actor: Any, request: RightsRequest, collection: Collection) -> None:
    """The builder sees everything in the bundle: refuse when a category holding data is one their
    roles may not read at the school (safeguarding is the DSL's and the trust DPO's)."""
    scope = scope_for(actor)
    hidden = [s.category.label for s in collection.held() if not scope.may_read(s.key, request.school_id)]
    if hidden:
        raise PermissionDenied(
            f"The pupil's record holds {', '.join(sorted(set(hidden)))}, which your roles may not read: the "
            "trust DPO builds and reviews this bundle."
        )


def final_blockers(
    request: RightsRequest, texts: list[Text], collection: Collection
) -> list[tuple[Refusal, str]]:
    """Everything that stops a final bundle now: open searches, undecided or stale redactions."""
    out: list[tuple[Refusal, str]] = []
    still_open = list(tk.open_tasks(request))
    if still_open:
        names = "; ".join(f"{t.system_name} (due {t.due_on:%d/%m/%Y})" for t in still_open)
        out.append(
            (Refusal.TASKS_OPEN, f"Manual searches are still open: {names}. Complete or cancel them first.")
        )
    problems = rv.final_problems(request, texts)
    if problems:
        out.append((Refusal.REDACTIONS_UNDECIDED, " ".join(problems)))
    return out


# --- attendance summary ----------------------------------------------------------------------------


def _attendance_summary(section: Section, school_ids: list[int]) -> Table:
    """Marks per term (by the school's term dates; by month where no term covers the date)."""
    terms = sorted(
        Term.objects.filter(school_id__in=school_ids).values_list("start", "end", "academic_year", "name")
    )
    starts = [t[0] for t in terms]
    counts: dict[tuple[str, str], Counter[str]] = {}
    order: list[tuple[str, str]] = []
    for row in section.rows:
        day = dt.date.fromisoformat(row.cells.get("date") or "1970-01-01")
        i = bisect_right(starts, day) - 1
        if i >= 0 and terms[i][1] >= day:
            period = f"{terms[i][2]} {terms[i][3]}"
            key = (terms[i][0].isoformat(), period)
        else:
            key = (day.strftime("%Y-%m"), day.strftime("%B %Y"))
        key = (key[0], f"{key[1]} ({row.cells.get('school') or ''})".replace(" ()", ""))
        if key not in counts:
            counts[key] = Counter()
            order.append(key)
        code = row.cells.get("code_code") or ""
        c = counts[key]
        c["sessions"] += 1
        if code in codes.ATTENDANCE_PRESENT:
            c["present"] += 1
        elif code in codes.ATTENDANCE_UNAUTHORISED:
            c["unauthorised"] += 1
        else:
            c["other"] += 1
        if code == "L" or (row.cells.get("minutes_late") or 0):
            c["late"] += 1
    rows = []
    for key in sorted(order):
        c = counts[key]
        rate = f"{100 * c['present'] / c['sessions']:.1f}%" if c["sessions"] else ""
        rows.append(
            [
                key[1],
                str(c["sessions"]),
                str(c["present"]),
                str(c["late"]),
                str(c["unauthorised"]),
                str(c["other"]),
                rate,
            ]
        )
    return Table(
        [
            "Term",
            "Sessions recorded",
            "Present",
            "Late",
            "Unauthorised absence",
            "Other codes",
            "Present (%)",
        ],
        rows,
    )


# --- applying redactions ---------------------------------------------------------------------------


@dataclass
class _Redacted:
    """Section rows with their free text redacted (values as JSON data), and the redacted task texts."""

    rows: dict[str, list[dict[str, Any]]]
    task_texts: dict[str, str]
    applied: Counter[str]


def _redact(
    collection: Collection, task_texts: list[Text], marks: dict[str, list[RedactionMark]], final: bool
) -> _Redacted:
    applied: Counter[str] = Counter()

    def fix(location: str, text: str) -> str:
        ms = marks.get(location)
        if not ms:
            return text
        for m in ms:
            if final and m.decision == "accepted":
                applied[m.reason] += 1
        return rv.apply_marks(text, ms, final=final)

    rows: dict[str, list[dict[str, Any]]] = {}
    for key, s in collection.sections.items():
        out = []
        for r in s.rows:
            cells = dict(r.cells)
            for col, loc in r.texts.items():
                cells[col] = fix(loc, cells[col])
            out.append(cells)
        rows[key] = out
    return _Redacted(
        rows=rows, task_texts={t.location: fix(t.location, t.text) for t in task_texts}, applied=applied
    )


# --- files -----------------------------------------------------------------------------------------


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([display(r.get(c)) for c in columns])
    return buf.getvalue().encode("utf-8")


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False, default=str) + "\n").encode(
        "utf-8"
    )


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            z.writestr(info, entries[name])
    return buf.getvalue()


README = """\
Response to {what}

This archive holds a copy of the personal data {school} holds about {pupil}, as of {on}:

  bundle.pdf        the readable copy, with a cover letter, every data category, the searches
                    made by hand and the information UK GDPR Art 15 requires (purposes, lawful
                    bases, recipients, retention, sources, your rights)
  manifest.json     what is in this archive: categories, record counts, sources searched
  art15.json        the Art 15 information as data
  <category>.json   each data category as JSON (one object per record)
  <category>.csv    the same as CSV (UTF-8, a header row, one row per record)
  searches/         files returned by searches of systems Steward cannot reach

Every data category Steward knows is listed, including those where nothing is held (their
files have a header and no records). Codes are given beside their meanings (columns ending
"_code"). Attendance is summarised by term in the PDF; every mark is in pupil.attendance.csv.

Redactions: information about other people, and information withheld under an exemption, is
replaced by [REDACTED: <reason>] (third party, safeguarding exemption, legal privilege, exam
script, ...). A returned file that needed a redaction is given as its redacted text (a .txt
file), not the original; files with no redaction are given as returned. Files with no readable
text (images, video) are given as returned: staff redact them before returning them.

{disclosures}
"""


def _task_section(
    tasks: list[ManualTask], files: dict[int, list[ManualTaskFile]], texts: dict[str, str], draft_note: str
) -> list[Block]:
    blocks = [
        Block(
            "Searches of other systems",
            paragraphs=[
                "Some of the school's systems are outside Steward (for example CCTV, email or payments). "
                "Staff searched them by hand; what they returned is listed here." + draft_note
            ]
            if tasks
            else ["No other system needed a search by hand."],
            tables=[
                Table(
                    [
                        "System or place searched",
                        "Outcome",
                        "What was found",
                        "Completed on",
                        "Files returned",
                    ],
                    [
                        [
                            t.system_name,
                            t.get_status_display(),
                            t.result_note,
                            t.completed_on.isoformat() if t.completed_on else "",
                            ", ".join(f.original_name for f in files.get(t.pk, [])) or "none",
                        ]
                        for t in tasks
                    ],
                )
            ]
            if tasks
            else [],
        )
    ]
    for t in tasks:
        for f in files.get(t.pk, []):
            text = texts.get(f"task-file:{f.pk}")
            if text is None:
                continue
            blocks.append(
                Block(f"Returned file: {f.original_name} ({t.system_name})", level=2, paragraphs=[text])
            )
    return blocks


def _art15_blocks(info: Art15) -> list[Block]:
    blocks = [
        Block(
            "About this information (UK GDPR Art 15)",
            new_page=True,
            paragraphs=[
                f"The controller is {info.controller['name']}"
                + (f", {info.controller['address']}" if info.controller["address"] else "")
                + (
                    f" (ICO registration {info.controller['ico_registration']})"
                    if info.controller["ico_registration"]
                    else ""
                )
                + f". The school is {info.controller['school']}.",
                "Data protection officer: "
                + ", ".join(x for x in (info.dpo["name"], info.dpo["email"], info.dpo["phone"]) if x)
                + ".",
            ]
            + ([] if info.register_exists else ["The school's register of processing is not yet complete."]),
        ),
        Block(
            "Why we hold the information and our lawful bases",
            level=2,
            tables=[
                Table(
                    [
                        "Purpose",
                        "What it means",
                        "Lawful basis (Art 6)",
                        "Special category condition (Art 9)",
                    ],
                    [
                        [
                            p["name"],
                            p["description"],
                            "; ".join(
                                f"{b['basis']} ({b['article']})"
                                + (f": {b['legislation']}" if b["legislation"] else "")
                                for b in p["lawful_bases"]
                            ),
                            "; ".join(
                                f"{c['category']}: {c['condition']} ({c['citation']})"
                                for c in p["special_category_conditions"]
                            ),
                        ]
                        for p in info.purposes
                    ],
                )
            ],
        ),
        Block(
            "Who we share it with (recipients)",
            level=2,
            tables=[
                Table(
                    ["Recipient", "Kind", "Information shared", "Lawful basis", "Legal gateway"],
                    [
                        [
                            r["name"],
                            r["kind"],
                            ", ".join(r["categories"]),
                            r["lawful_basis"],
                            r["legal_gateway"],
                        ]
                        for r in info.recipients
                    ],
                )
            ],
        ),
        Block(
            "Disclosures actually made",
            level=2,
            paragraphs=[info.disclosures_note]
            if not info.disclosures
            else [
                f"{d['on']}: {d['recipient']} ({d['kind'].lower()}), for {d['purpose']} on {d['basis']}: "
                f"{d['categories']}" + (" (name, address and date of birth only)" if d["limited"] else "")
                for d in info.disclosures
            ],
        ),
        Block(
            "How long we keep it",
            level=2,
            tables=[
                Table(
                    ["Record", "Category", "Kept for", "Source of the rule"],
                    [[r["record"], r["category"], r["kept"], r["source"]] for r in info.retention],
                )
            ],
        ),
        Block(
            "Transfers outside the UK",
            level=2,
            paragraphs=["None of the school's systems transfers this information outside the UK."]
            if not info.transfers
            else [f"{t['system']}: {t['destination']} ({t['safeguard']})" for t in info.transfers],
        ),
        Block("Automated decision-making", level=2, paragraphs=[info.automated_decisions]),
        Block("Your other rights", level=2, paragraphs=info.rights),
        Block("Complaints", level=2, paragraphs=[info.complaint]),
    ]
    return blocks


def _letter(request: RightsRequest, collection: Collection, on: dt.date, final: bool) -> list[str]:
    p = collection.pupil
    deadline = due(request).due
    held = len(collection.held())
    lines = [
        f"{request.school.name}",
        f"{on:%d %B %Y}",
        f"Dear {request.requester_name or p.display_name},",
        f"{request.get_kind_display()}: request number {request.pk}, received on {request.received_on:%d %B %Y}"
        + (
            f" (the one-month clock started on {request.clock_started_on:%d %B %Y})"
            if request.clock_started_on != request.received_on
            else ""
        )
        + (f", due by {deadline:%d %B %Y}." if deadline else "."),
        f"This is a copy of the personal data {request.school.name} holds about {p.display_name} (date of birth "
        f"{p.date_of_birth:%d %B %Y}). It covers every category of data Steward records about pupils: "
        f"{held} hold information about {p.display_name}, and the others are listed as 'none held'. We also "
        "searched the school's systems outside Steward by hand (listed under 'Searches of other systems').",
        "The last part explains why we hold the information, our lawful bases, who we share it with, how long "
        "we keep it, where it came from, and your rights, including the right to complain to the Information "
        "Commissioner's Office.",
        "Information about other people has been withheld where the law requires it; each place is marked "
        "[REDACTED: reason]. A machine-readable copy of every category (JSON and CSV) comes with this letter "
        "as a ZIP file.",
    ]
    if not final:
        lines.insert(
            0,
            "DRAFT FOR THE REVIEWER. Proposed redactions are shown as [[PROPOSED reason: text]] and accepted "
            "ones as [[REDACT reason: text]]; the final bundle replaces accepted ones with [REDACTED: reason].",
        )
    return lines


def _section_blocks(
    collection: Collection, rows: dict[str, list[dict[str, Any]]], info: Art15, school_ids: list[int]
) -> list[Block]:
    blocks = []
    for key, s in collection.sections.items():
        cat = s.category
        ci = info.by_category.get(key)
        paras = [cat.description]
        n = len(s.rows)
        below = [k for k in collection.sections if k.startswith(key + ".")]
        if not n and below:
            # A heading over more specific categories (pupil.health over its allergies, medication, ...).
            blocks.append(
                Block(f"{cat.label} ({key})", level=2, paragraphs=[*paras, "See the categories below."])
            )
            continue
        paras.append(f"Records held: {n}." if n else "None held.")
        if ci is not None:
            if ci.purposes:
                paras.append("Why we hold it: " + "; ".join(ci.purposes) + ".")
            if ci.sources:
                paras.append("Where it comes from (register): " + "; ".join(ci.sources) + ".")
            if ci.retention:
                paras.append("How long we keep it: " + "; ".join(ci.retention) + ".")
        tables = []
        if n and key == ATTENDANCE:
            paras.append(
                f"The {n} attendance marks are summarised by term below; every mark, with its code and any "
                f"comment, is in {key}.csv and {key}.json in the ZIP file."
            )
            tables.append(_attendance_summary(s, school_ids))
        elif n:
            used = [
                c
                for c in s.columns
                # Codes are in the labels already ("WBRI - White - British"); the CSV keeps both.
                if c.name not in PDF_HIDDEN
                and not c.name.endswith("_code")
                and any(r.get(c.name) not in (None, "") for r in rows[key])
            ]
            tables.append(
                Table([c.label for c in used], [[display(r.get(c.name)) for c in used] for r in rows[key]])
            )
        blocks.append(Block(f"{cat.label} ({key})", level=2, paragraphs=paras, tables=tables))
    return blocks


@transaction.atomic
def build(*, actor: Any, request: RightsRequest, final: bool) -> Bundle:
    """Build and store the bundle of an access or portability request.

    A draft (for the reviewer) runs the automatic redaction pass first and shows accepted and proposed
    marks highlighted; the final applies accepted marks only, and is refused (TransitionRefused, nothing
    written) while a manual search is open, a redaction is undecided, or the automatic pass finds text
    not yet reviewed. Writes a search log entry per source, SEARCHED and BUNDLE_BUILT events, and an
    audit "export" event. 404 outside the actor's schools; trust DPO or school DP lead only.
    """
    rv.require_reviewer(actor, request)
    request = _locked(request)
    _not_closed(request)
    rv._bundle_kind(request)
    on = timezone.localdate()
    if not final:
        rv.propose(actor=actor, request=request)
    collection = collect(request.pupil, request=request)
    require_readable(actor, request, collection)
    task_texts = rv.task_texts(request)
    if final:
        blockers = final_blockers(request, [*collection.texts, *task_texts], collection)
        if blockers:
            raise TransitionRefused(blockers[0][0], " ".join(msg for _, msg in blockers))
    marks = rv.marks_by_location(request)
    redacted = _redact(collection, task_texts, marks, final)
    info = art15_information(request.school, request.pupil, list(collection.sections))
    tasks = list(request.tasks.exclude(status=TaskStatus.CANCELLED).order_by("pk"))
    files: dict[int, list[ManualTaskFile]] = {}
    for f in ManualTaskFile.objects.filter(task__request=request).order_by("pk"):
        files.setdefault(f.task_id, []).append(f)
    school_ids = sorted({request.school_id, *request.pupil.enrolments.values_list("school_id", flat=True)})

    # The ZIP: data per category, the Art 15 information, returned files, the manifest, the README.
    entries: dict[str, bytes] = {}
    categories = []
    for key, s in collection.sections.items():
        cols = [c.name for c in s.columns]
        rows = [{c: r.get(c) for c in cols} for r in redacted.rows[key]]
        entries[f"{key}.json"] = _json(
            {
                "category": key,
                "label": s.category.label,
                "description": s.category.description,
                "records": rows,
            }
        )
        entries[f"{key}.csv"] = _csv(cols, rows)
        categories.append({"key": key, "label": s.category.label, "records": len(rows), "sources": s.sources})
    entries["art15.json"] = _json(info.as_data())
    returned = []
    for t in tasks:
        for f in files.get(t.pk, []):
            loc = f"task-file:{f.pk}"
            has_marks = bool(marks.get(loc))
            stem = PurePosixPath(f.original_name).name
            if loc in redacted.task_texts and (has_marks or not final):
                name = f"searches/{f.pk}-{stem}.txt"
                entries[name] = redacted.task_texts[loc].encode("utf-8")
            else:
                name = f"searches/{f.pk}-{stem}"
                with f.file.open("rb") as fh:
                    entries[name] = fh.read()
            returned.append(
                {"search": t.system_name, "file": f.original_name, "sha256": f.sha256, "in_zip": name}
            )
    searches: list[dict[str, Any]] = [
        {"source": s.source, "categories": s.categories, "records": s.rows} for s in collection.searches
    ] + [
        {
            "source": f"search by hand: {t.system_name}",
            "categories": [],
            "records": len(files.get(t.pk, [])),
            "outcome": t.get_status_display(),
        }
        for t in tasks
    ]
    state = BundleState.FINAL if final else BundleState.DRAFT
    manifest = {
        "request": request.pk,
        "kind": request.kind,
        "state": str(state),
        "pupil": request.pupil.display_name,
        "school": request.school.name,
        "prepared_on": on.isoformat(),
        "taxonomy_version": taxonomy().version,
        "categories": categories,
        "searches": searches,
        "returned_files": returned,
        "redactions_applied": dict(sorted(redacted.applied.items())) if final else {},
    }
    entries["manifest.json"] = _json(manifest)
    entries["README.txt"] = README.format(
        what=f"{request.get_kind_display().lower()} request {request.pk}",
        school=request.school.name,
        pupil=request.pupil.display_name,
        on=on.isoformat(),
        disclosures=info.disclosures_note,
    ).encode("utf-8")

    # The PDF.
    draft_note = "" if final else " (Draft: returned text is shown with redactions highlighted.)"
    blocks = [
        Block(
            "Information held, by category",
            new_page=True,
            paragraphs=[
                "Each category Steward records about pupils, in the order of its key. The ZIP file holds every "
                "record of every category as JSON and CSV."
            ],
        ),
        *_section_blocks(collection, redacted.rows, info, school_ids),
        *_task_section(tasks, files, redacted.task_texts, draft_note),
        *_art15_blocks(info),
    ]
    doc = Document(
        title=f"{request.get_kind_display()}: {request.pupil.display_name} (request {request.pk})",
        letter=_letter(request, collection, on, final),
        blocks=blocks,
        draft=not final,
        built_on=on,
        footer=request.school.name,
    )
    pdf_bytes = render(doc)
    entries["bundle.pdf"] = pdf_bytes
    archive = _zip(entries)
    sha = hashlib.sha256(archive).hexdigest()
    manifest["sha256"] = sha

    bundle = Bundle(
        request=request,
        state=state,
        built_by=actor if getattr(actor, "pk", None) else None,
        sha256=sha,
        manifest=manifest,
    )
    bundle.pdf.save(f"bundle-{request.pk}.pdf", ContentFile(pdf_bytes), save=False)
    bundle.archive.save(f"bundle-{request.pk}.zip", ContentFile(archive), save=False)
    bundle.full_clean()
    bundle.save()

    SearchLogEntry.objects.bulk_create(
        [
            SearchLogEntry(
                request=request,
                actor=actor if getattr(actor, "pk", None) else None,
                source=s["source"][:200],
                categories=s["categories"],
                rows=s["records"],
                note=s.get("outcome", ""),
            )
            for s in searches
        ]
    )
    total = sum(s["records"] for s in searches)
    _event(
        request,
        actor=actor,
        kind=EventKind.SEARCHED,
        on=on,
        note=f"Searched {len(searches)} sources ({len(tasks)} by hand): {total} records found.",
    )
    _event(
        request,
        actor=actor,
        kind=EventKind.BUNDLE_BUILT,
        on=on,
        method=str(state),
        note=f"{state.label}: SHA-256 {sha}",
    )
    record(
        "export",
        model=Bundle._meta.label,
        object_id=bundle.pk,
        subject=Subject(pupil_id=request.pupil_id, school_id=request.school_id),
        categories=sorted(s.key for s in collection.held()),
        special=any(s.category.special for s in collection.held()),
        detail={"request": request.pk, "state": str(state), "sha256": sha},
    )
    return bundle


def latest_final(request: RightsRequest) -> Bundle | None:
    """The most recent final bundle of the request."""
    return request.bundles.filter(state=BundleState.FINAL).order_by("-built_at", "-pk").first()


def release_blocker(request: RightsRequest) -> tuple[Refusal, str] | None:
    """For access and portability: a final bundle built after the last redaction decision or returned
    file is needed before release (None: there is one)."""
    if request.kind not in tk.BUNDLE_KINDS:
        return None
    b = latest_final(request)
    if b is None:
        return (Refusal.NO_FINAL_BUNDLE, "Build the final bundle (redactions applied) before releasing.")
    last = rv.last_decision_at(request)
    if last is not None and b.built_at < last:
        return (
            Refusal.BUNDLE_OUT_OF_DATE,
            "The final bundle was built before the last redaction decision or returned file: build it again.",
        )
    return None


__all__ = ["build", "final_blockers", "latest_final", "release_blocker", "require_readable"]
