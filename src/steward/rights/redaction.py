"""Automatic redaction of third-party data in free text, for subject access bundles.

Steward has no language model to find names (spaCy models are not available, see the design
notes); it leans on what it knows instead: the register's pupils, contacts and staff, with their
legal, preferred and former names, emails, telephone numbers, addresses and identifiers, plus
patterns for things that identify someone whoever they are (emails, UK telephone numbers, UPNs,
ULNs, postcodes, street addresses).

The pass is deliberately tuned for recall: every span it proposes goes to the DPO's review, who
accepts, removes or adds redactions before release, so a missed name is worse than an extra one.

Matching rules (tested in ``tests/rights/test_redaction.py``):

* Text is split into word tokens (letters with inner hyphens or apostrophes, so ``O'Neill`` and
  ``Smith-Jones`` are single tokens); a trailing possessive ``'s`` is not part of the name.
  Lookup is one dictionary probe per token, so the cost does not grow with the register's size.
* Consecutive name tokens (separated only by spaces) that together are the names of one known
  other person are one span (``Sam Taylor``), redacted even when a part is shared with the
  subject (a sibling's surname), but not when every part is also a protected name (a namesake
  of the subject: in the subject's own record it is most likely the subject).
* A token alone is redacted when it is a forename (legal, preferred, middle) or surname (legal,
  preferred, former) of a known other person and is *not* also a name of a protected person (the
  subject, or someone kept, such as the requesting parent): alone, it cannot be told apart.
  Forenames alone are redacted: the DPO reviews, and recall matters more.
* Names that are also ordinary words (May, Will, Grace, Hope, Mark, Bill, Rose, Young, ...) match
  only when capitalised; at the start of a sentence only when the next word is not a function
  word (``Will you``, ``Hope this``, ``May I`` are not names); and month names never when they
  read as dates (``in May``, ``3 May``, ``May 2025``). Other names match in any case.
* Hyphenated tokens not known whole are tried part by part (``Smith-Jones`` when only ``Smith``
  is known redacts ``Smith``).
* Emails, UK telephone numbers (07..., 01/02/03 landlines, +44), UPNs with a correct check letter,
  ULNs with a correct check digit, postcodes and street addresses (number, words, street suffix),
  plus the known address lines of other people, are redacted unless they are the subject's or a
  kept person's own: those regions are protected and nothing inside them is redacted.
* Overlapping spans merge; a span inside a larger one (a name inside an email) is absorbed by it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import ValidationError

from steward.core.validators import validate_uln, validate_upn

if TYPE_CHECKING:
    from steward.organisations.models import School
    from steward.people.models import Pupil


class ReasonCode(StrEnum):
    """Why a span is withheld; the label is what the released bundle shows."""

    THIRD_PARTY = "third_party"
    SAFEGUARDING_EXEMPTION = "safeguarding_exemption"  # serious harm (DPA 2018 Sch 3 Part 2)
    LEGAL_PRIVILEGE = "legal_privilege"  # DPA 2018 Sch 2 para 19
    EXAM_SCRIPT = "exam_script"  # DPA 2018 Sch 2 para 25: answers in an exam script
    CRIME_PREVENTION = "crime_prevention"  # DPA 2018 Sch 2 para 2
    CONFIDENTIAL_REFERENCE = "confidential_reference"  # DPA 2018 Sch 2 para 24
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Kind(StrEnum):
    """What a redacted span is."""

    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    UPN = "upn"
    ULN = "uln"
    POSTCODE = "postcode"
    ADDRESS = "address"
    OTHER = "other"  # added by hand in review


PersonKind = Literal["pupil", "contact", "staff"]


@dataclass(frozen=True)
class KnownPerson:
    """Everything the register knows that could identify one person in free text.

    ``id`` is ``"<kind>:<pk>"`` so pupils, contacts and staff share one namespace (``keep`` uses it).
    """

    kind: PersonKind
    id: str
    forenames: tuple[str, ...] = ()  # legal, preferred and middle names, nicknames
    surnames: tuple[str, ...] = ()  # legal, preferred and former surnames
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()  # street lines, e.g. "12 Larkspur Lane"
    postcodes: tuple[str, ...] = ()
    upns: tuple[str, ...] = ()
    ulns: tuple[str, ...] = ()


@dataclass
class Redaction:
    """One span to withhold. Review changes ``accepted`` or adds spans with ``source="manual"``."""

    start: int
    end: int
    text: str
    kind: Kind
    reason: ReasonCode = ReasonCode.THIRD_PARTY
    person_id: str | None = None
    accepted: bool = True
    source: Literal["auto", "manual"] = "auto"


@dataclass
class RedactionResult:
    """The proposed redactions of one text, in order of position."""

    text: str
    redactions: list[Redaction] = field(default_factory=list)

    def add(
        self, start: int, end: int, *, kind: Kind = Kind.OTHER, reason: ReasonCode = ReasonCode.THIRD_PARTY
    ) -> Redaction:
        """A reviewer's own redaction (kept in position order)."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}-{end} is outside the text (length {len(self.text)})")
        made = Redaction(start, end, self.text[start:end], kind, reason, source="manual")
        self.redactions.append(made)
        self.redactions.sort(key=lambda r: (r.start, -r.end))
        return made

    def accepted(self) -> list[Redaction]:
        return [r for r in self.redactions if r.accepted]

    def apply(self, style: Literal["label", "block"] = "label") -> str:
        return apply(self.text, self.redactions, style=style)


