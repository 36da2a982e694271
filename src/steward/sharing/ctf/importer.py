"""Importing a common transfer file received from a pupil's previous school. All or nothing.

1. Read: parse with lxml (no network, no entities), check the root is CTfile, validate against the
   schema (`schema.py`), then check what a schema cannot (UPN check letters). Every problem is
   reported with its line and element path; with any problem nothing is written.
2. Plan: for each pupil build the objects to save, unsaved, and check each with the model's own
   `full_clean` (the one validation point), mapping a bad field back to the element it came from.
   A pupil already in the trust (same UPN) is merged: a value the CTF has replaces Steward's; an
   empty one leaves Steward's alone.
3. Write: save what changed inside one transaction, under the caller's audit context (the signals
   audit every save), and record the receipt as a `TransferReceived`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from lxml import etree

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.audit.context import current
from steward.core import codes
from steward.core.validators import validate_upn
from steward.organisations.models import School
from steward.people.models import Contact, Enrolment, FSMPeriod, Pupil, PupilAddress, PupilContact
from steward.records.models import Assessment, AttendanceMark, SENNeed, SENProvision
from steward.records.models.attainment import STAGES
from steward.sharing.ctf import attendance
from steward.sharing.ctf.common import UNKNOWN_ESTAB, UNKNOWN_LA
from steward.sharing.ctf.payload import (
    ASSESSMENT_FIELDS,
    CONTACT_ADDRESS,
    CONTACT_FIELDS,
    FSM_FIELDS,
    PUPIL_FIELDS,
    current_address,
)
from steward.sharing.ctf.schema import schema
from steward.sharing.models_transfer import TransferReceived

SOURCE = "previous_school"  # codes.SOURCE: "Previous school (common transfer file)"
PHONE_FIELDS = {"H": "phone_home", "M": "phone_mobile", "W": "phone_work"}
STEWARD_STAGES = {code for code, _label in STAGES}
# The elements each pupil field comes from (below Pupil), for error messages and nothing else.
PUPIL_ELEMENTS = {
    "upn": "UPN",
    "uln": "UniqueLearnerNumber",
    "legal_surname": "Surname",
    "legal_forename": "Forename",
    "date_of_birth": "DOB",
    "sex": "Sex",
    "former_upn": "BasicDetails/FormerUPN",
    "preferred_surname": "BasicDetails/PreferredSurname",
    "former_surname": "BasicDetails/FormerSurname",
    "preferred_forename": "BasicDetails/PreferredForename",
    "middle_names": "BasicDetails/MiddleNames",
    "ncy": "BasicDetails/NCyearActual",
    "ethnicity": "BasicDetails/Ethnicity",
    "ethnicity_source": "BasicDetails/EthnicitySource",
    "first_language": "BasicDetails/Languages/Type/Language",
    "email": "Email",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: line, element path (XPath) and reason."""

    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, element {self.path}: {self.message}"


class CtfInvalid(Exception):
    """The file was not imported and nothing was written; `problems` lists every reason."""

    def __init__(self, file_name: str, problems: list[Problem]) -> None:
        self.file_name = file_name
        self.problems = sorted(problems, key=lambda p: (p.line, p.path))
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(
            f"{file_name}: not a valid CTF, nothing was imported ({len(problems)} problem(s))\n{lines}"
        )


@dataclass
class PupilSummary:
    """What the import did to one pupil: created, updated or unchanged, and which fields changed."""

    upn: str
    status: str
    changed: list[str] = field(default_factory=list)
    pupil_id: int | None = None


@dataclass
class CtfImportResult:
    file_name: str
    sha256: str
    ctf_version: str
    source: dict[str, str]
    pupils: list[PupilSummary]
    warnings: list[str]
    dry_run: bool
    received: TransferReceived | None = None

    def counts(self) -> dict[str, int]:
        out = {"created": 0, "updated": 0, "unchanged": 0}
        for p in self.pupils:
            out[p.status] += 1
        return out

    def as_data(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "ctf_version": self.ctf_version,
            "source": self.source,
            "dry_run": self.dry_run,
            "counts": self.counts(),
            "pupils": [{"upn": p.upn, "status": p.status, "changed": p.changed} for p in self.pupils],
            "warnings": self.warnings,
        }


