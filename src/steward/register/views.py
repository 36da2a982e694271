"""Register pages: the register of processing of a trust and of each of its schools, its edit forms and
its history. Thin shells: every write goes through `register.services` (which enforces the rules and
the permission, and whose audit events come from the models), every read through `register.selectors`.

Who may use what (anything else is a 404, as everywhere in the staff UI, see `web.access`: a page you
may not use does not exist for you):

- read the register: a role in the trust that may read the data map (`VIEW_DATAMAP`); a school's
  register only for schools where the user holds such a role (the trust DPO and auditor: every school);
- change it: the trust's DPO (`MANAGE_REGISTER`);
- read its history: those who may read the audit log (`VIEW_AUDIT`) or change the register, seeing the
  events the audit log shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from steward.accounts.roles import Action
from steward.accounts.scope import Scope, scope_for
from steward.audit.models import AuditEvent
from steward.consent.enforcement import relying_on
from steward.consent.selectors import purposes_for
from steward.consent.services import consent_purpose_upsert
from steward.organisations.models import School, Trust
from steward.register import services
from steward.register.choices import Provision
from steward.register.forms import (
    BasisForm,
    CataloguePickForm,
    CategoryUseForm,
    ConditionForm,
    ConfirmForm,
    ConsentPurposeForm,
    FactsForm,
    PurposeForm,
    RecipientForm,
    RetentionRuleForm,
    RowForm,
    SystemForm,
)
from steward.register.models import (
    CategoryUse,
    ConsentPurpose,
    GivenBy,
    LawfulBasis,
    Purpose,
    Recipient,
    Register,
    RegisterRow,
    RetentionRule,
    SpecialCondition,
    System,
)
from steward.register.selectors import (
    ListedRow,
    Listing,
    Problem,
    RowState,
    _listed,
    problems_by_school,
    purpose_options,
    register_history,
    register_listing,
    register_problems,
)
from steward.registry.taxonomy import taxonomy
from steward.web.views import PAGE_SIZE, staff_page

# --- the kinds of register row -------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of register row as the pages handle it."""

    slug: str  # in URLs, and the overview's section id
    model: type[RegisterRow]
    form: type[RowForm]
    noun: str
    section: str  # the Listing attribute
    ref: str  # the prefix of `Problem.ref`
    upsert: Callable[..., RegisterRow] | None  # None: purposes have services of their own


KINDS: dict[str, Kind] = {
    k.slug: k
    for k in (
        Kind("purposes", Purpose, PurposeForm, "purpose", "purposes", "purpose", None),
        Kind(
            "categories",
            CategoryUse,
            CategoryUseForm,
            "data category",
            "uses",
            "category",
            services.category_use_upsert,
        ),
        Kind(
            "recipients",
            Recipient,
            RecipientForm,
            "recipient",
            "recipients",
            "recipient",
            services.recipient_upsert,
        ),
        Kind("systems", System, SystemForm, "system", "systems", "system", services.system_upsert),
        Kind(
            "retention",
            RetentionRule,
            RetentionRuleForm,
            "retention rule",
            "retention",
            "retention",
            services.retention_rule_upsert,
        ),
        # Consent purposes are register rows too; the consent app's service keeps their rules
        # (CCTV refused, biometrics only with a DPIA reference and an alternative).
        Kind(
            "consents",
            ConsentPurpose,
            ConsentPurposeForm,
            "consent purpose",
            "consents",
            "consent",
            consent_purpose_upsert,
        ),
    )
}
KIND_BY_MODEL: dict[type[models.Model], Kind] = {k.model: k for k in KINDS.values()}
KIND_BY_REF: dict[str, Kind] = {k.ref: k for k in KINDS.values()}

SECTIONS = (
    ("purposes", "Purposes"),
    ("categories", "Data categories"),
    ("recipients", "Recipients"),
    ("systems", "Systems"),
    ("retention", "Retention"),
    ("consents", "Consents"),
    ("facts", "Automated decisions"),
)

# Short provision labels for the category table (the full ones are sentences for notices).
PROVISION_SHORT = {
    Provision.MANDATORY: "Mandatory",
    Provision.OPTIONAL: "Optional",
    Provision.SCHOOL_RECORD: "Recorded by the school",
}


def row_name(row: models.Model) -> str:
    """How a row is named on the pages: a category by its label, a retention rule by its record."""
    if isinstance(row, CategoryUse):
        category = taxonomy().categories.get(row.category_key)
        return f"{category.label} ({row.category_key})" if category else row.category_key
    if isinstance(row, RetentionRule):
        return row.record_type
    return str(getattr(row, "name", row))


# --- access ----------------------------------------------------------------------------------------


def _actions(scope: Scope, trust_id: int) -> set[Action]:
    return scope.trust_actions.get(trust_id, set()) if trust_id in scope.trust_ids else set()


def _trust(user: Any, trust_id: int, *needed: Action) -> tuple[Trust, Scope]:
    """The trust if the user holds one of `needed` in it; Http404 otherwise."""
    scope = scope_for(user)
    if not _actions(scope, trust_id) & set(needed):
        raise Http404("No such register")
    return get_object_or_404(Trust, pk=trust_id), scope


