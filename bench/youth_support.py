"""How long a youth-support run takes for a large trust, beside a raw query baseline in the same run.

    .venv/bin/python bench/youth_support.py [--pupils 50000] [--schools 10] [--opted-down 0.1] [--seed 1]

Builds a trust of secondary schools with `--pupils` pupils aged 11 to 18 (each with an address, a parent
with parental responsibility, and a tenth opted down to name, address and date of birth) using
`bulk_create` in a throwaway SQLite database (STEWARD_DATA_DIR in a temporary directory) or the database
named by DATABASE_URL (point it at a scratch one). Loads the default register and publishes each school's
parent notice, then times, school by school:

- baseline: one raw SQL query per school selecting the same pupils (on roll, 13 or over) joined to their
  address, written with `csv.writer` (no gate, no register, no log);
- the run: `steward.sharing.youth_support.run_youth_support` for every school: the gate, per-pupil sharing
  state, columns chosen by the register, the CSV, and one hash-chained disclosure row per pupil.

Prints seconds, pupils per second and the ratio to the baseline. Issue 5's target: a 50,000-pupil trust
in seconds.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import setup_django, timed


def build(pupils: int, schools: int, opted_down: float, seed: int, on: dt.date) -> list[Any]:
    from steward.audit.context import acting_as

    rng = random.Random(seed)
    with acting_as(None, channel="system", system_label="bench: youth support"):
        return _build(rng, pupils, schools, opted_down, on)


def _build(rng: random.Random, pupils: int, schools: int, opted_down: float, on: dt.date) -> list[Any]:
    from steward.accounts.models import RoleAssignment, User
    from steward.audit.context import acting_as
    from steward.audit.services import batched
    from steward.core.validators import upn_check_letter
    from steward.notices.services import publish_notice
    from steward.organisations.models import School, Trust
    from steward.people.models import Contact, Enrolment, Pupil, PupilAddress, PupilContact
    from steward.register.services import load_default_register
    from steward.rights.models import YouthSupportChoice

    dpo = User.objects.create(username="bench-dpo", first_name="Bench", last_name="DPO")
    trust = Trust.objects.create(
        name="Bench Academy Trust",
        dpo_name="Bench DPO",
        dpo_email="dpo@bench.example",
        address="1 Bench Road",
    )
    RoleAssignment.objects.create(user=dpo, role="trust_dpo", trust=trust)
    made = [
        School.objects.create(
            trust=trust,
            urn=f"{140000 + i}",
            la_code="823",
            estab=f"{4000 + i}",
            name=f"Bench Secondary {i + 1}",
            phase="secondary",
            school_type="academy",
        )
        for i in range(schools)
    ]
    with acting_as(dpo, channel="cli"), batched():
        load_default_register(trust, actor=dpo)
        for s in made:
            publish_notice(actor=dpo, school=s, audience="parent", effective_from=on)
        rows = []
        for n in range(pupils):
            body = f"823{1000 + n // 1000:04d}25{n % 1000:03d}"  # unique: establishment block, serial
            age_days = rng.randint(11 * 365, 18 * 365)
            rows.append(
                Pupil(
                    trust=trust,
                    upn=upn_check_letter(body) + body,
                    legal_forename=f"Pupil{n}",
                    legal_surname=f"Bench{n // 100}",
                    date_of_birth=on - dt.timedelta(days=age_days),
                    sex=rng.choice("MF"),
                    ncy="10",
                )
            )
        Pupil.objects.bulk_create(rows, batch_size=2000)
        pupils_db = list(Pupil.objects.filter(trust=trust).order_by("pk"))
        Enrolment.objects.bulk_create(
            [
                Enrolment(pupil=p, school=made[i % schools], admission_date=dt.date(2020, 9, 1))
                for i, p in enumerate(pupils_db)
            ],
            batch_size=2000,
        )
        PupilAddress.objects.bulk_create(
            [
                PupilAddress(pupil=p, line1=f"{i} Bench Road", town="Benchton", postcode="BE1 1NC")
                for i, p in enumerate(pupils_db)
            ],
            batch_size=2000,
        )
        contacts = Contact.objects.bulk_create(
            [
                Contact(trust=trust, forename=f"Parent{i}", surname="Bench", email=f"p{i}@example.com")
                for i in range(len(pupils_db))
            ],
            batch_size=2000,
        )
        PupilContact.objects.bulk_create(
            [
                PupilContact(pupil=p, contact=c, relationship="PAM", parental_responsibility=True)
                for p, c in zip(pupils_db, contacts, strict=True)
            ],
            batch_size=2000,
        )
        YouthSupportChoice.objects.bulk_create(
            [
                YouthSupportChoice(pupil=p, state="limited", decided_by="parent", contact=c, on=on)
                for p, c in zip(pupils_db, contacts, strict=True)
                if rng.random() < opted_down
            ],
            batch_size=2000,
        )
    return [dpo, made]


def baseline(school: Any, on: dt.date) -> int:
    """One raw query: pupils on roll aged 13+, with their address, written as CSV."""
    from dateutil.relativedelta import relativedelta
    from django.db import connection

    born_by = on - relativedelta(years=13)
    sql = """
        SELECT p.legal_forename, p.legal_surname, p.date_of_birth, a.line1, a.town, a.postcode
        FROM people_pupil p
        JOIN people_enrolment e ON e.pupil_id = p.id AND e.school_id = %s
        LEFT JOIN people_pupiladdress a ON a.pupil_id = p.id
        WHERE e.admission_date <= %s AND (e.leaving_date IS NULL OR e.leaving_date >= %s)
          AND p.date_of_birth <= %s
    """
    out = io.StringIO()
    writer = csv.writer(out)
    with connection.cursor() as cur:
        cur.execute(sql, [school.pk, on, on, born_by])
        rows = cur.fetchall()
    writer.writerows(rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=50_000)
    parser.add_argument("--schools", type=int, default=10)
    parser.add_argument("--opted-down", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    import os

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(None if os.environ.get("DATABASE_URL") else tmp)
        from django.utils import timezone

        from steward.audit.context import acting_as
        from steward.sharing.youth_support import run_youth_support

        on = timezone.localdate()
        t_build, (dpo, schools) = timed(
            lambda: build(args.pupils, args.schools, args.opted_down, args.seed, on)
        )
        print(f"built {args.pupils} pupils in {len(schools)} schools in {t_build:.1f} s")

        def raw() -> int:
            return sum(baseline(s, on) for s in schools)

        def steward_run() -> dict[str, int]:
            counts = {"included": 0, "limited": 0, "excluded": 0}
            with acting_as(dpo, channel="cli"):
                for s in schools:
                    result = run_youth_support(actor=dpo, school=s, on=on)
                    for k, v in result.counts().items():
                        counts[k] += v
            return counts

        t_raw, n_raw = timed(raw)
        t_run, counts = timed(steward_run)
        sent = counts["included"] + counts["limited"]
        print(
            f"{'baseline: raw SQL + csv.writer':<44} {t_raw:>8.2f} s {n_raw / t_raw:>10.0f} pupils/s   1.0x"
        )
        print(
            f"{'youth-support run (gate, log, file)':<44} {t_run:>8.2f} s {sent / t_run:>10.0f} pupils/s "
            f"{t_run / t_raw:>5.1f}x   ({counts['included']} full, {counts['limited']} limited, "
            f"{counts['excluded']} left out)"
        )
        if sent != n_raw:
            print(f"note: the baseline selected {n_raw} rows, the run sent {sent}")


if __name__ == "__main__":
    main()