# ---------------------------------------------------------------------------------------------
# Patterns

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_]))*")
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
# UK numbers: +44 (0)..., or a leading 0; digits in groups separated by spaces, hyphens or
# brackets. The candidate is checked afterwards (10 or 11 national digits, a UK prefix).
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d(?:[\s\-)]{0,2}\d){8,10}(?!\d)")
_UPN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]\d{11}[0-9A-Za-z](?![A-Za-z0-9])")
_ULN = re.compile(r"(?<![\d\w])[1-9]\d{9}(?![\d\w])")
# The usual UK postcode shape (outward code, space optional, inward code).
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:[A-Za-z]{1,2}\d[A-Za-z\d]?|GIR)\s?\d[ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}(?![A-Za-z0-9])"
)
_STREET_SUFFIXES = (
    "Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Cres|Grove|Place|Pl|Court|Ct|"
    "Terrace|Gardens|Gdns|Walk|Rise|Row|Mews|Hill|View|Park|Yard|Square|Sq|Green|Parade|Boulevard|"
    "Gate|End|Meadow|Meadows|Fields|Croft|Hollow|Vale|Wharf|Chase"
)
_ADDRESS = re.compile(
    r"(?<![\w/])(?:(?:Flat|Apartment|Unit)\s+\d+[A-Za-z]?,?\s+)?\d{1,4}[A-Za-z]?,?\s+"
    r"(?:[A-Z][\w'’\-]*\s+){1,3}(?:" + _STREET_SUFFIXES + r")\b\.?"
)


# Names that are also ordinary English words: matched only capitalised, and carefully at the
# start of a sentence. A name not listed here is matched in any case.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


COMMON_WORD_NAMES = _words(
    """
    may will grace hope mark bill rose june april august faith joy dawn summer autumn holly ivy
    lily poppy daisy ruby amber jade pearl iris hazel heather violet willow robin sky rain storm
    river hunter chase drew art ray sue pat penny sunny frank rich rob bob don guy jack jean max
    miles reed wade young baker cooper wright gill king brown green white black hill wood long
    short price bell hall lane park ward field ford marsh moss rice page cook mason turner carter
    fisher hunt shepherd smith star rocky earl duke prince major noble justice harmony melody
    liberty angel kit nick sandy brook gene jay sage hardy bright rush shaw moon north west
    sterling page bishop dean rowan ash birch oakley bridge cross
    """
)
MONTH_NAMES = frozenset({"may", "june", "april", "august"})
# Words that, following a sentence-initial common-word name, show it is the ordinary word.
_FUNCTION_WORDS = _words(
    """
    i you we he she it they me us them him her your our my his their its the a an this that
    these those not please there here people to as all any some everyone everybody one
    """
)
_DATE_PREPOSITIONS = _words(
    # not "to" or "from": "next to May", "a note from May" are about a person
    "in on of during since until till by before after early late mid last next this between"
)
_PARTICLES = _words("van von der de den la le du da di bin binti al el ter ten")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n]|\n\s*[-*•])[\s\"'“‘(]*$")
_NEXT_WORD = re.compile(r"\s*([^\W\d_]+|\d+)")
_PREV_WORD = re.compile(r"([^\W_]+)[\s,]*$")