def _reader(user: Any, trust_id: int) -> tuple[Trust, Scope]:
    return _trust(user, trust_id, Action.VIEW_DATAMAP, Action.MANAGE_REGISTER)


def _manager(user: Any, trust_id: int) -> tuple[Trust, Scope]:
    return _trust(user, trust_id, Action.MANAGE_REGISTER)


def _historian(user: Any, trust_id: int) -> tuple[Trust, Scope]:
    return _trust(user, trust_id, Action.VIEW_AUDIT, Action.MANAGE_REGISTER)


def _may(scope: Scope, trust: Trust, action: Action) -> bool:
    return action in _actions(scope, trust.pk)


def _schools(scope: Scope, trust: Trust) -> QuerySet[School]:
    """The trust's schools whose register the user may read."""
    schools = School.objects.filter(trust=trust).order_by("name")
    if _may(scope, trust, Action.MANAGE_REGISTER):
        return schools
    return schools.filter(pk__in=scope.school_ids(Action.VIEW_DATAMAP))


def _school(scope: Scope, trust: Trust, school_id: int | None) -> School | None:
    if school_id is None:
        return None
    return get_object_or_404(_schools(scope, trust), pk=school_id)


# --- URLs ------------------------------------------------------------------------------------------


def overview_url(trust: Trust, school: School | None = None, section: str = "") -> str:
    if school is None:
        url = reverse("register:overview", args=[trust.pk])
    else:
        url = reverse("register:school_overview", args=[trust.pk, school.pk])
    return f"{url}#{section}" if section else url


def row_url(row: RegisterRow) -> str:
    return reverse("register:row_edit", args=[row.trust_id, KIND_BY_MODEL[type(row)].slug, row.pk])


def _back(row: RegisterRow, kind: Kind) -> str:
    return overview_url(row.trust, row.school if row.school_id else None, kind.slug)


# --- reading ---------------------------------------------------------------------------------------


@staff_page
def index(request: HttpRequest) -> HttpResponse:
    """The registers the user may read; straight to it when there is one (the usual case)."""
    scope = scope_for(request.user)
    wanted = {Action.VIEW_DATAMAP, Action.MANAGE_REGISTER}
    trusts = list(
        Trust.objects.filter(pk__in=[t for t in scope.trust_ids if _actions(scope, t) & wanted]).order_by(
            "name"
        )
    )
    if not trusts:
        raise Http404("No register")
    if len(trusts) == 1:
        return redirect(overview_url(trusts[0]))
    return render(request, "register/index.html", {"trusts": trusts})


def _fix_link(problem: Problem, listing: Listing) -> str:
    """Where the DPO fixes a problem: the row's form, at the field (or the purpose's bases)."""
    ref, _, key = problem.ref.partition(":")
    if problem.code == "category_without_retention":
        # The fix is a new retention rule (a trust-wide one normally), not a change to the category.
        return reverse("register:row_create", args=[listing.trust.pk, "retention"])
    kind = KIND_BY_REF.get(ref)
    if kind is not None:
        item = listing.find(kind.section, key)
        if item is None:
            return ""
        anchor = problem.field
        if kind.slug == "purposes" and anchor in {"bases", "basis", "conditions"}:
            return f"{row_url(item.row)}#{'conditions' if anchor == 'conditions' else 'bases'}"
        if kind.slug == "categories" and anchor == "conditions":
            anchor = "purposes"  # the category's purposes, or a condition in one of them
        if anchor not in kind.form.base_fields or anchor == kind.model.identity_field:
            return row_url(item.row)
        # A date input's error link goes to its day box, as GovukForm.anchor does.
        suffix = "_day" if anchor == "processor_agreement_date" else ""
        return f"{row_url(item.row)}#id_{anchor}{suffix}"
    if problem.field == "adm_description":
        return _facts_url(listing.trust, listing.school) + "#id_adm_description"
    if problem.code in {"no_purposes", "audience_without_purposes"}:
        return overview_url(listing.trust, listing.school, "purposes")
    return ""


def _facts_url(trust: Trust, school: School | None) -> str:
    if school is None:
        return reverse("register:facts", args=[trust.pk])
    return reverse("register:school_facts", args=[trust.pk, school.pk])


