"""Invitations by email (a real SMTP server on loopback): the one-time link sets a password and signs the
person in, works once, expires; staff send a new link (the old one and the old password die) and disable
access; who may be invited (parental responsibility, no court order, pupils 13+); refusals change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from tests.conftest import make_pupil
from tests.portal.conftest import PASSWORD, Family, Inbox, signed_in, years_ago

from steward.accounts.models import User
from steward.audit.context import acting_as
from steward.audit.models import AuditEvent
from steward.organisations.models import School
from steward.portal import invitations
from steward.portal.models import Invitation, PortalLink

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "lantern orchard pebble violin"


def invite(actor: User, school: School, **kw: Any) -> Invitation:
    with acting_as(actor, channel="web"):
        return invitations.invite(actor=actor, school=school, **kw)


def sign_in(username: str, password: str) -> Client | None:
    """Sign in on the ordinary sign-in page (django-axes needs the request); the client when it worked."""
    client = Client()
    response = client.post("/sign-in/", {"username": username, "password": password, "next": "/portal/"})
    return client if response.status_code == 302 else None


def follow(client: Client, path: str, password: str = NEW_PASSWORD) -> Any:
    return client.post(path, {"password": password, "password_again": password})


def test_invited_parent_sets_a_password_is_signed_in_and_the_link_works_once(
    smtp: Inbox, family: Family, school_a: School, users: dict[str, User]
) -> None:
    inv = invite(users["office_manager"], school_a, email="Morgan@Example.com", contact=family.parent)
    assert len(smtp.messages) == 1
    _, rcpt, msg = smtp.messages[0]
    assert rcpt == ["Morgan@Example.com"] and "portal sign-in" in msg["Subject"]
    text = smtp.texts()[0]
    assert "Your username is: morgan@example.com" in text
    path = smtp.last_link()
    token = path.rstrip("/").rsplit("/", 1)[-1]
    # Only the hash is stored, never the token.
    assert inv.token_hash == invitations.token_hash(token) and token not in inv.token_hash
    user = inv.link.user
    assert not user.has_usable_password() and inv.link.contact == family.parent

    client = Client()
    page = client.get(path)
    assert page.status_code == 200 and b"morgan@example.com" in page.content
    weak = follow(client, path, "short")
    assert weak.status_code == 200 and b"too short" in weak.content
    inv.refresh_from_db()
    assert inv.used_at is None  # a refused password leaves the link usable

    done = follow(client, path)
    assert done.status_code == 302 and done["Location"] == "/portal/"
    home = client.get("/portal/")
    assert home.status_code == 200 and family.child.display_name.encode() in home.content
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(actor=user, model="portal.Invitation", action="update").exists()

    # The link works once.
    again = Client().get(path)
    assert again.status_code == 404 and b"no longer works" in again.content
    assert follow(Client(), path, "another long passphrase here").status_code == 404
    # And the person signs in on the ordinary sign-in page, landing on the portal.
    fresh = Client()
    signin = fresh.post(
        "/sign-in/?next=/portal/",
        {"username": "morgan@example.com", "password": NEW_PASSWORD, "next": "/portal/"},
    )
    assert signin.status_code == 302 and signin["Location"] == "/portal/"


def test_link_expires_after_seven_days(
    smtp: Inbox, family: Family, school_a: School, users: dict[str, User]
) -> None:
    inv = invite(users["office_manager"], school_a, email="morgan@example.com", contact=family.parent)
    assert inv.expires_at - inv.created_at >= dt.timedelta(days=7) - dt.timedelta(seconds=5)
    path = smtp.last_link()
    with acting_as(None, channel="system", system_label="test: time passes"):
        Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get(path).status_code == 404
    assert follow(Client(), path).status_code == 404
    inv.refresh_from_db()
    assert inv.status_on(timezone.now()) == "expired" and not inv.link.user.has_usable_password()


def test_resend_kills_the_old_link_and_password_and_disable_stops_sign_in(
    smtp: Inbox, family: Family, school_a: School, users: dict[str, User]
) -> None:
    office = users["office_manager"]
    inv = invite(office, school_a, email="morgan@example.com", contact=family.parent)
    first = smtp.last_link()
    assert follow(Client(), first).status_code == 302
    link = inv.link
    # Staff reset: a new link is sent; the old link and the password stop working.
    page = signed_in(office).post(f"/portal/staff/sign-ins/{link.pk}/resend/")
    assert page.status_code == 302
    second = smtp.last_link()
    assert second != first and "new link" in smtp.texts()[-1]
    assert sign_in("morgan@example.com", NEW_PASSWORD) is None
    assert Client().get(first).status_code == 404
    assert follow(Client(), second, "a different long passphrase").status_code == 302

    # Disable: the signed-in session ends and the person cannot sign in again.
    client = sign_in("morgan@example.com", "a different long passphrase")
    assert client is not None and client.get("/portal/").status_code == 200
    listing = signed_in(office).get(f"/portal/staff/invitations/?school={school_a.urn}")
    assert b"morgan@example.com" in listing.content and b"Used" in listing.content
    assert signed_in(office).post(f"/portal/staff/sign-ins/{link.pk}/disable/").status_code == 302
    assert client.get("/portal/").status_code == 302  # sent to sign in
    assert sign_in("morgan@example.com", "a different long passphrase") is None
    listing = signed_in(office).get(f"/portal/staff/invitations/?school={school_a.urn}")
    assert b"Access disabled" in listing.content


@pytest.mark.parametrize("who", ["no_pr", "court"])
def test_contact_without_parental_responsibility_or_with_a_court_order_cannot_be_invited(
    smtp: Inbox, family: Family, school_a: School, users: dict[str, User], who: str
) -> None:
    contact = getattr(family, who)
    with pytest.raises(ValidationError) as err:
        invite(users["office_manager"], school_a, email="x@example.com", contact=contact)
    assert "contact" in err.value.message_dict
    assert "parental responsibility" in err.value.message_dict["contact"][0]
    assert (
        not smtp.messages
        and not PortalLink.objects.exists()
        and not User.objects.filter(email="x@example.com").exists()
    )


def test_pupils_are_invited_from_13_the_age_of_digital_consent(
    smtp: Inbox, family: Family, school_a: School, users: dict[str, User], trust: Any, system: Any
) -> None:
    twelve = make_pupil(trust, school_a, 40, legal_forename="Kit", date_of_birth=years_ago(13, days=-1))
    with pytest.raises(ValidationError) as err:
        invite(users["office_manager"], school_a, email="kit@example.com", pupil=twelve)
    assert (
        "13" in err.value.message_dict["pupil"][0] and "digital consent" in err.value.message_dict["pupil"][0]
    )
    assert not smtp.messages
    inv = invite(users["office_manager"], school_a, email="jordan@example.com", pupil=family.teen)
    assert inv.link.pupil == family.teen and len(smtp.messages) == 1
    assert follow(Client(), smtp.last_link()).status_code == 302


def test_bad_email_duplicate_and_second_invitation_refused(
    smtp: Inbox, family: Family, school_a: School, users: dict[str, User]
) -> None:
    office = users["office_manager"]
    with pytest.raises(ValidationError) as err:
        invite(office, school_a, email="not an email", contact=family.parent)
    assert "email" in err.value.message_dict
    invite(office, school_a, email="morgan@example.com", contact=family.parent)
    with pytest.raises(ValidationError) as err:
        invite(office, school_a, email="morgan2@example.com", contact=family.parent)
    assert "already has a portal sign-in" in err.value.message_dict["contact"][0]
    with pytest.raises(ValidationError) as err:
        invite(office, school_a, email="MORGAN@example.com", contact=family.other_parent)
    assert "email" in err.value.message_dict
    assert len(smtp.messages) == 1


def test_an_email_that_cannot_be_sent_leaves_nothing(
    settings: Any, family: Family, school_a: School, users: dict[str, User]
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard: nothing listens
    settings.EMAIL_TIMEOUT = 2
    with pytest.raises(ValidationError) as err:
        invite(users["office_manager"], school_a, email="morgan@example.com", contact=family.parent)
    assert "could not be sent" in err.value.message_dict["email"][0]
    assert not PortalLink.objects.exists() and not Invitation.objects.exists()


def test_only_staff_who_change_pupils_at_the_school_invite(
    smtp: Inbox, family: Family, school_a: School, users: dict[str, User]
) -> None:
    with pytest.raises(PermissionDenied):
        invite(users["teacher"], school_a, email="morgan@example.com", contact=family.parent)
    from django.http import Http404

    with pytest.raises(Http404):
        invite(users["teacher_b"], school_a, email="morgan@example.com", contact=family.parent)
    assert not smtp.messages


def test_staff_invite_page_sends_and_shows_refusals(
    smtp: Inbox, family: Family, school_a: School, users: dict[str, User]
) -> None:
    client = signed_in(users["office_manager"])
    page = client.get(f"/portal/staff/pupils/{family.child.pk}/invite/")
    assert page.status_code == 200 and b"Sasha Parentson" in page.content
    refused = client.post(
        f"/portal/staff/pupils/{family.child.pk}/invite/",
        {"who": f"contact-{family.court.pk}", "email": "sasha@example.com"},
    )
    assert refused.status_code == 200 and b"court order" in refused.content and not smtp.messages
    young = client.post(
        f"/portal/staff/pupils/{family.child.pk}/invite/", {"who": "pupil", "email": "robin@example.com"}
    )
    assert b"age of" in young.content and not smtp.messages
    sent = client.post(
        f"/portal/staff/pupils/{family.child.pk}/invite/",
        {"who": f"contact-{family.parent.pk}", "email": "morgan@example.com"},
    )
    assert sent.status_code == 302 and len(smtp.messages) == 1
    found = client.get(f"/portal/staff/invitations/find/?upn={family.child.upn}")
    assert found["Location"] == f"/portal/staff/pupils/{family.child.pk}/invite/"
    # Staff of another school see no such pupil, and a teacher has no such pages.
    assert (
        signed_in(users["teacher_b"]).get(f"/portal/staff/pupils/{family.child.pk}/invite/").status_code
        == 404
    )
    assert signed_in(users["teacher"]).get("/portal/staff/invitations/").status_code == 404


def test_cli_invite_list_resend_disable(
    smtp: Inbox, family: Family, school_a: School, users: dict[str, User]
) -> None:
    import json
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command(
        "portal",
        "invite",
        "--school",
        school_a.urn,
        "--upn",
        family.child.upn,
        "--contact",
        str(family.parent.pk),
        "--email",
        "morgan@example.com",
        "--actor",
        "office_manager",
        stdout=out,
    )
    assert "Invitation sent to morgan@example.com" in out.getvalue() and len(smtp.messages) == 1
    with pytest.raises(CommandError, match="--contact"):
        call_command(
            "portal",
            "invite",
            "--school",
            school_a.urn,
            "--upn",
            family.child.upn,
            "--contact",
            str(family.court.pk),
            "--email",
            "s@example.com",
            "--actor",
            "office_manager",
        )
    out = StringIO()
    call_command(
        "portal",
        "list",
        "--school",
        school_a.urn,
        "--format",
        "json",
        "--actor",
        "office_manager",
        stdout=out,
    )
    rows = json.loads(out.getvalue())
    assert rows[0]["latest_link"] == "sent" and rows[0]["role"] == "parent"
    call_command("portal", "resend", str(rows[0]["id"]), "--actor", "office_manager", stdout=StringIO())
    call_command("portal", "disable", str(rows[0]["id"]), "--actor", "office_manager", stdout=StringIO())
    assert len(smtp.messages) == 2 and PortalLink.objects.get().disabled_at is not None
    assert PASSWORD  # the fixtures' password is unused here
