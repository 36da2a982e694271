"""Notice fixtures: the shared fictional trust with the default register loaded by its DPO."""

from __future__ import annotations

from typing import Any

import pytest

from steward.audit.context import acting_as
from steward.organisations.models import Trust
from steward.register.models import Register
from steward.register.services import load_default_register


@pytest.fixture
def dpo(users: dict[str, Any]) -> Any:
    return users["trust_dpo"]


@pytest.fixture
def loaded(trust: Trust, users: dict[str, Any]) -> Register:
    """The default register, loaded by the trust DPO."""
    with acting_as(users["trust_dpo"], channel="cli"):
        return load_default_register(trust, actor=users["trust_dpo"])