def _overview(
    request: HttpRequest,
    trust: Trust,
    scope: Scope,
    school: School | None,
    error_summary: list[dict[str, str]] | None = None,
) -> HttpResponse:
    schools = list(_schools(scope, trust))
    listing = register_listing(trust, school)
    may_manage = _may(scope, trust, Action.MANAGE_REGISTER)
    problems: list[dict[str, Any]] = []
    per_school: list[dict[str, Any]] = []
    if school is not None:
        for p in register_problems(school, include_advice=True):
            link = _fix_link(p, listing) if may_manage else ""
            problems.append({"problem": p, "href": link})
    elif listing.exists:
        found = problems_by_school(trust, schools)
        for s in schools:
            items = found.get(s.pk, [])
            per_school.append(
                {
                    "school": s,
                    "errors": sum(1 for p in items if p.severity == "error"),
                    "advice": sum(1 for p in items if p.severity != "error"),
                }
            )
    purposes = {key: name for key, name, _ in purpose_options(trust, school)}
    context = {
        "trust": trust,
        "school": school,
        "schools": schools,
        "listing": listing,
        "consents": consent_listing(trust, school),
        "problems": [p for p in problems if p["problem"].severity == "error"],
        "advice": [p for p in problems if p["problem"].severity != "error"],
        "per_school": per_school,
        "purpose_names": purposes,
        "sections": SECTIONS,
        "provision_short": PROVISION_SHORT,
        "may_manage": may_manage,
        "may_history": may_manage or _may(scope, trust, Action.VIEW_AUDIT),
        "error_summary": error_summary or [],
    }
    return render(request, "register/overview.html", context)


@staff_page
def overview(request: HttpRequest, trust_id: int, school_id: int | None = None) -> HttpResponse:
    """The trust's register, or (with a school) that school's effective register and its problems."""
    trust, scope = _reader(request.user, trust_id)
    picked = request.GET.get("school")
    if school_id is None and picked is not None:
        # The school selector is a GET form on this page: send the browser to the school's register.
        chosen = _school(scope, trust, int(picked)) if picked.isdigit() else None
        return redirect(overview_url(trust, chosen))
    return _overview(request, trust, scope, _school(scope, trust, school_id))


# --- consent purposes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentItem:
    """A consent purpose as the Consents tab and its page show it: the listed row (which version counts
    here, and its state) with who decides, from what age, whether it is on and why, and what relies on it."""

    item: ListedRow
    who: str
    age: str
    active: bool
    status: str
    relies_on: tuple[str, ...]

    @property
    def row(self) -> ConsentPurpose:
        row = self.item.row
        assert isinstance(row, ConsentPurpose)
        return row


def consent_who(row: ConsentPurpose) -> str:
    """Who may give (and withdraw) the consent, in plain words."""
    if row.given_by == GivenBy.PARENT:
        return "A parent with parental responsibility"
    if row.given_by == GivenBy.PUPIL:
        return "The pupil"
    if row.given_by == GivenBy.EITHER:
        return "A parent with parental responsibility, or the pupil"
    return "A parent with parental responsibility consents; the pupil's objection overrides"


def consent_age(row: ConsentPurpose) -> str:
    """From what age the pupil decides (never for a parent-only consent; any age for an objection
    under "both")."""
    if row.given_by == GivenBy.PARENT:
        return "The pupil does not decide"
    if row.given_by == GivenBy.BOTH:
        return "The pupil may object at any age"
    return f"From {row.competent_age}"


def consent_status(row: ConsentPurpose, state: str) -> str:
    """Whether the consent is asked for here, and if not, why ("Switched off: no DPIA reference")."""
    if state == RowState.APPLIES:
        return "Active"
    if state == RowState.DISABLED:
        return "Left out at this school"
    if state == RowState.OTHER_PHASE:
        return "Not for this school's phase"
    if row.biometric and not row.dpia_reference.strip():
        return "Switched off: no DPIA reference"
    if row.biometric and not row.alternative.strip():
        return "Switched off: no reasonable alternative recorded"
    return "Switched off"


def consent_listing(trust: Trust, school: School | None = None) -> list[ConsentItem]:
    """The trust's consent purposes (school None), or those of `school`: the trust's rows, each
    replaced by the school's own version where it has one, plus its additions, each with its state."""
    rows = list(ConsentPurpose.objects.filter(trust=trust).select_related("school"))
    if school is None:
        applied = {r.pk for r in rows if r.school_id is None and r.active}
    else:
        applied = {p.pk for p in purposes_for(school)}
    names = dict(School.objects.filter(trust=trust).values_list("pk", "name"))
    out = []
    for item in _listed(rows, school, applied, set(), names):
        row = item.row
        assert isinstance(row, ConsentPurpose)
        out.append(
            ConsentItem(
                item=item,
                who=consent_who(row),
                age=consent_age(row),
                active=item.applies,
                status=consent_status(row, item.state),
                relies_on=tuple(relying_on(row)),
            )
        )
    return out


def consent_url(row: ConsentPurpose) -> str:
    return reverse("register:consent_detail", args=[row.trust_id, row.pk])


