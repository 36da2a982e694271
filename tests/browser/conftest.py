"""Browser-test settings: the live server serves static files from the finders."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def plain_static_storage(settings: Any) -> None:
    # {% static %} must not need a collected manifest; the live server's static handler serves
    # straight from node_modules and the apps' static folders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
