"""`steward portal invite --school URN --upn UPN (--contact ID | --pupil) --email E --actor USER`,
`steward portal resend ID --actor USER`, `steward portal disable ID --actor USER`,
`steward portal list --school URN [--format json] --actor USER`: portal sign-ins, as thin shells over
`steward.portal.invitations`. A refusal exits 1 with the reason, changing nothing (and sending nothing).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser
from django.http import Http404
from django.utils import timezone

from steward.accounts.roles import Action
from steward.audit.context import current
from steward.core.cli import ActorCommand, validation_messages
from steward.people.models import Contact
from steward.people.selectors import pupils_visible_to
from steward.portal import invitations
from steward.portal.selectors import staff_link, staff_links, staff_school

OPTIONS = {"contact": "--contact", "pupil": "--pupil", "email": "--email"}


class Command(ActorCommand):
    help = "Portal sign-ins: invite a parent, carer or pupil by email; send a new link; disable; list."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        inv = sub.add_parser("invite", help="email a one-time link to set a password")
        inv.add_argument("--school", required=True, help="the inviting school's URN")
        inv.add_argument("--upn", required=True, help="the pupil's UPN")
        who = inv.add_mutually_exclusive_group(required=True)
        who.add_argument("--contact", type=int, help="the id of a contact with parental responsibility")
        who.add_argument("--pupil", action="store_true", help="invite the pupil (13 or over)")
        inv.add_argument("--email", required=True)
        for name, text in (("resend", "send a new link (the old one stops working)"), ("disable", "disable")):
            p = sub.add_parser(name, help=text)
            p.add_argument("id", type=int, help="the sign-in's id (from `list`)")
        ls = sub.add_parser("list", help="a school's portal sign-ins")
        ls.add_argument("--school", required=True)
        ls.add_argument("--format", choices=["text", "json"], default="text")
        for p in sub.choices.values():
            p.add_argument("--actor", required=True, help="username of the person running this command")

    def handle(self, *args: Any, **opts: Any) -> None:
        actor = current().actor
        try:
            getattr(self, f"_{opts['action']}")(actor, opts)
        except Http404 as exc:
            raise CommandError(f"not found at your schools: {exc}") from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("Refused, nothing changed: " + validation_messages(exc, OPTIONS)) from None

    def _invite(self, actor: Any, opts: dict[str, Any]) -> None:
        school = staff_school(actor, opts["school"])
        pupil = pupils_visible_to(actor, Action.CHANGE_PUPILS).filter(upn=opts["upn"].strip().upper()).first()
        if pupil is None:
            raise CommandError(f"--upn: no pupil {opts['upn']!r} at your schools")
        contact = None
        if opts.get("contact"):
            contact = Contact.objects.filter(pk=opts["contact"], pupil_links__pupil=pupil).first()
            if contact is None:
                raise CommandError(f"--contact: {opts['contact']} is not one of the pupil's contacts")
        inv = invitations.invite(
            actor=actor,
            school=school,
            email=opts["email"],
            contact=contact,
            pupil=None if contact else pupil,
        )
        self.stdout.write(
            f"Invitation sent to {inv.email} (sign-in {inv.link_id}), expires {inv.expires_at:%Y-%m-%d %H:%M}."
        )

    def _resend(self, actor: Any, opts: dict[str, Any]) -> None:
        inv = invitations.resend(actor=actor, link=staff_link(actor, opts["id"]))
        self.stdout.write(f"A new link was sent to {inv.email}; earlier links no longer work.")

    def _disable(self, actor: Any, opts: dict[str, Any]) -> None:
        link = invitations.disable(actor=actor, link=staff_link(actor, opts["id"]))
        self.stdout.write(f"Portal access disabled for sign-in {link.pk}.")

    def _list(self, actor: Any, opts: dict[str, Any]) -> None:
        now = timezone.now()
        rows = []
        for link in staff_links(actor, staff_school(actor, opts["school"])):
            latest = max(link.invitations.all(), key=lambda i: (i.created_at, i.pk), default=None)
            rows.append(
                {
                    "id": link.pk,
                    "username": link.user.username,
                    "role": link.role.value,
                    "contact": link.contact_id,
                    "pupil": link.pupil_id,
                    "disabled": link.disabled_at is not None,
                    "latest_link": latest.status_on(now).value if latest else None,
                }
            )
        if opts["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for r in rows:
            state = "disabled" if r["disabled"] else r["latest_link"]
            self.stdout.write(f"{r['id']:>5}  {r['role']:<6}  {r['username']:<40}  {state}")