# --- reading -------------------------------------------------------------------------------------


def _read_source(file: str | os.PathLike[str] | IO[bytes]) -> tuple[str, bytes]:
    if isinstance(file, str | os.PathLike):
        path = Path(file)
        return path.name, path.read_bytes()
    return Path(str(getattr(file, "name", "") or "upload.xml")).name, file.read()


def parse(name: str, data: bytes) -> etree._ElementTree:
    """The parsed, schema-valid document; CtfInvalid with line, element and reason otherwise."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise CtfInvalid(
            name, [Problem(exc.lineno or 0, "(document)", f"not well-formed XML: {exc.msg}")]
        ) from None
    tree = root.getroottree()
    if root.tag != "CTfile":
        raise CtfInvalid(
            name,
            [
                Problem(
                    root.sourceline or 0, f"/{root.tag}", f"the root element must be CTfile, not {root.tag}"
                )
            ],
        )
    xsd = schema()
    if not xsd.validate(tree):
        problems = [Problem(e.line, e.path or "(document)", e.message) for e in xsd.error_log]
        raise CtfInvalid(name, problems)
    return tree


def _t(el: etree._Element | None, path: str) -> str:
    if el is None:
        return ""
    found = el.find(path)
    return (found.text or "").strip() if found is not None else ""


def _date(el: etree._Element | None, path: str) -> dt.date | None:
    text = _t(el, path)
    return dt.date.fromisoformat(text[:10]) if text else None  # the schema has checked the shape


def _bool(el: etree._Element | None, path: str) -> bool | None:
    text = _t(el, path)
    return None if not text else text in ("true", "1")


@dataclass
class _Located:
    """Values read from one element, with the element itself so problems can point at it."""

    values: dict[str, Any]
    el: etree._Element
    parts: dict[str, str] = field(default_factory=dict)  # field -> element path below `el`


def _address(el: etree._Element | None) -> dict[str, str] | None:
    if el is None:
        return None
    lines = el.find("AddressLines")
    bs = el.find("BS7666Address")
    if lines is not None:
        l1, l2, l3, l4, l5 = (_t(lines, f"AddressLine{i}") for i in range(1, 6))
        town = l5 or l4 or l3
        line2 = ", ".join(p for p in (l2, *(x for x in (l3, l4) if x and x != town)) if p)
        out = {"line1": l1, "line2": line2, "town": town}
    elif bs is not None:
        out = {
            "line1": " ".join(p for p in (_t(bs, "SAON"), _t(bs, "PAON"), _t(bs, "Street")) if p),
            "line2": _t(bs, "Locality"),
            "town": _t(bs, "Town") or _t(bs, "PostTown"),
        }
    else:
        out = {"line1": "", "line2": "", "town": ""}
    out["county"] = _t(el, "County")
    out["postcode"] = _t(el, "PostCode")
    return out if any(out.values()) else None


def _academic_year(text: str) -> str:
    """A StageAssessment Year as Steward's label: 2025 (the summer of the tests) -> 2024/2025."""
    if text.isdigit() and len(text) == 4:
        return f"{int(text) - 1}/{text}"
    if len(text) == 7 and text[4] == "/":  # 2024/25
        return f"{text[:4]}/{text[:2]}{text[5:]}"
    return text


# --- planning ------------------------------------------------------------------------------------


def _state(obj: models.Model) -> dict[str, Any]:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name not in {"created_at", "updated_at", "recorded_at"}
    }


@dataclass
class _Write:
    obj: models.Model
    new: bool
    before: dict[str, Any] | None = None

    @property
    def changed(self) -> bool:
        return self.new or _state(self.obj) != self.before