@staff_page
def consent_detail(request: HttpRequest, trust_id: int, pk: int) -> HttpResponse:
    """One consent purpose: what it is for, who decides, whether it is on here and why, and what relies
    on it. For everyone who reads the register; a school's own version only for readers of that school."""
    trust, scope = _reader(request.user, trust_id)
    row = get_object_or_404(ConsentPurpose.objects.select_related("school"), pk=pk, trust=trust)
    school = _school(scope, trust, row.school_id)
    found = next((c for c in consent_listing(trust, school) if c.row.pk == row.pk), None)
    if found is None:  # not reached: a listing names every row of its scope
        raise Http404("No such consent purpose")
    purposes = {key: name for key, name, _ in purpose_options(trust, school)}
    may_manage = _may(scope, trust, Action.MANAGE_REGISTER)
    trust_row = (
        ConsentPurpose.objects.filter(trust=trust, school__isnull=True, key=row.key).first()
        if school
        else None
    )
    return render(
        request,
        "register/consent.html",
        {
            "trust": trust,
            "school": school,
            "consent": found,
            "row": row,
            "trust_row": trust_row,
            "item": found.item,
            "relies_on": relying_on(row, school),
            "register_purpose": purposes.get(row.purpose_key, row.purpose_key),
            "may_manage": may_manage,
            "may_history": may_manage or _may(scope, trust, Action.VIEW_AUDIT),
            "back": overview_url(trust, school, "consents"),
        },
    )


# --- changing rows ---------------------------------------------------------------------------------


def _kind(slug: str) -> Kind:
    try:
        return KINDS[slug]
    except KeyError:
        raise Http404("No such kind of register entry") from None


