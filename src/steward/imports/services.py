"""Importing pupils and their contacts from an MIS export (Arbor, SIMS or Bromcom CSV).

The import is all or nothing. It runs in two passes:

1. Plan: read the file, map its headers, parse every cell, and build (unsaved) the pupil,
   enrolment, address, FSM period, contacts and contact links of every row, each checked with
   the model's own `full_clean` (the one validation point for every write path). Every problem
   of every row is collected with its file line number.
2. Write: only when no row has a problem, save what changed with ordinary `.save()` calls inside
   one transaction, so the audit signals log each create and update in that transaction, then
   append one "import" event summarising the file.

Re-importing the same file finds nothing changed and saves nothing, so it logs no update events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch
from django.utils import timezone

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.audit.context import current
from steward.audit.services import Subject, batched, record
from steward.imports.columns import COLUMNS, CONTACT_PREFIXES, REQUIRED, Column, alias_index, normalise_header
from steward.imports.parsing import PARSERS, CellError, FileError, read_table
from steward.organisations.models import School
from steward.people.models import Contact, Enrolment, FSMPeriod, Pupil, PupilAddress, PupilContact
from steward.registry.registry import entry_for

SOURCE = "mis_import"
# Empty cells in these kinds keep the stored value (or the model default for a new row):
# an export that leaves ethnicity blank has not said the pupil's ethnicity is blank.
KEEP_WHEN_EMPTY = {"ethnicity", "language", "enrolment_status", "bool", "priority"}
# Contact cells that must be filled once any cell of that contact is.
CONTACT_REQUIRED = ("forename", "surname", "relationship")
_TARGET_MODEL: dict[str, type[models.Model]] = {
    "pupil": Pupil,
    "enrolment": Enrolment,
    "address": PupilAddress,
    "fsm": FSMPeriod,
    "contact": Contact,
    "link": PupilContact,
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, located by file line (the header is line 1) and column."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, field {self.field}: {self.message}"


class ImportFailed(Exception):
    """The file was not imported; nothing was written. `problems` lists every bad row."""

    def __init__(self, problems: Iterable[Problem], warnings: Iterable[str] = ()) -> None:
        self.problems = sorted(problems, key=lambda p: p.line)
        self.warnings = list(warnings)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"import failed with {len(self.problems)} problem(s); nothing was written\n{lines}")


@dataclass
class ImportResult:
    """What an import did. Counts are per file row (contacts: per contact cell group)."""

    file_name: str
    sha256: str
    rows: int
    pupils_created: int = 0
    pupils_updated: int = 0
    pupils_unchanged: int = 0
    contacts_created: int = 0
    contacts_updated: int = 0
    contacts_unchanged: int = 0
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            "pupils": {
                "created": self.pupils_created,
                "updated": self.pupils_updated,
                "unchanged": self.pupils_unchanged,
            },
            "contacts": {
                "created": self.contacts_created,
                "updated": self.contacts_updated,
                "unchanged": self.contacts_unchanged,
            },
        }

    @property
    def changed(self) -> bool:
        return bool(
            self.pupils_created or self.pupils_updated or self.contacts_created or self.contacts_updated
        )


# --- reading -------------------------------------------------------------------------------------


def _read_source(path_or_file: str | os.PathLike[str] | IO[bytes] | IO[str]) -> tuple[str, bytes]:
    """The file's base name (never a directory, which could name a person) and its bytes."""
    if isinstance(path_or_file, str | os.PathLike):
        path = Path(path_or_file)
        return path.name, path.read_bytes()
    data = path_or_file.read()
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return Path(str(getattr(path_or_file, "name", "") or "upload.csv")).name, raw


@dataclass
class _Header:
    """Which file column holds which canonical column, and the header text as the file spells it."""

    index: dict[str, int]
    label: dict[str, str]
    width: int

    def present(self, key: str) -> bool:
        return key in self.index