def _existing(obj: models.Model | None, factory: Any) -> _Write:
    if obj is not None:
        return _Write(obj, new=False, before=_state(obj))
    return _Write(factory(), new=True)


@dataclass
class _PupilPlan:
    upn: str
    pupil: _Write
    enrolment: _Write | None
    children: list[tuple[str, _Write]] = field(default_factory=list)  # (label, write) saved after the pupil
    links: list[tuple[_Write, _Write]] = field(default_factory=list)  # (contact, link)


class _Planner:
    def __init__(
        self, *, school: School, actor: Any, tree: etree._ElementTree, admission_date: dt.date
    ) -> None:
        self.school = school
        self.actor = actor if getattr(actor, "pk", None) else None
        self.tree = tree
        self.admission_date = admission_date
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def problem(self, el: etree._Element, message: str, below: str = "") -> None:
        target = el.find(below) if below else el
        target = target if target is not None else el
        path = self.tree.getpath(target)
        self.problems.append(Problem(target.sourceline or 0, path, message))

    def clean(self, obj: models.Model, el: etree._Element, parts: dict[str, str], exclude: list[str]) -> None:
        """Run the model's full_clean and report each bad field at the element it came from."""
        try:
            obj.full_clean(exclude=exclude)
        except ValidationError as exc:
            reported = {p.path for p in self.problems}
            for name, messages in exc.message_dict.items():
                below = "" if name == NON_FIELD_ERRORS else parts.get(name, "")
                target = el.find(below) if below else None
                if target is not None and self.tree.getpath(target) in reported:
                    continue  # already reported at that element (e.g. the UPN check letter)
                label = "" if name == NON_FIELD_ERRORS else f"{name.replace('_', ' ')}: "
                for message in messages:
                    self.problem(el, f"{label}{message}", below)

    def record(self, model: type[models.Model], **values: Any) -> models.Model:
        """A new category record kept at the importing school, from the previous school."""
        return model(school=self.school, source=SOURCE, recorded_by=self.actor, **values)

    # -- one pupil

    def plan(self, el: etree._Element, existing: Pupil | None) -> _PupilPlan:
        upn = _t(el, "UPN")
        try:
            validate_upn(upn)
        except ValidationError as exc:
            self.problem(el, "; ".join(exc.messages), "UPN")
        values = self.pupil_values(el)
        pw = _existing(existing, lambda: Pupil(trust=self.school.trust, source=SOURCE))
        for name, value in values.items():
            if value not in ("", None):
                setattr(pw.obj, name, value)
        self.clean(pw.obj, el, PUPIL_ELEMENTS, exclude=["trust"])
        plan = _PupilPlan(upn=upn, pupil=pw, enrolment=self.enrolment(el, existing))
        address = _address(el.find("Address"))
        self.address(plan, el, existing, address)
        self.contacts(plan, el, existing, address)
        self.sen(plan, el, existing)
        self.attendance(plan, el, existing)
        self.assessments(plan, el, existing)
        self.fsm(plan, el, existing)
        if el.find("SchoolHistory/School") is not None:
            self.warnings.append(
                f"{upn}: school history read, not stored (Steward keeps enrolments only at its own schools)"
            )
        return plan

    def pupil_values(self, el: etree._Element) -> dict[str, Any]:
        out: dict[str, Any] = {name: _t(el, path) for name, path in PUPIL_ELEMENTS.items()}
        out["sex"] = out["sex"] or _t(el, "Gender")  # CTF 12-era files say Gender
        out["date_of_birth"] = _date(el, "DOB")
        upn = out["upn"]
        ethnicity = out["ethnicity"]
        if ethnicity in codes.ETHNICITY_EXTENDED:
            out["ethnicity"] = codes.ETHNICITY_EXTENDED[ethnicity]
            self.warnings.append(
                f"{upn}: extended ethnicity {ethnicity} recorded as its main code {out['ethnicity']}"
            )
        language = ""
        for t in el.iterfind("BasicDetails/Languages/Type"):
            if _t(t, "LanguageType") in ("F", "") and not language:
                language = _t(t, "Language")
        if language and language not in codes.LANGUAGE:
            self.warnings.append(
                f"{upn}: first language {language} is not in Steward's list: recorded as OTH"
            )
            language = "OTH"
        out["first_language"] = language
        return out

    def enrolment(self, el: etree._Element, existing: Pupil | None) -> _Write | None:
        status = _t(el, "BasicDetails/EnrolStatus")
        mine = (
            existing.enrolments.filter(school=self.school, leaving_date__isnull=True).first()
            if existing
            else None
        )
        w = _existing(mine, lambda: Enrolment(school=self.school, admission_date=self.admission_date))
        if status:
            w.obj.status = status  # type: ignore[attr-defined]
        self.clean(w.obj, el, {"status": "BasicDetails/EnrolStatus"}, exclude=["pupil", "school"])
        return w

    def address(
        self, plan: _PupilPlan, el: etree._Element, existing: Pupil | None, address: dict[str, str] | None
    ) -> None:
        if address is None:
            return
        now = current_address(existing) if existing else None
        if now is not None and all(getattr(now, k) == v for k, v in address.items()):
            return
        today = timezone.localdate()
        new = PupilAddress(start_date=today, source=SOURCE, **address)
        self.clean(new, el, {k: "Address" for k in address}, exclude=["pupil"])
        if now is not None:
            before = _state(now)
            now.end_date = today  # the pupil moved: keep the old address as history
            plan.children.append(("address", _Write(now, new=False, before=before)))
        plan.children.append(("address", _Write(new, new=True)))

    def contacts(
        self, plan: _PupilPlan, el: etree._Element, existing: Pupil | None, address: dict[str, str] | None
    ) -> None:
        links = list(existing.contact_links.select_related("contact")) if existing else []
        for n, c in enumerate(el.iterfind("Contacts/Contact"), start=1):
            forename, surname = _t(c, "Forename"), _t(c, "Surname")
            link = next(
                (
                    lk
                    for lk in links
                    if lk.contact.forename.casefold() == forename.casefold()
                    and lk.contact.surname.casefold() == surname.casefold()
                ),
                None,
            )
            values: dict[str, Any] = {
                "title": _t(c, "Title"),
                "forename": forename,
                "surname": surname,
                "email": _t(c, "Email"),
            }
            for phone in c.iterfind("Phones/Phone"):
                key = PHONE_FIELDS.get(_t(phone, "TelephoneType"))
                if key:
                    values[key] = _t(phone, "PhoneNo")
            own = _address(c.find("Address"))
            if _bool(c, "AddressAsPupil") and address:
                own = {
                    "line1": address["line1"],
                    "line2": address["line2"],
                    "town": address["town"],
                    "postcode": address["postcode"],
                }
            if own:
                values.update(
                    address_line1=own["line1"],
                    address_line2=own["line2"],
                    town=own["town"],
                    postcode=own["postcode"],
                )
            contact = link.contact if link else self.trust_contact(forename, surname, values.get("email", ""))
            cw = _existing(contact, lambda: Contact(trust=self.school.trust, source=SOURCE))
            for k, v in values.items():
                if v:
                    setattr(cw.obj, k, v)
            parts = {k: k.replace("_", " ") for k in CONTACT_FIELDS + CONTACT_ADDRESS}
            parts.update(title="Title", forename="Forename", surname="Surname", email="Email")
            self.clean(cw.obj, c, parts, exclude=["trust"])
            lw = _existing(link, lambda: PupilContact())
            order = _t(c, "Order")
            lw.obj.priority = int(order) if order else n  # type: ignore[attr-defined]
            lw.obj.relationship = _t(c, "Relationship")  # type: ignore[attr-defined]
            responsibility = _bool(c, "Responsibility")
            if responsibility is not None:
                lw.obj.parental_responsibility = responsibility  # type: ignore[attr-defined]
            link_parts = {
                "priority": "Order",
                "relationship": "Relationship",
                "parental_responsibility": "Responsibility",
            }
            self.clean(lw.obj, c, link_parts, exclude=["pupil", "contact"])
            plan.links.append((cw, lw))

    def trust_contact(self, forename: str, surname: str, email: str) -> Contact | None:
        """A parent already in the trust (a sibling's): same names and same email."""
        if not email:
            return None
        return (
            Contact.objects.filter(
                trust=self.school.trust,
                forename__iexact=forename,
                surname__iexact=surname,
                email__iexact=email,
            )
            .order_by("pk")
            .first()
        )

    def sen(self, plan: _PupilPlan, el: etree._Element, existing: Pupil | None) -> None:
        stored = list(SENProvision.objects.filter(pupil=existing)) if existing else []
        for s in el.iterfind("SENhistory/SEN"):
            start = _date(s, "StartDate")
            match = next((p for p in stored if p.start_date == start), None)
            w = _existing(match, lambda: self.record(SENProvision))
            w.obj.start_date = start  # type: ignore[attr-defined]
            w.obj.provision = _t(s, "SENprovision")  # type: ignore[attr-defined]
            end = _date(s, "EndDate")
            if end is not None:
                w.obj.end_date = end  # type: ignore[attr-defined]
            parts = {"provision": "SENprovision", "start_date": "StartDate", "end_date": "EndDate"}
            self.clean(w.obj, s, parts, exclude=["pupil", "school", "recorded_by"])
            plan.children.append(("SEN provision", w))
        needs = list(SENNeed.objects.filter(pupil=existing)) if existing else []
        for n in el.iterfind("SENhistory/SENneeds/SENneed"):
            need = _t(n, "SENtype")
            found = next((x for x in needs if x.need == need and x.end_date is None), None)
            w = _existing(found, lambda: self.record(SENNeed))
            w.obj.need = need  # type: ignore[attr-defined]
            w.obj.rank = int(_t(n, "SENtypeRank") or 1)  # type: ignore[attr-defined]
            self.clean(
                w.obj,
                n,
                {"need": "SENtype", "rank": "SENtypeRank"},
                exclude=["pupil", "school", "recorded_by"],
            )
            plan.children.append(("SEN need", w))

    def attendance(self, plan: _PupilPlan, el: etree._Element, existing: Pupil | None) -> None:
        stored = (
            {
                (m.date, m.session): m
                for m in AttendanceMark.objects.filter(pupil=existing, school=self.school)
            }
            if existing
            else {}
        )
        planned: set[tuple[dt.date, str]] = set()
        for y in el.iterfind("Attendance/YearData"):
            sessions = y.find("AttendSessions")
            if sessions is None:
                self.warnings.append(
                    f"{plan.upn}: attendance totals for {_t(y, 'Year')} read but not stored (no session marks; "
                    "Steward keeps marks, not totals)"
                )
                continue
            start = _date(sessions, "AttendanceStartDate")
            assert start is not None  # required by the schema
            try:
                marks = attendance.decode(start, _t(sessions, "AttendanceMarks"))
            except ValueError as exc:
                self.problem(sessions, str(exc), "AttendanceMarks")
                continue
            for day, session, code in marks:
                if (day, session) in planned:
                    # Two YearData blocks (dual registration) can both mark a session; the importing
                    # school keeps one mark per session, the first given.
                    self.warnings.append(
                        f"{plan.upn}: {day} {session} is marked twice; the first mark is kept"
                    )
                    continue
                planned.add((day, session))
                match = stored.get((day, session))
                w = _existing(match, lambda: self.record(AttendanceMark))
                w.obj.date, w.obj.session, w.obj.code = day, session, code  # type: ignore[attr-defined]
                if w.changed:
                    plan.children.append(("attendance", w))

    def assessments(self, plan: _PupilPlan, el: etree._Element, existing: Pupil | None) -> None:
        stored = list(Assessment.objects.filter(pupil=existing)) if existing else []
        for ks in el.iterfind("StageAssessments/KeyStage"):
            stage_out = _t(ks, "Stage")
            for a in ks.iterfind("StageAssessment"):
                component = _t(a, "Component")
                stage = "MTC" if stage_out == "KS2" and component == "MTC" else stage_out
                if stage == "MTC" and component == "MTC":
                    component = ""  # written by export when Steward's component was empty
                if stage not in STEWARD_STAGES:
                    self.warnings.append(
                        f"{plan.upn}: stage {stage_out} results not stored (Steward has no such stage)"
                    )
                    continue
                year = _academic_year(_t(a, "Year"))
                subject = _t(a, "Subject")
                result_date = _date(a, "ResultDate")
                if result_date is None:
                    end = int(year[-4:]) if year[-4:].isdigit() else timezone.localdate().year
                    result_date = dt.date(end, 8, 31)
                    self.warnings.append(
                        f"{plan.upn}: {stage} {subject} {year} has no ResultDate: 31 August {end} recorded"
                    )
                match = next(
                    (
                        x
                        for x in stored
                        if (x.stage, x.subject, x.component, x.academic_year)
                        == (stage, subject, component, year)
                    ),
                    None,
                )
                w = _existing(match, lambda: self.record(Assessment, kind="statutory"))
                for k, v in zip(
                    ASSESSMENT_FIELDS,
                    (stage, year, subject, component, _t(a, "Result"), result_date),
                    strict=True,
                ):
                    setattr(w.obj, k, v)
                parts = {
                    "subject": "Subject",
                    "result": "Result",
                    "academic_year": "Year",
                    "result_date": "ResultDate",
                }
                self.clean(w.obj, a, parts, exclude=["pupil", "school", "recorded_by"])
                plan.children.append(("assessment", w))

    def fsm(self, plan: _PupilPlan, el: etree._Element, existing: Pupil | None) -> None:
        stored = list(existing.fsm_periods.all()) if existing else []
        for f in el.iterfind("FSMhistory/FSMinstance"):
            start = _date(f, "FSMstartDate")
            match = next((p for p in stored if p.start_date == start), None)
            w = _existing(match, lambda: FSMPeriod(source=SOURCE))
            values = dict(zip(FSM_FIELDS, (start, _date(f, "FSMendDate"), _t(f, "UKcountry")), strict=True))
            for k, v in values.items():
                if v not in ("", None):
                    setattr(w.obj, k, v)
            parts = {"start_date": "FSMstartDate", "end_date": "FSMendDate", "country": "UKcountry"}
            self.clean(w.obj, f, parts, exclude=["pupil"])
            plan.children.append(("FSM", w))


