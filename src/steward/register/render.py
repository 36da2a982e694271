"""Print a school's effective register and its problems as Markdown or JSON (`steward register show`).

This is the DPO's working view of the register, not a privacy notice: notices are compiled elsewhere
from the same `RegisterView`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from steward.register.selectors import Problem, RegisterView


def as_json(view: RegisterView, problems: Sequence[Problem]) -> str:
    data = view.as_data()
    data["problems"] = [asdict(p) for p in problems]
    return json.dumps(data, indent=2, default=str)


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_markdown(view: RegisterView, problems: Sequence[Problem]) -> str:
    c = view.controller
    lines = [
        f"# Register of processing: {view.school_name} ({view.school_urn})",
        "",
        f"Controller: **{c.name}**" + (f", {c.address}" if c.address else ""),
        f"Data protection officer: {view.dpo.name or '(no name)'}"
        + "".join(f", {v}" for v in (view.dpo.email, view.dpo.phone) if v),
        f"Default register {view.defaults_version or '(none)'}; taxonomy {view.taxonomy_version}; "
        f"phase {view.school_phase}",
        "",
    ]
    if not view.exists:
        lines += ["**This trust has no register yet.**", ""]
    errors = [p for p in problems if p.severity == "error"]
    advice = [p for p in problems if p.severity != "error"]
    lines += ["## Problems", ""]
    lines += [f"- **{p.code}**: {p.message}" for p in errors] or ["None: a complete notice can be compiled."]
    lines.append("")
    if advice:
        lines += ["## To confirm", ""] + [f"- {p.code}: {p.message}" for p in advice] + [""]
    flags = [
        ("youth support 13+", view.youth_support_13),
        ("youth support 16+", view.youth_support_16),
        ("National Pupil Database", view.npd),
        ("automated decisions or profiling", view.adm.any),
    ]
    lines += ["## Notice sections", ""] + [f"- {n}: {'yes' if v else 'no'}" for n, v in flags]
    lines += [f"- youth support opt-out: {view.youth_support_model_label}", ""]
    if view.adm.any:
        lines += [f"Automated decision-making: {view.adm.description}", ""]

    lines += ["## Purposes", ""]
    for p in view.purposes:
        lines += [f"### {p.name} (`{p.key}`)", "", p.description, ""]
        lines.append(
            f"Notices: {', '.join(p.audiences) or 'none'}"
            + ("; this school only" if p.school_specific else "")
        )
        for b in p.bases:
            law = f": {b.legislation}" if b.legislation else ""
            li = f" (interests: {b.legitimate_interests})" if b.legitimate_interests else ""
            lines.append(f"- {b.label}{law}{li}")
        for cond in p.conditions:
            lines.append(f"- {cond.category.label} (`{cond.category.key}`): {cond.citation}")
        lines.append("")

    lines += [
        "## Categories of data",
        "",
        "| category | provision | sources | purposes |",
        "|---|---|---|---|",
    ]
    for g in view.categories:
        for u in g.uses:
            lines.append(
                f"| {g.label}: {u.category.label} (`{u.category.key}`){' *special*' if u.category.special else ''} "
                f"| {u.provision} | {_esc(', '.join(u.source_labels))} | {', '.join(u.purposes)} |"
            )
    lines.append("")

    lines += [
        "## Recipients",
        "",
        "| recipient | basis | gateway | how often | flags |",
        "|---|---|---|---|---|",
    ]
    for r in view.recipients:
        flags_r = [
            n
            for n, v in (
                ("13+", r.youth_support_13),
                ("16+", r.youth_support_16),
                ("NPD", r.npd),
                ("DSA", r.dsa_required),
            )
            if v
        ]
        lines.append(
            f"| {_esc(r.name)} (`{r.key}`) | {r.lawful_basis.short} | {_esc(r.legal_gateway) or '**missing**'} "
            f"| {'routine' if r.routine else 'case by case'} | {', '.join(flags_r)} |"
        )
    lines.append("")

    lines += ["## Systems", "", "| system | supplier | hosting | transfer |", "|---|---|---|---|"]
    for s in view.systems:
        transfer = s.international_transfer
        if s.transfer_destination:
            transfer += f" ({s.transfer_destination}; {s.transfer_safeguard_label})"
        lines.append(
            f"| {_esc(s.name)} (`{s.key}`) | {_esc(s.supplier) or 'to confirm'} | "
            f"{_esc(s.hosting_location) or 'to confirm'} | {transfer} |"
        )
    lines.append("")

    lines += ["## Retention", "", "| record | category | period | status |", "|---|---|---|---|"]
    for rule in view.retention:
        lines.append(
            f"| {_esc(rule.record_type)} | `{rule.category.key}` | {_esc(rule.summary)} | {rule.status} |"
        )
    lines.append("")
    return "\n".join(lines)