def _map_header(header: list[str]) -> tuple[_Header, list[Problem], list[str]]:
    aliases = alias_index()
    index: dict[str, int] = {}
    label: dict[str, str] = {}
    problems: list[Problem] = []
    warnings: list[str] = []
    for i, text in enumerate(header):
        if not text:
            continue
        col = aliases.get(normalise_header(text))
        if col is None:
            warnings.append(f"column {text!r} is not recognised and was ignored")
            continue
        if col.key in index:
            problems.append(
                Problem(1, text, f"{text!r} and {label[col.key]!r} are both the {col.key} column; keep one")
            )
            continue
        index[col.key] = i
        label[col.key] = text
    for col in REQUIRED:
        if col.key not in index:
            accepted = ", ".join(repr(a) for a in col.aliases)
            problems.append(Problem(1, col.key, f"required column is missing (accepted headers: {accepted})"))
    return _Header(index, label, len(header)), problems, warnings


@dataclass
class _Row:
    """One data row: parsed values by canonical key (only columns the file has)."""

    line: int
    values: dict[str, Any]
    filled: set[str]  # keys whose cell was not empty


def _parse_row(line: int, cells: list[str], header: _Header, problems: list[Problem]) -> _Row:
    if len(cells) > header.width and any(c.strip() for c in cells[header.width :]):
        problems.append(
            Problem(line, "row", f"the row has {len(cells)} cells but the header has {header.width}")
        )
    row = _Row(line, {}, set())
    by_key = {c.key: c for c in COLUMNS}
    for key, i in header.index.items():
        col = by_key[key]
        raw = cells[i] if i < len(cells) else ""
        if raw.strip():
            row.filled.add(key)
        try:
            row.values[key] = PARSERS[col.kind](raw)
        except CellError as exc:
            problems.append(Problem(line, header.label[key], str(exc)))
    for col in REQUIRED:
        if col.key in header.index and col.key not in row.filled:
            problems.append(Problem(line, header.label[col.key], "a value is required"))
    for n in CONTACT_PREFIXES:
        if any(k.startswith(f"contact{n}_") for k in row.filled):
            for suffix in CONTACT_REQUIRED:
                key = f"contact{n}_{suffix}"
                if key not in row.filled:
                    where = header.label.get(key, key)
                    problems.append(
                        Problem(line, where, f"contact {n} has details but no {suffix.replace('_', ' ')}")
                    )
    return row


# --- planning ------------------------------------------------------------------------------------


def _state(obj: models.Model) -> dict[str, Any]:
    """The stored values that matter for change detection (timestamps excluded)."""
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name not in {"created_at", "updated_at", "recorded_at"}
    }


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone or "")


def _same_person(contact: Contact, forename: str, surname: str, email: str, phones: set[str]) -> bool:
    """Same names, and the same email or a phone in common (when either side has any)."""
    if contact.forename.casefold() != forename.casefold() or contact.surname.casefold() != surname.casefold():
        return False
    theirs = {d for d in map(_digits, (contact.phone_home, contact.phone_mobile, contact.phone_work)) if d}
    if not (email or phones) or not (contact.email or theirs):
        return True  # nothing else to tell them apart by
    if email and contact.email and email.casefold() == contact.email.casefold():
        return True
    return bool(phones & theirs)


@dataclass
class _Write:
    """An object to save, and whether it is new or changed (unchanged objects are not saved)."""

    obj: models.Model
    new: bool
    before: dict[str, Any] | None = None

    @property
    def changed(self) -> bool:
        return self.new or _state(self.obj) != self.before


@dataclass
class _ContactPlan:
    contact: _Write
    link: _Write


@dataclass
class _RowPlan:
    line: int
    pupil: _Write
    enrolment: _Write
    children: list[_Write] = field(default_factory=list)  # address (old then new) and FSM period
    contacts: list[_ContactPlan] = field(default_factory=list)

    @property
    def pupil_changed(self) -> bool:
        return self.pupil.changed or self.enrolment.changed or any(w.changed for w in self.children)


