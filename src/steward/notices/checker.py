"""Check any privacy notice for the UK GDPR Art 13/14 items and for common slips.

`check_notice(lines)` works on text alone: no database, no register. It reports, for each required
item (`patterns.ITEM_KEYS`), whether the notice has it and the lines that show it; and a list of
problems (outdated law, placeholders, inconsistent contacts, wrong terms, no way to reach the ICO),
each with its line, the quoted line and advice. Every phrase it looks for is in `patterns.py`.

Line numbers are 1-based positions in the list of lines given (for a text or Markdown file, the
file's own line numbers; for HTML, DOCX and PDF, the paragraph numbers of `extract.read_notice`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steward.notices import patterns as P
from steward.notices.extract import Artefact, ExtractedNotice, read_notice

# An item's evidence is capped so that reports stay readable; the first lines found are kept.
MAX_EVIDENCE = 5
SHORT_WORDS = 12

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‛": "'", "“": '"', "”": '"', "\u00a0": " ", "\u200b": ""})
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def normalise(line: str) -> str:
    """The form patterns are matched against: straight quotes, no Markdown emphasis, single spaces."""
    text = line.translate(_QUOTES)
    text = _EMPHASIS.sub(r"\2", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Evidence:
    """A line that shows an item is present."""

    line: int
    text: str


@dataclass
class ItemResult:
    """One required item: present or not, with the lines that show it."""

    key: str
    title: str
    need: str
    present: bool
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    """A slip found on one line."""

    kind: str
    line: int
    text: str
    advice: str


@dataclass
class CheckReport:
    """The checker's findings for one notice."""

    source: str
    items: dict[str, ItemResult]
    problems: list[Problem]
    format: str = "txt"

    @property
    def missing(self) -> list[str]:
        return [key for key, item in self.items.items() if not item.present]

    @property
    def present_count(self) -> int:
        return sum(1 for item in self.items.values() if item.present)

    @property
    def complete(self) -> bool:
        """Every item present and no problems: what a compiled notice must achieve."""
        return not self.missing and not self.problems

    def problem_lines(self, kind: str) -> list[int]:
        """Lines with a problem of `kind` (handy in tests and summaries)."""
        return [p.line for p in self.problems if p.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `steward notice check --format json`."""
        return {
            "file": self.source,
            "format": self.format,
            "items": {
                key: {
                    "present": item.present,
                    "evidence": [{"line": e.line, "text": e.text} for e in item.evidence],
                }
                for key, item in self.items.items()
            },
            "problems": [
                {"kind": p.kind, "line": p.line, "text": p.text, "advice": p.advice} for p in self.problems
            ],
            "summary": {
                "present": self.present_count,
                "missing": self.missing,
                "problems": len(self.problems),
            },
        }


# --- Structure ----------------------------------------------------------------------------------


@dataclass
class Line:
    """One line with what the checker needs to know about its shape."""

    number: int
    raw: str
    text: str  # normalised, Markdown heading marks and list bullets kept
    body: str  # normalised without a list bullet or heading marks
    blank: bool
    list_item: bool
    colon: bool
    heading: bool
    words: int

    @property
    def quote(self) -> str:
        return self.raw.strip()


def _analyse(lines: Sequence[str]) -> list[Line]:
    out: list[Line] = []
    for number, raw in enumerate(lines, start=1):
        text = normalise(raw)
        list_item = bool(P.LIST_ITEM.match(text))
        body = P.LIST_ITEM.sub("", text, count=1) if list_item else P.MARKDOWN_HEADING.sub("", text)
        body = body.strip()
        stripped = body.rstrip(" *_")
        colon = stripped.endswith(":")
        words = len(body.split())
        out.append(
            Line(
                number=number,
                raw=raw,
                text=text,
                body=body,
                blank=not body,
                list_item=list_item,
                colon=colon,
                heading=bool(body) and not list_item and _is_heading(text, body, words),
                words=words,
            )
        )
    return out


def _is_heading(text: str, body: str, words: int) -> bool:
    if P.MARKDOWN_HEADING.match(text):
        return True
    if body.endswith("?"):
        return True  # question headings: "Why do we need to process personal data?"
    if "?" in body:
        return False  # a question with its answer: "Will my data be transferred abroad? No"
    if P.URL.search(body) or P.EMAIL.search(body) or "," in body:
        return False
    if body[-1] in ".;:!)" or body[-1] == ",":
        return False
    return words <= SHORT_WORDS and (body[0].isupper() or body[0].isdigit())


class _Doc:
    """The analysed lines with navigation helpers."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = _analyse(lines)
        self.content = [ln for ln in self.lines if not ln.blank]
        self._pos = {ln.number: i for i, ln in enumerate(self.content)}

    def following(self, line: Line, count: int) -> list[Line]:
        """The next `count` non-blank lines after `line`."""
        i = self._pos[line.number]
        return self.content[i + 1 : i + 1 + count]

    def preceding(self, line: Line, count: int) -> list[Line]:
        i = self._pos[line.number]
        return self.content[max(0, i - count) : i]


def _short_item(line: Line) -> bool:
    """Could this line be an item of a list written without bullets?"""
    return line.words <= SHORT_WORDS and not line.colon and not line.body.endswith("?")


def _is_filled_by(line: Line, nxt: list[Line]) -> bool:
    """Whether the list or content promised by a line ending in ':' is actually there."""
    if not nxt:
        return False
    n1 = nxt[0]
    n2 = nxt[1] if len(nxt) > 1 else None
    if n1.list_item or P.URL.search(n1.body) or P.EMAIL.search(n1.body) or P.PHONE.search(n1.body):
        return True
    if " | " in n1.body:  # a table row
        return True
    if not P.LIST_PROMISE.search(line.body):
        # A label ("Contact:", "Data collection requirements:") needs content, not necessarily a list.
        return not (n1.heading and (n2 is None or not _short_item(n2)))
    if n1.colon:
        return False  # another lead-in straight after this one: this one's list is missing
    if n1.body[0].islower() or ";" in n1.body or n1.body.endswith(","):
        return True  # a continuation or an inline list
    if _short_item(n1):
        if not n1.heading:
            return True
        # A heading-like short line is a list item only when more item-like lines follow it
        # (short, no full stop); a heading followed by a sentence is the next section.
        return n2 is not None and (n2.list_item or (_short_item(n2) and not n2.body.endswith(".")))
    return not n1.body.endswith(".")  # a full paragraph after "... includes:" is not the list


def _empty_leadins(doc: _Doc) -> list[Line]:
    return [ln for ln in doc.content if ln.colon and not _is_filled_by(ln, doc.following(ln, 2))]


# --- Items ----------------------------------------------------------------------------------------


def _evidence(lines: Iterable[Line]) -> list[Evidence]:
    seen: dict[int, Evidence] = {}
    for ln in lines:
        seen.setdefault(ln.number, Evidence(ln.number, ln.quote))
    return sorted(seen.values(), key=lambda e: e.line)[:MAX_EVIDENCE]


def _rule_lines(rule: P.ItemRule, candidates: list[Line]) -> list[list[Line]] | None:
    """Lines matching each group of `rule`, or None when a group has none."""
    found: list[list[Line]] = []
    for group in rule.groups:
        hits = [
            ln
            for ln in candidates
            if any(p.search(ln.body) for p in group) and not any(x.search(ln.body) for x in rule.exclude)
        ]
        if not hits:
            return None
        found.append(hits)
    return found


def _contact_block(doc: _Doc, line: Line) -> list[Line]:
    """Lines that carry the contact details of a line naming someone ("Jo Bloggs, DPO" / "Email: ...")."""
    block = []
    for nxt in doc.following(line, 2):
        starts_contact = re.match(r"(?:e-?mail|tel|telephone|phone|address|post|write)\b", nxt.body, re.I)
        if (
            (nxt.list_item and line.colon)
            or starts_contact
            or (line.colon and nxt.words <= 40 and not nxt.heading)
        ):
            block.append(nxt)
        else:
            break
    return block


def _has_contact_detail(text: str) -> bool:
    text = P.ICO_CONTACT.sub("", text)  # the ICO's details are not the DPO's
    return bool(P.EMAIL.search(text) or P.PHONE.search(text) or P.POSTCODE.search(text))


def _dpo_contact(doc: _Doc, candidates: list[Line]) -> list[Line]:
    hits: list[Line] = []
    for ln in candidates:
        if not P.ROLE_DPO.search(ln.body):
            continue
        if _has_contact_detail(ln.body):
            hits.append(ln)
            continue
        block = [b for b in _contact_block(doc, ln) if _has_contact_detail(b.body)]
        if block:
            hits.extend([ln, *block])
    return hits


def _complaint_to_ico(doc: _Doc, candidates: list[Line]) -> list[Line]:
    hits = []
    for ln in candidates:
        if not P.ICO_NAMED.search(ln.body):
            continue
        context = [ln, *doc.preceding(ln, 2)]
        if any(P.COMPLAINT_WORDS.search(c.body) for c in context):
            hits.append(ln)
    return hits


def _data_categories(doc: _Doc, candidates: list[Line], empty: set[int]) -> list[Line]:
    hits: list[Line] = []
    for ln in candidates:
        # Only a lead-in whose list is there: "... we collect, hold and share include:" + items.
        if (
            P.CATEGORIES_LEADIN.search(ln.body)
            and (ln.colon or ln.body.endswith(","))
            and ln.number not in empty
        ):
            hits.append(ln)
    concepts: dict[str, Line] = {}
    for ln in candidates:
        if not (ln.list_item or _short_item(ln)):
            continue
        for concept, pattern in P.CATEGORY_CONCEPTS.items():
            if pattern.search(ln.body):
                concepts.setdefault(concept, ln)
    if hits or len(concepts) >= P.MIN_CATEGORY_CONCEPTS:
        return hits + sorted(concepts.values(), key=lambda line: line.number)
    return []


def _items(doc: _Doc, empty: set[int]) -> dict[str, ItemResult]:
    # A heading alone is never evidence, nor is a lead-in whose list was never filled in.
    candidates = [ln for ln in doc.content if not ln.heading and ln.number not in empty]
    results: dict[str, ItemResult] = {}
    for rule in P.ITEM_RULES:
        if rule.key == "dpo_contact":
            hits = _dpo_contact(doc, candidates)
        elif rule.key == "complaint_to_ico":
            hits = _complaint_to_ico(doc, candidates)
        elif rule.key == "data_categories":
            hits = _data_categories(doc, candidates, empty)
        else:
            groups = _rule_lines(rule, candidates)
            hits = [ln for group in groups for ln in group] if groups else []
        results[rule.key] = ItemResult(rule.key, rule.title, rule.need, bool(hits), _evidence(hits))
    return results


# --- Problems ------------------------------------------------------------------------------------


class _Problems:
    """Problems keyed by (kind, line): several findings on one line share one entry."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, int], tuple[Line, list[str]]] = {}

    def add(self, kind: str, line: Line, advice: str) -> None:
        entry = self._by_key.setdefault((kind, line.number), (line, []))
        if advice not in entry[1]:
            entry[1].append(advice)

    def result(self) -> list[Problem]:
        problems = [
            Problem(kind, number, line.quote, " ".join(advices))
            for (kind, number), (line, advices) in self._by_key.items()
        ]
        return sorted(problems, key=lambda p: (p.line, p.kind))


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(\"'])")


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of `text` that holds text[start:end]."""
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    return text[(before[-1] if before else 0) : (after.start() if after else len(text))]


def _line_rules(doc: _Doc, found: _Problems) -> None:
    current_law = any(P.MENTIONS_CURRENT_LAW.search(ln.body) for ln in doc.content)
    for ln in doc.content:
        for rule in (*P.OUTDATED_LAW, *P.WRONG_TERMS, *P.PLACEHOLDERS):
            for match in rule.pattern.finditer(ln.text):
                # "unless" (e.g. "replaced", "UK") must be in the same sentence as the finding: a
                # paragraph that cites the 1998 Act and elsewhere says something "replaced" is still wrong.
                if rule.unless and rule.unless.search(_sentence(ln.text, match.start(), match.end())):
                    continue
                found.add(rule.kind, ln, rule.advice)
                break
        if not current_law and P.BARE_GDPR.search(ln.text):
            found.add("outdated_law", ln, P.BARE_GDPR_ADVICE)
        for match in P.MARKDOWN_LINK.finditer(ln.text):
            text, href = match.group(1), match.group(2)
            if href.strip() in P.EMPTY_HREFS or href.lower().startswith("javascript:"):
                found.add("placeholder", ln, P.EMPTY_LINK_ADVICE.format(href=href or "", text=text))


def _name_tokens(name: str) -> frozenset[str]:
    return frozenset(t.lower().rstrip(".") for t in name.split() if t.lower().rstrip(".") not in P.TITLES)


_NAME_AFTER = re.compile(rf"^\s*(?:\([A-Za-z]+\)\s*)?(?:is|are|:|-|–|,)\s*({P.PERSON_NAME})\b")
_NAME_BEFORE = re.compile(rf"({P.PERSON_NAME}),?\s*(?:(?:is )?(?:[Oo]ur|[Tt]he) )?$")
_NAME_START = re.compile(rf"^\W*({P.PERSON_NAME})\b(?=\s*(?:,|$|\(|-|–))")


def _plausible_name(name: str) -> bool:
    first = name.split()[0].lower().rstrip(".")
    return first not in P.NOT_A_NAME and not any(w.lower() in P.NOT_A_NAME for w in name.split()[1:2])


def _contact_mentions(doc: _Doc) -> dict[str, list[tuple[Line, str, str]]]:
    """For each role: (line, 'name'|'email'|'phone', value) as the notice gives them."""
    mentions: dict[str, list[tuple[Line, str, str]]] = {}
    for ln in doc.content:
        roles = sorted(
            (m.start(), m.end(), role)
            for role, pattern in P.ROLE_PATTERNS.items()
            for m in pattern.finditer(ln.body)
        )
        if not roles:
            continue
        for start, end, role in roles:
            for regex, segment in ((_NAME_AFTER, ln.body[end:]), (_NAME_BEFORE, ln.body[:start])):
                m = regex.search(segment)
                if m and _plausible_name(m.group(1)):
                    mentions.setdefault(role, []).append((ln, "name", m.group(1)))
        # Emails and phones on the line belong to the nearest role named before them, if nothing
        # ("or the school office") comes between.
        for kind, pattern in (("email", P.EMAIL), ("phone", P.PHONE)):
            for m in pattern.finditer(ln.body):
                if P.ICO_CONTACT.search(m.group(0)):
                    continue
                before = [r for r in roles if r[1] <= m.start()]
                if not before:
                    continue
                gap = ln.body[before[-1][1] : m.start()]
                if re.search(r"\bor\b|\band\b|@|\boffice\b", gap, re.I):
                    continue
                mentions.setdefault(before[-1][2], []).append((ln, kind, m.group(0)))
        # A contact block after a line naming a single role: "Jo Bloggs, DPO" / "Email: ...".
        if len({r[2] for r in roles}) == 1:
            role = roles[0][2]
            for blk in _contact_block(doc, ln):
                m = _NAME_START.search(blk.body)
                if m and _plausible_name(m.group(1)):
                    mentions.setdefault(role, []).append((blk, "name", m.group(1)))
                for kind, pattern in (("email", P.EMAIL), ("phone", P.PHONE)):
                    for pm in pattern.finditer(blk.body):
                        if not P.ICO_CONTACT.search(pm.group(0)):
                            mentions.setdefault(role, []).append((blk, kind, pm.group(0)))
    return mentions


def _same(kind: str, a: str, b: str) -> bool:
    if kind == "name":
        ta, tb = _name_tokens(a), _name_tokens(b)
        return ta <= tb or tb <= ta
    if kind == "phone":
        return re.sub(r"\D", "", a)[-10:] == re.sub(r"\D", "", b)[-10:]
    return a.lower() == b.lower()


def _inconsistent_contacts(doc: _Doc, found: _Problems) -> None:
    for role, mentions in _contact_mentions(doc).items():
        for kind in ("name", "email", "phone"):
            values = [(ln, value) for ln, k, value in mentions if k == kind]
            if not values:
                continue
            first_line, first = values[0]
            for ln, value in values[1:]:
                if not _same(kind, first, value):
                    what = {"name": "named", "email": "given the email address", "phone": "given the number"}[
                        kind
                    ]
                    found.add(
                        "inconsistent_contact",
                        ln,
                        f"The {role} is {what} '{first}' on line {first_line.number} but '{value}' here: "
                        "use one, and check which is right.",
                    )


def _ico_contact(doc: _Doc, items: dict[str, ItemResult], found: _Problems) -> None:
    by_number = {ln.number: ln for ln in doc.content}
    complaint = items["complaint_to_ico"]
    if complaint.present:
        if not any(P.ICO_CONTACT.search(ln.text) for ln in doc.content):
            found.add(
                "missing_ico_contact", by_number[complaint.evidence[0].line], P.MISSING_ICO_CONTACT_ADVICE
            )
        return
    if any(P.ICO_NAMED.search(ln.body) and P.ICO_CONTACT.search(ln.body) for ln in doc.content):
        return  # the ICO's details are there, just not worded as a complaint route
    complaints = [ln for ln in doc.content if re.search(r"\bcomplain|\bcomplaint", ln.body, re.I)]
    # Report it on the sentence about complaints rather than on a "Complaints" heading.
    complaints.sort(key=lambda ln: (ln.heading, ln.number))
    if complaints:
        found.add("missing_ico_contact", complaints[0], P.NO_ICO_ADVICE)


# --- Entry points -------------------------------------------------------------------------------


def check_notice(
    notice: str | Sequence[str],
    *,
    source: str = "<text>",
    artefacts: Iterable[Artefact] = (),
    format: str = "txt",
) -> CheckReport:
    """Check a notice given as text or as a list of lines.

    `artefacts` are what the reader saw but left out of the text (a DOCX's tracked changes and
    comments); each becomes a placeholder problem on its line.
    """
    lines = notice.splitlines() if isinstance(notice, str) else list(notice)
    doc = _Doc(lines)
    empty = _empty_leadins(doc)
    empty_numbers = {ln.number for ln in empty}
    items = _items(doc, empty_numbers)
    found = _Problems()
    for ln in empty:
        found.add("placeholder", ln, P.EMPTY_LIST_ADVICE)
    _line_rules(doc, found)
    by_number = {ln.number: ln for ln in doc.lines}
    for artefact in artefacts:
        if artefact.line in by_number:
            found.add(
                "placeholder",
                by_number[artefact.line],
                f"The document has {artefact.description} here: accept or reject changes and remove comments.",
            )
    _inconsistent_contacts(doc, found)
    _ico_contact(doc, items, found)
    return CheckReport(source=source, items=items, problems=found.result(), format=format)


def check_extracted(notice: ExtractedNotice) -> CheckReport:
    """Check a notice read by `extract.read_notice`."""
    return check_notice(notice.lines, source=notice.source, artefacts=notice.artefacts, format=notice.format)


def check_file(path: str | Path) -> CheckReport:
    """Read the notice at `path` (any supported format) and check it; raises NoticeReadError."""
    return check_extracted(read_notice(path))
