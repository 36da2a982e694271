"""Precision, recall and throughput of the automatic third-party redaction pass.

    .venv/bin/python bench/redaction.py [--passages 400] [--pupils 600] [--seed 1] [--repeat 5]

Builds a labelled, entirely fictional set (deterministic for a seed): a register of pupils,
contacts and staff from ``steward.demo.names``, and short school-record passages (behaviour
incidents, safeguarding notes, medical notes, parents' emails) made from templates, so every
span that should be redacted is known by construction. Distractors are there too: the subject's
own name and details, the requesting parent (kept), staff acting in their role (not redacted by
default), ordinary words that are also names ("in May", "Will you"), invalid UPN-like references.

Prints precision and recall overall, per kind and per form of name mention, then throughput
beside a raw baseline measured in the same run: one compiled regex alternation of every known
name token, substituted over the same passages (fast, but blind to context; its precision and
recall are printed too). No database is needed: the known people are built directly.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # run from a checkout even when steward is not installed
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")

import django  # noqa: E402

django.setup()  # the validators raise Django's ValidationError; no database is touched

from steward.core.validators import uln_check_digit, upn_check_letter  # noqa: E402
from steward.demo import names  # noqa: E402
from steward.rights.redaction import KnownPerson, build_matcher, redact  # noqa: E402

NICKNAMES = {
    "Thomas": "Tom",
    "Samuel": "Sam",
    "Joshua": "Josh",
    "Oliver": "Ollie",
    "Alfie": "Alf",
    "Edward": "Ted",
    "Jacob": "Jake",
    "Matilda": "Tilly",
    "Florence": "Flo",
    "Sophia": "Sophie",
    "Imogen": "Immy",
    "Elsie": "Els",
    "Isaac": "Zac",
    "Henry": "Harry",
    "Maryam": "Mari",
}
# Names that are also ordinary words, so the distractors below can trip a careless matcher.
WORDLIKE_FORENAMES = ("May", "Will", "Hope", "Rose", "Grace", "Mark", "Bill", "Ivy", "Robin")
ODD_SURNAMES = ("O'Neill", "D'Souza", "Smith-Jones", "Ashdown-Hartley", "McAllister", "Ní Bhriain")
STAFF_SURNAMES = ("Hargreaves", "Ashworth", "Bellamy", "Culpepper", "Dimmock", "Entwistle", "Featherstone")
STAFF_FORENAMES = ("Judith", "Malcolm", "Beverley", "Graham", "Lorraine", "Trevor", "Yvonne")
PHONES = ("07700 900{n:03d}", "07700900{n:03d}", "+44 7700 900{n:03d}", "(01632) 960{n:03d}",
          "0161 496 0{n:03d}", "020 7946 0{n:03d}", "0113 496 0{n:03d}")  # fmt: skip
INWARD = "ABDEFGHJLNPQRSTUWXYZ"

TEMPLATES = (
    # behaviour
    "At lunchtime {SF} and {P} argued in the dining hall. {PPOS} tray was knocked over and {ST} "
    "separated them. {PF} was upset.",
    "{P} reported that {SF} had taken a pencil case. {ST} spoke to both pupils; {PF} accepted an apology.",
    "During PE {SF} was pushed by {PX}. {ST} noted that {PS} has been warned before. {D}",
    "{S} and {PP} were seen leaving the site at 12:40. {PP} later said it was {PF}'s idea.",
    "Incident in Room 14: {P} threw a rubber at {SF}. Witnesses: {P2}, {PF2}. {D}",
    "{PF} said {SF} called {PF2} names on the bus. {ST} to follow up with {CT}.",
    "{SF} was involved in a disagreement with {PX} and {P2} at break. {D}",
    # safeguarding
    "{SF} disclosed that {OP} had shouted at home. {SF} is worried about {OPF}. DSL {ST} informed. "
    "{OPF} now lives at {A}, {PC}.",
    "Concern raised by {CT} (tel {PH}) about {SF} spending time at {A} with {P}. {D}",
    "{RP} phoned to say that {SF} would stay with {C} this weekend. {C} can be reached on {PH}.",
    "Social worker {C} ({E}) visited. {SF} spoke about {PF} and {PP}. {ST} attended.",
    "Strategy meeting notes: {S} (UPN {SU}) and sibling {SIB} attend. {SIB}'s UPN is {U}.",
    # medical
    "{SF} has asthma; inhaler kept in the office. {PF} also has an inhaler (ULN {L}). {D}",
    "Accident: {SF} bumped heads with {P} in the playground. {PPOS} parent {CT} was called on {PH}.",
    "Medical note: {S} to take medication at 12:00. Do not confuse with {P}, same class. {D}",
    # emails from parents
    "From: {SE}\nDear {ST}, {SF} told me {P} has been unkind again. {D} Please call me on {SPH}. "
    "Regards, {RP}",
    "Hi, I am {RP}, {SF}'s mother. Could {SF} sit away from {PF} and {PS2}? {CT} agrees. Email {E}.",
    "From: {E}\nTo: {SE}\nRe: party. {PPOS} party is at {A}, {PC} on Saturday; {SF} is invited. {C}",
    "Dear school, please update the address: {SF} now lives at {SA}, {SPC}. {D}",
    "Parent email: {SF} and {PP} fell out. {PP}'s dad {C} phoned me from {PH}. {D}",
    # admin
    "Transfer file: {S}, UPN {SU}, previous UPN noted in error as {BADU}. {D}",
    "Exam access arrangements: {SF} and {P} share a reader. Candidate {P2} ULN {L}. {D}",
    "Bus list: {SF}, {PF}, {PF2}, {PX}. Contact {CT} on {PH} or {E} if late.",
    "{P} moved to {A}, {PC}. {SF} still walks with {PF} from {SA}.",
    "Home visit by {ST} to {SA}, {SPC}; {RP} present. Neighbour {C} of {A} was also there.",
    "{D} {SF} mentioned {PF} and {P2} in circle time.",
)
DISTRACTORS = (
    "The library will close in May.",
    "Will you please call the office?",
    "May I ask for an update?",
    "Hope you are well.",
    "Mark the register by 9:00.",
    "Books were returned on 3 May 2025.",
    "We hope things settle down.",
    "The rose garden is out of bounds.",
    "A grace period of one week applies.",
    "Young people in Year 9 use the side gate.",
    "The bill for the trip is due in June.",
    "Staff will review this at the end of term.",
    "Robin Hood is the class reader this term.",
)


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    kind: str
    form: str


@dataclass
class Passage:
    text: str
    gold: list[Gold]


@dataclass
class World:
    subject: KnownPerson
    kept: KnownPerson  # the requesting parent
    other_parent: KnownPerson
    sibling: KnownPerson
    pupils: list[KnownPerson]  # other pupils (not the sibling)
    contacts: list[KnownPerson]  # other contacts
    staff: list[KnownPerson]

    def others(self) -> list[KnownPerson]:
        return [self.other_parent, self.sibling, *self.pupils, *self.contacts]


def _upn(rng: random.Random) -> str:
    body = f"201{rng.randint(3000, 3999)}{rng.randint(10, 25)}{rng.randint(0, 999):03d}"
    return upn_check_letter(body) + body


def _uln(rng: random.Random) -> str:
    while True:
        nine = str(rng.randint(100_000_000, 999_999_999))
        check = uln_check_digit(nine)
        if check is not None and check < 10:
            return f"{nine}{check}"


def _postcode(rng: random.Random) -> str:
    return f"MB{rng.randint(1, 4)} {rng.randint(1, 9)}{rng.choice(INWARD)}{rng.choice(INWARD)}"


def build_world(pupils: int, seed: int) -> World:
    rng = random.Random(seed)
    forenames = [*names.GIRLS, *names.BOYS, *names.NEUTRAL, *WORDLIKE_FORENAMES]
    surnames = [*names.SURNAMES, *ODD_SURNAMES]
    serial = iter(range(1, 10**6))

    def pupil(surname: str | None = None) -> KnownPerson:
        fore = rng.choice(forenames)
        pref = (NICKNAMES[fore],) if fore in NICKNAMES and rng.random() < 0.7 else ()
        return KnownPerson(
            kind="pupil",
            id=f"pupil:{next(serial)}",
            forenames=(fore, *pref),
            surnames=(surname or rng.choice(surnames),),
            emails=(),
            addresses=(f"{rng.randint(1, 200)} {rng.choice(names.STREETS)}",),
            postcodes=(_postcode(rng),),
            upns=(_upn(rng),),
            ulns=(_uln(rng),),
        )

    def adult(surname: str, kind: str = "contact") -> KnownPerson:
        fore = rng.choice([*names.ADULT_WOMEN, *names.ADULT_MEN])
        n = next(serial)
        return KnownPerson(
            kind="contact",
            id=f"{kind}:{n}",
            forenames=(fore,),
            surnames=(surname,),
            emails=(f"{fore.lower()}.{re.sub(r'[^a-z]', '', surname.lower())}{n}@example.com",),
            phones=(rng.choice(PHONES).format(n=n % 1000),),
            addresses=(f"{rng.randint(1, 200)} {rng.choice(names.STREETS)}",),
            postcodes=(_postcode(rng),),
        )

    subject = KnownPerson(
        kind="pupil",
        id="pupil:0",
        forenames=("Matilda", "Tilly"),
        surnames=("Fairbrother",),
        emails=("tilly.fairbrother@pupils.example.com",),
        addresses=("7 Heron Drive",),
        postcodes=("MB1 4HX",),
        upns=(_upn(rng),),
    )
    kept = KnownPerson(
        "contact", "contact:0", ("Rebecca",), ("Fairbrother",), ("rebecca.f@example.org",),
        ("07700 900001",), ("7 Heron Drive",), ("MB1 4HX",),
    )  # fmt: skip
    other_parent = adult("Kettering")
    sibling = pupil("Fairbrother")
    others = [pupil() for _ in range(pupils)]
    contacts = [adult(p.surnames[0]) for p in others[: pupils // 2]]
    staff = [
        KnownPerson("staff", f"staff:{i}", (f,), (s,))
        for i, (f, s) in enumerate(zip(STAFF_FORENAMES, STAFF_SURNAMES, strict=True))
    ]
    return World(subject, kept, other_parent, sibling, others, contacts, staff)


@dataclass
class _Builder:
    """Appends text pieces, recording a gold span for the ones that should be redacted."""

    pieces: list[str] = field(default_factory=list)
    gold: list[Gold] = field(default_factory=list)
    pos: int = 0

    def put(
        self, text: str, kind: str | None = None, form: str = "", *, at: int = 0, length: int = -1
    ) -> None:
        if kind is not None:
            start = self.pos + at
            self.gold.append(Gold(start, start + (len(text) - at if length < 0 else length), kind, form))
        self.pieces.append(text)
        self.pos += len(text)


def build_passages(world: World, count: int, seed: int) -> list[Passage]:
    """``count`` passages with gold spans, deterministic for ``seed``."""
    rng = random.Random(seed + 1000)
    slot = re.compile(r"\{(\w+)\}")
    with_nickname = [p for p in world.pupils if len(p.forenames) > 1]
    with_odd_surname = [p for p in world.pupils if p.surnames[0] in ODD_SURNAMES]
    out: list[Passage] = []
    for i in range(count):
        template = TEMPLATES[i % len(TEMPLATES)]
        # Fixed people per passage so "P" and "PF" usually refer to the same pupil.
        p1, p2 = rng.sample(world.pupils, 2)
        pref = rng.choice(with_nickname)
        odd = rng.choice(with_odd_surname)
        contact = rng.choice(world.contacts)
        staff = rng.choice(world.staff)
        s, kept, op = world.subject, world.kept, world.other_parent
        title = "Mrs" if contact.forenames[0] in names.ADULT_WOMEN else "Mr"
        staff_title = rng.choice(("Mrs", "Mr", "Ms", "Dr"))
        b = _Builder()
        put = b.put
        last = 0
        for m in slot.finditer(template):
            put(template[last : m.start()])
            last = m.end()
            name = m.group(1)
            if name == "P":
                put(f"{p1.forenames[0]} {p1.surnames[0]}", "name", "full")
            elif name == "P2":
                put(f"{p2.forenames[0]} {p2.surnames[0]}", "name", "full")
            elif name == "PF":
                put(p1.forenames[0], "name", "forename")
            elif name == "PF2":
                put(p2.forenames[0], "name", "forename")
            elif name in {"PS", "PS2"}:
                put((p1 if name == "PS" else p2).surnames[0], "name", "surname")
            elif name == "PP":
                put(pref.forenames[1], "name", "preferred")
            elif name == "PPOS":
                put(f"{p1.forenames[0]}'s", "name", "possessive", length=len(p1.forenames[0]))
            elif name == "PX":
                put(f"{odd.forenames[0]} {odd.surnames[0]}", "name", "hyphen/apostrophe")
            elif name == "C":
                put(f"{contact.forenames[0]} {contact.surnames[0]}", "name", "contact full")
            elif name == "CT":
                put(f"{title} {contact.surnames[0]}", "name", "title surname", at=len(title) + 1)
            elif name == "OP":
                put(f"{op.forenames[0]} {op.surnames[0]}", "name", "other parent")
            elif name == "OPF":
                put(op.forenames[0], "name", "forename")
            elif name == "SIB":
                put(f"{world.sibling.forenames[0]} {world.sibling.surnames[0]}", "name", "sibling full")
            elif name == "RP":
                put(f"{kept.forenames[0]} {kept.surnames[0]}")  # kept: the requester
            elif name == "ST":
                put(f"{staff_title} {staff.surnames[0]}")  # staff in role: disclosed by default
            elif name == "S":
                put(f"{s.forenames[0]} {s.surnames[0]}")
            elif name == "SF":
                put(rng.choice(s.forenames))
            elif name == "E":
                put(contact.emails[0], "email", "email")
            elif name == "SE":
                put(s.emails[0])
            elif name == "PH":
                put(contact.phones[0], "phone", "phone")
            elif name == "SPH":
                put(kept.phones[0])
            elif name == "U":
                put(world.sibling.upns[0] if "SIB" in template else p1.upns[0], "upn", "upn")
            elif name == "SU":
                put(s.upns[0])
            elif name == "BADU":
                good = s.upns[0]
                put(("A" if good[0] != "A" else "B") + good[1:])  # wrong check letter: a typo
            elif name == "L":
                put(p1.ulns[0], "uln", "uln")
            elif name == "A":
                put(
                    (contact if "CT" in template or "{C}" in template else p1).addresses[0],
                    "address",
                    "address",
                )
            elif name == "SA":
                put(s.addresses[0])
            elif name == "PC":
                put(p1.postcodes[0], "postcode", "postcode")
            elif name == "SPC":
                put(s.postcodes[0])
            elif name == "D":
                put(rng.choice(DISTRACTORS))
            else:  # pragma: no cover - a template typo
                raise KeyError(name)
        put(template[last:])
        out.append(Passage("".join(b.pieces), b.gold))
    return out


@dataclass
class Score:
    tp_gold: Counter[str]
    all_gold: Counter[str]
    tp_pred: Counter[str]
    all_pred: Counter[str]
    forms_hit: Counter[str]
    forms_all: Counter[str]
    misses: list[str]
    false_positives: list[str]


def score(passages: list[Passage], predicted: list[list[tuple[int, int, str]]]) -> Score:
    """Recall: a gold span counts when predicted spans cover every non-space character of it.
    Precision: a predicted span counts when it overlaps a gold span."""
    sc = Score(Counter(), Counter(), Counter(), Counter(), Counter(), Counter(), [], [])
    for passage, spans in zip(passages, predicted, strict=True):
        # Spaces need no covering: "Sam" and "Taylor" redacted apart still withhold "Sam Taylor".
        covered = [c.isspace() for c in passage.text]
        for s, e, _ in spans:
            for k in range(s, e):
                covered[k] = True
        for g in passage.gold:
            hit = all(covered[g.start : g.end])
            sc.all_gold[g.kind] += 1
            sc.forms_all[g.form] += 1
            if hit:
                sc.tp_gold[g.kind] += 1
                sc.forms_hit[g.form] += 1
            else:
                sc.misses.append(f"{g.form}: {passage.text[g.start : g.end]!r}")
        for s, e, kind in spans:
            sc.all_pred[kind] += 1
            if any(s < g.end and g.start < e for g in passage.gold):
                sc.tp_pred[kind] += 1
            else:
                sc.false_positives.append(f"{kind}: {passage.text[s:e]!r}")
    return sc


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "  -  "


def steward_spans(
    world: World, passages: list[Passage], *, redact_staff: bool = False
) -> list[list[tuple[int, int, str]]]:
    others = world.others() + (world.staff if redact_staff else [])
    matcher = build_matcher(others, protected=[world.subject, world.kept])
    return [[(r.start, r.end, r.kind.value) for r in redact(p.text, matcher).redactions] for p in passages]


def baseline_pattern(world: World) -> re.Pattern[str]:
    tokens = {t for p in world.others() for t in (*p.forenames, *p.surnames)}
    body = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
    return re.compile(r"\b(?:" + body + r")\b", re.IGNORECASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=400)
    parser.add_argument("--pupils", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--show", type=int, default=8, help="misses and false positives to list")
    args = parser.parse_args()

    world = build_world(args.pupils, args.seed)
    passages = build_passages(world, args.passages, args.seed)
    chars = sum(len(p.text) for p in passages)
    gold = sum(len(p.gold) for p in passages)
    people = len(world.others()) + len(world.staff) + 2
    print(f"Redaction benchmark: {len(passages)} passages, {chars:,} chars, {gold} gold spans, "
          f"{people} known people, seed {args.seed}")  # fmt: skip

    predicted = steward_spans(world, passages)
    sc = score(passages, predicted)
    print(f"\n{'kind':<12} {'recall':>8} {'(found/gold)':>14} {'precision':>10} {'(right/proposed)':>17}")
    kinds = sorted(set(sc.all_gold) | set(sc.all_pred))
    for kind in [*kinds, "all"]:
        if kind == "all":
            tg, ag = sum(sc.tp_gold.values()), sum(sc.all_gold.values())
            tp, ap = sum(sc.tp_pred.values()), sum(sc.all_pred.values())
        else:
            tg, ag, tp, ap = sc.tp_gold[kind], sc.all_gold[kind], sc.tp_pred[kind], sc.all_pred[kind]
        print(
            f"{kind:<12} {_ratio(tg, ag):>8} {f'({tg}/{ag})':>14} {_ratio(tp, ap):>10} {f'({tp}/{ap})':>17}"
        )
    print(f"\n{'name mention form':<20} {'recall':>8}")
    for form in sorted(
        f for f in sc.forms_all if f not in {"email", "phone", "upn", "uln", "postcode", "address"}
    ):
        print(f"{form:<20} {_ratio(sc.forms_hit[form], sc.forms_all[form]):>8} "
              f"({sc.forms_hit[form]}/{sc.forms_all[form]})")  # fmt: skip
    for title, items in (("missed", sc.misses), ("false positives", sc.false_positives)):
        counted = Counter(items).most_common(args.show)
        print(f"\n{title} ({len(items)}): " + ("; ".join(f"{t} x{n}" for t, n in counted) or "none"))

    pattern = baseline_pattern(world)
    base_spans = [[(m.start(), m.end(), "name") for m in pattern.finditer(p.text)] for p in passages]
    bs = score(passages, base_spans)
    print(f"\nbaseline (one regex of every known name token, no context): names recall "
          f"{_ratio(bs.tp_gold['name'], bs.all_gold['name'])}, precision {_ratio(bs.tp_pred['name'], bs.all_pred['name'])}")  # fmt: skip

    # Throughput, best of --repeat runs each, both measured here on the same passages.
    texts = [p.text for p in passages]

    def best(fn: object) -> float:
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            fn()  # type: ignore[operator]
            times.append(time.perf_counter() - started)
        return min(times)

    base_s = best(lambda: [pattern.sub("[REDACTED]", t) for t in texts])
    started = time.perf_counter()
    matcher = build_matcher(world.others(), protected=[world.subject, world.kept])
    build_s = time.perf_counter() - started
    steward_s = best(lambda: [redact(t, matcher).apply() for t in texts])
    print(f"\n{'measure':<44} {'passages/s':>12} {'chars/s':>14} {'ratio':>8}")
    for label, seconds in (("baseline: one regex re.sub over names", base_s),
                           ("steward: redact() + apply()", steward_s)):  # fmt: skip
        print(
            f"{label:<44} {len(texts) / seconds:>12,.0f} {chars / seconds:>14,.0f} {base_s / seconds:>8.3f}x"
        )
    print(f"matcher built once for {people} people in {build_s * 1000:.1f} ms")


if __name__ == "__main__":
    main()
