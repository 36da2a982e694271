"""Build (and replace) a fictional demo trust with schools, staff logins, pupils and their records.

Everything is drawn from one `random.Random(seed)`: the same seed on the same day gives the same
trust. Dates are relative to today's academic year (term dates, "the last 20 school days"), so a
run on another day shifts them; pass `today=` to pin them (the tests do).

Rows are written with `bulk_create`, which sends no signals; the audit log therefore gets one
summary event per model written (counts only, never values) through `record_many`. The trust,
its schools and the staff accounts are few and are saved one by one, so the signals log them.

Then `features.build_showcase` uses the real services to publish every school's notices, log rights
requests, run a youth-support share and commission AP placements (few rows, each validated and
audited as those services do). Replacing the demo removes all of it, and the disclosure log with it
when the demo is the only trust in that log (`delete_demo_trust`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import re
import secrets
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from steward.accounts.models import RoleAssignment, User
from steward.audit.context import current
from steward.audit.services import record_many
from steward.core.hashchain import GENESIS
from steward.core.validators import UPN_ALPHABET, uln_check_digit, upn_check_letter
from steward.demo import names
from steward.demo.calendar import (
    TermDates,
    academic_year_of,
    closures_for,
    first_day,
    school_days,
    terms_for,
    year_label,
)
from steward.demo.features import (
    PARENT_DOMAIN,
    PARENT_USERNAME,
    PROVIDER_DOMAIN,
    PROVIDER_USERNAME,
    build_showcase,
)
from steward.notices.models import history_teardown
from steward.organisations.models import Closure, School, Term, Trust
from steward.people.models import Contact, Enrolment, FSMPeriod, Pupil, PupilAddress, PupilContact, age_on
from steward.records.models import (
    EHCP,
    Accident,
    Allergy,
    Assessment,
    AttendanceMark,
    BehaviourIncident,
    EHCPReview,
    Exclusion,
    HealthcarePlan,
    MedicalCondition,
    Medication,
    Note,
    Post16Destination,
    Post16Learning,
    PupilRecord,
    SafeguardingConcern,
    SENNeed,
    SENProvision,
    Trip,
    TripParticipant,
)
from steward.register.services import load_default_register
from steward.registry.registry import entry_for, is_registered
from steward.sharing.models import Disclosure, DisclosureChainHead

DEMO_TRUST_NAME = "Meadowbank Learning Trust"
DEMO_DOMAIN = "meadowbank-trust.example.org"  # staff and schools; example.org is reserved
PUPIL_DOMAIN = "pupils.meadowbank.invalid"  # .invalid is reserved and never resolves
CONTACT_DOMAINS = ("example.com", "example.org")
SYSTEM_LABEL = "steward demo"
LONDON = ZoneInfo("Europe/London")
ATTENDANCE_DAYS = 20  # school days of marks per current pupil: enough to show patterns, sane volume
STAFF_ROLES = (("dsl", "dsl"), ("senco", "senco"), ("teacher", "teacher"), ("office", "office_manager"))

ProgressFn = Callable[[str, int, int], None]


class DemoError(Exception):
    """The demo cannot be built as asked (it exists already, or a username belongs to someone else)."""


@dataclass
class DemoResult:
    """What `build_demo` made: the trust, rows per model, the logins and how long it took."""

    trust: Trust
    schools: list[School]
    counts: dict[str, int]
    usernames: list[str]
    dpo_username: str
    password: str
    seconds: float
    provider_username: str = ""
    parent_username: str = ""
    guide: list[tuple[str, str]] = field(default_factory=list)  # (path, what the demo shows there)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def pupils(self) -> int:
        return self.counts.get("people.Pupil", 0)


# --- small helpers -------------------------------------------------------------------------------


def _slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", ascii_.lower())


def _ncy(n: int) -> str:
    return "R" if n == 0 else str(n)


@dataclass
class _SchoolPlan:
    school: School
    phase: str
    years: list[int]
    end_of_phase: list[int]
    entry: int
    feeders: list[str]  # establishment numbers of schools that issue pupils' UPNs
    users: dict[str, User] = field(default_factory=dict)


@dataclass
class _Family:
    surname: str
    address: tuple[str, str, str, str]  # line1, line2, town, postcode
    members: list[tuple[Contact, dict[str, Any]]]  # contact and its link fields


@dataclass
class _Kid:
    pupil: Pupil
    plan: _SchoolPlan
    n: int  # NC year number (R = 0) in ref_year
    ref_year: int  # the academic year `n` applies to
    admission: dt.date
    leaving: dt.date | None
    leaver_kind: str  # "", "end" (end of phase last summer) or "mid" (moved during the year)
    family: _Family

    @property
    def current(self) -> bool:
        return self.leaving is None

    @property
    def last_day(self) -> dt.date:
        return self.leaving or dt.date.max


# --- the builder ---------------------------------------------------------------------------------


class _Builder:
    def __init__(self, *, rng: random.Random, today: dt.date, seed: int) -> None:
        self.rng = rng
        self.today = today
        self.seed = seed
        self.year = academic_year_of(today)
        # Last year's terms too: early in September there are not yet 20 school days this year.
        self.terms: list[TermDates] = [
            t for y in (self.year - 1, self.year, self.year + 1) for t in terms_for(y)
        ]
        self.closures = closures_for(self.terms)
        self.days = school_days(self.terms, self.closures)
        self.past_days = [d for d in self.days if d < today]
        self.rows: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self.serial = itertools.count(1)
        self.upn_serials: Counter[tuple[str, str, str]] = Counter()
        self.ulns: set[str] = set()
        self.kids: list[_Kid] = []
        self.families: list[_Family] = []

    # -- random building blocks

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick_weighted(self, options: Mapping[Any, float]) -> Any:
        return self.rng.choices(list(options), weights=list(options.values()))[0]

    def date_between(self, lo: dt.date, hi: dt.date) -> dt.date | None:
        """A random weekday in [lo, hi], None when there is none."""
        if hi < lo:
            return None
        for _ in range(10):
            day = lo + dt.timedelta(days=self.rng.randrange((hi - lo).days + 1))
            if day.weekday() < 5:
                return day
        return None

    def school_day_between(self, lo: dt.date, hi: dt.date) -> dt.date | None:
        days = [d for d in self.past_days if lo <= d <= hi]
        return self.rng.choice(days) if days else None

    def at(self, day: dt.date, hours: tuple[int, int] = (9, 15)) -> dt.datetime:
        hour = self.rng.randint(*hours)
        return dt.datetime.combine(
            day, dt.time(hour, self.rng.choice((0, 10, 20, 30, 40, 50))), tzinfo=LONDON
        )

    def mobile(self) -> str:
        return f"07700 900{self.rng.randrange(1000):03d}"

    def landline(self) -> str:
        return f"01632 960{self.rng.randrange(1000):03d}"

    def work_phone(self) -> str:
        return f"0161 496 0{self.rng.randrange(1000):03d}"

    def address(self) -> tuple[str, str, str, str]:
        town, area = self.rng.choice(names.TOWNS)
        inward = f"{self.rng.randint(1, 9)}{''.join(self.rng.choices('ABDEFGHJLNPQRSTUWXYZ', k=2))}"
        line2 = self.rng.choice(names.LOCALITIES) if self.chance(0.3) else ""
        return (
            f"{self.rng.randint(1, 180)} {self.rng.choice(names.STREETS)}",
            line2,
            town,
            f"{area} {inward}",
        )

    def upn(self, la: str, estab: str, year: int, temporary: bool = False) -> str:
        yy = f"{year % 100:02d}"
        key = (estab, yy, "T" if temporary else "P")
        self.upn_serials[key] += 1
        n = self.upn_serials[key]
        if n > (99 if temporary else 999):
            raise DemoError("too many pupils for one school's UPN serials in a year: use more schools")
        if temporary:
            body = f"{la}{estab}{yy}{n:02d}{self.rng.choice(UPN_ALPHABET)}"
        else:
            body = f"{la}{estab}{yy}{n:03d}"
        return upn_check_letter(body) + body

    def uln(self) -> str:
        while True:
            first = str(self.rng.randint(1, 9)) + "".join(str(self.rng.randrange(10)) for _ in range(8))
            check = uln_check_digit(first)
            if check is not None and first + str(check) not in self.ulns:
                self.ulns.add(first + str(check))
                return first + str(check)

    def add(self, obj: models.Model) -> Any:
        self.rows[type(obj)].append(obj)
        return obj

    def rec(self, model: type[PupilRecord], kid: _Kid, role: str = "office", **fields: Any) -> Any:
        fields.setdefault("source", "school")
        return self.add(
            model(pupil=kid.pupil, school=kid.plan.school, recorded_by=kid.plan.users.get(role), **fields)
        )

    # -- organisation

    def trust(self, name: str) -> Trust:
        dpo = f"{self.rng.choice(names.ADULT_WOMEN)} {self.rng.choice(names.SURNAMES)}"
        trust = Trust(
            name=name,
            address=f"Trust Office, 1 Meadowbank Road, Meadowbank, {names.COUNTY} MB1 1AA",
            dpo_name=dpo,
            dpo_email=f"dpo@{DEMO_DOMAIN}",
            dpo_phone="01632 960000",
        )
        trust.save()
        return trust

    def schools(self, trust: Trust, count: int) -> list[_SchoolPlan]:
        if count == 1:
            phases = ["all-through"]
        else:
            secondaries = max(1, count // 3)
            phases = ["primary"] * (count - secondaries) + ["secondary"] * secondaries
        la = self.rng.choice(["380", "850", "886", "936", "938"])  # real LA numbers: UPNs must validate
        used_urns = set(School.objects.values_list("urn", flat=True))
        used_estabs = set(School.objects.filter(la_code=la).values_list("estab", flat=True))
        urns = (str(u) for u in itertools.count(990001) if str(u) not in used_urns)  # above any real URN
        pools = {"primary": names.PRIMARY_NAMES, "secondary": names.SECONDARY_NAMES}
        pools["all-through"] = names.ALL_THROUGH_NAMES
        plans = []
        for i, phase in enumerate(phases):
            base = 2000 if phase == "primary" else 4000  # DfE: 2xxx primary, 4xxx secondary
            estab = next(
                str(e)
                for e in itertools.count(base + self.rng.randrange(100, 900))
                if str(e) not in used_estabs
            )
            used_estabs.add(estab)
            pool = pools[phase]
            k = sum(1 for p in phases[:i] if p == phase)
            name = pool[k] if k < len(pool) else f"{pool[k % len(pool)]} ({k // len(pool) + 1})"
            slug = _slug(name)[:30]
            school = School(
                trust=trust,
                urn=next(urns),
                la_code=la,
                estab=estab,
                name=name,
                phase=phase,
                school_type="academy",
                address=f"{self.rng.randint(1, 60)} {self.rng.choice(names.STREETS)}, Meadowbank",
                postcode=f"MB1 {self.rng.randint(1, 9)}SC",
                headteacher=f"{self.rng.choice(names.ADULT_WOMEN + names.ADULT_MEN)} {self.rng.choice(names.SURNAMES)}",
                phone=self.landline(),
                email=f"office@{slug}.example.org",
                website=f"https://{slug}.example.org",
            )
            school.save()
            years = {"primary": list(range(0, 7)), "secondary": list(range(7, 14))}.get(
                phase, list(range(0, 14))
            )
            end = {"primary": [6], "secondary": [11, 13]}.get(phase, [11, 13])
            plans.append(_SchoolPlan(school, phase, years, end, 7 if phase == "secondary" else 0, []))
        primaries = [p.school.estab for p in plans if p.phase != "secondary"]
        fictional_feeders = [str(2000 + self.rng.randrange(100, 999)) for _ in range(3)]
        for p in plans:
            p.feeders = (primaries + fictional_feeders) if p.phase == "secondary" else [p.school.estab]
        return plans

    def calendar(self, plans: list[_SchoolPlan]) -> None:
        for p in plans:
            for t in self.terms:
                self.add(
                    Term(
                        school=p.school, academic_year=t.academic_year, name=t.name, start=t.start, end=t.end
                    )
                )
            for day, reason in self.closures:
                self.add(Closure(school=p.school, date=day, reason=reason))

    # -- pupils

    def plan_pupils(self, plans: list[_SchoolPlan], total: int) -> None:
        leavers = max(1, round(total * 0.1)) if total > 1 else 0
        slots = [(p, n) for p in plans for n in p.years]
        weights = [0.6 if n >= 12 else 1.0 for _, n in slots]  # sixth forms are smaller
        current = total - leavers
        quotas = [current * w / sum(weights) for w in weights]
        counts = [math.floor(q) for q in quotas]
        by_remainder = sorted(range(len(slots)), key=lambda i: (-(quotas[i] - counts[i]), i))
        for i in by_remainder[: current - sum(counts)]:
            counts[i] += 1
        for (p, n), k in zip(slots, counts, strict=True):
            for _ in range(k):
                self.kid(p, n, self.year, None, "")
        summer_end = max(t.end for t in self.terms if t.academic_year == year_label(self.year - 1))
        this_year = [d for d in self.past_days if d >= first_day(self.year)]
        for i in range(leavers):
            p = plans[i % len(plans)]
            if self.chance(0.6) or not self.past_days:
                self.kid(p, self.rng.choice(p.end_of_phase), self.year - 1, summer_end, "end")
            else:
                day = self.rng.choice(this_year or self.past_days)
                self.kid(p, self.rng.choice(p.years), academic_year_of(day), day, "mid")

    def family(self) -> _Family:
        rng = self.rng
        surname = rng.choice(names.SURNAMES)
        home = self.address()
        pattern = self.pick_weighted(
            {
                ("PAM",): 24,
                ("PAM", "PAF"): 45,
                ("PAF",): 5,
                ("PAM", "STF"): 6,
                ("PAM", "PAF", "GRM"): 9,
                ("GRM", "GRF"): 3,
                ("FOM", "FOF"): 3,
                ("CAR",): 3,
                ("PAM", "PAF", "GRF"): 2,
            }
        )
        members = []
        court_order = self.chance(0.02)
        for priority, rel in enumerate(pattern, start=1):
            female = rel in {"PAM", "STM", "GRM", "FOM"} or (rel == "CAR" and self.chance(0.6))
            forename = rng.choice(names.ADULT_WOMEN if female else names.ADULT_MEN)
            own_surname = (
                surname
                if rel in {"PAF", "GRF", "FOF", "FOM"} or self.chance(0.8)
                else rng.choice(names.SURNAMES)
            )
            lives_with = rel in {"PAM", "STF", "STM", "FOM", "FOF", "CAR"} or (
                rel == "PAF" and self.chance(0.75)
            )
            lives_with = lives_with or (rel in {"GRM", "GRF"} and pattern[0] in {"GRM", "GRF"})
            line1, line2, town, postcode = home if lives_with else self.address()
            title = self.pick_weighted(
                {"Mrs": 5, "Ms": 3, "Miss": 2, "Dr": 1} if female else {"Mr": 9, "Dr": 1}
            )
            contact = self.add(
                Contact(
                    title=title,
                    forename=forename,
                    surname=own_surname,
                    email=(
                        f"{_slug(forename)}.{_slug(own_surname)}{next(self.serial)}@{rng.choice(CONTACT_DOMAINS)}"
                        if self.chance(0.9)
                        else ""
                    ),
                    phone_mobile=self.mobile() if self.chance(0.95) else "",
                    phone_home=self.landline() if self.chance(0.4) else "",
                    phone_work=self.work_phone() if self.chance(0.2) else "",
                    address_line1=line1,
                    address_line2=line2,
                    town=town,
                    postcode=postcode,
                    source="parent",
                )
            )
            pr = {
                "PAM": True,
                "PAF": self.chance(0.92),
                "CAR": True,
                "GRM": pattern[0] == "GRM",  # kinship carers with a special guardianship order
                "GRF": pattern[0] == "GRM",
            }.get(rel, False)
            link = {
                "relationship": rel,
                "parental_responsibility": pr,
                "priority": priority,
                "lives_with": lives_with,
                "court_order": False,
                "court_order_note": "",
            }
            if court_order and rel in {"PAF", "PAM"} and not lives_with:
                link["court_order"] = True
                link["court_order_note"] = self.rng.choice(
                    [
                        "Child arrangements order: this contact may not collect the pupil from school. "
                        "Copy of the order held by the DSL.",
                        "Prohibited steps order: no information about the pupil's address to be shared "
                        "with this contact. Copy held by the DSL.",
                    ]
                )
                court_order = False
            members.append((contact, link))
        if court_order:  # no non-resident parent: put the order on the first parent link instead
            for _contact, link in members:
                if link["relationship"] in {"PAF", "PAM"}:
                    link["court_order"] = True
                    link["court_order_note"] = (
                        "Child arrangements order in place; see the DSL before any change."
                    )
                    break
        fam = _Family(surname, (home[0], home[1], home[2], home[3]), members)
        self.families.append(fam)
        return fam

    def kid(self, p: _SchoolPlan, n: int, ref_year: int, leaving: dt.date | None, kind: str) -> None:
        rng = self.rng
        fam = rng.choice(self.families) if self.families and self.chance(0.12) else self.family()
        sex = self.pick_weighted({"F": 495, "M": 495, "U": 10})
        forename = rng.choice({"F": names.GIRLS, "M": names.BOYS, "U": names.NEUTRAL}[sex])
        born_from = dt.date(ref_year - n - 5, 9, 1)
        dob = born_from + dt.timedelta(
            days=rng.randrange((dt.date(ref_year - n - 4, 8, 31) - born_from).days + 1)
        )
        reception_year = ref_year - n
        # Admission: start of the entry year (Reception or Year 7, some Year 12); 10% joined in year.
        entry = p.entry if n >= p.entry else n
        if p.phase == "secondary" and n >= 12 and self.chance(0.25):
            entry = 12
        join_year = ref_year - (n - entry)
        admission = first_day(join_year)
        if self.chance(0.1):
            admission = self.date_between(first_day(join_year), dt.date(join_year + 1, 7, 15)) or admission
        admission = min(admission, (leaving or self.today) - dt.timedelta(days=1))
        issuer = p.school.estab if entry == 0 and p.phase != "secondary" else rng.choice(p.feeders)
        temporary = self.chance(0.01)
        upn = self.upn(p.school.la_code, issuer, reception_year, temporary=temporary)
        former = (
            self.upn(p.school.la_code, issuer, reception_year, temporary=True) if self.chance(0.01) else ""
        )
        ethnicity = self.pick_weighted(
            {"WBRI": 68, "WOTH": 5, "WIRI": 1, "MWBC": 3, "MWAS": 2, "MOTH": 2, "AIND": 3, "APKN": 4, "ABAN": 2,
             "AOTH": 1, "BAFR": 3, "BCRB": 1, "CHNE": 1, "OOTH": 1, "WROM": 1, "REFU": 1, "NOBT": 1}
        )  # fmt: skip
        language = (
            "ENG" if self.chance(0.85) else rng.choice(["POL", "URD", "PNJ", "BNG", "RUM", "ARA", "SOM"])
        )
        pupil = self.add(
            Pupil(
                upn=upn,
                former_upn=former,
                uln=self.uln() if age_on(dob, self.today) >= 14 else "",
                legal_forename=forename,
                middle_names=rng.choice(names.GIRLS + names.BOYS) if self.chance(0.6) else "",
                legal_surname=fam.surname,
                preferred_forename=rng.choice(names.NEUTRAL) if self.chance(0.04) else "",
                date_of_birth=dob,
                sex=sex,
                ethnicity=ethnicity,
                ethnicity_source="P" if ethnicity != "NOBT" else "",
                first_language=language,
                nationality="British"
                if self.chance(0.88)
                else rng.choice(["Polish", "Romanian", "Irish", "Nigerian"]),
                country_of_birth="United Kingdom"
                if self.chance(0.9)
                else rng.choice(["Poland", "Romania", "India"]),
                ncy=_ncy(n),
                email=f"{_slug(forename)}.{_slug(fam.surname)}{next(self.serial)}@{PUPIL_DOMAIN}"
                if n >= 7
                else "",
                source="school",
            )
        )
        reason = ""
        if kind == "end":
            reason = {6: "Transferred to secondary school", 11: "Completed Year 11"}.get(
                n, "Completed sixth form"
            )
        elif kind == "mid":
            reason = rng.choice(
                ["Moved out of area", "Transferred to another school", "Elective home education"]
            )
        self.add(
            Enrolment(
                pupil=pupil,
                school=p.school,
                admission_date=admission,
                leaving_date=leaving,
                leaving_reason=reason,
                status="C",
                tutor_group=f"{_ncy(n)}{rng.choice('ABC')}",
            )
        )
        line1, line2, town, postcode = fam.address
        start = admission
        if self.chance(0.1):
            old = self.address()
            moved = self.date_between(admission, (leaving or self.today) - dt.timedelta(days=1))
            if moved and moved > admission:
                self.add(PupilAddress(pupil=pupil, line1=old[0], line2=old[1], town=old[2], county=names.COUNTY,
                                      postcode=old[3], start_date=admission, end_date=moved - dt.timedelta(days=1)))  # fmt: skip
                start = moved
        self.add(
            PupilAddress(
                pupil=pupil,
                line1=line1,
                line2=line2,
                town=town,
                county=names.COUNTY,
                postcode=postcode,
                start_date=start,
            )
        )
        for contact, link in fam.members:
            self.add(PupilContact(pupil=pupil, contact=contact, **link))
        if self.chance(0.18):
            fsm_start = self.date_between(admission, min(leaving or self.today, self.today))
            if fsm_start:
                end = fsm_start + dt.timedelta(days=rng.randint(120, 700)) if self.chance(0.3) else None
                self.add(
                    FSMPeriod(
                        pupil=pupil, start_date=fsm_start, end_date=end if end and end < self.today else None
                    )
                )
        self.kids.append(_Kid(pupil, p, n, ref_year, admission, leaving, kind, fam))

    # -- category records

    def ensure_court_order(self) -> None:
        """Small demos still show a court order: put one on a parent link if chance gave none."""
        links = cast(list[PupilContact], self.rows[PupilContact])
        if any(link.court_order for link in links):
            return
        for link in links:
            if link.relationship in {"PAF", "PAM"}:
                link.court_order = True
                link.court_order_note = "Child arrangements order in place; see the DSL before any change."
                return

    def sample(self, pool: list[_Kid], share: float) -> list[_Kid]:
        """About `share` of the pool, at least one when the pool is not empty (so small demos show every case)."""
        if not pool:
            return []
        return self.rng.sample(pool, min(len(pool), max(1, round(len(pool) * share))))

    def attendance(self) -> None:
        days = self.past_days[-ATTENDANCE_DAYS:]
        absences = {"I": 55, "M": 12, "O": 8, "G": 6, "N": 6, "C": 5, "U": 4, "R": 2, "E": 2}
        for kid in self.kids:
            if not kid.current:
                continue
            p_absent = 0.12 if self.chance(0.08) else 0.03
            for day in days:
                if day < kid.admission:
                    continue
                if self.chance(p_absent):
                    code = self.pick_weighted(absences)
                    am, pm, late = code, code, None
                elif self.chance(0.03):
                    am, pm, late = "L", "\\", self.rng.randint(5, 25)
                else:
                    am, pm, late = "/", "\\", None
                self.rec(AttendanceMark, kid, "teacher", date=day, session="AM", code=am, minutes_late=late)
                self.rec(AttendanceMark, kid, "teacher", date=day, session="PM", code=pm)

    def assessments(self) -> None:
        rng = self.rng
        for kid in self.kids:
            ability = min(9.0, max(1.0, rng.gauss(5.2, 1.6)))
            if kid.n >= 2 and kid.plan.phase != "secondary":
                year = kid.ref_year - (kid.n - 1)
                score = max(10, min(40, round(rng.gauss(34, 5))))
                self.result(kid, "statutory", "PHON", year, "Phonics screening check", f"{score}/40",
                            dt.date(year + 1, 6, 14), "Standards and Testing Agency")  # fmt: skip
            if kid.n >= 7:
                year = kid.ref_year - (kid.n - 6)
                source = "previous_school" if kid.plan.phase == "secondary" else "school"
                for subject in ("Reading", "Mathematics", "Grammar, punctuation and spelling"):
                    score = max(80, min(120, round(100 + (ability - 5) * 4 + rng.gauss(0, 4))))
                    self.result(kid, "statutory", "KS2", year, subject, str(score), dt.date(year + 1, 7, 7),
                                "Standards and Testing Agency", source=source)  # fmt: skip
                writing = "GDS" if ability > 6.5 else "EXS" if ability > 4 else "WTS"
                self.result(kid, "statutory", "KS2", year, "Writing (teacher assessment)", writing,
                            dt.date(year + 1, 7, 7), "", source=source)  # fmt: skip
            if kid.n >= 12 or (kid.n == 11 and kid.leaver_kind == "end"):
                year = kid.ref_year - (kid.n - 11)
                results_day = dt.date(year + 1, 8, 24)
                results_day -= dt.timedelta(days=(results_day.weekday() - 3) % 7)  # a Thursday
                subjects = ["English Language", "English Literature", "Mathematics", "Combined Science",
                            rng.choice(["History", "Geography"]), rng.choice(["French", "Spanish"]),
                            rng.choice(["Art and Design", "Computer Science", "Music", "Religious Studies"])]  # fmt: skip
                for subject in subjects:
                    grade = max(1, min(9, round(ability + rng.gauss(0, 1))))
                    result = (
                        f"{grade}-{max(1, grade - rng.randint(0, 1))}"
                        if subject == "Combined Science"
                        else str(grade)
                    )
                    board = rng.choice(["AQA", "Pearson Edexcel", "OCR", "WJEC Eduqas"])
                    self.result(kid, "statutory", "KS4", year, subject, result, results_day, board)
            if kid.current:
                day = self.school_day_between(
                    max(kid.admission, self.today - dt.timedelta(days=120)), self.today
                )
                if day:
                    for subject in (
                        ("Reading", "Mathematics") if kid.n < 7 else ("English", "Mathematics", "Science")
                    ):
                        if kid.n < 7:
                            result = (
                                "Greater depth"
                                if ability > 6.5
                                else "Expected"
                                if ability > 4
                                else "Working towards"
                            )
                        else:
                            result = f"Working at {max(1, min(9, round(ability + rng.gauss(-1, 1))))}"
                        self.result(kid, "internal", "INT", academic_year_of(day), subject, result, day, "",
                                    component="Termly assessment")  # fmt: skip

    def result(
        self,
        kid: _Kid,
        kind: str,
        stage: str,
        year: int,
        subject: str,
        result: str,
        on: dt.date,
        body: str,
        **extra: Any,
    ) -> None:
        if on >= self.today or on < kid.pupil.date_of_birth:
            return  # not sat yet
        self.rec(Assessment, kid, kind=kind, stage=stage, academic_year=year_label(year), subject=subject,
                 result=result, result_date=on, awarding_body=body, **extra)  # fmt: skip

    def post16(self) -> None:
        rng = self.rng
        subjects = ["Biology", "Chemistry", "Physics", "Mathematics", "English Literature", "History", "Psychology",
                    "Sociology", "Geography", "Art and Design", "Computer Science", "Economics"]  # fmt: skip
        for kid in self.kids:
            if kid.n in (12, 13) and (kid.current or kid.leaver_kind == "end"):
                start = first_day(kid.ref_year - (kid.n - 12))
                planned = dt.date(start.year + 2, 6, 30)
                finished = kid.leaver_kind == "end" and kid.n == 13
                for subject in rng.sample(subjects, 3):
                    self.rec(Post16Learning, kid, aim_reference=f"5{rng.randrange(10**7):07d}",
                             title=f"A level {subject}", level="3", start_date=start, planned_end_date=planned,
                             actual_end_date=planned if finished else None,
                             outcome=rng.choice(["A*", "A", "B", "C", "D", "E"]) if finished else "")  # fmt: skip
            if kid.leaver_kind == "end" and kid.n in (11, 13):
                options = (
                    {"HE": 55, "APPR": 15, "EMP": 10, "FE": 5, "EMPN": 5, "NEET": 3, "UNK": 7}
                    if kid.n == 13
                    else {"FE": 45, "SIXTH": 25, "APPR": 15, "NEET": 5, "UNK": 10}
                )
                dest = self.pick_weighted(options)
                provider = {
                    "HE": "University of Westshire",
                    "FE": "Westshire College",
                    "SIXTH": "Hartwell Sixth Form College",
                    "APPR": "Meadowbank Engineering Ltd",
                    "EMP": "Foxley Garden Centre",
                    "EMPN": "Brookside Café",
                }.get(dest, "")
                start = first_day(kid.ref_year + 1)
                confirmed = start + dt.timedelta(days=45)
                self.rec(Post16Destination, kid, destination=dest, provider=provider,
                         start_date=start if dest not in {"NEET", "UNK"} else None,
                         confirmed_on=confirmed if confirmed < self.today else None)  # fmt: skip

    def health(self) -> None:
        rng = self.rng
        conditions = {
            "Asthma": ("Reliever inhaler kept in class; use before PE if needed.", "Salbutamol inhaler", "2 puffs"),
            "Eczema": ("Emollient cream applied by the pupil at lunchtime.", "", ""),
            "Epilepsy": ("Seizure plan on file; staff trained in buccal midazolam.", "Buccal midazolam", "10 mg"),
            "Type 1 diabetes": ("Blood glucose checked before lunch and PE; snacks allowed in class.", "Insulin", "as per plan"),
            "Coeliac disease": ("Gluten-free meals from the kitchen.", "", ""),
        }  # fmt: skip
        for kid in self.sample(self.kids, 0.06):
            condition = self.pick_weighted(
                {"Asthma": 60, "Eczema": 15, "Epilepsy": 7, "Type 1 diabetes": 8, "Coeliac disease": 10}
            )
            management, medicine, dose = conditions[condition]
            diagnosed = self.date_between(kid.pupil.date_of_birth + dt.timedelta(days=400), kid.admission)
            self.rec(MedicalCondition, kid, condition=condition, management=management,
                     emergency_procedure="Call 999 and the parent; follow the care plan." if medicine else "",
                     diagnosed_on=diagnosed, review_date=dt.date(self.year + 1, 9, 30), source="parent")  # fmt: skip
            if medicine:
                self.rec(Medication, kid, name=medicine, dosage=dose, frequency="When needed" if condition == "Asthma" else "Daily",
                         storage="Medical room" if condition != "Asthma" else "Pupil carries", parental_agreement_on=kid.admission,
                         start_date=kid.admission)  # fmt: skip
            if condition in {"Epilepsy", "Type 1 diabetes"}:
                self.rec(HealthcarePlan, kid, title=f"Individual healthcare plan: {condition.lower()}",
                         start_date=kid.admission, review_date=kid.admission + dt.timedelta(days=365),
                         agreed_with="Parents, school nurse and specialist nurse")  # fmt: skip
        for kid in self.sample(self.kids, 0.04):
            allergen = rng.choice(
                ["Peanuts", "Tree nuts", "Egg", "Cow's milk", "Sesame", "Penicillin", "Bee stings"]
            )
            severity = self.pick_weighted({"mild": 35, "moderate": 35, "severe": 15, "anaphylaxis": 15})
            self.rec(Allergy, kid, allergen=allergen, severity=severity, reaction="Hives and swelling",
                     treatment="Adrenaline auto-injector, then call 999" if severity == "anaphylaxis" else "Antihistamine",
                     source="parent")  # fmt: skip
            if severity == "anaphylaxis":
                self.rec(Medication, kid, name="Adrenaline auto-injector", dosage="0.3 mg, two pens",
                         frequency="In an emergency", storage="Pupil carries one; spare in the medical room",
                         parental_agreement_on=kid.admission, start_date=kid.admission)  # fmt: skip
                self.rec(HealthcarePlan, kid, title="Allergy action plan", start_date=kid.admission,
                         review_date=kid.admission + dt.timedelta(days=365), agreed_with="Parents and school nurse")  # fmt: skip
        for kid in self.sample([k for k in self.kids if k.current], 0.03):
            day = self.school_day_between(max(kid.admission, self.today - dt.timedelta(days=150)), self.today)
            if not day:
                continue
            at = self.at(day, (10, 14))
            hospital = self.chance(0.08)
            self.rec(Accident, kid, occurred_at=at, location=rng.choice(["Playground", "Sports hall", "Corridor", "Field"]),
                     description=rng.choice(["Tripped while running", "Collided with another pupil during a game",
                                             "Fell from the climbing frame"]),
                     injury=rng.choice(["Graze to the left knee", "Bump to the forehead", "Sprained wrist"]),
                     treatment="Cleaned, cold compress applied", first_aider=kid.plan.users["office"].get_full_name(),
                     parent_informed_at=at + dt.timedelta(hours=1), hospital=hospital,
                     riddor_reportable=hospital, riddor_reference=f"RIDDOR-DEMO-{rng.randrange(10**5):05d}" if hospital else "")  # fmt: skip

    def sen(self) -> None:
        rng = self.rng
        for i, kid in enumerate(self.sample(self.kids, 0.15)):
            ehcp = i == 0 or self.chance(0.2)  # at least one EHC plan, however small the demo
            start = (
                self.date_between(kid.admission, min(kid.last_day, self.today) - dt.timedelta(days=1))
                or kid.admission
            )
            self.rec(
                SENProvision,
                kid,
                "senco",
                provision="E" if ehcp else "K",
                start_date=start,
                end_date=kid.leaving,
            )
            needs = (
                {"ASD": 30, "SEMH": 20, "SLCN": 15, "SLD": 10, "PMLD": 5, "PD": 5, "HI": 5, "VI": 5, "MLD": 5}
                if ehcp
                else {"SLCN": 25, "SEMH": 20, "MLD": 15, "SPLD": 15, "ASD": 10, "NSA": 10, "OTH": 5}
            )
            first = self.pick_weighted(needs)
            self.rec(SENNeed, kid, "senco", need=first, rank=1, start_date=start)
            if first != "NSA" and self.chance(0.35):
                second = self.pick_weighted({k: v for k, v in needs.items() if k not in {first, "NSA"}})
                self.rec(SENNeed, kid, "senco", need=second, rank=2, start_date=start)
            if ehcp:
                plan = self.rec(EHCP, kid, "senco", la_reference=f"EHC/{start.year % 100:02d}/{rng.randrange(10**4):04d}",
                                requested_on=start - dt.timedelta(days=140), issued_on=start, source="la")  # fmt: skip
                anniversary = start
                reviews = []
                while True:
                    anniversary += relativedelta(years=1)
                    if anniversary >= self.today or anniversary > kid.last_day:
                        break
                    reviews.append(anniversary)
                plan.next_review_on = anniversary if kid.current else None
                plan.ceased_on = kid.leaving
                for day in reviews[-3:]:
                    self.rec(EHCPReview, kid, "senco", ehcp=plan, review_date=day,
                             outcome=rng.choice(["Plan maintained; outcomes updated.", "Amendments proposed to section F.",
                                                 "Plan maintained; transport arrangements reviewed."]),
                             sent_to_la_on=day + dt.timedelta(days=14) if day + dt.timedelta(days=14) < self.today else None)  # fmt: skip

    def behaviour(self) -> None:
        rng = self.rng
        bad = [
            "Disruption in lesson",
            "Unkind words",
            "Refusal to follow instructions",
            "Lateness to lesson",
            "Fighting",
        ]
        good = ["Excellent work", "Kindness to others", "Contribution to school life", "Outstanding effort"]
        for kid in self.kids:
            if not kid.current:
                continue
            lo = max(kid.admission, self.today - dt.timedelta(days=120))
            for kind, chance, categories in (("negative", 0.3, bad), ("positive", 0.4, good)):
                if not self.chance(chance):
                    continue
                for _ in range(rng.randint(1, 3)):
                    day = self.school_day_between(lo, self.today)
                    if not day:
                        break
                    category = rng.choice(categories)
                    self.rec(BehaviourIncident, kid, "teacher", occurred_at=self.at(day), kind=kind, category=category,
                             description=f"{category} recorded by the class teacher.",
                             location=rng.choice(["Classroom", "Playground", "Corridor", "Dining hall"]),
                             action_taken=rng.choice(["Verbal warning", "Detention", "Phone call home"]) if kind == "negative" else "Praise postcard sent home",
                             points=-rng.randint(1, 3) if kind == "negative" else rng.randint(1, 3))  # fmt: skip
        secondary = [k for k in self.kids if k.current and k.n >= 7]
        for kid in self.sample(secondary, 0.015):
            start = self.school_day_between(
                max(kid.admission, self.today - dt.timedelta(days=150)), self.today
            )
            if not start:
                continue
            sessions = rng.choice([1, 2, 2, 4, 6])
            self.rec(Exclusion, kid, "office", kind="SUSP", start_date=start,
                     end_date=start + dt.timedelta(days=max(0, (sessions + 1) // 2 - 1)), sessions=sessions,
                     reason=self.pick_weighted({"PD": 40, "VA": 20, "PP": 15, "DM": 10, "MT": 10, "BU": 5}),
                     description="Suspension after a serious incident; reintegration meeting held with parents.",
                     parents_notified_on=start, la_notified_on=start + dt.timedelta(days=1))  # fmt: skip
        excluded = [k for k in self.kids if k.leaver_kind == "mid" and k.n >= 7 and k.leaving]
        if excluded:
            kid = excluded[0]
            assert kid.leaving is not None
            kid_enrolment = next(e for e in self.rows[Enrolment] if e.pupil is kid.pupil)  # type: ignore[attr-defined]
            kid_enrolment.leaving_reason = "Permanently excluded"  # type: ignore[attr-defined]
            self.rec(Exclusion, kid, "office", kind="PERM", start_date=kid.leaving, sessions=2, reason="PA",
                     description="Permanent exclusion after a serious assault on a member of staff.",
                     parents_notified_on=kid.leaving, governors_review_on=kid.leaving + dt.timedelta(days=12),
                     la_notified_on=kid.leaving)  # fmt: skip

    def safeguarding(self) -> None:
        rng = self.rng
        narratives = {
            "neglect": "Pupil arrived without a coat in cold weather for the third day running and said they were hungry.",
            "emotional": "Pupil became upset when asked about home and said they were frightened of being shouted at.",
            "domestic": "Pupil said there had been a loud argument at home and police had visited overnight.",
            "online": "Pupil showed a friend messages from an unknown adult asking for photographs.",
            "mental_health": "Pupil disclosed thoughts of self-harm to a teaching assistant during lunch.",
            "peer": "Two pupils reported repeated unwanted comments from an older pupil on the bus.",
            "physical": "Bruising noticed on the pupil's upper arm during PE; pupil gave an inconsistent account.",
        }  # fmt: skip
        for kid in self.sample(self.kids, 0.025):
            day = self.school_day_between(
                max(kid.admission, self.today - dt.timedelta(days=300)), min(kid.last_day, self.today)
            )
            if not day:
                continue
            category = self.pick_weighted({"neglect": 25, "emotional": 15, "domestic": 15, "online": 15,
                                           "mental_health": 15, "peer": 10, "physical": 5})  # fmt: skip
            referral = self.pick_weighted({"": 40, "early_help": 25, "csc": 20, "camhs": 10, "police": 5})
            closed = self.chance(0.55)
            self.rec(SafeguardingConcern, kid, "dsl", raised_at=self.at(day), raised_by_name=kid.plan.users["teacher"].get_full_name(),
                     category=category, narrative=narratives[category],
                     actions="DSL informed the same day; conversation with the pupil; parents contacted where safe.",
                     referral=referral, referral_date=day + dt.timedelta(days=rng.randint(0, 2)) if referral else None,
                     outcome="Reviewed by the DSL; no further action, monitoring ended." if closed else "",
                     status="closed" if closed else "open")  # fmt: skip

    def trips_and_notes(self, plans: list[_SchoolPlan]) -> None:
        rng = self.rng
        # Keyed by object identity: unsaved model instances are not hashable.
        allergies = {id(a.pupil): a.allergen for a in self.rows[Allergy]}  # type: ignore[attr-defined]
        templates = {
            "primary": [("Year 6 residential", "Westshire Outdoor Centre", 6, 3, False), ("Year 3 museum visit", "Meadowbank Museum", 3, 1, False)],
            "secondary": [("Year 9 battlefields trip", "Ypres, Belgium", 9, 4, True), ("Year 12 geography fieldwork", "Foxley Estuary", 12, 2, False)],
        }  # fmt: skip
        templates["all-through"] = templates["primary"][:1] + templates["secondary"][:1]
        for p in plans:
            for i, (name, where, n, length, overseas) in enumerate(templates[p.phase]):
                if i % 2 == 0:  # one trip already made this year (or last, early in September), one to come
                    before = self.today - dt.timedelta(days=7)
                    start = self.school_day_between(first_day(self.year), before) or self.school_day_between(
                        first_day(self.year - 1), before
                    )
                else:
                    future = [d for d in self.days if d > self.today + dt.timedelta(days=14)]
                    start = rng.choice(future[:120]) if future else None
                if start is None:
                    continue
                trip = self.add(Trip(school=p.school, name=name, destination=where, start_date=start,
                                     end_date=start + dt.timedelta(days=length - 1), residential=length > 1, overseas=overseas))  # fmt: skip
                for kid in self.kids:
                    if kid.plan is not p or not kid.current or kid.n != n or not self.chance(0.85):
                        continue
                    consented = self.chance(0.9)
                    first = kid.family.members[0][0]
                    allergen = allergies.get(id(kid.pupil))
                    consent_on = min(
                        start - dt.timedelta(days=rng.randint(14, 40)), self.today - dt.timedelta(days=1)
                    )
                    self.rec(TripParticipant, kid, trip=trip, consent_given=consented,
                             consent_date=consent_on if consented else None,
                             consent_by=f"{first.forename} {first.surname}" if consented else "",
                             medical_notes=f"{allergen} allergy: medication travels with the pupil." if allergen else "")  # fmt: skip
        notes = [
            ("Phone call with parent", "Parent called to say the pupil will be collected early on Friday for an appointment."),
            ("Transport", "Pupil now travels home on the school bus on Tuesdays and Thursdays."),
            ("Change of contact details", "Parent confirmed a new mobile number at parents' evening."),
        ]  # fmt: skip
        for kid in self.sample(self.kids, 0.1):
            title, body = rng.choice(notes)
            self.rec(Note, kid, title=title, body=body)


# --- replacing an existing demo ------------------------------------------------------------------


def _pupil_record_models() -> list[type[models.Model]]:
    found = [m for m in apps.get_models() if issubclass(m, PupilRecord)]
    # Children of other records first (their foreign keys point at records deleted after them).
    return sorted(found, key=lambda m: (m not in {EHCPReview, TripParticipant}, m._meta.label))


def _raw_delete(qs: QuerySet[Any]) -> int:
    """DELETE the rows of `qs` in one statement, without per-row signals (the caller audits a summary)."""
    model = qs.model
    sql, params = qs.values("pk").query.sql_with_params()
    qn = connection.ops.quote_name
    statement = f"DELETE FROM {qn(model._meta.db_table)} WHERE {qn(model._meta.pk.column)} IN ({sql})"  # noqa: S608 - names from model metadata, values bound
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def _clear_foreign_references(qs: QuerySet[Any], known: set[type[models.Model]]) -> None:
    """Rows of models the demo does not know (added later by other features) that point at `qs`:
    cascade them through the ORM, so their own audit signals log the deletion; empty a nullable
    reference; refuse otherwise."""
    for rel in qs.model._meta.related_objects:
        if rel.many_to_many or not isinstance(rel.related_model, type):
            continue
        related = cast(type[models.Model], rel.related_model)
        if related in known:
            continue
        refs = related._base_manager.filter(**{f"{rel.field.name}__in": qs.values("pk")})
        if not refs.exists():
            continue
        if rel.on_delete is models.CASCADE:
            refs.delete()
        elif rel.on_delete is models.SET_NULL:
            refs.update(**{rel.field.name: None})
        else:
            raise DemoError(
                f"{related._meta.verbose_name_plural} still refer to the demo trust; remove them before --replace"
            )


def _delete_order(found: list[type[models.Model]]) -> list[type[models.Model]]:
    """`found` ordered so that a model comes before every model it points at (share runs before the
    agreements they name, placements before providers): a PROTECT reference is then already gone when
    its target is deleted. Ties keep `found`'s order; a cycle keeps the rest in that order."""
    pending = list(found)
    targets = {
        m: {
            f.related_model
            for f in m._meta.concrete_fields
            if f.is_relation and f.related_model in found and f.related_model is not m
        }
        for m in found
    }
    ordered: list[type[models.Model]] = []
    while pending:
        # A model may go once no model still pending points at it.
        ready = next((m for m in pending if not any(m in targets[o] for o in pending if o is not m)), None)
        if ready is None:
            return ordered + pending
        ordered.append(ready)
        pending.remove(ready)
    return ordered


