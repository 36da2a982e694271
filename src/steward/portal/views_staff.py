"""Staff pages of the portal (under /portal/staff/): invitations and sign-ins per school, and the data-check
review queue. Staff rules apply: signed in, never cached, and a page, school, pupil or submission outside
the user's scope is a 404 (portal users and providers hold no staff scope, so every page is a 404 to them).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from steward.accounts.roles import Action
from steward.people.models import Pupil, PupilContact
from steward.people.selectors import pupils_visible_to
from steward.portal import datacheck, invitations
from steward.portal.forms import InviteForm, ReviewForm
from steward.portal.models import PortalLink, SubmissionStatus
from steward.portal.selectors import staff_link, staff_links, staff_school, staff_schools
from steward.web.access import require
from steward.web.views import staff_page


def _latest(link: PortalLink) -> Any:
    invs = sorted(link.invitations.all(), key=lambda i: (i.created_at, i.pk), reverse=True)
    return invs[0] if invs else None


@staff_page
def invitations_list(request: HttpRequest) -> HttpResponse:
    """A school's portal sign-ins with the status of each one's latest link (sent, used, expired)."""
    require(request.user, Action.CHANGE_PUPILS)
    schools = list(staff_schools(request.user))
    if not schools:
        raise Http404("No such page")
    urn = request.GET.get("school") or schools[0].urn
    school = staff_school(request.user, urn)
    now = timezone.now()
    rows = []
    for link in staff_links(request.user, school):
        latest = _latest(link)
        rows.append(
            {
                "link": link,
                "latest": latest,
                "status": latest.status_on(now).label if latest else "No link sent",
                "disabled": link.disabled_at is not None,
            }
        )
    return render(
        request,
        "portal/staff/invitations.html",
        {"school": school, "schools": schools, "rows": rows, "upn": request.GET.get("upn", "")},
    )


@staff_page
def find_pupil(request: HttpRequest) -> HttpResponse:
    """Go from a UPN to the pupil's invitation page."""
    require(request.user, Action.CHANGE_PUPILS)
    upn = (request.GET.get("upn") or "").strip().upper()
    pupil = pupils_visible_to(request.user, Action.CHANGE_PUPILS).filter(upn=upn).first()
    if pupil is None:
        messages.error(request, f"No pupil with UPN {upn or '(empty)'} at your schools")
        return redirect("portal:staff_invitations")
    return redirect("portal:staff_invite", pk=pupil.pk)


def _who_choices(pupil: Pupil) -> list[tuple[str, str]]:
    choices = []
    for pc in PupilContact.objects.filter(pupil=pupil).select_related("contact").order_by("priority", "pk"):
        facts = [pc.get_relationship_display()]
        facts.append(
            "parental responsibility" if pc.parental_responsibility else "no parental responsibility"
        )
        if pc.court_order:
            facts.append("court order recorded")
        choices.append((f"contact-{pc.contact_id}", f"{pc.contact} ({', '.join(facts)})"))
    choices.append(("pupil", f"{pupil.display_name}, the pupil (13 or over only)"))
    return choices


@staff_page
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite one of the pupil's contacts, or the pupil, to the portal."""
    require(request.user, Action.CHANGE_PUPILS)
    try:
        pupil = pupils_visible_to(request.user, Action.CHANGE_PUPILS).get(pk=pk)
    except (Pupil.DoesNotExist, ValueError, TypeError):
        raise Http404("No such pupil") from None
    school = staff_schools(request.user).filter(enrolments__pupil=pupil).distinct().first()
    if school is None:
        raise Http404("No such pupil")
    form = InviteForm(request.POST if request.method == "POST" else None, who=_who_choices(pupil))
    if request.method == "POST" and form.is_valid():
        who = form.cleaned_data["who"]
        contact = None
        if who.startswith("contact-"):
            contact = PupilContact.objects.get(pupil=pupil, contact_id=int(who.split("-", 1)[1])).contact
        try:
            invitations.invite(
                actor=request.user,
                school=school,
                email=form.cleaned_data["email"],
                contact=contact,
                pupil=None if contact else pupil,
            )
        except ValidationError as exc:
            form.add_model_errors(exc, {"contact": "who", "pupil": "who"})
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}")
            return redirect(f"{_list_url()}?school={school.urn}")
    return render(
        request,
        "portal/staff/invite.html",
        {"pupil": pupil, "school": school, "form": form, "error_summary": form.error_summary()},
    )


def _list_url() -> str:
    return reverse("portal:staff_invitations")


@require_POST
@staff_page
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a new link (the old link and password stop working)."""
    link = staff_link(request.user, pk)
    try:
        invitations.resend(actor=request.user, link=link)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"A new link was sent to {link.user.email}")
    return redirect(f"{_list_url()}?school={link.school.urn}")


@require_POST
@staff_page
def disable(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop the person using the portal."""
    link = staff_link(request.user, pk)
    try:
        invitations.disable(actor=request.user, link=link)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"Portal access disabled for {link.contact or link.pupil}")
    return redirect(f"{_list_url()}?school={link.school.urn}")


# --- the data-check review queue ----------------------------------------------------------------------------


@staff_page
def review_queue(request: HttpRequest) -> HttpResponse:
    """Data-check submissions waiting for review, oldest first, and the latest reviewed."""
    datacheck.require_reviewer(request.user)
    pending = list(datacheck.review_queue(request.user))
    reviewed = list(
        datacheck.review_queue(request.user, status="")
        .exclude(status=SubmissionStatus.PENDING)
        .order_by("-reviewed_at", "-pk")[:20]
    )
    return render(request, "portal/staff/queue.html", {"pending": pending, "reviewed": reviewed})


@staff_page
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """One submission with the old and new value of each field: accept all, some, or reject with a note."""
    datacheck.require_reviewer(request.user)
    submission = datacheck.get_submission(request.user, pk)
    count = len(submission.changes)
    form = ReviewForm(request.POST if request.method == "POST" else None, count=count)
    if request.method == "POST" and form.is_valid():
        try:
            done = datacheck.review_submission(
                actor=request.user,
                submission=submission,
                accept=form.chosen(count),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_model_errors(exc, {"changes": "accept"})
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Submission {done.pk}: {done.get_status_display().lower()}")
            return redirect("portal:staff_review_queue")
    stale = datacheck.stale_changes(submission) if submission.status == SubmissionStatus.PENDING else set()
    rows = [{"index": i, "change": c, "stale": i in stale} for i, c in enumerate(submission.changes)]
    return render(
        request,
        "portal/staff/review.html",
        {"submission": submission, "rows": rows, "form": form, "error_summary": form.error_summary()},
    )
