"""What every browser test shares: Debian's Chromium, the flags it needs here, markers, screenshots.

Playwright's own browser download cannot work on these machines, so tests launch the system
Chromium. The flags keep it from reaching for the network (which is closed) at start-up.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

BROWSER_MARKS = [
    pytest.mark.browser,
    # The session-wide live server starts before any per-test settings, with no collected tree.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
    pytest.mark.skipif(
        CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]


def screenshot_dir(tmp_path: Path) -> Path:
    """STEWARD_SCREENSHOT_DIR when set (to keep the screenshots), else the test's tmp_path."""
    target = Path(os.environ.get("STEWARD_SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture(autouse=True)
def plain_static_storage(settings: Any) -> None:
    """{% static %} must not need a collected manifest: the live server serves from the finders."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
