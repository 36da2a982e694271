"""What every benchmark shares: Django set up on a throwaway database, and a timer."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup_django(data_dir: str | None) -> None:
    """Configure Steward on `data_dir` (a temporary SQLite database) unless DATABASE_URL is set, and migrate."""
    if data_dir is not None:
        os.environ["STEWARD_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
    sys.path.insert(0, str(ROOT / "src"))  # run from a checkout even when steward is not installed
    import django

    django.setup()
    from django.core.management import call_command

    from steward.audit.context import acting_as

    with acting_as(None, channel="system", system_label="bench: migrate"):
        call_command("migrate", verbosity=0)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds taken by `fn()`, and what it returned."""
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value