def _post(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _refused(form: ConfirmForm, exc: ValidationError, what: str) -> None:
    """Put a refused removal on the confirmation form: what was not done, and each reason."""
    for message in exc.messages:
        form.add_error(None, f"{what}: {message}")


def _confirm_and_act(
    request: HttpRequest,
    act: Callable[[], object],
    *,
    not_done: str,
    done: str,
    next_url: str,
    **page: Any,
) -> HttpResponse:
    """A confirmation page; on POST, `act()` through a service, then back to `next_url` with `done`.

    A refusal (ValidationError) comes back on the same page, saying what was not done and why.
    """
    form = ConfirmForm(_post(request))
    if request.method == "POST":
        try:
            act()
        except ValidationError as exc:
            _refused(form, exc, not_done)
        else:
            messages.success(request, done)
            return redirect(next_url)
    return _render_form(request, "register/confirm.html", form, **page)


def _save_and_act(
    request: HttpRequest,
    form: Any,
    act: Callable[[], object],
    *,
    done: str,
    next_url: str,
    **page: Any,
) -> HttpResponse:
    """A form page; on a valid POST, `act()` through a service, then back to `next_url` with `done`.

    A refusal (ValidationError) comes back as errors on the fields it names, and nothing changes.
    """
    if request.method == "POST" and form.is_valid():
        try:
            act()
        except ValidationError as exc:
            form.add_model_errors(exc)
        else:
            messages.success(request, done)
            return redirect(next_url)
    return _render_form(request, "register/simple_form.html", form, **page)


def _scope_rows(model: type[RegisterRow], trust: Trust, school: School | None) -> QuerySet[Any]:
    rows = model._default_manager.filter(trust=trust)
    return (
        rows.filter(Q(school__isnull=True) | Q(school=school)) if school else rows.filter(school__isnull=True)
    )


def _create(kind: Kind, actor: Any, trust: Trust, school: School | None, form: RowForm) -> RegisterRow:
    identity = form.identity_value()
    field = kind.model.identity_field
    taken = _scope_rows(kind.model, trust, school).filter(**{field: identity}).first() if identity else None
    if taken is not None:
        where = (
            "The trust's register"
            if taken.school_id is None or school is None
            else f"{school.name}'s register"
        )
        raise ValidationError(
            {
                field: f"{where} already has {kind.noun} '{row_name(taken)}' with this {field.replace('_', ' ')}: "
                "change that one instead."
            }
        )
    if kind.upsert is None:
        assert isinstance(form, PurposeForm)
        return services.purpose_create(
            actor=actor, trust=trust, school=school, key=identity, bases=form.first_basis(), **form.values()
        )
    return kind.upsert(actor=actor, trust=trust, school=school, **{field: identity}, **form.values())


def _render_form(request: HttpRequest, template: str, form: Any, **context: Any) -> HttpResponse:
    context.update(form=form, error_summary=form.error_summary())
    return render(request, template, context)


@staff_page
def row_create(request: HttpRequest, trust_id: int, kind: str, school_id: int | None = None) -> HttpResponse:
    """Add a purpose, data category (use), recipient, system or retention rule to the trust or to one school."""
    trust, scope = _manager(request.user, trust_id)
    school = _school(scope, trust, school_id)
    k = _kind(kind)
    form = k.form(_post(request), trust=trust, school=school, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            row = _create(k, request.user, trust, school, form)
        except ValidationError as exc:
            form.add_model_errors(exc, form.error_map)
        else:
            messages.success(request, f"{capfirst(k.noun)} '{row_name(row)}' added")
            return redirect(row_url(row) if k.slug == "purposes" else overview_url(trust, school, k.slug))
    return _render_form(
        request,
        "register/row_form.html",
        form,
        trust=trust,
        school=school,
        kind=k,
        title=f"Add a {k.noun}" + (f" for {school.name}" if school else ""),
        back=overview_url(trust, school, k.slug),
        button=f"Add {k.noun}",
    )


@staff_page
def row_edit(request: HttpRequest, trust_id: int, kind: str, pk: int) -> HttpResponse:
    """Change a row (the trust's, or a school's own version); a purpose's page also lists its bases
    and conditions."""
    trust, scope = _manager(request.user, trust_id)
    k = _kind(kind)
    row = get_object_or_404(k.model._default_manager.select_related("school"), pk=pk, trust=trust)
    school = row.school if row.school_id else None
    form = k.form(_post(request), trust=trust, school=school, initial=k.form.initial_from(row))
    if request.method == "POST" and form.is_valid():
        changes = form.changes(row)
        if not changes:
            messages.success(request, f"Nothing was changed in {k.noun} '{row_name(row)}'")
            return redirect(_back(row, k))
        try:
            if isinstance(row, Purpose):
                services.purpose_update(actor=request.user, purpose=row, **changes)
            else:
                assert k.upsert is not None
                k.upsert(
                    actor=request.user,
                    trust=trust,
                    school=school,
                    **{k.model.identity_field: row.identity},
                    **changes,
                )
        except ValidationError as exc:
            form.add_model_errors(exc, form.error_map)
            row.refresh_from_db()  # the service refused: show the row as it still is
        else:
            messages.success(request, f"{capfirst(k.noun)} '{row_name(row)}' saved")
            return redirect(_back(row, k))
    trust_row = (
        k.model._default_manager.filter(
            trust=trust, school__isnull=True, **{k.model.identity_field: row.identity}
        ).first()
        if school
        else None
    )
    context: dict[str, Any] = {
        "trust": trust,
        "school": school,
        "kind": k,
        "row": row,
        "trust_row": trust_row,
        "title": f"Change {k.noun}: {row_name(row)}",
        "back": _back(row, k),
        "button": "Save changes",
        "may_history": _may(scope, trust, Action.VIEW_AUDIT),
    }
    if isinstance(row, Purpose):
        context["bases"] = list(row.bases.all())
        context["conditions"] = list(row.conditions.all())
        return _render_form(request, "register/purpose.html", form, **context)
    return _render_form(request, "register/row_form.html", form, **context)


@staff_page
def row_override(request: HttpRequest, trust_id: int, school_id: int, kind: str, pk: int) -> HttpResponse:
    """Give one school its own version of a trust row (the school's register then uses it instead)."""
    trust, scope = _manager(request.user, trust_id)
    school = _school(scope, trust, school_id)
    assert school is not None
    k = _kind(kind)
    trust_row = get_object_or_404(k.model, pk=pk, trust=trust, school__isnull=True)
    mine = k.model._default_manager.filter(
        trust=trust, school=school, **{k.model.identity_field: trust_row.identity}
    )
    existing = mine.first()
    if existing is not None:
        return redirect(row_url(existing))
    form = k.form(_post(request), trust=trust, school=school, initial=k.form.initial_from(trust_row))
    if request.method == "POST" and form.is_valid():
        changes = form.changes(trust_row)
        if not changes:
            form.add_error(
                None,
                f"Nothing differs from the trust's {k.noun}: change something to give {school.name} its own "
                "version, or go back.",
            )
        else:
            try:
                row = services.override_for_school(
                    actor=request.user, entry=trust_row, school=school, **changes
                )
            except ValidationError as exc:
                form.add_model_errors(exc, form.error_map)
            else:
                messages.success(request, f"{school.name} now has its own version of '{row_name(row)}'")
                return redirect(overview_url(trust, school, k.slug))
    return _render_form(
        request,
        "register/row_form.html",
        form,
        trust=trust,
        school=school,
        kind=k,
        row=trust_row,
        overriding=True,
        title=f"Change {k.noun} for {school.name}: {row_name(trust_row)}",
        back=overview_url(trust, school, k.slug),
        button=f"Save for {school.name}",
    )


@staff_page
def row_disable(request: HttpRequest, trust_id: int, school_id: int, kind: str, pk: int) -> HttpResponse:
    """Leave a trust row out of one school's register (and so out of its notices)."""
    trust, scope = _manager(request.user, trust_id)
    school = _school(scope, trust, school_id)
    assert school is not None
    k = _kind(kind)
    trust_row = get_object_or_404(k.model, pk=pk, trust=trust, school__isnull=True)
    return _confirm_and_act(
        request,
        lambda: services.disable_for_school(actor=request.user, entry=trust_row, school=school),
        not_done=f"'{row_name(trust_row)}' was not left out",
        done=f"'{row_name(trust_row)}' is left out at {school.name}",
        next_url=overview_url(trust, school, k.slug),
        trust=trust,
        school=school,
        title=f"Leave {k.noun} '{row_name(trust_row)}' out at {school.name}?",
        explain=f"{school.name}'s register and privacy notices will no longer include it. The trust's other "
        "schools keep it. You can bring it back by removing the school's version.",
        button="Leave it out",
        back=overview_url(trust, school, k.slug),
    )


@staff_page
def row_remove(request: HttpRequest, trust_id: int, kind: str, pk: int) -> HttpResponse:
    """Remove a row; for a school's version of a trust row, the school follows the trust's row again."""
    trust, _ = _manager(request.user, trust_id)
    k = _kind(kind)
    row = get_object_or_404(k.model._default_manager.select_related("school"), pk=pk, trust=trust)
    school = row.school if row.school_id else None
    replaces = (
        school is not None
        and k.model._default_manager.filter(
            trust=trust, school__isnull=True, **{k.model.identity_field: row.identity}
        ).exists()
    )

    def act() -> None:
        if isinstance(row, ConsentPurpose) and services._has_ledger(row):
            # The ledger keeps every decision against the row it was made under (a protected link).
            raise ValidationError(
                {
                    "key": "Consent decisions are recorded against it, and the consent ledger keeps them: "
                    "switch it off instead (untick 'Active'), and nothing more can be recorded."
                }
            )
        if replaces:
            services.override_remove(actor=request.user, entry=row)
        elif isinstance(row, Purpose):
            services.purpose_delete(actor=request.user, purpose=row)
        else:
            services.entry_remove(actor=request.user, entry=row)

    if replaces and school:
        title = f"Use the trust's version of '{row_name(row)}' at {school.name}?"
        explain = f"{school.name}'s own version is removed and the trust's {k.noun} applies there again."
        button = "Use the trust's version"
    else:
        title = f"Remove {k.noun} '{row_name(row)}'?"
        where = f"{school.name}'s register" if school else "the register of every school in the trust"
        explain = f"It is removed from {where} and from the privacy notices. The audit log keeps a record."
        button = f"Remove {k.noun}"
    done = f"{school.name} follows the trust's version of" if replaces and school else "Removed"
    return _confirm_and_act(
        request,
        act,
        not_done=f"{capfirst(k.noun)} '{row_name(row)}' was not removed",
        done=f"{done} {k.noun} '{row_name(row)}'",
        next_url=overview_url(trust, school, k.slug),
        trust=trust,
        school=school,
        title=title,
        explain=explain,
        button=button,
        warning=not replaces,
        back=row_url(row),
    )


# --- a purpose's bases and conditions --------------------------------------------------------------


def _purpose(trust: Trust, pk: int) -> Purpose:
    return get_object_or_404(Purpose.objects.select_related("school"), pk=pk, trust=trust)


@staff_page
def basis_create(request: HttpRequest, trust_id: int, pk: int) -> HttpResponse:
    trust, _ = _manager(request.user, trust_id)
    purpose = _purpose(trust, pk)
    form = BasisForm(_post(request), creating=True)
    return _save_and_act(
        request,
        form,
        lambda: services.basis_add(actor=request.user, purpose=purpose, **form.values()),
        done=f"Lawful basis added to '{purpose.name}'",
        next_url=row_url(purpose) + "#bases",
        trust=trust,
        school=purpose.school if purpose.school_id else None,
        caption=purpose.name,
        title="Add a lawful basis",
        back=row_url(purpose) + "#bases",
        button="Add lawful basis",
    )


@staff_page
def basis_edit(request: HttpRequest, trust_id: int, pk: int, basis_id: int) -> HttpResponse:
    trust, _ = _manager(request.user, trust_id)
    purpose = _purpose(trust, pk)
    basis = get_object_or_404(LawfulBasis, pk=basis_id, purpose=purpose)
    form = BasisForm(_post(request), initial=BasisForm.initial_from(basis))

    def act() -> None:
        if changes := form.changes(basis):
            services.basis_update(actor=request.user, basis=basis, **changes)

    return _save_and_act(
        request,
        form,
        act,
        done=f"{basis.get_basis_display()} saved for '{purpose.name}'",
        next_url=row_url(purpose) + "#bases",
        trust=trust,
        school=purpose.school if purpose.school_id else None,
        caption=purpose.name,
        title=f"Change lawful basis: {basis.get_basis_display()}",
        back=row_url(purpose) + "#bases",
        button="Save changes",
    )


@staff_page
def basis_remove(request: HttpRequest, trust_id: int, pk: int, basis_id: int) -> HttpResponse:
    trust, _ = _manager(request.user, trust_id)
    purpose = _purpose(trust, pk)
    basis = get_object_or_404(LawfulBasis, pk=basis_id, purpose=purpose)
    return _confirm_and_act(
        request,
        lambda: services.basis_remove(actor=request.user, basis=basis),
        not_done="The lawful basis was not removed",
        done=f"{basis.get_basis_display()} removed from '{purpose.name}'",
        next_url=row_url(purpose) + "#bases",
        trust=trust,
        school=purpose.school if purpose.school_id else None,
        caption=purpose.name,
        title=f"Remove the lawful basis {basis.get_basis_display()}?",
        explain=f"'{purpose.name}' will no longer rely on it. An active purpose must keep at least one lawful "
        "basis.",
        button="Remove lawful basis",
        warning=True,
        back=row_url(purpose) + "#bases",
    )


@staff_page
def condition_create(request: HttpRequest, trust_id: int, pk: int) -> HttpResponse:
    trust, _ = _manager(request.user, trust_id)
    purpose = _purpose(trust, pk)
    form = ConditionForm(_post(request))
    return _save_and_act(
        request,
        form,
        lambda: services.condition_add(actor=request.user, purpose=purpose, **form.values()),
        done=f"Art 9 condition added to '{purpose.name}'",
        next_url=row_url(purpose) + "#conditions",
        trust=trust,
        school=purpose.school if purpose.school_id else None,
        caption=purpose.name,
        title="Add a special-category condition",
        intro="Special category data (health, SEN, ethnicity, safeguarding) used for this purpose needs a "
        "condition from UK GDPR Art 9(2), and for most conditions a paragraph of DPA 2018 Schedule 1.",
        back=row_url(purpose) + "#conditions",
        button="Add condition",
    )


@staff_page
def condition_remove(request: HttpRequest, trust_id: int, pk: int, condition_id: int) -> HttpResponse:
    trust, _ = _manager(request.user, trust_id)
    purpose = _purpose(trust, pk)
    condition = get_object_or_404(SpecialCondition, pk=condition_id, purpose=purpose)
    label = f"{row_name_key(condition.category_key)} under {condition.get_condition_display()}"
    return _confirm_and_act(
        request,
        lambda: services.condition_remove(actor=request.user, condition=condition),
        not_done="The condition was not removed",
        done=f"Condition for {label} removed from '{purpose.name}'",
        next_url=row_url(purpose) + "#conditions",
        trust=trust,
        school=purpose.school if purpose.school_id else None,
        caption=purpose.name,
        title=f"Remove the condition for {label}?",
        explain="A special category still used or shared for this purpose must keep a condition.",
        button="Remove condition",
        warning=True,
        back=row_url(purpose) + "#conditions",
    )


def row_name_key(category_key: str) -> str:
    """A data category by its label and key, e.g. "Medical and health (pupil.health)"."""
    category = taxonomy().categories.get(category_key)
    return f"{category.label} ({category_key})" if category else category_key


# --- register facts, the catalogue, the default register ----------------------------------------------


@staff_page
def facts_edit(request: HttpRequest, trust_id: int, school_id: int | None = None) -> HttpResponse:
    """Automated decision-making, profiling and the youth support opt-out, for the trust or one school."""
    trust, scope = _manager(request.user, trust_id)
    school = _school(scope, trust, school_id)
    facts = (Register.objects.filter(trust=trust, school=school).first() if school else None) or (
        Register.objects.filter(trust=trust, school__isnull=True).first()
    )
    if facts is None:
        raise Http404("This trust has no register yet")
    form = FactsForm(_post(request), initial=FactsForm.initial_from(facts))

    def act() -> None:
        if changes := form.changes(facts):
            services.register_update(actor=request.user, trust=trust, school=school, **changes)

    return _save_and_act(
        request,
        form,
        act,
        done="Automated decision-making and youth support saved",
        next_url=overview_url(trust, school, "facts"),
        trust=trust,
        school=school,
        caption=school.name if school else trust.name,
        title="Automated decisions and youth support",
        intro=(
            f"These apply to {school.name} only; until you save, it follows the trust."
            if school and facts.school_id is None
            else ""
        ),
        back=overview_url(trust, school, "facts"),
        button="Save changes",
    )


@staff_page
def system_pick(request: HttpRequest, trust_id: int, school_id: int | None = None) -> HttpResponse:
    """Pick a system from the catalogue rather than typing it in."""
    trust, scope = _manager(request.user, trust_id)
    school = _school(scope, trust, school_id)
    listed = [(s.key, s.name) for s in _scope_rows(System, trust, school).order_by("position", "key")]
    form = CataloguePickForm(_post(request), systems=listed)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.system_pick_from_catalogue(
                actor=request.user,
                trust=trust,
                school=school,
                catalogue_key=form.cleaned_data["catalogue_key"],
                key=form.cleaned_data["replace"] or None,
            )
        except ValidationError as exc:
            form.add_model_errors(exc, {"key": "replace"})
        else:
            messages.success(
                request,
                f"{row.name} added: now record where it is hosted, whether data leaves the UK and when the "
                "processor agreement was signed",
            )
            return redirect(row_url(row))
    return _render_form(
        request,
        "register/simple_form.html",
        form,
        trust=trust,
        school=school,
        caption=school.name if school else trust.name,
        title="Pick a system from the catalogue",
        back=overview_url(trust, school, "systems"),
        button="Add system",
    )


@staff_page
@require_POST
def load_defaults(request: HttpRequest, trust_id: int) -> HttpResponse:
    """Create the trust's register from Steward's default register (a button on an empty overview)."""
    trust, scope = _manager(request.user, trust_id)
    try:
        register = services.load_default_register(trust, actor=request.user)
    except ValidationError as exc:
        return _overview(request, trust, scope, None, [{"href": "", "text": m} for m in exc.messages])
    messages.success(request, f"Loaded Steward's default register {register.defaults_version}")
    return redirect(overview_url(trust))


# --- history ---------------------------------------------------------------------------------------

# Timestamps change on every save; listing them as "changed" would say nothing.
_QUIET_FIELDS = {"created_at", "updated_at"}


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field_labels(model: type[models.Model] | None, names: Iterable[str]) -> list[str]:
    out = []
    for name in names:
        if name in _QUIET_FIELDS:
            continue
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:  # a field removed since the event was written keeps its name
            field = None
        out.append(str(getattr(field, "verbose_name", name)))
    return out


def _describe(obj: models.Model) -> tuple[str, str]:
    """(what, link) for a register record that still exists."""
    where = f" at {obj.school.name}" if getattr(obj, "school_id", None) and obj.school else ""  # type: ignore[attr-defined]
    if isinstance(obj, LawfulBasis):
        return f"Lawful basis {obj.get_basis_display()} of '{obj.purpose.name}'", row_url(
            obj.purpose
        ) + "#bases"
    if isinstance(obj, SpecialCondition):
        return (
            f"Condition for {row_name_key(obj.category_key)} under {obj.get_condition_display()} "
            f"of '{obj.purpose.name}'",
            row_url(obj.purpose) + "#conditions",
        )
    if isinstance(obj, Register):
        return f"Register facts{where}", _facts_url(obj.trust, obj.school if obj.school_id else None)
    if isinstance(obj, RegisterRow):
        kind = KIND_BY_MODEL.get(type(obj))
        if kind is None:  # not reached: every kind of register row has its pages here
            return f"{capfirst(str(obj._meta.verbose_name))} '{obj.identity}'{where}", ""
        return f"{capfirst(kind.noun)} '{row_name(obj)}'{where}", row_url(obj)
    return str(obj), ""


def _history_rows(events: Iterable[AuditEvent], may_link: bool) -> list[dict[str, Any]]:
    events = list(events)
    ids: dict[str, set[str]] = {}
    for e in events:
        ids.setdefault(e.model, set()).add(e.object_id)
    found: dict[tuple[str, str], models.Model] = {}
    for label, wanted in ids.items():
        model = _model(label)
        if model is None:
            continue
        qs = model._default_manager.filter(pk__in=[i for i in wanted if i.isdigit()])
        if model in (LawfulBasis, SpecialCondition):
            qs = qs.select_related("purpose")
        else:
            qs = qs.select_related("school", "trust")
        for obj in qs:
            found[(label, str(obj.pk))] = obj
    rows = []
    for e in events:
        model = _model(e.model)
        record = found.get((e.model, e.object_id))
        if record is not None:
            what, link = _describe(record)
        else:
            noun = capfirst(str(model._meta.verbose_name)) if model else e.model
            what, link = f"{noun} (record {e.object_id}, since removed)", ""
        if e.action == "import" and e.detail.get("source") == "default register":
            what = f"Loaded the default register {e.detail.get('version', '')}".strip()
        rows.append(
            {
                "event": e,
                "what": what,
                "href": link if may_link else "",
                "fields": _field_labels(model, e.fields) if e.action == "update" else [],
            }
        )
    return rows


def _history(
    request: HttpRequest,
    trust: Trust,
    scope: Scope,
    records: Mapping[str, Iterable[int]] | None,
    **context: Any,
) -> HttpResponse:
    events = register_history(request.user, trust, records=records)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(
        trust=trust,
        page=page,
        rows=_history_rows(page.object_list, _may(scope, trust, Action.MANAGE_REGISTER)),
    )
    return render(request, "register/history.html", context)


@staff_page
def history(request: HttpRequest, trust_id: int) -> HttpResponse:
    """Every change to the trust's register, newest first."""
    trust, scope = _historian(request.user, trust_id)
    return _history(request, trust, scope, None, title="History of the register", back=overview_url(trust))


@staff_page
def row_history(request: HttpRequest, trust_id: int, kind: str, pk: int) -> HttpResponse:
    """The changes to one row (for a purpose, with its current bases and conditions)."""
    trust, scope = _historian(request.user, trust_id)
    k = _kind(kind)
    row = get_object_or_404(k.model._default_manager.select_related("school"), pk=pk, trust=trust)
    records: dict[str, list[int]] = {k.model._meta.label: [row.pk]}
    if isinstance(row, Purpose):
        records[LawfulBasis._meta.label] = list(row.bases.values_list("pk", flat=True))
        records[SpecialCondition._meta.label] = list(row.conditions.values_list("pk", flat=True))
    school = row.school if row.school_id else None
    return _history(
        request,
        trust,
        scope,
        records,
        title=f"History of {k.noun} '{row_name(row)}'" + (f" at {school.name}" if school else ""),
        back=row_url(row)
        if _may(scope, trust, Action.MANAGE_REGISTER)
        else overview_url(trust, school, k.slug),
        whole=reverse("register:history", args=[trust.pk]),
    )