class _Planner:
    """Builds the unsaved objects of each row and checks them with the models' full_clean."""

    def __init__(self, school: School, header: _Header, problems: list[Problem]) -> None:
        self.school = school
        self.header = header
        self.problems = problems
        self.today = timezone.localdate()
        self.by_key = {c.key: c for c in COLUMNS}
        self.contact_seen: dict[int, tuple[int, dict[str, Any]]] = {}
        # Contacts this file creates, so siblings on later rows share one parent record.
        self.new_contacts: list[tuple[int, _Write]] = []
        self.trust_contacts: dict[tuple[str, str], list[Contact]] = {}
        self.column_cache: dict[tuple[str, int], list[Column]] = {}

    def existing_pupils(self, upns: set[str]) -> dict[str, Pupil]:
        found: dict[str, Pupil] = {}
        ordered = sorted(upns)
        for start in range(0, len(ordered), 500):
            qs = Pupil.objects.filter(trust=self.school.trust, upn__in=ordered[start : start + 500])
            qs = qs.prefetch_related(
                "enrolments",
                "addresses",
                "fsm_periods",
                Prefetch("contact_links", queryset=PupilContact.objects.select_related("contact")),
            )
            found.update({p.upn: p for p in qs})
        return found

    # -- helpers

    def _columns(self, target_prefix: str, contact: int = 0) -> list[Column]:
        key = (target_prefix, contact)
        if key not in self.column_cache:
            self.column_cache[key] = [
                c
                for c in COLUMNS
                if c.target.startswith(target_prefix + ".")
                and c.contact == contact
                and self.header.present(c.key)
            ]
        return self.column_cache[key]

    def _assign(self, obj: models.Model, row: _Row, cols: list[Column]) -> None:
        for col in cols:
            if col.key not in row.values:
                continue  # the cell could not be parsed; its problem is already listed
            value = row.values[col.key]
            if (value is None or value == "") and col.kind in KEEP_WHEN_EMPTY:
                continue
            setattr(obj, col.model_field, value)

    def _label(self, target: str, contact: int, field_name: str) -> str:
        """The header as the file spells it; the canonical column name when the file lacks it."""
        for col in COLUMNS:
            if col.target == f"{target}.{field_name}" and col.contact == contact:
                return self.header.label.get(col.key, col.key)
        prefix = f"contact {contact} " if contact else ""
        return f"{prefix}{target} {field_name}".replace("_", " ")

    def _clean(
        self, w: _Write | models.Model, row: _Row, target: str, contact: int = 0, exclude: Iterable[str] = ()
    ) -> None:
        """Validate what will be written. A stored object the row leaves unchanged is not written,
        so it is not validated again (that keeps re-importing a large file cheap)."""
        if isinstance(w, _Write):
            if not w.changed:
                return
            obj = w.obj
        else:
            obj = w
        try:
            obj.full_clean(exclude=list(exclude))
        except ValidationError as exc:
            already = {(p.line, p.field) for p in self.problems}
            for name, messages in exc.message_dict.items():
                where = "row" if name == NON_FIELD_ERRORS else self._label(target, contact, name)
                if (row.line, where) in already:
                    continue  # the cell itself was unreadable or empty: one message is enough
                for message in messages:
                    self.problems.append(Problem(row.line, where, message))

    # -- one row

    def plan(self, row: _Row, existing: Pupil | None) -> _RowPlan:
        trust = self.school.trust
        if existing is not None:
            pupil_w = _Write(existing, new=False, before=_state(existing))
        else:
            pupil_w = _Write(Pupil(trust=trust, source=SOURCE), new=True)
        pupil = pupil_w.obj
        assert isinstance(pupil, Pupil)
        self._assign(pupil, row, self._columns("pupil"))
        self._clean(pupil_w, row, "pupil")

        plan = _RowPlan(row.line, pupil_w, self._enrolment(row, existing))
        plan.children += self._address(row, existing)
        plan.children += self._fsm(row, existing)
        for n in CONTACT_PREFIXES:
            if any(k.startswith(f"contact{n}_") for k in row.filled):
                cp = self._contact(row, n, existing, plan.contacts)
                if cp is not None:
                    plan.contacts.append(cp)
        return plan

    def _enrolment(self, row: _Row, existing: Pupil | None) -> _Write:
        admission = row.values.get("admission_date")
        mine = [e for e in existing.enrolments.all() if e.school_id == self.school.pk] if existing else []
        # Same admission date first; else the open enrolment here (its admission date was corrected).
        match = next((e for e in mine if e.admission_date == admission), None) or next(
            (e for e in sorted(mine, key=lambda e: e.admission_date, reverse=True) if e.leaving_date is None),
            None,
        )
        w = (
            _Write(match, new=False, before=_state(match))
            if match
            else _Write(Enrolment(school=self.school), new=True)
        )
        self._assign(w.obj, row, self._columns("enrolment"))
        # The school is set by the importer, not the file: no need to query that it exists.
        self._clean(w, row, "enrolment", exclude=["pupil", "school"])
        return w

    def _address(self, row: _Row, existing: Pupil | None) -> list[_Write]:
        cols = self._columns("address")
        if not any(c.key in row.filled for c in cols):
            return []  # no address in this row: keep whatever is stored
        new = PupilAddress(start_date=self.today, source=SOURCE)
        self._assign(new, row, cols)
        self._clean(new, row, "address", exclude=["pupil"])
        current = None
        if existing is not None:
            open_ = [a for a in existing.addresses.all() if a.end_date is None]
            current = max(open_, key=lambda a: (a.start_date or dt.date.min, a.pk), default=None)
        if current is None:
            return [_Write(new, new=True)]
        if all(getattr(current, c.model_field) == getattr(new, c.model_field) for c in cols):
            return []
        before = _state(current)
        if current.start_date == self.today:
            # Corrected on the day it was recorded: fix it rather than add a one-day history entry.
            self._assign(current, row, cols)
            return [_Write(current, new=False, before=before)]
        current.end_date = self.today  # the pupil moved: keep the old address as history
        return [_Write(current, new=False, before=before), _Write(new, new=True)]

    def _fsm(self, row: _Row, existing: Pupil | None) -> list[_Write]:
        start = row.values.get("fsm_start")
        if start is None:
            if row.values.get("fsm_end") is not None:
                where = self.header.label["fsm_end"]
                self.problems.append(Problem(row.line, where, "an FSM end date needs an FSM start date"))
            return []
        match = None
        if existing is not None:
            match = next((p for p in existing.fsm_periods.all() if p.start_date == start), None)
        if match is not None:
            w = _Write(match, new=False, before=_state(match))
        else:
            w = _Write(FSMPeriod(start_date=start, source=SOURCE), new=True)
        self._assign(w.obj, row, self._columns("fsm"))
        self._clean(w, row, "fsm", exclude=["pupil"])
        return [w] if w.changed else []

    def _contact(
        self, row: _Row, n: int, existing: Pupil | None, earlier: list[_ContactPlan]
    ) -> _ContactPlan | None:
        v = row.values
        forename = v.get(f"contact{n}_forename") or ""
        surname = v.get(f"contact{n}_surname") or ""
        email = v.get(f"contact{n}_email") or ""
        phones = {
            d
            for d in (
                _digits(v.get(f"contact{n}_{k}") or "") for k in ("phone_home", "phone_mobile", "phone_work")
            )
            if d
        }
        taken = {cp.contact.obj.pk for cp in earlier if cp.contact.obj.pk}
        for cp in earlier:
            assert isinstance(cp.contact.obj, Contact)
            if _same_person(cp.contact.obj, forename, surname, email, phones):
                where = self.header.label.get(f"contact{n}_forename", f"contact{n}_forename")
                self.problems.append(
                    Problem(row.line, where, f"contact {n} is the same person as an earlier contact")
                )
                return None
        link: PupilContact | None = None
        if existing is not None:
            link = next(
                (
                    lk
                    for lk in existing.contact_links.all()
                    if lk.contact_id not in taken
                    and _same_person(lk.contact, forename, surname, email, phones)
                ),
                None,
            )
        if link is not None:
            contact_w = _Write(link.contact, new=False, before=_state(link.contact))
            link_w = _Write(link, new=False, before=_state(link))
        else:
            # A parent of a sibling already in the trust is the same contact, not a new one.
            known = self._trust_contact(forename, surname, email, phones, taken)
            if known is not None:
                contact_w = _Write(known, new=False, before=_state(known))
            else:
                contact_w = _Write(Contact(trust=self.school.trust, source=SOURCE), new=True)
            link_w = _Write(PupilContact(priority=n), new=True)
        self._assign(contact_w.obj, row, self._columns("contact", n))
        self._clean(contact_w, row, "contact", n, exclude=["trust"])
        self._assign(link_w.obj, row, self._columns("link", n))
        self._clean(link_w, row, "link", n, exclude=["pupil", "contact"])
        if contact_w.new:
            contact_w = self._shared_new_contact(row, n, contact_w, forename, surname, email, phones)
        self._check_shared(row, n, contact_w)
        return _ContactPlan(contact_w, link_w)

    def _trust_contact(
        self, forename: str, surname: str, email: str, phones: set[str], taken: set[Any]
    ) -> Contact | None:
        """An existing contact of the trust who is evidently this person (same name and email or phone)."""
        if not (forename and surname and (email or phones)):
            return None
        key = (forename.casefold(), surname.casefold())
        if key not in self.trust_contacts:
            self.trust_contacts[key] = list(
                Contact.objects.filter(
                    trust=self.school.trust, forename__iexact=forename, surname__iexact=surname
                ).order_by("pk")
            )
        return next(
            (
                c
                for c in self.trust_contacts[key]
                if c.pk not in taken and _same_person(c, forename, surname, email, phones)
            ),
            None,
        )

    def _shared_new_contact(
        self, row: _Row, n: int, contact_w: _Write, forename: str, surname: str, email: str, phones: set[str]
    ) -> _Write:
        """The same new contact on an earlier row (a sibling's parent) is created once and linked twice."""
        for line, earlier in self.new_contacts:
            assert isinstance(earlier.obj, Contact)
            if _same_person(earlier.obj, forename, surname, email, phones):
                if _state(earlier.obj) != _state(contact_w.obj):
                    where = self.header.label.get(f"contact{n}_forename", f"contact{n}_forename")
                    self.problems.append(
                        Problem(
                            row.line,
                            where,
                            f"contact {n} is also a contact on line {line} with different details",
                        )
                    )
                return earlier
        self.new_contacts.append((row.line, contact_w))
        return contact_w

    def _check_shared(self, row: _Row, n: int, contact_w: _Write) -> None:
        """A contact shared by two pupils must read the same on both rows, or imports would flip it."""
        pk = contact_w.obj.pk
        if pk is None:
            return
        state = _state(contact_w.obj)
        seen = self.contact_seen.get(pk)
        if seen is None:
            self.contact_seen[pk] = (row.line, state)
        elif seen[1] != state:
            where = self.header.label.get(f"contact{n}_forename", f"contact{n}_forename")
            self.problems.append(
                Problem(
                    row.line, where, f"contact {n} is also a contact on line {seen[0]} with different details"
                )
            )