def _delete_disclosures(trust: Trust, schools: QuerySet[School]) -> int:
    """Delete the demo trust's rows of the disclosure log and reset the chain head, with one audit event.

    The log is one hash chain for the whole database, so its rows cannot be taken out of the middle:
    when any other trust has disclosure rows the replacement is refused (DemoError, nothing deleted),
    as a real trust's chain must never be rewritten. Otherwise every row is the demo's: all go, and
    the head goes back to the genesis hash, so `steward disclosures verify` passes on what follows.
    """
    mine = Q(school_ref__in=schools.values("pk")) | Q(run__school__in=schools.values("pk"))
    others = Disclosure.objects.exclude(mine)
    if others.exists():
        other_schools = sorted(set(others.values_list("school_ref", flat=True)))
        names = list(School.objects.filter(pk__in=other_schools).values_list("name", flat=True))
        raise DemoError(
            f"the disclosure log holds {others.count()} rows of other schools "
            f"({', '.join(names) or 'schools no longer in the database'}); it is one hash chain, so the "
            "demo's rows cannot be removed without rewriting theirs. Nothing was deleted: build the demo "
            "in another database (set STEWARD_DATA_DIR or DATABASE_URL)"
        )
    n = _raw_delete(Disclosure.objects.all())
    DisclosureChainHead.objects.filter(pk=1).update(last_hash=GENESIS)
    if n:
        record_many(
            [
                {
                    "action": "delete",
                    "model": Disclosure._meta.label,
                    "detail": {
                        "count": n,
                        "trust": trust.name,
                        "reason": "demo replaced",
                        "disclosure_log": "reset: only the demo trust had rows, so all were deleted and "
                        "the chain head set back to the genesis hash",
                    },
                }
            ]
        )
    return n


