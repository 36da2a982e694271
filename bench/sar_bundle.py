"""How long a subject access bundle takes, beside a raw baseline measured in the same run.

    .venv/bin/python bench/sar_bundle.py [--pupils 2000] [--schools 3] [--seed 1] [--years 5] [--repeat 3] [--save DIR]

Builds the demo trust (`steward.demo.services.build_demo`, same seed: same data) in a throwaway
SQLite database in a temporary directory (STEWARD_DATA_DIR), or the database named by DATABASE_URL
(point it at a scratch one). Picks the demo pupil with the most records, and gives them `--years`
years of history on top (a mark for every weekday session, a behaviour incident a week that names
another pupil, a note a month), so the bundle is that of a pupil with several years of records.
Logs an access request by the pupil, builds a draft (which runs the automatic redaction pass),
accepts every proposed redaction, then times the final build: collection, Art 15 information, the
redactions, PDF and ZIP, stored. Each figure is the median of `--repeat` runs after one warm-up,
printed with its ratio to the baseline: plain `.values()` queries of the same rows of every
registered pupil model, dumped with `json.dumps` (no labels, no redaction, no PDF).

The target (issue 4): the complete PDF and ZIP in under two seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ itself, for _common
from _common import setup_django, timed

TARGET = 2.0


def median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    fn()  # warm-up: fonts, templates, first queries
    runs = [timed(fn) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


class Report:
    def __init__(self) -> None:
        self.baseline: float | None = None

    def line(self, label: str, seconds: float, extra: str = "") -> None:
        if self.baseline is None:
            self.baseline = seconds
        ratio = seconds / self.baseline if self.baseline else float("inf")
        print(f"{label:<58} {seconds * 1000:>10.1f} ms {ratio:>8.1f}x  {extra}")


def busiest_pupil() -> Any:
    """The pupil with the most rows across every registered pupil model that links to it directly."""
    from collections import Counter

    from django.db.models import Count

    from steward.people.models import Pupil
    from steward.registry.registry import registered_models

    totals: Counter[int] = Counter()
    for e in registered_models(subject="pupil"):
        if e.subject_path == "pupil":
            for row in e.model._default_manager.values("pupil").annotate(n=Count("pk")):
                totals[row["pupil"]] += row["n"]
    return Pupil.objects.get(pk=totals.most_common(1)[0][0])


def add_history(pupil: Any, school: Any, years: int, today: dt.date) -> int:
    """Years of daily attendance, weekly behaviour incidents naming another pupil, monthly notes."""
    from steward.people.models import Pupil
    from steward.records.models import AttendanceMark, BehaviourIncident, Note

    others = list(Pupil.objects.filter(trust=pupil.trust).exclude(pk=pupil.pk).order_by("pk")[:60])
    taken = set(AttendanceMark.objects.filter(pupil=pupil, school=school).values_list("date", "session"))
    marks, incidents, notes = [], [], []
    day = today - dt.timedelta(days=365 * years)
    codes = ["/", "/", "/", "/", "/", "/", "/", "/", "L", "I", "M", "O"]
    n = 0
    while day < today:
        if day.weekday() < 5:
            for session, present in (("AM", "/"), ("PM", "\\")):
                if (day, session) not in taken:
                    code = codes[n % len(codes)]
                    marks.append(
                        AttendanceMark(
                            pupil=pupil,
                            school=school,
                            date=day,
                            session=session,
                            code=present if code == "/" else code,
                            minutes_late=5 if code == "L" else None,
                        )
                    )
                n += 1
            if day.weekday() == 2:
                other = others[len(incidents) % len(others)]
                incidents.append(
                    BehaviourIncident(
                        pupil=pupil,
                        school=school,
                        occurred_at=dt.datetime.combine(day, dt.time(11, 0), tzinfo=dt.UTC),
                        category="Disruption",
                        description=f"Argued with {other.legal_forename} {other.legal_surname} in the lunch queue.",
                        action_taken="Spoke to both pupils.",
                        points=-1,
                    )
                )
            if day.day == 15:
                notes.append(
                    Note(pupil=pupil, school=school, title="Monthly check-in", body="Settled; working well.")
                )
        day += dt.timedelta(days=1)
    AttendanceMark.objects.bulk_create(marks, batch_size=2000)
    BehaviourIncident.objects.bulk_create(incidents)
    Note.objects.bulk_create(notes)
    return len(marks) + len(incidents) + len(notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--schools", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=int, default=5, help="years of history added to the chosen pupil")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--save", metavar="DIR", help="write the final bundle's PDF and ZIP into DIR")
    args = parser.parse_args()

    tmp = None if os.environ.get("DATABASE_URL") else tempfile.TemporaryDirectory(prefix="steward-bench-")
    setup_django(tmp.name if tmp else None)

    from django.db import connection
    from django.utils import timezone

    from steward.accounts.models import User
    from steward.audit.context import acting_as
    from steward.demo.services import build_demo
    from steward.people.models import Enrolment
    from steward.registry.registry import registered_models
    from steward.rights import review, services
    from steward.rights.bundle import build, collect

    print("Building the demo trust ...", flush=True)
    with acting_as(None, channel="system", system_label="bench: sar bundle"):
        build_demo(
            schools=args.schools,
            pupils=args.pupils,
            seed=args.seed,
            password="bench-pass-8472",  # noqa: S106 - throwaway demo logins
            replace=True,
        )
        pupil = busiest_pupil()
        school = Enrolment.objects.filter(pupil=pupil).order_by("-admission_date").first().school  # type: ignore[union-attr]
        added = add_history(pupil, school, args.years, timezone.localdate())
    dpo = User.objects.get(username="dpo")
    today = timezone.localdate()
    with acting_as(dpo, channel="cli"):
        req = services.request_log(
            actor=dpo,
            school=school,
            pupil=pupil,
            kind="access",
            requester_kind="pupil",
            received_on=today,
            channel="email",
            description="Everything you hold about me.",
        )
        services.transition(actor=dpo, request=req, to="in_progress", on=today)
        draft_seconds, _ = timed(lambda: build(actor=dpo, request=req, final=False))
        for m in req.redactions.filter(decision="proposed"):
            review.decide(actor=dpo, mark=m, decision="accepted")

    entries = registered_models(subject="pupil")

    def raw() -> bytes:
        # The same rows, as plain dictionaries, dumped: the floor under any bundle of them.
        out = {}
        for e in entries:
            key = f"{e.subject_path}__pk" if e.subject_path else "pk"
            out[e.label] = list(e.model._default_manager.filter(**{key: pupil.pk}).values())
        return json.dumps(out, default=str).encode()

    rows = sum(len(v) for v in json.loads(raw()).values())
    print(
        f"Steward SAR bundle benchmark: {connection.vendor}, {args.pupils} demo pupils (seed {args.seed}); "
        f"pupil {pupil.pk} with {rows:,} records ({added:,} added: {args.years} years of history); "
        f"median of {args.repeat} runs"
    )
    print(f"{'measure':<58} {'time':>13} {'ratio':>9}")
    report = Report()
    seconds, data = median_time(raw, args.repeat)
    report.line("baseline: .values() of the same rows + json.dumps", seconds, f"{len(data):,} bytes")
    seconds, collection = median_time(lambda: collect(pupil, request=req), args.repeat)
    held = len(collection.held())
    report.line(
        "collect (registry, labels, free texts)",
        seconds,
        f"{held} of {len(collection.sections)} categories held",
    )

    def final() -> Any:
        with acting_as(dpo, channel="cli"):
            return build(actor=dpo, request=req, final=True)

    seconds, bundle = median_time(final, args.repeat)
    with bundle.archive.open("rb") as fh:
        archive = fh.read()
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        files = len(z.namelist())
        pdf = z.read("bundle.pdf")
    pages = "pages not counted (pypdf not installed)"
    try:
        from pypdf import PdfReader

        pages = f"{len(PdfReader(io.BytesIO(pdf)).pages)} pages"
    except ImportError:
        pass
    report.line(
        "final bundle: collect + checks + redactions + PDF + ZIP, stored",
        seconds,
        f"PDF {len(pdf):,} bytes, {pages}; ZIP {len(archive):,} bytes, {files} files",
    )
    report.line("(draft, once: includes the automatic redaction pass)", draft_seconds, "not the target")
    if args.save:
        Path(args.save).mkdir(parents=True, exist_ok=True)
        (Path(args.save) / "bundle.zip").write_bytes(archive)
        (Path(args.save) / "bundle.pdf").write_bytes(pdf)
        print(f"Saved bundle.pdf and bundle.zip in {args.save}")
    verdict = "met" if seconds < TARGET else "NOT met"
    print(f"Target: complete PDF + ZIP in under {TARGET:.0f} s: {verdict} ({seconds:.2f} s).")
    if tmp is not None:
        connection.close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
