"""How long compiling and rendering a privacy notice takes, beside raw baselines measured in the same run.

    .venv/bin/python bench/notice_render.py [--audience parent] [--repeat 20] [--pdf-repeat 5]

Builds a trust with the default register and a secondary school (the longest notices: youth support
and every recipient) in a throwaway SQLite database in a temporary directory (STEWARD_DATA_DIR), or
the database named by DATABASE_URL when that is set (point it at a scratch database: the benchmark
adds a trust to it). Each figure is the median of `--repeat` runs after one warm-up, printed with its
ratio to the baseline: joining the same notice's text into one string, with no templates at all.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ itself, for _common
from _common import setup_django, timed


def median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    fn()  # warm-up: template loading, font discovery, first queries
    runs = [timed(fn) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def pdf_pages(data: bytes) -> str:
    try:
        from pypdf import PdfReader  # a test dependency, used only to count pages
    except ImportError:
        return "pages not counted (pypdf not installed)"
    import io

    return f"{len(PdfReader(io.BytesIO(data)).pages)} pages"


class Report:
    def __init__(self) -> None:
        self.baseline: float | None = None

    def line(self, label: str, seconds: float, extra: str = "") -> None:
        if self.baseline is None:
            self.baseline = seconds
        ratio = seconds / self.baseline if self.baseline else float("inf")
        print(f"{label:<52} {seconds * 1000:>10.2f} ms {ratio:>10.1f}x  {extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--audience", default="parent", choices=["pupil", "pupil-young", "parent", "ap"])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--pdf-repeat", type=int, default=5)
    args = parser.parse_args()

    tmp = None if os.environ.get("DATABASE_URL") else tempfile.TemporaryDirectory(prefix="steward-bench-")
    setup_django(tmp.name if tmp else None)

    from django.db import connection
    from django.template import Context, Template

    from steward.accounts.models import RoleAssignment, User
    from steward.audit.context import acting_as
    from steward.notices import render
    from steward.notices.compiler import compile_notice
    from steward.notices.document import BulletList, Heading, Paragraph, Table
    from steward.organisations.models import School, Trust
    from steward.register.selectors import effective_register
    from steward.register.services import load_default_register

    with acting_as(None, channel="system", system_label="bench"):
        trust = Trust.objects.create(
            name="Bench Notice Trust", dpo_name="Dana Protector", dpo_email="dpo@bench.example.com"
        )
        school = School.objects.create(
            trust=trust,
            urn="990998",
            la_code="201",
            estab="3997",
            name="Bench Notice Academy",
            phase="secondary",
            school_type="academy",
        )
        dpo = User.objects.filter(username="bench-dpo").first() or User.objects.create_user("bench-dpo")
        RoleAssignment.objects.create(user=dpo, role="trust_dpo", trust=trust)
    with acting_as(dpo, channel="cli"):
        load_default_register(trust, actor=dpo)

    notice = compile_notice(school, args.audience)
    doc = notice.document

    def raw_join() -> str:
        # The same words with no templates: the floor any renderer of this notice sits on.
        parts = [doc.title]
        for block in doc.blocks:
            if isinstance(block, Heading):
                parts.append(block.text)
            elif isinstance(block, Paragraph):
                parts.append("".join(r.text for r in block.runs))
            elif isinstance(block, BulletList):
                parts.extend("".join(r.text for r in item) for item in block.items)
            elif isinstance(block, Table):
                parts.extend(" | ".join("".join(r.text for r in cell) for cell in row) for row in block.rows)
        return "\n\n".join(parts)

    trivial = Template("{% for b in blocks %}{{ b.kind }}\n{% endfor %}")

    print(
        f"Steward notice benchmark: {connection.vendor}, {args.audience} notice of a secondary school, "
        f"{len(doc.blocks)} blocks, {len(raw_join()):,} characters; median of {args.repeat} runs "
        f"({args.pdf_repeat} for PDF)"
    )
    print(f"{'measure':<52} {'time':>13} {'ratio':>11}")
    report = Report()
    seconds, text = median_time(raw_join, args.repeat)
    report.line("baseline: join the notice's text (no templates)", seconds, f"{len(text):,} chars")
    seconds, _ = median_time(lambda: trivial.render(Context({"blocks": doc.blocks})), args.repeat)
    report.line("reference: a trivial Django template over the blocks", seconds)
    seconds, _ = median_time(lambda: effective_register(school), args.repeat)
    report.line("effective_register (database reads)", seconds)
    seconds, _ = median_time(lambda: compile_notice(school, args.audience), args.repeat)
    report.line("compile_notice (register + document)", seconds)
    for label, fn in (
        ("render Markdown", lambda: render.markdown(doc, dateline=notice.dateline)),
        ("render plain text", lambda: render.text(doc, dateline=notice.dateline)),
        ("render HTML article (what a version stores)", lambda: render.article(doc)),
        ("render HTML page (standalone, GOV.UK CSS inlined)", lambda: notice.html()),
    ):
        seconds, out = median_time(fn, args.repeat)
        report.line(label, seconds, f"{len(out):,} chars")
    seconds, out = median_time(lambda: compile_notice(school, args.audience).markdown(), args.repeat)
    report.line("compile + Markdown (steward notice render)", seconds)
    seconds, pdf = median_time(notice.pdf, args.pdf_repeat)
    report.line("render PDF (WeasyPrint, print layout)", seconds, f"{len(pdf):,} bytes, {pdf_pages(pdf)}")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
