"""`steward registry --format json|md`: print the personal-data registry."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from steward.registry.registry import as_data
from steward.registry.render import as_markdown


class Command(BaseCommand):
    help = "Print the personal-data registry (every personal-data model and the category of each field)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "md"], default="md")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["format"] == "json":
            self.stdout.write(json.dumps(as_data(), indent=2))
        else:
            self.stdout.write(as_markdown())