def _digits(value: str) -> str:
    """National digits of a telephone number: +44 and a bracketed (0) become a leading 0."""
    d = re.sub(r"\D", "", value.replace("(0)", ""))
    if value.strip().startswith("+44"):
        d = "0" + d[2:]
    return d


def _norm(value: str) -> str:
    return re.sub(r"\s+", " ", value.replace("’", "'")).strip().lower()


def _valid_phone(digits: str) -> bool:
    if digits.startswith("07") or digits[:2] in {"01", "02", "03", "08"}:
        return len(digits) in {10, 11} if digits.startswith("01") else len(digits) == 11
    return False


def _valid_upn(value: str) -> bool:
    try:
        validate_upn(value)
    except ValidationError:
        return False
    return True


def _valid_uln(value: str) -> bool:
    try:
        validate_uln(value)
    except ValidationError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# The matcher


@dataclass
class _Token:
    """What the register knows about one lowercased name token."""

    owners: set[str] = field(default_factory=set)  # ids of other people with this name part
    protected: bool = False  # also a name of the subject or a kept person


@dataclass
class Matcher:
    """Built once per bundle from the known people; ``redact`` then runs in one pass per text."""

    tokens: dict[str, _Token]
    names_of: dict[str, frozenset[str]]  # person id -> all their lowercased name tokens
    values: dict[tuple[Kind, str], str]  # normalised known value of another person -> their id
    protected_values: set[tuple[Kind, str]]
    known_addresses: _Phrases
    protected_addresses: _Phrases


def _name_tokens(names: Iterable[str]) -> set[str]:
    """Each name, and each space-separated part of it, lowercased (particles only whole)."""
    out: set[str] = set()
    for name in names:
        n = _norm(name)
        if not n:
            continue
        parts = n.split(" ")
        out.update(p for p in parts if p not in _PARTICLES and len(p) > 1)
    return out


_TOKEN = re.compile(r"[^\W_]+")