# --- writing -------------------------------------------------------------------------------------


def _save(w: _Write) -> None:
    if w.changed:
        w.obj.save()


def _write(plans: list[_RowPlan], result: ImportResult) -> None:
    saved_new: set[int] = set()  # new contacts shared by siblings are created once
    for plan in plans:
        pupil = plan.pupil.obj
        pupil_changed = plan.pupil_changed
        if plan.pupil.new:
            result.pupils_created += 1
        elif pupil_changed:
            result.pupils_updated += 1
        else:
            result.pupils_unchanged += 1
        _save(plan.pupil)
        for w in (plan.enrolment, *plan.children):
            w.obj.pupil = pupil  # type: ignore[attr-defined]
            _save(w)
        for cp in plan.contacts:
            # A new contact shared by siblings is created on its first row; later rows only link it.
            shared = cp.contact.new and id(cp.contact) in saved_new
            if shared:
                result.contacts_unchanged += 1
            elif cp.contact.new:
                saved_new.add(id(cp.contact))
                result.contacts_created += 1
            elif cp.contact.changed or cp.link.changed:
                result.contacts_updated += 1
            else:
                result.contacts_unchanged += 1
            if not shared:
                _save(cp.contact)
            link = cp.link.obj
            assert isinstance(link, PupilContact)
            link.pupil = pupil  # type: ignore[assignment]
            link.contact = cp.contact.obj  # type: ignore[assignment]
            _save(cp.link)


