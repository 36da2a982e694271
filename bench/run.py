"""Throughput of the demo generator and the MIS import, beside a raw bulk-insert baseline.

    .venv/bin/python bench/run.py [--pupils 2000] [--schools 3] [--seed 1]

Runs against a throwaway SQLite database in a temporary directory (STEWARD_DATA_DIR), or the
database named by DATABASE_URL when that is set (point it at a scratch database: the benchmark
adds a demo trust and an import trust to it). Every figure is measured in the same run on the same
database, and each is printed with its ratio to the baseline's rows per second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ itself, for _common
from _common import setup_django, timed


class Report:
    def __init__(self) -> None:
        self.baseline: float | None = None

    def line(self, label: str, rows: int, seconds: float, extra: str = "") -> float:
        rate = rows / seconds if seconds else float("inf")
        if self.baseline is None:
            self.baseline = rate
        ratio = rate / self.baseline
        print(f"{label:<46} {rows:>8,} rows {seconds:>8.2f} s {rate:>11,.0f} rows/s {ratio:>7.3f}x  {extra}")
        return rate


def bare_pupils(trust: Any, count: int, la: str, estab: str) -> list[Any]:
    from steward.core.validators import upn_check_letter
    from steward.people.models import Pupil

    made = []
    for i in range(count):
        body = f"{la}{estab}{20 + i // 1000:02d}{i % 1000:03d}"
        made.append(
            Pupil(
                trust=trust,
                upn=upn_check_letter(body) + body,
                legal_forename="Bench",
                legal_surname=f"Pupil{i}",
                date_of_birth=dt.date(2012, 1, 1),
                sex="U",
                ncy="9",
            )
        )
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--schools", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    tmp = None if os.environ.get("DATABASE_URL") else tempfile.TemporaryDirectory(prefix="steward-bench-")
    setup_django(tmp.name if tmp else None)

    from django.db import connection, transaction

    from steward.accounts.models import RoleAssignment, User
    from steward.audit.context import acting_as
    from steward.demo.export import pupils_csv
    from steward.demo.services import build_demo
    from steward.imports.services import import_pupils
    from steward.organisations.models import School, Trust
    from steward.people.models import Contact, Enrolment, FSMPeriod, Pupil, PupilAddress, PupilContact

    vendor = connection.vendor
    where = connection.settings_dict["NAME"]
    print(
        f"Steward benchmark: {vendor} ({where}), {args.pupils} pupils, {args.schools} schools, seed {args.seed}"
    )
    print(f"{'measure':<46} {'rows':>13} {'time':>10} {'rate':>18} {'ratio':>8}")
    report = Report()

    with acting_as(None, channel="system", system_label="bench"):
        # Baseline: bare pupil rows, no validation, no audit, in one transaction.
        base_trust = Trust.objects.create(name="Bench Baseline Trust")
        bare = bare_pupils(base_trust, args.pupils, "201", "3999")  # built outside the timing
        with transaction.atomic():
            seconds, _ = timed(lambda: Pupil.objects.bulk_create(bare, batch_size=2000))
        report.line("baseline: Pupil.objects.bulk_create (bare)", args.pupils, seconds)
        # Django's own signal-free fast delete: these bare rows were never audited either.
        Pupil.objects.filter(trust=base_trust)._raw_delete(Pupil.objects.db)

        objs = bare_pupils(base_trust, args.pupils, "201", "3999")
        table = Pupil._meta.db_table
        columns = ["trust_id", "upn", "former_upn", "uln", "legal_forename", "middle_names", "legal_surname",
                   "preferred_forename", "preferred_surname", "former_surname", "date_of_birth", "sex",
                   "ethnicity", "ethnicity_source", "first_language", "nationality", "country_of_birth", "ncy",
                   "email", "source", "created_at", "updated_at"]  # fmt: skip
        now = dt.datetime.now(dt.UTC)
        values = [
            (base_trust.pk, p.upn, "", "", p.legal_forename, "", p.legal_surname, "", "", "", p.date_of_birth,
             p.sex, "NOBT", "", "NOT", "", "", p.ncy, "", "school", now, now)
            for p in objs
        ]  # fmt: skip
        qn = connection.ops.quote_name
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {qn(table)} ({', '.join(map(qn, columns))}) VALUES ({placeholders})"  # noqa: S608
        with transaction.atomic(), connection.cursor() as cursor:
            seconds, _ = timed(lambda: cursor.executemany(sql, values))
        report.line("reference: DB-API executemany (bare pupils)", args.pupils, seconds)
        Pupil.objects.filter(trust=base_trust)._raw_delete(Pupil.objects.db)

        # The demo generator.
        seconds, result = timed(lambda: build_demo(schools=args.schools, pupils=args.pupils, seed=args.seed))
        report.line(
            "demo: build_demo (all rows)", result.rows, seconds, f"{result.pupils / seconds:,.0f} pupils/s"
        )

        # The import: every demo pupil in one file, into a school of a new trust.
        text = "".join(
            pupils_csv(school) if i == 0 else pupils_csv(school).split("\r\n", 1)[1]
            for i, school in enumerate(result.schools)
        )
        path = Path(tmp.name if tmp else tempfile.gettempdir()) / "bench-import.csv"
        path.write_text(text, encoding="utf-8")
        file_rows = text.count("\r\n") - 1
        trust = Trust.objects.create(name="Bench Import Trust")
        school = School.objects.create(
            trust=trust,
            urn="990999",
            la_code="201",
            estab="3998",
            name="Bench Import School",
            phase="all-through",
            school_type="academy",
        )
        office = User.objects.filter(username="bench-office").first() or User.objects.create_user(
            "bench-office"
        )
        RoleAssignment.objects.create(user=office, role="office_manager", trust=trust, school=school)

    tracked = [Pupil, Enrolment, PupilAddress, FSMPeriod, Contact, PupilContact]

    def db_rows() -> int:
        return sum(m.objects.count() for m in tracked)

    with acting_as(office, channel="cli"):
        before = db_rows()
        seconds, first = timed(lambda: import_pupils(path_or_file=path, school=school, actor=office))
        written = db_rows() - before
        report.line(
            "import: first run, file rows (creates)",
            file_rows,
            seconds,
            f"{written:,} DB rows, {written / seconds:,.0f} DB rows/s; {first.counts()['pupils']}",
        )
        seconds, again = timed(lambda: import_pupils(path_or_file=path, school=school, actor=office))
        report.line("import: same file again (unchanged)", file_rows, seconds, f"{again.counts()['pupils']}")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