def _provider_logins(trust: Trust) -> list[int]:
    """Sign-ins of the trust's AP providers that hold no role outside it (removed with the demo)."""
    from steward.placements.models import ProviderUser

    users = set(ProviderUser.objects.filter(provider__trust=trust).values_list("user_id", flat=True))
    elsewhere = set(
        RoleAssignment.objects.filter(user_id__in=users)
        .exclude(trust=trust)
        .values_list("user_id", flat=True)
    )
    return sorted(users - elsewhere)


def delete_demo_trust(trust: Trust) -> dict[str, int]:
    """Delete a trust and everything in it, children first, in the caller's transaction.

    Big tables (attendance marks) go with one DELETE each; the audit log gets one "delete"
    event per model with the count. Staff accounts are kept (their audit trail names them); the
    sign-ins of the trust's AP providers go (the demo makes them afresh). The disclosure log goes
    only when the demo is the only trust in it (`_delete_disclosures`), else DemoError.
    """
    pupils = Pupil.objects.filter(trust=trust)
    schools = School.objects.filter(trust=trust)
    contacts = Contact.objects.filter(trust=trust)
    by_pupil_or_school = Q(pupil__in=pupils.values("pk")) | Q(school__in=schools.values("pk"))
    steps: list[QuerySet[Any]] = [
        m._default_manager.filter(by_pupil_or_school) for m in _pupil_record_models()
    ]
    steps += [
        Trip.objects.filter(school__in=schools.values("pk")),
        PupilContact.objects.filter(Q(pupil__in=pupils.values("pk")) | Q(contact__in=contacts.values("pk"))),
        Enrolment.objects.filter(by_pupil_or_school),
        PupilAddress.objects.filter(pupil__in=pupils.values("pk")),
        FSMPeriod.objects.filter(pupil__in=pupils.values("pk")),
        pupils,
        contacts,
        Term.objects.filter(school__in=schools.values("pk")),
        Closure.objects.filter(school__in=schools.values("pk")),
        RoleAssignment.objects.filter(trust=trust),
        schools,
        Trust.objects.filter(pk=trust.pk),
    ]
    known = {qs.model for qs in steps}
    counts: dict[str, int] = {}
    logins = _provider_logins(trust)
    n = _delete_disclosures(trust, schools)  # first: it may refuse, and share runs wait for it
    if n:
        counts[Disclosure._meta.label] = n
    # Other apps' rows that hang off the trust or its schools (rights requests, share runs, placements,
    # providers, agreements, the register of processing, notice versions) go next, through the ORM so
    # their own cascades and audit events apply; referrers before what they refer to.
    conditions: dict[type[models.Model], Q] = {}
    for model in apps.get_models():
        if model in known:
            continue
        cond = Q()
        for f in model._meta.concrete_fields:
            if not f.is_relation:
                continue
            protected = getattr(f.remote_field, "on_delete", None) is models.PROTECT
            if f.related_model is Trust:
                cond |= Q(**{f.name: trust})
            elif f.related_model is School:
                cond |= Q(**{f"{f.name}__in": schools.values("pk")})
            elif f.related_model is Pupil and protected:  # would stop the pupils' raw delete below
                cond |= Q(**{f"{f.name}__in": pupils.values("pk")})
            elif f.related_model is Contact and protected:
                cond |= Q(**{f"{f.name}__in": contacts.values("pk")})
        if cond:
            conditions[model] = cond
    for model in _delete_order(list(conditions)):
        with history_teardown("demo trust replaced"):  # published notices go with the demo trust
            n, _ = model._default_manager.filter(conditions[model]).delete()
        if n:
            counts[model._meta.label] = n
    for qs in steps:
        _clear_foreign_references(qs, known)
        n = _raw_delete(qs)
        if n:
            counts[qs.model._meta.label] = n
    if logins:
        User.objects.filter(pk__in=logins).delete()  # one by one through the ORM: each is audited
    _audit_summary(
        "delete",
        {k: v for k, v in counts.items() if k != Disclosure._meta.label},
        {"trust": trust.name, "reason": "demo replaced"},
    )
    return counts