# --- writing -------------------------------------------------------------------------------------


def _changed_fields(w: _Write, names: tuple[str, ...]) -> list[str]:
    if w.new or w.before is None:
        return [n for n in names if getattr(w.obj, n) not in ("", None)]
    after = _state(w.obj)
    return [n for n in names if after.get(n) != w.before.get(n)]


def _summary(plan: _PupilPlan) -> PupilSummary:
    changed = _changed_fields(plan.pupil, PUPIL_FIELDS)
    if plan.enrolment is not None and plan.enrolment.changed:
        changed.append("enrolment")
    labels: dict[str, int] = {}
    for label, w in plan.children:
        if w.changed:
            labels[label] = labels.get(label, 0) + 1
    changed += [f"{label} ({n})" for label, n in labels.items()]
    contacts = sum(1 for cw, lw in plan.links if cw.changed or lw.changed)
    if contacts:
        changed.append(f"contacts ({contacts})")
    status = "created" if plan.pupil.new else "updated" if changed else "unchanged"
    return PupilSummary(upn=plan.upn, status=status, changed=changed)


def _save(w: _Write, **links: Any) -> None:
    for k, v in links.items():
        setattr(w.obj, k, v)
    if w.changed:
        w.obj.save()


def _write(plans: list[_PupilPlan], summaries: list[PupilSummary]) -> None:
    for plan, summary in zip(plans, summaries, strict=True):
        _save(plan.pupil)
        pupil = plan.pupil.obj
        summary.pupil_id = pupil.pk
        if plan.enrolment is not None:
            _save(plan.enrolment, pupil=pupil)
        for _label, w in plan.children:
            _save(w, pupil=pupil)
        for cw, lw in plan.links:
            _save(cw)
            _save(lw, pupil=pupil, contact=cw.obj)


