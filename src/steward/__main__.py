"""The `steward` console command: Django's management entry point with Steward's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command (`steward migrate`, `steward demo`, ...)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["steward", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