def _audit_summary(
    action: str,
    counts: dict[str, int],
    detail: dict[str, Any],
    by_school: dict[str, dict[str, int]] | None = None,
) -> None:
    """One event per audited model written in bulk: the count, the categories, never a value."""
    items = []
    for label, n in counts.items():
        model = apps.get_model(label)
        if not (is_registered(model) or getattr(model, "audit_changes", False)):
            continue
        item: dict[str, Any] = {
            "action": action,
            "model": label,
            "detail": {
                "count": n,
                **detail,
                **({"by_school": by_school[label]} if by_school and label in by_school else {}),
            },
        }
        if is_registered(model):
            entry = entry_for(model)
            item["categories"] = [c.key for c in entry.categories]
            item["special"] = entry.special
            item["fields"] = [f.name for f in entry.personal_fields()]
        items.append(item)
    record_many(items)


# --- the service ---------------------------------------------------------------------------------


def _demo_usernames(schools: int) -> list[str]:
    return ["dpo"] + [f"{prefix}-{i}" for i in range(1, schools + 1) for prefix, _role in STAFF_ROLES]


def _check_usernames(usernames: Iterable[str], replacing: set[int]) -> None:
    """Demo logins may reuse earlier demo accounts, never anyone else's."""
    domains = ("@" + DEMO_DOMAIN, "@" + PROVIDER_DOMAIN, "@" + PARENT_DOMAIN)
    for user in User.objects.filter(username__in=list(usernames)):
        trusts = set(RoleAssignment.objects.filter(user=user).values_list("trust_id", flat=True))
        if not user.email.endswith(domains) or not trusts <= replacing:
            raise DemoError(
                f"a user called {user.username!r} already exists and is not a demo login; "
                "rename it or build the demo in another database"
            )


