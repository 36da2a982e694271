"""The response bundle of an access or portability request (UK GDPR Arts 15 and 20).

`collect` reads everything the registry knows about the pupil, `art15` adds what Art 15 requires
alongside it, `pdf` draws the readable copy and `build` stores the PDF and the ZIP of JSON and CSV.
"""

from steward.rights.bundle.art15 import NO_DISCLOSURES, disclosures_for
from steward.rights.bundle.build import build, final_blockers, latest_final, release_blocker
from steward.rights.bundle.collect import Collection, Section, Text, collect, schema

__all__ = [
    "NO_DISCLOSURES",
    "Collection",
    "Section",
    "Text",
    "build",
    "collect",
    "disclosures_for",
    "final_blockers",
    "latest_final",
    "release_blocker",
    "schema",
]
