"""Render the registry as Markdown (JSON is `registry.as_data()`)."""

from __future__ import annotations

from steward.registry.registry import registered_models
from steward.registry.taxonomy import taxonomy


def as_markdown() -> str:
    """A data map a DPO can read: one table per model."""
    lines = [f"# Steward data map (taxonomy {taxonomy().version})", ""]
    for e in registered_models():
        lines += [f"## {e.label} ({e.verbose_name})", ""]
        if e.description:
            lines += [e.description, ""]
        lines += [
            f"Subject: **{e.subject}**" + (f" via `{e.subject_path}`" if e.subject_path else ""),
            f"Retention clock starts from: `{e.retention_from or 'not set'}`",
            "",
            "| field | category | label | special | sensitivity |",
            "|---|---|---|---|---|",
        ]
        for f in e.fields:
            c = f.category
            lines.append(
                f"| {f.name} | `{c.key}` | {c.label} | {'yes' if c.special else 'no'} | {c.sensitivity} |"
            )
        lines.append("")
    return "\n".join(lines)
