"""Reading an MIS export: bytes to text, text to rows, cells to values.

Everything here is pure (no database). A cell parser returns the value to store or raises
`CellError` with a message for the person who has to fix the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from steward.core import codes
from steward.core.validators import normalise_upn

DELIMITERS = (",", ";", "\t")


class CellError(ValueError):
    """A cell that cannot be read; the message says what was expected."""


class FileError(ValueError):
    """The file as a whole cannot be read (encoding, no header)."""


@dataclass(frozen=True)
class Table:
    """The header and the data rows of a file, each row with the file line it starts on."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    delimiter: str
    encoding: str


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    SIMS and Excel on Windows still write cp1252 ("Save as CSV"), Excel's "Unicode text" is
    UTF-16, Arbor and Bromcom write UTF-8, often with a BOM.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise FileError("the file is neither UTF-8 nor Windows-1252 text; save it as CSV (UTF-8)") from None


def _count_outside_quotes(line: str, ch: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == ch and not quoted:
            count += 1
    return count


def sniff_delimiter(first_line: str) -> str:
    """The delimiter that splits the header line into the most cells (comma when none does).

    Counting on the header alone is steadier than csv.Sniffer on the data, where names with
    commas and free-text cells mislead it.
    """
    best, best_count = ",", 0
    for d in DELIMITERS:
        n = _count_outside_quotes(first_line, d)
        if n > best_count:
            best, best_count = d, n
    return best


def read_table(data: bytes) -> Table:
    """Split a CSV (comma, semicolon or tab separated) into header and rows with line numbers."""
    text, encoding = decode(data)
    if not text.strip():
        raise FileError("the file is empty")
    first_line = text.splitlines()[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=False)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    next_line = 1
    for record in reader:
        start = next_line  # the line this record starts on (a quoted cell may span lines)
        next_line = reader.line_num + 1
        if header is None:
            header = [h.strip() for h in record]
            continue
        if not any(cell.strip() for cell in record):
            continue  # blank lines (and rows of empty cells) are not pupils
        rows.append((start, record))
    if header is None or not any(header):
        raise FileError("the file has no header row")
    return Table(header=header, rows=rows, delimiter=delimiter, encoding=encoding)


# --- cell parsers -------------------------------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def _labels(table: dict[str, str], extra: dict[str, str] | None = None) -> dict[str, str]:
    """Code lookup by code or by label, both normalised ("White - British" -> whitebritish)."""
    out = {_key(code): code for code in table}
    out.update({_key(label): code for code, label in table.items()})
    out.update({_key(k): v for k, v in (extra or {}).items()})
    return out


_DATE_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date(value: str) -> dt.date | None:
    """ISO (2015-03-14) or UK (14/03/2015) dates; a midnight time part from Excel is dropped."""
    text = _DATE_TIME_TAIL.sub("", value.strip())
    if not text:
        return None
    if m := _ISO.match(text):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _UK.match(text):
        d, mo, y = (int(g) for g in m.groups())
    else:
        raise CellError(f"{value!r} is not a date: use YYYY-MM-DD or DD/MM/YYYY")
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise CellError(f"{value!r} is not a real date") from None


_SEX = {"m": "M", "male": "M", "f": "F", "female": "F", "u": "U", "unknown": "U", "notknown": "U"}


def parse_sex(value: str) -> str:
    text = _key(value)
    if not text:
        return ""
    try:
        return _SEX[text]
    except KeyError:
        raise CellError(f"{value!r} is not a sex: use M, F or U (Male, Female, Unknown)") from None


_ETHNICITY = _labels(codes.ETHNICITY)


def parse_ethnicity(value: str) -> str:
    """A main DfE code; extended codes roll up, since the pupil record holds main codes only."""
    text = _key(value)
    if not text:
        return ""
    extended = codes.ETHNICITY_EXTENDED.get(text.upper())
    if extended:
        return extended
    try:
        return _ETHNICITY[text]
    except KeyError:
        raise CellError(f"{value!r} is not a DfE ethnicity code (e.g. WBRI, MWBC, NOBT)") from None


_ETHNICITY_SOURCE = {
    "p": "P",
    "providedbyparent": "P",
    "parent": "P",
    "c": "C",
    "providedbypupil": "C",
    "pupil": "C",
    "child": "C",
    "s": "S",
    "ascribedbypreviousschool": "S",
    "previousschool": "S",
}


def parse_ethnicity_source(value: str) -> str:
    text = _key(value)
    if not text:
        return ""
    try:
        return _ETHNICITY_SOURCE[text]
    except KeyError:
        raise CellError(f"{value!r} is not an ethnicity source: use P, C or S") from None


_LANGUAGE = _labels(codes.LANGUAGE)


def parse_language(value: str) -> str:
    text = _key(value)
    if not text:
        return ""
    try:
        return _LANGUAGE[text]
    except KeyError:
        raise CellError(f"{value!r} is not a known first-language code (e.g. ENG, POL, URD)") from None


_NCY = _labels(codes.NC_YEARS, {"reception": "R", "rec": "R", "nursery": "N2"})


def parse_ncy(value: str) -> str:
    """'7', '07', 'Year 7', 'Y7', 'Yr 7', 'R', 'Reception', 'N1', 'X'."""
    text = _key(value)
    if not text:
        return ""
    m = re.fullmatch(r"(?:year|yr|y)?0*(\d{1,2})", text)
    if m and m.group(1) in codes.NC_YEARS:
        return m.group(1)
    try:
        return _NCY[text]
    except KeyError:
        raise CellError(f"{value!r} is not a national curriculum year (N1, N2, R, 1-14, X)") from None


_STATUS = _labels(
    codes.ENROLMENT_STATUS,
    {
        "current": "C",
        "single": "C",
        "singleregistration": "C",
        "main": "M",
        "dualmain": "M",
        "maindualregistration": "M",
        "subsidiary": "S",
        "dualsubsidiary": "S",
        "subsidiarydualregistration": "S",
    },
)


def parse_enrolment_status(value: str) -> str:
    text = _key(value)
    if not text:
        return ""
    try:
        return _STATUS[text]
    except KeyError:
        raise CellError(f"{value!r} is not an enrolment status: use C, M, S or G") from None


_RELATIONSHIP = _labels(
    codes.RELATIONSHIP,
    {
        "mum": "PAM",
        "dad": "PAF",
        "stepmother": "STM",
        "stepfather": "STF",
        "fostercarer": "CAR",
        "guardian": "CAR",
        "grandparent": "REL",
        "aunt": "REL",
        "uncle": "REL",
        "sister": "REL",
        "brother": "REL",
        "sibling": "REL",
        "otherrelative": "REL",
        "other": "OTH",
    },
)


def parse_relationship(value: str) -> str:
    text = _key(value)
    if not text:
        return ""
    try:
        return _RELATIONSHIP[text]
    except KeyError:
        known = ", ".join(codes.RELATIONSHIP)
        raise CellError(f"{value!r} is not a relationship: use one of {known} or its label") from None


_TRUE = {"y", "yes", "true", "t", "1"}
_FALSE = {"n", "no", "false", "f", "0"}


def parse_bool(value: str) -> bool | None:
    text = _key(value)
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"{value!r} is not yes or no")


def parse_priority(value: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise CellError(f"{value!r} is not a priority: use 1, 2, 3, ...")
    return int(text)


def parse_upn(value: str) -> str:
    return normalise_upn(value)


def parse_text(value: str) -> str:
    return " ".join(value.split())  # exports pad cells and wrap long ones; one space is what was meant


def parse_email(value: str) -> str:
    return value.strip()


def parse_postcode(value: str) -> str:
    return " ".join(value.upper().split())


PARSERS: dict[str, Callable[[str], Any]] = {
    "text": parse_text,
    "upn": parse_upn,
    "uln": lambda v: v.strip(),
    "date": parse_date,
    "sex": parse_sex,
    "ethnicity": parse_ethnicity,
    "ethnicity_source": parse_ethnicity_source,
    "language": parse_language,
    "ncy": parse_ncy,
    "email": parse_email,
    "enrolment_status": parse_enrolment_status,
    "relationship": parse_relationship,
    "bool": parse_bool,
    "priority": parse_priority,
    "phone": parse_text,
    "postcode": parse_postcode,
}
