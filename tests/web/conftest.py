"""Web-test settings: static files come from the finders, so no collectstatic run is needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def plain_static_storage(settings: Any, tmp_path: Path) -> None:
    # The production storage is whitenoise's; tests render {% static %} without a collected tree.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # An empty collected tree: whitenoise warns when STATIC_ROOT does not exist.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
