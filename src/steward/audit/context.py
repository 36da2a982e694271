"""Who is acting, through which channel, under which request id.

Every web request, API call, CLI command and job runs inside `acting_as(...)`. A write to a
registered model outside any context raises `NoAuditContext`: there is no silent fallback user.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

CHANNELS = ("web", "api", "cli", "job", "system")


@dataclass(frozen=True)
class AuditContext:
    actor: Any | None  # a User, or None for a named system process
    channel: str
    request_id: str
    actor_label: str

    @property
    def actor_id(self) -> int | None:
        return getattr(self.actor, "pk", None)


class NoAuditContext(RuntimeError):
    """Personal data was written or read outside `acting_as(...)`."""


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("steward_audit", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def acting_as(
    actor: Any | None, *, channel: str, request_id: str | None = None, system_label: str = ""
) -> Iterator[AuditContext]:
    """Run a block as `actor`. A None actor needs an explicit `system_label` naming the process."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown audit channel {channel!r}")
    if actor is None and not system_label:
        raise NoAuditContext("an actor is required (or a named system process via system_label)")
    label = system_label or getattr(actor, "get_username", lambda: str(actor))()
    ctx = AuditContext(
        actor=actor, channel=channel, request_id=request_id or new_request_id(), actor_label=label
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def current() -> AuditContext:
    """The active context; raises NoAuditContext outside one."""
    ctx = _current.get()
    if ctx is None:
        raise NoAuditContext(
            "personal data touched outside an audit context: wrap the call in "
            "steward.audit.context.acting_as(actor, channel=...)"
        )
    return ctx


def current_or_none() -> AuditContext | None:
    return _current.get()
