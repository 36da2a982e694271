"""Publishing a privacy notice: the only write in the notices app.

`publish_notice` compiles the notice from the register, refuses it with the list of everything that
must be fixed first, and otherwise stores an immutable `NoticeVersion`. Only the trust's data
protection officer (Action.MANAGE_REGISTER, the permission that keeps the register) may publish.

Decisions:

- **No change is refused.** Publishing a notice whose Markdown is identical to the latest version's
  raises `PublishRefused` (code "no_change") naming that version, rather than returning it: a second
  version with the same text would make the history say the notice changed when it did not, and a
  silent success would hide that nothing was published.
- **No backdating.** A version cannot take effect before today, nor before the latest version's
  effective date: "what did the notice say on date D" must never change after D.
- **The checker has the last word.** Besides the register's own problems (`register_problems`), the
  compiled Markdown is run through the notice checker; a missing item or a problem blocks publishing,
  so a register edit that introduces, say, a citation of the Data Protection Act 1998 cannot reach a
  published notice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.notices import render
from steward.notices.audiences import AUDIENCES, audience_label
from steward.notices.checker import check_notice
from steward.notices.compiler import compile_notice
from steward.notices.models import NoticeVersion, content_hash
from steward.organisations.models import School
from steward.register.selectors import register_problems


class PublishRefused(ValidationError):
    """Publishing was refused. `reasons` lists each thing to fix, one sentence each; `by_field` keeps
    them by the input they concern ("effective_from", or NON_FIELD_ERRORS for the register)."""

    def __init__(self, reasons: list[str] | dict[str, list[str]], code: str = "publish_refused") -> None:
        by_field = {NON_FIELD_ERRORS: list(reasons)} if isinstance(reasons, list) else dict(reasons)
        by_field = {k: v for k, v in by_field.items() if v}
        super().__init__({k: [ValidationError(m, code=code) for m in v] for k, v in by_field.items()})
        self.by_field = by_field
        self.reasons = [m for v in by_field.values() for m in v]
        self.refusal_code = code


def require_publish(actor: Any, school: School) -> None:
    """Only the trust's DPO publishes. Someone with no role in the trust does not learn the school's
    notices can be managed (404); someone with a role there but not this permission is refused (403)."""
    scope = scope_for(actor)
    if school.trust_id not in scope.trust_ids:
        raise Http404("No such school")
    if Action.MANAGE_REGISTER not in scope.trust_actions.get(school.trust_id, set()):
        raise PermissionDenied(
            f"Only the data protection officer of {school.trust.name} may publish its privacy notices."
        )


def _check_audience(audience: str) -> None:
    if audience not in AUDIENCES:
        raise ValidationError(
            {"audience": f"Unknown audience {audience!r}: use one of {', '.join(AUDIENCES)}."}
        )


@transaction.atomic
def publish_notice(
    *, actor: Any, school: School, audience: str, effective_from: dt.date | None = None
) -> NoticeVersion:
    """Compile the `audience` notice of `school` and store it as the next version, in effect from
    `effective_from` (today by default).

    Raises PublishRefused listing every reason (the register's blocking problems, what the checker
    found, a past effective date, no change since the latest version); PermissionDenied or Http404 for
    anyone but the trust's DPO. Runs inside the caller's audit context: the new version's creation is
    audited as `actor`.
    """
    _check_audience(audience)
    require_publish(actor, school)
    today = timezone.localdate()
    effective_from = effective_from or today
    # Lock the notice's versions so two publishers cannot take the same number (PostgreSQL; SQLite
    # serialises writers anyway, and the unique constraint is the last line of defence).
    latest = (
        NoticeVersion.objects.select_for_update()
        .filter(school=school, audience=audience)
        .order_by("-number")
        .first()
    )
    dates: list[str] = []
    if effective_from < today:
        dates.append(
            f"The effective date {render.long_date(effective_from)} is in the past: a notice cannot take "
            "effect before it is published."
        )
    if latest is not None and effective_from < latest.effective_from:
        dates.append(
            f"Version {latest.number} takes effect on {render.long_date(latest.effective_from)}: a new version "
            "cannot take effect before it."
        )
    blocking = [p for p in register_problems(school) if p.severity == "error"]
    reasons = [p.message for p in blocking]
    compiled = compile_notice(school, audience, on=effective_from)
    content = compiled.content
    if not blocking:
        # The register is complete, so the checker should find nothing; if it does, say exactly what.
        report = check_notice(content, source="the compiled notice", format="md")
        reasons += [
            f"The compiled notice does not {item.need} ({item.title})."
            for item in report.items.values()
            if not item.present
        ]
        reasons += [f"The compiled notice, line {p.line}: {p.advice} ({p.text})" for p in report.problems]
    if reasons or dates:
        raise PublishRefused({NON_FIELD_ERRORS: reasons, "effective_from": dates})
    digest = content_hash(content)
    if latest is not None and latest.content_hash == digest:
        raise PublishRefused(
            [
                f"No change: the {audience_label(audience).lower()} notice compiled from the register is "
                f"identical to version {latest.number} (in effect from "
                f"{render.long_date(latest.effective_from)}), so there is nothing new to publish."
            ],
            code="no_change",
        )
    full = compiled.full_register
    version = NoticeVersion(
        school=school,
        audience=audience,
        number=(latest.number + 1) if latest is not None else 1,
        effective_from=effective_from,
        published_at=timezone.now(),
        published_by=actor,
        title=compiled.title,
        content=content,
        content_hash=digest,
        html=str(render.article(compiled.document)),
        document=compiled.document.as_data(),
        register_snapshot=full.as_data(),
        taxonomy_version=full.taxonomy_version,
        defaults_version=full.defaults_version,
    )
    version.full_clean()
    version.save()
    return version


__all__ = ["PublishRefused", "publish_notice", "require_publish"]
