"""Steward's default register and systems catalogue: versioned data shipped beside this module.

`register.toml` is the register a new trust starts from; `catalogue.toml` lists systems UK schools
commonly use. Both use the model field names, so loading is a matter of checking the keys and handing
rows to the models, whose validation is the one place the rules live.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DEFAULTS_DIR = Path(__file__).parent
REGISTER_FILE = DEFAULTS_DIR / "register.toml"
CATALOGUE_FILE = DEFAULTS_DIR / "catalogue.toml"

# Keys each section may use: model fields, plus `seen_in` (which seed notices state the entry:
# documentation, not loaded). Anything else is a typo and fails loudly.
_COMMON = {"phases", "notes", "seen_in"}
ALLOWED: dict[str, set[str]] = {
    "register": {"automated_decisions", "profiling", "adm_description", "youth_support_model"},
    "purposes": {
        "key",
        "name",
        "description",
        "description_young",
        "audiences",
        "bases",
        "conditions",
        *_COMMON,
    },
    "purposes.bases": {"basis", "legislation", "legitimate_interests", "explanation"},
    "purposes.conditions": {"category_key", "condition", "schedule_1_paragraph", "explanation"},
    "categories": {
        "category_key",
        "provision",
        "requirement",
        "consequence",
        "sources",
        "purposes",
        *_COMMON,
    },
    "recipients": {
        "key",
        "name",
        "kind",
        "description",
        "lawful_basis",
        "legal_gateway",
        "sharing",
        "categories",
        "purposes",
        "dsa_required",
        "youth_support_13",
        "youth_support_16",
        "npd",
        "information_url",
        *_COMMON,
    },
    "systems": {
        "key",
        "name",
        "function",
        "supplier",
        "description",
        "hosting_location",
        "international_transfer",
        "transfer_destination",
        "transfer_safeguard",
        "transfer_safeguard_detail",
        "categories",
        *_COMMON,
    },
    "retention": {
        "key",
        "category_key",
        "record_type",
        "trigger",
        "period_kind",
        "years",
        "months",
        "days",
        "action",
        "source",
        "status",
        *_COMMON,
    },
    "consents": {
        "key",
        "name",
        "description",
        "relies_on",
        "purpose_key",
        "given_by",
        "competent_age",
        "biometric",
        "dpia_reference",
        "alternative",
        "written_only",
        "active",
        *_COMMON,
    },
}


class DefaultsError(ValueError):
    """A shipped data file is malformed (a bug in Steward, caught by the tests)."""


def _check_keys(section: str, item: dict[str, Any], where: str) -> None:
    unknown = set(item) - ALLOWED[section]
    if unknown:
        raise DefaultsError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")


@dataclass(frozen=True)
class DefaultRegister:
    """The parsed default register: plain dicts of model fields, in notice order."""

    version: str
    register: dict[str, Any]
    purposes: tuple[dict[str, Any], ...]
    categories: tuple[dict[str, Any], ...]
    recipients: tuple[dict[str, Any], ...]
    systems: tuple[dict[str, Any], ...]
    retention: tuple[dict[str, Any], ...]
    consents: tuple[dict[str, Any], ...] = ()


def parse_default_register(text: str, source: str = "register.toml") -> DefaultRegister:
    """Parse the default register TOML, refusing unknown fields."""
    data = tomllib.loads(text)
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise DefaultsError(f"{source}: missing `version`")
    register = dict(data.get("register", {}))
    _check_keys("register", register, f"{source}: [register]")
    sections: dict[str, list[dict[str, Any]]] = {}
    for name in ("purposes", "categories", "recipients", "systems", "retention", "consents"):
        items = data.get(name, [])
        for i, item in enumerate(items):
            where = f"{source}: {name}[{i}]"
            _check_keys(name, item, where)
            for sub in ("bases", "conditions"):
                for j, child in enumerate(item.get(sub, [])):
                    _check_keys(f"purposes.{sub}", child, f"{where}.{sub}[{j}]")
        sections[name] = items
    return DefaultRegister(
        version=version,
        register=register,
        purposes=tuple(sections["purposes"]),
        categories=tuple(sections["categories"]),
        recipients=tuple(sections["recipients"]),
        systems=tuple(sections["systems"]),
        retention=tuple(sections["retention"]),
        consents=tuple(sections["consents"]),
    )


@cache
def default_register() -> DefaultRegister:
    """The default register shipped with this version of Steward."""
    return parse_default_register(REGISTER_FILE.read_text(encoding="utf-8"), source=REGISTER_FILE.name)


@dataclass(frozen=True)
class CatalogueSystem:
    """A system schools commonly use, with the data categories it typically holds."""

    key: str
    name: str
    supplier: str
    function: str
    description: str
    categories: tuple[str, ...]
    phases: tuple[str, ...] = ()
    notes: str = ""
    # Never pre-filled: only the supplier's current terms can say (see catalogue.toml).
    hosting_location: str = field(default="", init=False)

    def system_fields(self) -> dict[str, Any]:
        """The fields of a `System` row picked from this entry."""
        return {
            "name": self.name,
            "supplier": self.supplier,
            "function": self.function,
            "description": self.description,
            "categories": list(self.categories),
            "phases": list(self.phases),
            "notes": self.notes,
            "catalogue_key": self.key,
        }


@dataclass(frozen=True)
class Catalogue:
    version: str
    systems: tuple[CatalogueSystem, ...]

    def get(self, key: str) -> CatalogueSystem:
        for s in self.systems:
            if s.key == key:
                return s
        raise KeyError(f"no system {key!r} in the catalogue {self.version}")


_CATALOGUE_FIELDS = {"key", "name", "supplier", "function", "description", "categories", "phases", "notes"}


def parse_catalogue(text: str, source: str = "catalogue.toml") -> Catalogue:
    """Parse the systems catalogue TOML, refusing unknown fields and repeated keys."""
    data = tomllib.loads(text)
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise DefaultsError(f"{source}: missing `version`")
    systems: list[CatalogueSystem] = []
    seen: set[str] = set()
    for i, item in enumerate(data.get("systems", [])):
        where = f"{source}: systems[{i}]"
        unknown = set(item) - _CATALOGUE_FIELDS
        if unknown:
            raise DefaultsError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        missing = {"key", "name", "function", "categories"} - set(item)
        if missing:
            raise DefaultsError(f"{where}: missing {', '.join(sorted(missing))}")
        if item["key"] in seen:
            raise DefaultsError(f"{where}: key {item['key']!r} repeats")
        seen.add(item["key"])
        systems.append(
            CatalogueSystem(
                key=item["key"],
                name=item["name"],
                supplier=item.get("supplier", ""),
                function=item["function"],
                description=item.get("description", ""),
                categories=tuple(item["categories"]),
                phases=tuple(item.get("phases", ())),
                notes=item.get("notes", ""),
            )
        )
    return Catalogue(version=version, systems=tuple(systems))


@cache
def catalogue() -> Catalogue:
    """The systems catalogue shipped with this version of Steward."""
    return parse_catalogue(CATALOGUE_FILE.read_text(encoding="utf-8"), source=CATALOGUE_FILE.name)