def _categories(header: _Header) -> tuple[list[str], list[str], bool]:
    """Data categories and model fields the file's columns write to (for the import event)."""
    cats: set[str] = set()
    fields: set[str] = set()
    special = False
    for key in header.index:
        col = next(c for c in COLUMNS if c.key == key)
        prefix, name = col.target.split(".", 1)
        model = _TARGET_MODEL[prefix]
        entry = entry_for(model).field(name)
        cats.add(entry.category.key)
        fields.add(f"{model._meta.label}.{name}")
        special |= entry.special
    return sorted(cats), sorted(fields), special


def import_pupils(
    *, path_or_file: str | os.PathLike[str] | IO[bytes] | IO[str], school: School, actor: Any
) -> ImportResult:
    """Import (create or update) pupils and up to two contacts per row from an MIS CSV export.

    Pupils are matched by UPN within the school's trust; the school enrolment is created or
    updated; contacts are matched among the pupil's linked contacts by name and email or phone.
    Runs inside the caller's audit context (the CLI's `acting_as(actor, channel="cli")`).

    Raises ImportFailed listing every problem ("line N, field F: message") and writes nothing
    when any row is bad; PermissionDenied when `actor` may not import at `school`.
    """
    current()  # fail before reading anything when there is no audit context
    if not scope_for(actor).may(Action.IMPORT, school.pk):
        raise PermissionDenied(f"You may not import pupils at {school.name}.")
    name, data = _read_source(path_or_file)
    result = ImportResult(file_name=name, sha256=hashlib.sha256(data).hexdigest(), rows=0)
    try:
        table = read_table(data)
    except FileError as exc:
        raise ImportFailed([Problem(1, "file", str(exc))]) from None
    header, problems, warnings = _map_header(table.header)
    result.warnings = warnings
    if problems:
        raise ImportFailed(problems, warnings)

    rows = [_parse_row(line, cells, header, problems) for line, cells in table.rows]
    result.rows = len(rows)
    first_line: dict[str, int] = {}
    unique_rows: list[_Row] = []
    for row in rows:
        upn = row.values.get("upn") or ""
        if upn and upn in first_line:
            problems.append(
                Problem(row.line, header.label["upn"], f"UPN {upn} is also on line {first_line[upn]}")
            )
            continue
        if upn:
            first_line[upn] = row.line
        unique_rows.append(row)

    planner = _Planner(school, header, problems)
    existing = planner.existing_pupils(set(first_line))
    plans = [planner.plan(row, existing.get(row.values.get("upn") or "")) for row in unique_rows]
    if problems:
        raise ImportFailed(problems, warnings)

    categories, fields, special = _categories(header)
    try:
        with transaction.atomic(), batched():
            _write(plans, result)
            record(
                "import",
                model=Pupil._meta.label,
                subject=Subject(school_id=school.pk),
                categories=categories,
                special=special,
                fields=fields,
                detail={
                    "kind": "pupils",
                    "file": name,
                    "sha256": result.sha256,
                    "rows": result.rows,
                    "school_urn": school.urn,
                    **result.counts(),
                },
            )
    except (IntegrityError, ValidationError) as exc:
        # Another writer changed the same pupils between planning and writing.
        raise ImportFailed([Problem(0, "file", f"could not be saved: {exc}")], warnings) from exc
    return result