class _Phrases:
    """Known multi-word literals (address lines), found in time linear in the text.

    One regex alternation of thousands of addresses is tried at every position of the text; here
    the literals are grouped by their first word, and only a word that starts some literal tries
    the (few) literals that start with it.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        by_first: dict[str, set[str]] = {}
        for line in lines:
            n = _norm(line)
            if n:
                by_first.setdefault(n.split(" ")[0].replace("'", ""), set()).add(n)
        self._by_first = {
            first: re.compile(
                "|".join(
                    re.escape(t).replace("'", "['’]").replace(r"\ ", r"\s+")
                    for t in sorted(texts, key=len, reverse=True)
                )
                + r"(?!\w)",
                re.IGNORECASE,
            )
            for first, texts in by_first.items()
        }

    def finditer(self, text: str) -> Iterable[tuple[int, int]]:
        if not self._by_first:
            return
        for w in _TOKEN.finditer(text):
            if w.start() and (text[w.start() - 1].isalnum() or text[w.start() - 1] in "'’"):
                continue
            pattern = self._by_first.get(w.group().lower())
            if pattern is not None and (x := pattern.match(text, w.start())) is not None:
                yield x.start(), x.end()


def build_matcher(others: Iterable[KnownPerson], *, protected: Iterable[KnownPerson] = ()) -> Matcher:
    """Index the other people (to redact) and the protected ones (the subject, kept people).

    Build it once per bundle: it is a few dictionaries and two compiled patterns.
    """
    tokens: dict[str, _Token] = {}
    names_of: dict[str, frozenset[str]] = {}
    values: dict[tuple[Kind, str], str] = {}
    protected_values: set[tuple[Kind, str]] = set()
    protected_list = list(protected)
    protected_ids = {p.id for p in protected_list}
    for p in protected_list:
        for t in _name_tokens((*p.forenames, *p.surnames)):
            tokens.setdefault(t, _Token()).protected = True
        protected_values.update(_values_of(p))
    addresses: list[str] = []
    for p in others:
        if p.id in protected_ids:
            continue
        mine = _name_tokens((*p.forenames, *p.surnames))
        names_of[p.id] = frozenset(mine)
        for t in mine:
            tokens.setdefault(t, _Token()).owners.add(p.id)
        for key in _values_of(p):
            values.setdefault(key, p.id)
        addresses.extend(p.addresses)
    return Matcher(
        tokens=tokens,
        names_of=names_of,
        values=values,
        protected_values=protected_values,
        known_addresses=_Phrases(addresses),
        protected_addresses=_Phrases(a for p in protected_list for a in p.addresses),
    )


def _values_of(p: KnownPerson) -> set[tuple[Kind, str]]:
    out: set[tuple[Kind, str]] = set()
    out.update((Kind.EMAIL, e.strip().lower()) for e in p.emails if e.strip())
    out.update((Kind.PHONE, _digits(t)) for t in p.phones if _digits(t))
    out.update((Kind.POSTCODE, re.sub(r"\s", "", c).upper()) for c in p.postcodes if c.strip())
    out.update((Kind.UPN, u.strip().upper()) for u in p.upns if u.strip())
    out.update((Kind.ULN, u.strip()) for u in p.ulns if u.strip())
    out.update((Kind.ADDRESS, _norm(a)) for a in p.addresses if a.strip())
    return out


def _value_key(kind: Kind, text: str) -> tuple[Kind, str]:
    if kind is Kind.EMAIL:
        return kind, text.lower()
    if kind is Kind.PHONE:
        return kind, _digits(text)
    if kind in {Kind.POSTCODE, Kind.UPN}:
        return kind, re.sub(r"\s", "", text).upper()
    if kind is Kind.ADDRESS:
        return kind, _norm(text.rstrip(".,"))
    return kind, text


# ---------------------------------------------------------------------------------------------
# The pass


def _common_word_is_name(text: str, start: int, end: int, word: str, possessive: bool) -> bool:
    """Whether a capitalised name that is also an ordinary word reads as a name here."""
    lower = word.lower()
    nxt = _NEXT_WORD.match(text, end)
    next_word = nxt.group(1) if nxt else ""
    # Look back a short window only, so long documents stay linear ("^" still means the text's start).
    window = max(0, start - 40)
    prev = _PREV_WORD.search(text, window, start)
    prev_word = prev.group(1).lower() if prev else ""
    if lower in MONTH_NAMES and (
        prev_word in _DATE_PREPOSITIONS or prev_word.isdigit() or next_word.isdigit()
    ):
        return False
    if possessive:
        return True
    if _SENTENCE_END.search(text, window, start):
        return next_word.lower() not in _FUNCTION_WORDS
    return True


def _name_spans(text: str, m: Matcher, blocked: _Regions) -> list[Redaction]:
    # Collect tokens that are known names, each with where it is and whether it is a possessive.
    found: list[tuple[int, int, str, bool]] = []  # start, end, key, possessive
    for w in _WORD.finditer(text):
        word, start, end = w.group(), w.start(), w.end()
        possessive = False
        if len(word) > 2 and word[-2] in "'’" and word[-1] in "sS":
            word, end, possessive = word[:-2], end - 2, True
        key = word.lower().replace("’", "'")
        if key in m.tokens:
            found.append((start, end, key, possessive))
        elif "-" in key:  # a double-barrelled name known only in part
            offset = start
            for part in word.split("-"):
                pk = part.lower().replace("’", "'")
                if pk in m.tokens:
                    found.append((offset, offset + len(part), pk, False))
                offset += len(part) + 1
    # Group consecutive tokens separated only by spaces into runs (a full name).
    runs: list[list[tuple[int, int, str, bool]]] = []
    for tok in found:
        if runs and not runs[-1][-1][3] and re.fullmatch(r"[ \t]{1,3}", text[runs[-1][-1][1] : tok[0]]):
            runs[-1].append(tok)
        else:
            runs.append([tok])
    out: list[Redaction] = []
    for run in runs:
        out.extend(_run_spans(text, m, run))
    return [r for r in out if not blocked.overlaps(r.start, r.end)]


def _run_spans(text: str, m: Matcher, run: list[tuple[int, int, str, bool]]) -> list[Redaction]:
    def ok_case(start: int, end: int, key: str) -> bool:
        return key not in COMMON_WORD_NAMES or text[start].isupper()

    # The longest stretch of the run that is the names of one other person is one span.
    out: list[Redaction] = []
    i = 0
    while i < len(run):
        best: tuple[int, str] | None = None
        owners = set(m.tokens[run[i][2]].owners)
        for j in range(i + 1, len(run)):
            owners &= m.tokens[run[j][2]].owners
            if not owners:
                break
            stretch = run[i : j + 1]
            # Every part also a protected name: most likely the subject's own name (a namesake
            # elsewhere in the trust cannot be told apart), so it stays.
            if all(m.tokens[k].protected for _, _, k, _ in stretch):
                continue
            if all(ok_case(s, e, k) for s, e, k, _ in stretch):
                best = (j, sorted(owners)[0] if len(owners) == 1 else "")
        if best is not None:
            j, pid = best
            s, e = run[i][0], run[j][1]
            out.append(Redaction(s, e, text[s:e], Kind.NAME, person_id=pid or None))
            i = j + 1
            continue
        s, e, key, poss = run[i]
        info = m.tokens[key]
        reads_as_name = key not in COMMON_WORD_NAMES or _common_word_is_name(text, s, e, text[s:e], poss)
        if info.owners and not info.protected and ok_case(s, e, key) and reads_as_name:
            owner = next(iter(info.owners)) if len(info.owners) == 1 else None
            out.append(Redaction(s, e, text[s:e], Kind.NAME, person_id=owner))
        i += 1
    return out


class _Regions:
    """Character regions, asked "does this span touch any?" in O(log n) (long documents stay fast)."""

    def __init__(self) -> None:
        self._added: list[tuple[int, int]] = []
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._dirty = False

    def add(self, start: int, end: int) -> None:
        self._added.append((start, end))
        self._dirty = True

    def _build(self) -> None:
        merged: list[list[int]] = []
        for s, e in sorted(self._added):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]
        self._dirty = False

    def overlaps(self, start: int, end: int) -> bool:
        if self._dirty:
            self._build()
        i = bisect_right(self._starts, start)
        if i and self._ends[i - 1] > start:
            return True
        return i < len(self._starts) and self._starts[i] < end


def _pattern_spans(text: str, m: Matcher) -> tuple[list[Redaction], _Regions]:
    """Pattern matches of others' details, and the protected regions (the subject's own)."""
    spans: list[Redaction] = []
    protected = _Regions()
    taken = _Regions()  # phones claim their digits before ULNs look

    def consider(kind: Kind, start: int, end: int) -> None:
        raw = text[start:end].rstrip(".,")
        end = start + len(raw)
        key = _value_key(kind, raw)
        if key in m.protected_values:
            protected.add(start, end)
            return
        spans.append(Redaction(start, end, raw, kind, person_id=m.values.get(key)))

    for x in _EMAIL.finditer(text):
        consider(Kind.EMAIL, x.start(), x.end())
    for x in _PHONE.finditer(text):
        if _valid_phone(_digits(x.group())):
            s, e = x.start(), x.end()
            if text[s] == "(" and ")" not in x.group():
                s += 1
            consider(Kind.PHONE, s, e)
            taken.add(s, e)
    for x in _UPN.finditer(text):
        if _valid_upn(x.group()):
            consider(Kind.UPN, x.start(), x.end())
    for x in _ULN.finditer(text):
        if not taken.overlaps(x.start(), x.end()) and _valid_uln(x.group()):
            consider(Kind.ULN, x.start(), x.end())
    for x in _POSTCODE.finditer(text):
        consider(Kind.POSTCODE, x.start(), x.end())
    for s, e in m.protected_addresses.finditer(text):
        protected.add(s, e)
    for x in _ADDRESS.finditer(text):
        if not protected.overlaps(x.start(), x.end()):
            consider(Kind.ADDRESS, x.start(), x.end())
    for s, e in m.known_addresses.finditer(text):
        if not protected.overlaps(s, e):
            consider(Kind.ADDRESS, s, e)
    spans = [s for s in spans if not protected.overlaps(s.start, s.end)]
    return spans, protected


def merge(redactions: Sequence[Redaction]) -> list[Redaction]:
    """Overlapping spans become one (the longer span's kind, reason and person win)."""
    out: list[Redaction] = []
    for r in sorted(redactions, key=lambda r: (r.start, -(r.end - r.start))):
        if out and r.start < out[-1].end:
            last = out[-1]
            if r.end > last.end:
                keep = last if (last.end - last.start) >= (r.end - r.start) else r
                out[-1] = replace(keep, start=last.start, end=r.end)
            continue
        out.append(replace(r))
    return out


def redact(text: str, matcher: Matcher, *, reason: ReasonCode = ReasonCode.THIRD_PARTY) -> RedactionResult:
    """Propose redactions of third-party data in ``text``, each with ``reason``."""
    patterns, protected = _pattern_spans(text, matcher)
    names = _name_spans(text, matcher, protected)
    merged = merge([*patterns, *names])
    for r in merged:
        r.text = text[r.start : r.end]
        r.reason = reason
    return RedactionResult(text=text, redactions=merged)


def apply(text: str, redactions: Sequence[Redaction], *, style: Literal["label", "block"] = "label") -> str:
    """The text with accepted redactions replaced.

    ``label`` writes ``[REDACTED: third party]`` (the reason's label); ``block`` writes one █ per
    character, keeping the layout of the page. Overlapping accepted spans are merged first.
    """
    accepted = merge([r for r in redactions if r.accepted])
    pieces: list[str] = []
    pos = 0
    for r in accepted:
        pieces.append(text[pos : r.start])
        pieces.append("█" * (r.end - r.start) if style == "block" else f"[REDACTED: {r.reason.label}]")
        pos = r.end
    pieces.append(text[pos:])
    return "".join(pieces)


# ---------------------------------------------------------------------------------------------
# From the database


def person_for_pupil(p: Pupil) -> KnownPerson:
    """A pupil as a known person (names, email, identifiers, addresses)."""
    addresses = list(p.addresses.all())
    return KnownPerson(
        kind="pupil",
        id=f"pupil:{p.pk}",
        forenames=tuple(n for n in (p.legal_forename, p.preferred_forename, *p.middle_names.split()) if n),
        surnames=tuple(n for n in (p.legal_surname, p.preferred_surname, p.former_surname) if n),
        emails=(p.email,) if p.email else (),
        addresses=tuple(a.line1 for a in addresses if a.line1),
        postcodes=tuple(a.postcode for a in addresses if a.postcode),
        upns=tuple(u for u in (p.upn, p.former_upn) if u),
        ulns=(p.uln,) if p.uln else (),
    )


@dataclass(frozen=True)
class KnownPeople:
    """The subject and the people kept unredacted (protected), and everyone else (to redact)."""

    protected: list[KnownPerson]
    others: list[KnownPerson]

    def matcher(self) -> Matcher:
        return build_matcher(self.others, protected=self.protected)


def known_people_for(
    subject_pupil: Pupil,
    *,
    school: School,
    keep: frozenset[str] | set[str] = frozenset(),
    redact_staff: bool = False,
) -> KnownPeople:
    """Everyone in the subject's trust who may be named in the subject's records.

    Other pupils of the trust and every contact of the trust are third parties, including the
    subject's own contacts (a second parent's new address is theirs, not the child's) except the
    ids in ``keep`` (typically the requesting parent: their own name may stay).

    Staff: the ICO's guidance on subject access says information identifying staff acting in
    their professional capacity (a teacher's name in a report they wrote) will usually be
    disclosed, as it is reasonable to do so; hence ``redact_staff`` is off by default. Turn it
    on for records where staff appear as private individuals or at risk (e.g. some safeguarding
    files).
    """
    from steward.accounts.models import User
    from steward.people.models import Contact, Pupil

    trust_id = school.trust_id
    subject = person_for_pupil(subject_pupil)
    protected = [subject]
    others: list[KnownPerson] = []
    pupils = (
        Pupil.objects.filter(trust_id=trust_id).exclude(pk=subject_pupil.pk).prefetch_related("addresses")
    )
    for p in pupils:
        person = person_for_pupil(p)
        (protected if person.id in keep else others).append(person)
    for c in Contact.objects.filter(trust_id=trust_id):
        person = KnownPerson(
            kind="contact",
            id=f"contact:{c.pk}",
            forenames=(c.forename,) if c.forename else (),
            surnames=(c.surname,) if c.surname else (),
            emails=(c.email,) if c.email else (),
            phones=tuple(t for t in (c.phone_home, c.phone_mobile, c.phone_work) if t),
            addresses=(c.address_line1,) if c.address_line1 else (),
            postcodes=(c.postcode,) if c.postcode else (),
        )
        (protected if person.id in keep else others).append(person)
    if redact_staff:
        for u in User.objects.filter(roles__trust_id=trust_id).distinct():
            person = KnownPerson(
                kind="staff",
                id=f"staff:{u.pk}",
                forenames=(u.first_name,) if u.first_name else (),
                surnames=(u.last_name,) if u.last_name else (),
                emails=(u.email,) if u.email else (),
            )
            (protected if person.id in keep else others).append(person)
    return KnownPeople(protected=protected, others=others)
