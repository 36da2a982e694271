"""The demo's showcase: published notices, rights requests, an alternative provision provider with
placements and a youth-support run, written through the services so every rule, event and audit
record is the real one.

Counts stay small (the bulk of the demo is `services._Builder`); choices come from the builder's
`random.Random`, so the same seed on the same day gives the same showcase. Everything here runs in
the caller's audit context (the demo process, or `--actor`); the services' own records name the
fictional staff who would have done each step (the trust DPO and the school's office manager).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from steward.accounts.models import User
from steward.notices.audiences import NoticeAudience
from steward.notices.services import publish_notice
from steward.organisations.models import Trust
from steward.people.models import Contact, Pupil, PupilContact, age_on
from steward.placements import services as placements
from steward.rights import services as rights
from steward.rights.models import (
    CompetenceOutcome,
    DecidedBy,
    RequesterKind,
    RequestKind,
    RightsRequest,
    Status,
    YouthSupportState,
)
from steward.rights.outcomes.rectification import rectify
from steward.rights.outcomes.youth_support import record_youth_support_choice
from steward.rights.selectors import DUE_SOON_DAYS
from steward.rights.tasks import create_task, suggest_tasks
from steward.sharing.youth_support import run_youth_support

if TYPE_CHECKING:
    from steward.demo.services import _Kid, _SchoolPlan

PROVIDER_NAME = "Northside Tuition Centre"  # fictional
PROVIDER_DOMAIN = "northside-tuition.example.com"  # example.com is reserved
PROVIDER_USERNAME = "northside"
PARENT_USERNAME = "parent"  # the demo family's portal sign-in (a parent with parental responsibility)
PARENT_DOMAIN = "families.example.net"  # example.net is reserved
NOTICE_AUDIENCES = (
    NoticeAudience.PARENT,
    NoticeAudience.PUPIL,
    NoticeAudience.PUPIL_YOUNG,
    NoticeAudience.AP,
)
AP_CATEGORIES = ["pupil.identity", "pupil.attendance", "pupil.behaviour"]
DAY = dt.timedelta(days=1)


@dataclass
class Showcase:
    """What the showcase wrote: rows per model, the provider's login and where to look in the UI."""

    counts: dict[str, int] = field(default_factory=dict)
    provider_username: str = ""
    parent_username: str = ""
    guide: list[tuple[str, str]] = field(default_factory=list)  # (path, what is there)

    def add(self, label: str, n: int = 1) -> None:
        self.counts[label] = self.counts.get(label, 0) + n