def build_demo(
    *,
    schools: int = 3,
    pupils: int = 2000,
    seed: int = 1,
    progress: ProgressFn | None = None,
    password: str | None = None,
    replace: bool = False,
    today: dt.date | None = None,
    trust_name: str = DEMO_TRUST_NAME,
) -> DemoResult:
    """Build a fictional trust with `schools` schools (primary and secondary when 2 or more) and
    `pupils` pupils (about 10% leavers) with contacts, term dates and category records, plus
    staff logins: the trust DPO ("dpo") and a DSL, SENCO, teacher and office manager per school.
    Then the showcase (`features.build_showcase`): published notices, rights requests, a youth-support
    run, an AP provider with its own login (`DemoResult.provider_username`) and placements.

    Runs in the caller's audit context. Refuses (DemoError) when a trust called `trust_name`
    exists, unless `replace`, which deletes it first in the same transaction. The password is
    `password`, or a new random one; it is returned in the result, never logged.
    """
    if schools < 1 or pupils < 1:
        raise DemoError("a demo needs at least one school and one pupil")
    current()  # fail early outside an audit context
    started = time.perf_counter()
    password = password or secrets.token_urlsafe(12)
    validate_password(password)
    hashed = make_password(password)  # hashed once: argon2 for every account would cost seconds
    report = progress or (lambda _label, _done, _total: None)
    builder = _Builder(rng=random.Random(seed), today=today or timezone.localdate(), seed=seed)
    usernames = _demo_usernames(schools)

    with transaction.atomic():
        existing = list(Trust.objects.filter(name=trust_name))
        if existing and not replace:
            raise DemoError(f"a trust called {trust_name!r} already exists; use --replace to rebuild it")
        _check_usernames([*usernames, PROVIDER_USERNAME, PARENT_USERNAME], {t.pk for t in existing})
        steps = 4
        report("Removing the old demo" if existing else "Creating the trust", 0, steps)
        for old in existing:
            delete_demo_trust(old)
        # A provider login left by a demo whose trust is gone (its email is the demo provider's and it
        # has no role, as `_check_usernames` made sure): the showcase makes it afresh.
        User.objects.filter(username=PROVIDER_USERNAME, email__endswith="@" + PROVIDER_DOMAIN).delete()
        User.objects.filter(username=PARENT_USERNAME, email__endswith="@" + PARENT_DOMAIN).delete()
        trust = builder.trust(trust_name)
        plans = builder.schools(trust, schools)
        _logins(builder, trust, plans, hashed)
        report("Planning pupils and records", 1, steps)
        builder.calendar(plans)
        builder.plan_pupils(plans, pupils)
        builder.ensure_court_order()
        builder.attendance()
        builder.assessments()
        builder.post16()
        builder.health()
        builder.sen()
        builder.behaviour()
        builder.safeguarding()
        builder.trips_and_notes(plans)
        for contact in builder.rows[Contact]:
            contact.trust = trust  # type: ignore[attr-defined]
        for pupil in builder.rows[Pupil]:
            pupil.trust = trust  # type: ignore[attr-defined]
        order = [Contact, Pupil, Enrolment, PupilAddress, FSMPeriod, PupilContact, Term, Closure, Trip, EHCP]
        order += [m for m in builder.rows if m not in order and m is not EHCPReview] + [EHCPReview]
        order = [m for m in order if builder.rows.get(m)]
        steps = len(order) + 2
        counts: dict[str, int] = {}
        by_school: dict[str, dict[str, int]] = {}
        urns = {p.school.pk: p.school.urn for p in plans}
        for i, model in enumerate(order, start=2):
            objs = builder.rows[model]
            report(f"Writing {model._meta.verbose_name_plural}", i, steps)
            model._default_manager.bulk_create(objs, batch_size=2000)
            counts[model._meta.label] = len(objs)
            per_school = Counter(urns[o.school_id] for o in objs if getattr(o, "school_id", None) in urns)  # type: ignore[attr-defined]
            if per_school:
                by_school[model._meta.label] = dict(sorted(per_school.items()))
        report("Writing the audit log", steps - 1, steps)
        _audit_summary("create", counts, {"generator": SYSTEM_LABEL, "seed": seed}, by_school)
        # The demo trust starts with Steward's default register of processing, as a new trust would.
        load_default_register(trust, actor=User.objects.get(username="dpo"))
        report("Publishing notices, logging requests, sharing and placing pupils", steps, steps + 1)
        showcase = build_showcase(
            rng=builder.rng, today=builder.today, trust=trust, plans=plans, kids=builder.kids, hashed=hashed
        )
        report("Done", steps + 1, steps + 1)
    counts = {
        "organisations.Trust": 1,
        "organisations.School": len(plans),
        "accounts.User": len(usernames),
        "accounts.RoleAssignment": len(usernames),
        **counts,
    }
    for label, n in showcase.counts.items():
        counts[label] = counts.get(label, 0) + n
    return DemoResult(
        trust=trust,
        schools=[p.school for p in plans],
        counts=counts,
        usernames=usernames,
        dpo_username="dpo",
        password=password,
        seconds=time.perf_counter() - started,
        provider_username=showcase.provider_username,
        parent_username=showcase.parent_username,
        guide=showcase.guide,
    )


def _logins(builder: _Builder, trust: Trust, plans: list[_SchoolPlan], hashed: str) -> None:
    """The demo staff: saved one by one, so the audit signals log each account and role."""
    rng = builder.rng

    def account(username: str) -> User:
        user = User.objects.filter(username=username).first() or User(username=username)
        female = rng.random() < 0.6
        user.first_name = rng.choice(names.ADULT_WOMEN if female else names.ADULT_MEN)
        user.last_name = rng.choice(names.SURNAMES)
        user.email = f"{username}@{DEMO_DOMAIN}"
        user.password = hashed
        user.is_active = True
        user.save()
        return user

    dpo = account("dpo")
    RoleAssignment.objects.create(user=dpo, role="trust_dpo", trust=trust, school=None)
    for i, p in enumerate(plans, start=1):
        for prefix, role in STAFF_ROLES:
            user = account(f"{prefix}-{i}")
            RoleAssignment.objects.create(user=user, role=role, trust=trust, school=p.school)
            p.users[prefix] = user
