"""What UK GDPR Art 15(1)-(2) requires alongside the copy of the data, read from the school's
effective register (`register.selectors.effective_register`) so the bundle says what the notice says.

Art 15(1): (a) purposes, (b) categories, (c) recipients, (d) retention, (e) the rights to rectify,
erase, restrict and object, (f) the right to complain to the ICO, (g) the source where the data was
not collected from the subject, (h) automated decision-making. Art 15(2): safeguards for transfers
abroad. The disclosures actually made come from `disclosures_for` (issue 5's disclosure log).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from steward.organisations.models import School
from steward.people.models import Pupil
from steward.register.resolve import covers
from steward.register.selectors import RegisterView, effective_register
from steward.registry.taxonomy import taxonomy

NO_DISCLOSURES = "No disclosures are recorded in Steward's disclosure log."
ICO = (
    "You have the right to complain to the Information Commissioner's Office (ICO), the UK's data "
    "protection regulator: https://ico.org.uk/make-a-complaint/, telephone 0303 123 1113, or Information "
    "Commissioner's Office, Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF. We would like the "
    "chance to put things right first, so please contact our data protection officer."
)
RIGHTS = (
    "Rectification: to have inaccurate information corrected and incomplete information completed (Art 16).",
    "Erasure: to have information deleted where there is no longer a need or a legal reason to keep it (Art 17).",
    "Restriction: to limit how we use information while its accuracy or our use of it is checked (Art 18).",
    "Objection: to object to processing based on our public task or legitimate interests (Art 21).",
    "Portability: to receive information you gave us, held by consent or contract, in a machine-readable "
    "form (Art 20); the ZIP file with this bundle holds every category as JSON and CSV.",
    "Withdrawing consent: where we rely on consent, to withdraw it at any time (Art 7(3)).",
    "Automated decisions: not to be subject to a decision based solely on automated processing that "
    "significantly affects you (Art 22).",
)


def disclosures_for(pupil: Pupil) -> list[dict[str, Any]]:
    """Disclosures of the pupil's data actually made, from the disclosure log (`sharing.log`): the date,
    recipient, purpose, lawful basis, categories and whether the share was limited (Art 15(1)(c))."""
    from steward.register.choices import Art6
    from steward.sharing.log import disclosures_for as logged

    tax = taxonomy()
    out: list[dict[str, Any]] = []
    for d in logged(pupil.pk):
        out.append(
            {
                "on": d.run.on.isoformat(),
                "recipient": d.recipient_name,
                "purpose": d.purpose_key,
                "basis": str(dict(Art6.choices).get(d.lawful_basis, d.lawful_basis)),
                "categories": ", ".join(
                    tax.categories[k].label if k in tax.categories else k for k in d.categories
                ),
                "limited": d.limited,
                "kind": d.run.get_kind_display(),
            }
        )
    return out


@dataclass
class CategoryInfo:
    """What the register says about one category: why, from where, for how long."""

    purposes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    retention: list[str] = field(default_factory=list)


@dataclass
class Art15:
    """The Art 15 information as plain data (the PDF section and `art15.json` in the ZIP)."""

    controller: dict[str, str]
    dpo: dict[str, str]
    register_exists: bool
    purposes: list[dict[str, Any]]
    recipients: list[dict[str, Any]]
    disclosures: list[dict[str, Any]]
    disclosures_note: str
    retention: list[dict[str, str]]
    transfers: list[dict[str, str]]
    automated_decisions: str
    rights: list[str]
    complaint: str
    by_category: dict[str, CategoryInfo]

    def as_data(self) -> dict[str, Any]:
        return asdict(self)


def _best(keys: list[str], category: str) -> list[str]:
    """The most specific register keys that cover `category` (pupil.health covers pupil.health.allergy)."""
    hits = [k for k in keys if covers(k, category)]
    if not hits:
        return []
    depth = max(k.count(".") for k in hits)
    return [k for k in hits if k.count(".") == depth]


def category_info(view: RegisterView, category: str) -> CategoryInfo:
    """Purposes, sources and retention for one category, from the most specific register rows."""
    info = CategoryInfo()
    uses = {u.category.key: u for u in view.uses}
    purpose_names = {p.key: p.name for p in view.purposes}
    for key in _best(list(uses), category):
        u = uses[key]
        info.purposes.extend(
            purpose_names.get(k, k) for k in u.purposes if purpose_names.get(k, k) not in info.purposes
        )
        info.sources.extend(s for s in u.source_labels if s not in info.sources)
    rules: dict[str, list[Any]] = {r.category.key: [] for r in view.retention}
    for r in view.retention:
        rules[r.category.key].append(r)
    for key in _best(list(rules), category):
        info.retention.extend(f"{r.record_type}: {r.summary}" for r in rules[key])
    return info


def art15_information(school: School, pupil: Pupil, categories: list[str]) -> Art15:
    """The Art 15 information for a bundle about `pupil` from `school`'s effective register."""
    view = effective_register(school)
    c = view.controller
    purposes = [
        {
            "name": p.name,
            "description": p.description,
            "lawful_bases": [
                {"basis": b.label, "article": b.article, "legislation": b.legislation} for b in p.bases
            ],
            "special_category_conditions": [
                {"category": cond.category.label, "condition": cond.label, "citation": cond.citation}
                for cond in p.conditions
            ],
            "categories": [cat.label for cat in p.categories],
        }
        for p in view.purposes
    ]
    recipients = [
        {
            "name": r.name,
            "kind": r.kind_label,
            "categories": [cat.label for cat in r.categories],
            "lawful_basis": f"{r.lawful_basis.label} ({r.lawful_basis.article})",
            "legal_gateway": r.legal_gateway,
            "routine": r.routine,
        }
        for r in view.recipients
    ]
    retention = [
        {"record": r.record_type, "category": r.category.label, "kept": r.summary, "source": r.source}
        for r in view.retention
    ]
    transfers = [
        {
            "system": s.name,
            "destination": s.transfer_destination,
            "safeguard": s.transfer_safeguard_label
            + (f": {s.transfer_safeguard_detail}" if s.transfer_safeguard_detail else ""),
        }
        for s in view.international_transfers
    ]
    if view.adm.any:
        adm = (
            view.adm.description or "Automated decision-making or profiling applies (see our privacy notice)."
        )
    else:
        adm = (
            "No decision that affects the pupil is made solely by automated means, and no profiling "
            "is carried out (Art 22)."
        )
    disclosures = disclosures_for(pupil)
    return Art15(
        controller={
            "name": c.name,
            "address": c.address,
            "ico_registration": c.ico_registration,
            "school": c.school_name,
            "school_address": ", ".join(x for x in (c.school_address, c.school_postcode) if x),
        },
        dpo={"name": view.dpo.name, "email": view.dpo.email, "phone": view.dpo.phone},
        register_exists=view.exists,
        purposes=purposes,
        recipients=recipients,
        disclosures=disclosures,
        disclosures_note="" if disclosures else NO_DISCLOSURES,
        retention=retention,
        transfers=transfers,
        automated_decisions=adm,
        rights=list(RIGHTS),
        complaint=ICO,
        by_category={k: category_info(view, k) for k in categories},
    )
