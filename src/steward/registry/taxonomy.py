"""The data-category taxonomy: versioned reference data with dotted hierarchical keys.

The vocabulary lives in `taxonomy.toml` beside this module, not in code, so a change of
classification is a reviewed data change with a version bump.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SENSITIVITIES = ("low", "standard", "high", "restricted")
TAXONOMY_FILE = Path(__file__).with_name("taxonomy.toml")


@dataclass(frozen=True)
class Category:
    """One data category, e.g. `pupil.health.allergy`."""

    key: str
    label: str
    description: str
    special: bool
    sensitivity: str
    personal: bool

    @property
    def ancestors(self) -> tuple[str, ...]:
        """The key and every key above it, most specific first."""
        parts = self.key.split(".")
        return tuple(".".join(parts[:i]) for i in range(len(parts), 0, -1))

    def within(self, prefix: str) -> bool:
        """True when this category is `prefix` or sits below it."""
        return self.key == prefix or self.key.startswith(prefix + ".")


@dataclass(frozen=True)
class Taxonomy:
    version: str
    categories: dict[str, Category]

    def get(self, key: str) -> Category:
        try:
            return self.categories[key]
        except KeyError:
            raise KeyError(f"unknown data category {key!r} (taxonomy {self.version})") from None

    def __contains__(self, key: object) -> bool:
        return key in self.categories


class TaxonomyError(ValueError):
    """The taxonomy file is malformed."""


def parse_taxonomy(text: str, source: str = "taxonomy") -> Taxonomy:
    """Parse and validate taxonomy TOML; every key's parent must exist and values must be known."""
    data = tomllib.loads(text)
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise TaxonomyError(f"{source}: missing `version`")
    raw = data.get("categories", {})
    categories: dict[str, Category] = {}
    for key, item in raw.items():
        where = f"{source}: categories.{key}"
        parent = key.rpartition(".")[0]
        if parent and parent not in raw:
            raise TaxonomyError(f"{where}: parent category {parent!r} is not defined")
        sensitivity = item.get("sensitivity", "standard")
        if sensitivity not in SENSITIVITIES:
            raise TaxonomyError(
                f"{where}: sensitivity {sensitivity!r} is not one of {', '.join(SENSITIVITIES)}"
            )
        for required in ("label", "description"):
            if not item.get(required):
                raise TaxonomyError(f"{where}: `{required}` is required")
        categories[key] = Category(
            key=key,
            label=item["label"],
            description=item["description"],
            special=bool(item.get("special", False)),
            sensitivity=sensitivity,
            personal=bool(item.get("personal", True)),
        )
    return Taxonomy(version=version, categories=categories)


@cache
def taxonomy() -> Taxonomy:
    """The taxonomy shipped with this version of Steward."""
    return parse_taxonomy(TAXONOMY_FILE.read_text(encoding="utf-8"), source=TAXONOMY_FILE.name)