def _long(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


class _Showcase:
    def __init__(
        self,
        *,
        rng: random.Random,
        today: dt.date,
        trust: Trust,
        plans: Sequence[_SchoolPlan],
        kids: Sequence[_Kid],
        hashed: str,
    ) -> None:
        self.rng = rng
        self.today = today
        # Notices take effect today at the earliest, and a share or placement needs a notice in force
        # on its day: when `today` is pinned in the past (tests), those use the real date instead.
        self.share_day = max(today, timezone.localdate())
        self.trust = trust
        self.plans = list(plans)
        self.kids = list(kids)
        self.hashed = hashed
        self.out = Showcase()
        self.dpo = User.objects.get(username="dpo")
        # Secondary pupils are the interesting ones (youth support, competence, placements).
        self.plan = next((p for p in self.plans if p.phase != "primary"), self.plans[-1])
        self.school = self.plan.school
        self.office = User.objects.get(pk=self.plan.users["office"].pk)
        self.used: set[int] = set()  # pupils already given a part in the showcase
        self.parents: dict[int, Contact] | None = None  # pupil id -> parent who may act (`parent_of`)

    # -- choosing pupils

    def age(self, kid: _Kid, on: dt.date | None = None) -> int:
        return age_on(kid.pupil.date_of_birth, on or self.today)

    def pupils(self, test: Callable[[_Kid], bool]) -> list[_Kid]:
        return [
            k
            for k in self.kids
            if k.plan is self.plan and k.current and k.pupil.pk not in self.used and test(k)
        ]

    def parent_of(self, kid: _Kid) -> Contact | None:
        """A contact with parental responsibility and no court order (one who may act for the pupil)."""
        if self.parents is None:
            self.parents = {}
            links = (
                PupilContact.objects.filter(
                    pupil__enrolments__school=self.school, parental_responsibility=True, court_order=False
                )
                .select_related("contact")
                .order_by("pupil_id", "-priority", "-pk")
            )
            for link in links:
                self.parents[link.pupil_id] = link.contact  # the first by priority wins
        return self.parents.get(kid.pupil.pk)

    def take(self, pool: list[_Kid], prefer: Callable[[_Kid], Any] | None = None) -> _Kid | None:
        if not pool:
            return None
        kid = min(pool, key=prefer) if prefer else self.rng.choice(pool)
        self.used.add(kid.pupil.pk)
        return kid

    # -- notices

    def notices(self) -> None:
        for p in self.plans:
            for audience in NOTICE_AUDIENCES:
                publish_notice(
                    actor=self.dpo, school=p.school, audience=audience, effective_from=self.share_day
                )
                self.out.add("notices.NoticeVersion")
        self.out.guide.append(
            ("/notices/", "published privacy notices: parents, pupils, younger pupils and AP, every school")
        )

    # -- youth support

    def youth_support(self) -> None:
        on = self.share_day
        choices = 0
        young = self.pupils(lambda k: 13 <= self.age(k, on) < 16 and self.parent_of(k) is not None)
        for kid in self.rng.sample(young, k=min(3, len(young))):
            record_youth_support_choice(
                actor=self.office,
                pupil=kid.pupil,
                state=YouthSupportState.LIMITED,
                decided_by=DecidedBy.PARENT,
                contact=self.parent_of(kid),
                on=self.today - self.rng.randint(10, 60) * DAY,
                note="Parent returned the youth-support form: name, address and date of birth only.",
            )
            self.used.add(kid.pupil.pk)
            choices += 1
        chosen_on = self.today - self.rng.randint(5, 30) * DAY
        older = self.pupils(lambda k: self.age(k, chosen_on) >= 16)  # the pupil's own choice from 16
        if older:
            kid = self.rng.choice(older)
            record_youth_support_choice(
                actor=self.office,
                pupil=kid.pupil,
                state=YouthSupportState.LIMITED,
                decided_by=DecidedBy.PUPIL,
                on=chosen_on,
                note="Told the sixth-form office they want only name, address and date of birth passed on.",
            )
            self.used.add(kid.pupil.pk)
            choices += 1
        self.out.add("rights.YouthSupportChoice", choices)
        result = run_youth_support(actor=self.office, school=self.school, on=on)
        counts = result.counts()
        self.out.add("sharing.ShareRun", len(result.runs))
        self.out.add("sharing.Disclosure", counts["included"] + counts["limited"])
        self.out.guide.append(
            (
                "/sharing/",
                f"the youth-support run of {self.school.name} on {_long(on)}: {counts['included']} pupils "
                f"in full, {counts['limited']} limited to name, address and date of birth "
                "(each pupil's page lists the disclosure)",
            )
        )

    # -- the portal family

    def portal_family(self) -> None:
        _portal_family(self)

    # -- alternative provision

    def placements(self) -> None:
        on = self.share_day
        provider = placements.provider_create(
            actor=self.dpo,
            trust=self.trust,
            name=PROVIDER_NAME,
            email=f"office@{PROVIDER_DOMAIN}",
            address="Unit 4, Northside Business Park, Meadowbank MB2 4NT",
        )
        link = placements.provider_user_add(
            actor=self.dpo,
            provider=provider,
            school=self.school,
            username=PROVIDER_USERNAME,
            email=f"{PROVIDER_USERNAME}@{PROVIDER_DOMAIN}",
            first_name="Robin",
            last_name="Ashworth",
        )
        # The real flow sends a one-time set-password link; the demo login takes the demo password.
        User.objects.filter(pk=link.user_id).update(password=self.hashed)
        self.out.provider_username = PROVIDER_USERNAME
        agreement = placements.agreement_create(
            actor=self.dpo,
            trust=self.trust,
            title=f"Alternative provision: {PROVIDER_NAME}",
            parties=f"{self.trust.name} and {PROVIDER_NAME}",
            categories=AP_CATEGORIES,
            starts_on=on - 60 * DAY,
            ends_on=dt.date(on.year + 1 if on.month >= 9 else on.year, 8, 31),
            onward_sharing="None, except back to the commissioning school.",
        )
        self.out.add("placements.Provider")
        self.out.add("placements.ProviderUser")
        self.out.add("accounts.User")
        self.out.add("accounts.RoleAssignment")
        self.out.add("sharing.Agreement")
        pool = self.pupils(lambda k: 14 <= self.age(k, on) <= 15) or self.pupils(lambda k: True)
        ended = 0
        for i, (services, reason) in enumerate(
            [
                (
                    "Three days a week of English, maths and mentoring in a small group.",
                    "Needs a smaller setting while the school reviews the pupil's support plan.",
                ),
                (
                    "Two mornings a week of one-to-one tuition in maths.",
                    "Catching up on maths after a long absence.",
                ),
            ]
        ):
            kid = self.take(pool)
            if kid is None:
                break
            pool = [k for k in pool if k is not kid]
            placement = placements.commission_placement(
                actor=self.office,
                pupil=kid.pupil,
                school=self.school,
                provider=provider,
                agreement=agreement,
                starts_on=on,
                ends_on=min(on + 8 * 7 * DAY, agreement.ends_on or on),
                services=services,
                categories=AP_CATEGORIES,
                reason=reason,
                on=on,
            )
            self.out.add("placements.Placement")
            self.out.add("sharing.ShareRun")
            self.out.add("sharing.Disclosure")
            if i == 1:
                placements.end_placement(
                    actor=self.office,
                    placement=placement,
                    reason="The pupil returned to a full timetable at school after a review meeting.",
                    on=on,
                )
                ended += 1
        running = self.out.counts.get("placements.Placement", 0) - ended
        self.out.guide.append(
            (
                "/placements/",
                f"{PROVIDER_NAME}: its data sharing agreement, {running} placement{'' if running == 1 else 's'} "
                f"running and {ended} ended early",
            )
        )
        self.out.guide.append(
            (
                "/provider/",
                f"sign in as {PROVIDER_USERNAME} to see only the placed pupil, as the provider does",
            )
        )

    # -- rights requests

    def log(self, kid: _Kid, kind: str, received_on: dt.date, description: str, **kw: Any) -> RightsRequest:
        req = rights.request_log(
            actor=self.office,
            school=self.school,
            pupil=kid.pupil,
            kind=kind,
            received_on=received_on,
            description=description,
            **kw,
        )
        self.out.add("rights.RightsRequest")
        return req

    def start(self, req: RightsRequest, on: dt.date) -> RightsRequest:
        return rights.transition(actor=self.office, request=req, to=Status.IN_PROGRESS, on=on)

    def due_this_week(self) -> dt.date:
        """A receipt date whose one-month deadline falls in the coming week (not today), so the
        dashboard lists the request as due soon."""
        from steward.rights.deadlines import due_date

        start = self.today - relativedelta(months=1)
        for days in range(2, 12):
            received = start + days * DAY
            due = due_date("access", received, school=self.school).due
            if due is not None and 1 <= (due - self.today).days <= DUE_SOON_DAYS:
                return received
        return start + 3 * DAY

    def requests(self) -> None:
        t = self.today
        made: list[RightsRequest] = []

        # 1. A pupil asks for their own data: in progress, a manual search assigned, due this week.
        kid = self.take(self.pupils(lambda k: self.age(k) >= 13), prefer=lambda k: (-self.age(k), k.pupil.pk))
        if kid is not None:
            received = self.due_this_week()
            req = self.log(
                kid,
                RequestKind.ACCESS,
                received,
                "I would like a copy of everything the school holds about me, including emails that "
                "mention me and who my information has been shared with.",
                requester_kind=RequesterKind.PUPIL,
                channel="email",
                assigned_to=self.office,
            )
            req = self.start(req, received + DAY)
            systems = suggest_tasks(req)
            if systems:
                s = self.rng.choice(systems)
                create_task(
                    actor=self.office,
                    request=req,
                    system=s.system,
                    instructions=s.instructions,
                    assigned_to=self.office,
                )
            else:
                create_task(
                    actor=self.office,
                    request=req,
                    system_name="Staff email",
                    instructions="Search staff mailboxes for emails about the pupil and return them.",
                    assigned_to=self.office,
                )
            self.out.add("rights.ManualTask")
            made.append(req)

        # 2. A parent asks for a 14-year-old's data: competent, so the pupil's view is awaited.
        pool = [k for k in self.pupils(lambda k: 12 <= self.age(k) <= 16) if self.parent_of(k) is not None]
        kid = self.take(pool, prefer=lambda k: (abs(self.age(k) - 14), k.pupil.pk))
        if kid is not None:
            received = t - 9 * DAY
            parent = self.parent_of(kid)
            req = self.log(
                kid,
                RequestKind.ACCESS,
                received,
                "A copy of my child's records, including behaviour and attendance, this year and last.",
                requester_kind=RequesterKind.PARENT,
                requester_contact=parent,
                channel="letter",
                assigned_to=self.dpo,
            )
            req = self.start(req, received + DAY)
            rights.competence_assessed(
                actor=self.dpo,
                request=req,
                on=received + 2 * DAY,
                outcome=CompetenceOutcome.COMPETENT,
                note="Head of year: understands what the request is and what release to a parent means.",
            )
            rights.note_added(
                actor=self.dpo,
                request=req,
                on=received + 2 * DAY,
                note="Head of year to ask the pupil, privately, whether they agree to release to the parent.",
            )
            made.append(req)

        # 3. A rectification, applied and reviewed: ready to tell the parent.
        pool = [k for k in self.pupils(lambda k: True) if self.parent_of(k) is not None]
        kid = self.take(pool)
        if kid is not None:
            received = t - 12 * DAY
            req = self.log(
                kid,
                RequestKind.RECTIFICATION,
                received,
                "My child's middle name is spelt wrongly on school records.",
                requester_kind=RequesterKind.PARENT,
                requester_contact=self.parent_of(kid),
                channel="in_person",
                assigned_to=self.office,
            )
            req = self.start(req, received + DAY)
            pupil = Pupil.objects.get(pk=kid.pupil.pk)
            corrected = "Marie" if pupil.middle_names != "Marie" else "Maria"
            rectify(
                actor=self.office,
                request=req,
                target=pupil,
                field="middle_names",
                value=corrected,
                on=received + 3 * DAY,
                statement="Checked against the birth certificate the parent brought in.",
            )
            self.out.add("rights.Rectification")
            rights.transition(
                actor=self.office, request=req, to=Status.AWAITING_REVIEW, on=received + 3 * DAY
            )
            rights.transition(
                actor=self.dpo,
                request=req,
                to=Status.READY,
                on=received + 4 * DAY,
                note="Reviewed: the correction matches the certificate; the MIS was corrected too.",
            )
            made.append(req)

        # 4. An erasure request refused, with the reasons given to the parent.
        pool = [k for k in self.pupils(lambda k: True) if self.parent_of(k) is not None]
        kid = self.take(pool)
        if kid is not None:
            received = t - 20 * DAY
            req = self.log(
                kid,
                RequestKind.ERASURE,
                received,
                "Delete the record of the behaviour incident last term and my child's attendance record.",
                requester_kind=RequesterKind.PARENT,
                requester_contact=self.parent_of(kid),
                channel="email",
            )
            req = self.start(req, received + DAY)
            rights.transition(
                actor=self.dpo,
                request=req,
                to=Status.REFUSED,
                on=received + 8 * DAY,
                note="The school must keep attendance registers and behaviour records while the pupil is on "
                "roll (legal obligation and public task, so Art 17(3)(b) applies). The parent was told why, "
                "and of the right to complain to the ICO and to seek a judicial remedy.",
            )
            made.append(req)

        # 5. A parent's request that has run past its deadline (identity was asked for first).
        pool = [k for k in self.pupils(lambda k: True) if self.parent_of(k) is not None]
        kid = self.take(pool, prefer=lambda k: (self.age(k), k.pupil.pk))
        if kid is not None:
            received = t - 50 * DAY
            req = self.log(
                kid,
                RequestKind.ACCESS,
                received,
                "Everything the school holds about my child.",
                requester_kind=RequesterKind.PARENT,
                requester_contact=self.parent_of(kid),
                channel="email",
                assigned_to=self.office,
            )
            rights.identity_requested(
                actor=self.office,
                request=req,
                on=received,
                note="Emailed from an address not on record: asked for ID.",
            )
            rights.identity_verified(
                actor=self.office,
                request=req,
                on=received + 3 * DAY,
                method="In person at reception",
                evidence_note="Passport seen by the office manager; address matches our records.",
            )
            made.append(req)

        overdue = sum(
            1 for r in made if r.is_open and (d := rights.due(r).due) is not None and d < self.today
        )
        soon = sum(
            1
            for r in made
            if r.is_open
            and (d := rights.due(r).due) is not None
            and 0 <= (d - self.today).days <= DUE_SOON_DAYS
        )
        mine = sum(1 for r in made if r.assigned_to_id == self.office.pk)
        self.out.guide.append(
            (
                "/requests/",
                f"{len(made)} rights requests at {self.school.name} ({overdue} overdue, {soon} due this week; "
                f"{mine} assigned to {self.office.username}, the office manager)",
            )
        )


def _portal_family(s: _Showcase) -> None:
    from steward.accounts.models import RoleAssignment
    from steward.consent.selectors import purposes_for
    from steward.consent.services import record_consent
    from steward.portal.models import PortalLink

    kid = s.take(s.pupils(lambda k: 11 <= s.age(k) <= 15 and s.parent_of(k) is not None))
    if kid is None:
        return
    parent = s.parent_of(kid)
    assert parent is not None
    # The real flow emails a one-time link to set a password; the demo sign-in takes the demo password.
    user = User.objects.create(
        username=PARENT_USERNAME,
        email=f"{PARENT_USERNAME}@{PARENT_DOMAIN}",
        first_name=parent.forename,
        last_name=parent.surname,
        password=s.hashed,
    )
    RoleAssignment.objects.create(user=user, role="parent", trust=s.trust, school=s.school)
    PortalLink.objects.create(user=user, contact=parent, school=s.school)
    given = 0
    for purpose in purposes_for(s.school):
        if purpose.biometric or purpose.given_by == "pupil":
            continue
        # Paper forms returned in September: yes to most things, no to the press.
        action = "refuse" if purpose.key == "photos_press" else "grant"
        record_consent(
            actor=s.dpo,
            pupil=kid.pupil,
            purpose=purpose,
            action=action,
            by="parent",
            contact=parent,
            method="paper",
            on=s.today - 60 * DAY,
            note="Data collection form, September.",
        )
        given += 1
    s.out.parent_username = PARENT_USERNAME
    s.out.add("portal.PortalLink")
    s.out.add("accounts.User")
    s.out.add("accounts.RoleAssignment")
    s.out.add("consent.ConsentEvent", given)
    s.out.guide.append(
        (
            "/portal/",
            f"sign in as {PARENT_USERNAME} ({parent.forename} {parent.surname}, parent of "
            f"{kid.pupil.legal_forename}): the notice, consents to change, youth-support sharing, requests "
            "and the annual data check",
        )
    )


def build_showcase(
    *,
    rng: random.Random,
    today: dt.date,
    trust: Trust,
    plans: Sequence[_SchoolPlan],
    kids: Sequence[_Kid],
    hashed: str,
) -> Showcase:
    """Publish every school's notices, then add youth-support choices and the youth-support run, an AP
    provider (with a login using the demo password `hashed`), an agreement and two placements, five
    rights requests in different states, and a family with a portal sign-in and recorded consents, all at
    the trust's first secondary school."""
    s = _Showcase(rng=rng, today=today, trust=trust, plans=plans, kids=kids, hashed=hashed)
    s.notices()
    s.requests()
    s.youth_support()
    s.placements()
    s.portal_family()
    return s.out
