"""The `steward` console command: Django's management entry point with Steward's settings."""

from __future__ import annotations

import getpass
import os
import sys

# Django's own commands that can write personal data but have no --actor (there may be no user yet:
# createsuperuser bootstraps the first one). They run under a named process label with the OS user,
# never as a fallback Steward user. Steward's own data-changing commands require --actor.
BOOTSTRAP_COMMANDS = {"createsuperuser", "changepassword", "migrate", "loaddata", "flush", "shell"}


def main(argv: list[str] | None = None) -> None:
    """Run a management command (`steward migrate`, `steward demo`, ...)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
    from django.core.management import execute_from_command_line

    args = ["steward", *(sys.argv[1:] if argv is None else argv)]
    command = args[1] if len(args) > 1 else ""
    if command in BOOTSTRAP_COMMANDS:
        import django

        django.setup()
        from steward.audit.context import acting_as

        label = f"steward {command} (OS user {getpass.getuser()})"
        with acting_as(None, channel="cli", system_label=label):
            execute_from_command_line(args)
    else:
        execute_from_command_line(args)


if __name__ == "__main__":
    main()