def import_ctf(
    *,
    actor: Any,
    school: School,
    file: str | os.PathLike[str] | IO[bytes],
    admission_date: dt.date | None = None,
    dry_run: bool = False,
) -> CtfImportResult:
    """Import a CTF into `school`: new pupils created, existing ones (same UPN in the trust) merged,
    contacts linked, an enrolment opened at `school` (from `admission_date`, default today), SEN,
    FSM, attendance marks and statutory assessments recorded with source "previous school".

    CtfInvalid (every problem, by line and element) when the file is malformed: nothing is written.
    With `dry_run` the file is checked and the summary returned, and nothing is written either.
    """
    if not scope_for(actor).may(Action.IMPORT, school.pk):
        raise PermissionDenied(f"You may not import pupils into {school.name}.")
    current()  # refuse before reading anything when there is no audit context
    name, data = _read_source(file)
    tree = parse(name, data)
    root = tree.getroot()
    header = root.find("Header")
    source = {
        k: _t(header, f"SourceSchool/{tag}")
        for k, tag in (("la", "LEA"), ("estab", "Estab"), ("urn", "URN"), ("name", "SchoolName"))
    }
    dest = (_t(header, "DestSchool/LEA"), _t(header, "DestSchool/Estab"))
    warnings_head: list[str] = []
    if dest not in {(school.la_code, school.estab), (UNKNOWN_LA, UNKNOWN_ESTAB)}:
        warnings_head.append(
            f"the file is addressed to {''.join(dest)}, not {school.laestab} ({school.name})"
        )
    planner = _Planner(
        school=school, actor=actor, tree=tree, admission_date=admission_date or timezone.localdate()
    )
    pupils_el = root.findall("CTFpupilData/Pupil")
    upns = [_t(p, "UPN") for p in pupils_el]
    seen: dict[str, etree._Element] = {}
    for p in pupils_el:
        upn = _t(p, "UPN")
        if upn in seen:
            planner.problem(
                p, f"UPN {upn} appears twice in the file (first on line {seen[upn].sourceline})", "UPN"
            )
        seen.setdefault(upn, p)
    existing = {x.upn: x for x in Pupil.objects.filter(trust=school.trust, upn__in=upns)}
    plans = [planner.plan(p, existing.get(_t(p, "UPN"))) for p in pupils_el]
    if planner.problems:
        raise CtfInvalid(name, planner.problems)
    summaries = [_summary(p) for p in plans]
    result = CtfImportResult(
        file_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        ctf_version=_t(header, "CTFversion"),
        source=source,
        pupils=summaries,
        warnings=warnings_head + planner.warnings,
        dry_run=dry_run,
    )
    if dry_run:
        return result
    with transaction.atomic():
        _write(plans, summaries)
        result.received = TransferReceived.objects.create(
            school=school,
            file_name=name,
            sha256=result.sha256,
            ctf_version=result.ctf_version,
            source_la=source["la"],
            source_estab=source["estab"],
            source_urn=source["urn"],
            source_name=source["name"],
            pupil_refs=[s.pupil_id for s in summaries],
            summary={
                "counts": result.counts(),
                "pupils": [{"status": s.status, "changed": s.changed} for s in summaries],
            },
            actor=actor if getattr(actor, "pk", None) else None,
        )
    return result
