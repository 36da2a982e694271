"""Reads for placements: what a provider user may see (only while a placement runs, only its chosen
categories) and what staff see about placements at their schools.

Provider reads never go through the staff scope (a provider holds no staff role, so it would give them
nothing): they go through `placements_for`, which keeps to the user's provider and to placements active
on the day. Anything else, a pupil before the start or after the end, or another provider's pupil, is
a 404. The data shown is found by iterating the personal-data registry for the chosen categories.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst

from steward.accounts.models import RoleAssignment
from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.audit.services import Subject, record
from steward.organisations.models import School
from steward.people.models import Pupil
from steward.people.selectors import display_value, pupil_fk, verbose
from steward.placements.models import PURPOSE, RECIPIENT, Placement, Provider, ProviderUser
from steward.register.resolve import covers
from steward.register.selectors import CategoryRef, effective_register
from steward.registry.registry import FieldEntry, ModelEntry, entry_for, registered_models
from steward.sharing.gate import restricted_pupils
from steward.sharing.models import Agreement

PROVIDER_ROLE = "provider"
ROWS_SHOWN = 50


def today() -> dt.date:
    return timezone.localdate()


def _covered(key: str, by: Sequence[str]) -> bool:
    return any(covers(b, key) for b in by)


# --- provider users -----------------------------------------------------------------------------------


def provider_of(user: Any) -> Provider | None:
    """The provider a signed-in user belongs to: an active user linked to a provider and holding the
    provider role in the provider's trust. None for everyone else (staff included)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    link = ProviderUser.objects.select_related("provider").filter(user_id=user.pk).first()
    if link is None:
        return None
    holds_role = RoleAssignment.objects.filter(
        user_id=user.pk, role=PROVIDER_ROLE, trust_id=link.provider.trust_id
    ).exists()
    return link.provider if holds_role else None


def placements_for(user: Any, on: dt.date) -> QuerySet[Placement]:
    """The placements the user's provider may see on `on` (none for anyone who is not a provider user)."""
    provider = provider_of(user)
    if provider is None:
        return Placement.objects.none()
    return (
        Placement.objects.active_on(on)
        .filter(provider=provider)
        .select_related("pupil", "school", "agreement", "provider")
        .order_by("pupil__legal_surname", "pupil__legal_forename", "pk")
    )


def provider_placement(user: Any, pk: Any, on: dt.date) -> Placement:
    """One placement the user's provider may see on `on`, else Http404 (not 403: outside the window
    the pupil does not exist for the provider)."""
    try:
        return placements_for(user, on).get(pk=pk)
    except (Placement.DoesNotExist, ValueError, TypeError):
        raise Http404("No such placement") from None


def audit_provider_list(placements: Sequence[Placement]) -> None:
    """The provider's list names each pupil: log a view of each name shown."""
    for p in placements:
        record(
            "view",
            model=entry_for(Pupil).label,
            object_id=p.pupil_id,
            subject=Subject(pupil_id=p.pupil_id, school_id=p.school_id),
            categories=["pupil.identity.name"],
            detail={"page": "provider placements", "placement": p.pk, "provider": p.provider_id},
        )


# --- what is shared: the registry, filtered by the chosen categories ----------------------------------


@dataclass(frozen=True)
class SharedModel:
    """A registered model with personal fields in the shared categories."""

    entry: ModelEntry
    fields: tuple[FieldEntry, ...]


@dataclass
class SharedSection:
    """One registered model's rows about the pupil, only the shared fields."""

    model: str
    title: str
    columns: list[str]
    rows: list[list[tuple[str, str]]]  # (column, value) per field
    total: int
    special: bool
    categories: list[str]


@dataclass
class SharedView:
    """What a provider sees of one pupil: sections by registered model, and the categories withheld
    today because processing is restricted (Art 18)."""

    placement: Placement
    categories: list[str]
    sections: list[SharedSection] = field(default_factory=list)
    restricted: list[str] = field(default_factory=list)

    @property
    def shown(self) -> list[SharedSection]:
        return [s for s in self.sections if s.total]

    @property
    def empty(self) -> list[SharedSection]:
        return [s for s in self.sections if not s.total]


def shared_models(categories: Sequence[str]) -> list[SharedModel]:
    """Registered models about pupils and their contacts with fields in `categories`, in registry order.

    Placements themselves are left out: a provider sees its own placement's terms on the page, never
    the pupil's other placements. Staff accounts are never shared."""
    out = []
    for entry in registered_models():
        if entry.subject == "staff" or entry.model._meta.app_label == Placement._meta.app_label:
            continue
        fields = tuple(f for f in entry.personal_fields() if _covered(f.category.key, categories))
        if fields:
            out.append(SharedModel(entry, fields))
    return out


def _link_model(target: type[models.Model]) -> tuple[type[models.Model], str, str] | None:
    """A registered model linking a pupil to `target` (contacts: the pupil-contact link), with the names
    of its two foreign keys."""
    for e in registered_models():
        fk = pupil_fk(e.model)
        if fk is None:
            continue
        for f in e.model._meta.concrete_fields:
            if f.is_relation and f.related_model is target:
                return e.model, fk, f.name
    return None


def rows_about(model: type[models.Model], pupil: Pupil, school: School) -> QuerySet[Any] | None:
    """The rows of `model` about `pupil` that `school` shares: its own records (models with a school),
    the pupil's other rows, and rows of linked subjects (a pupil's contacts). None: no path to the pupil."""
    if model is Pupil:
        return Pupil.objects.filter(pk=pupil.pk)
    fk = pupil_fk(model)
    if fk is not None:
        qs = model._default_manager.filter(**{fk: pupil})
        if any(f.name == "school" for f in model._meta.concrete_fields):
            qs = qs.filter(school=school)
        return qs
    link = _link_model(model)
    if link is None:
        return None
    via, to_pupil, to_target = link
    ids = via._default_manager.filter(**{to_pupil: pupil}).values(f"{to_target}_id")
    return model._default_manager.filter(pk__in=ids)


def _iter_shared(
    categories: Sequence[str], pupil: Pupil, school: School
) -> Iterator[tuple[SharedModel, QuerySet[Any]]]:
    for shared in shared_models(categories):
        qs = rows_about(shared.entry.model, pupil, school)
        if qs is not None:
            yield shared, qs


def shared_view(placement: Placement, on: dt.date, *, rows: int = ROWS_SHOWN) -> SharedView:
    """The pupil's data in the placement's categories, less any restricted on `on`."""
    restricted = sorted(
        set(restricted_pupils([placement.pupil_id], placement.categories, on).get(placement.pupil_id, []))
    )
    categories = [c for c in placement.categories if c not in restricted]
    view = SharedView(placement=placement, categories=categories, restricted=restricted)
    for shared, qs in _iter_shared(categories, placement.pupil, placement.school):
        model = shared.entry.model
        names = [f.name for f in shared.fields]
        total = qs.count()
        columns = [capfirst(verbose(model, n)) for n in names]
        view.sections.append(
            SharedSection(
                model=shared.entry.label,
                title=capfirst(str(model._meta.verbose_name_plural)),
                columns=columns,
                rows=[
                    list(zip(columns, (display_value(obj, n) for n in names), strict=True))
                    for obj in qs[:rows]
                ],
                total=total,
                special=any(f.special for f in shared.fields),
                categories=sorted({f.category.key for f in shared.fields}),
            )
        )
    return view


def audit_shared_view(view: SharedView, *, page: str) -> None:
    """Log that the current actor saw the placement's pupil: the categories shown, never the values."""
    p = view.placement
    shown = view.shown
    record(
        "view",
        model=entry_for(Pupil).label,
        object_id=p.pupil_id,
        subject=Subject(pupil_id=p.pupil_id, school_id=p.school_id),
        categories=sorted({c for s in shown for c in s.categories}),
        special=any(s.special for s in shown),
        detail={"page": page, "placement": p.pk, "provider": p.provider_id},
    )


def payload_of(categories: Sequence[str], pupil: Pupil, school: School) -> tuple[list[str], dict[str, Any]]:
    """What a placement discloses about the pupil: the registered fields ("app.Model.field") in the
    categories, and their values now (hashed into the disclosure log, never stored)."""
    fields: list[str] = []
    payload: dict[str, Any] = {}
    for shared, qs in _iter_shared(categories, pupil, school):
        names = [f.name for f in shared.fields]
        fields += [f"{shared.entry.label}.{n}" for n in names]
        payload[shared.entry.label] = [{n: display_value(obj, n) for n in names} for obj in qs.order_by("pk")]
    return fields, payload


# --- staff ------------------------------------------------------------------------------------------------


def staff_schools(actor: Any) -> QuerySet[School]:
    """Schools where the actor may commission and manage placements (may change pupils there)."""
    return School.objects.filter(pk__in=scope_for(actor).school_ids(Action.CHANGE_PUPILS)).order_by("name")


def staff_school(actor: Any, urn: str) -> School:
    school = staff_schools(actor).filter(urn=urn).first()
    if school is None:
        raise Http404("No such school")
    return school


def staff_placements(actor: Any) -> QuerySet[Placement]:
    """Placements at the schools where the actor may change pupils."""
    return Placement.objects.filter(school__in=staff_schools(actor)).select_related(
        "pupil", "school", "provider", "agreement", "ap_notice"
    )


def staff_placement(actor: Any, pk: Any) -> Placement:
    try:
        return staff_placements(actor).get(pk=pk)
    except (Placement.DoesNotExist, ValueError, TypeError):
        raise Http404("No such placement") from None


@dataclass
class SchoolPlacements:
    school: School
    current: list[Placement]
    upcoming: list[Placement]
    ended: list[Placement]


def school_placements(actor: Any, school: School, on: dt.date) -> SchoolPlacements:
    """A school's placements as they stand on `on`: current, upcoming and ended."""
    out = SchoolPlacements(school=school, current=[], upcoming=[], ended=[])
    for p in staff_placements(actor).filter(school=school).order_by("starts_on", "pk"):
        getattr(out, p.status_on(on)).append(p)
    out.ended.reverse()  # the most recent first
    return out


def audit_staff_list(placements: Sequence[Placement], school: School) -> None:
    """Staff lists name pupils: one search event for the page (the categories shown, no values)."""
    record(
        "search",
        model=entry_for(Placement).label,
        subject=Subject(school_id=school.pk),
        categories=["pupil.identity.name", "pupil.enrolment"],
        detail={"page": "placements", "shown": len(placements)},
    )


def audit_staff_view(placement: Placement) -> None:
    record(
        "view",
        model=entry_for(Placement).label,
        object_id=placement.pk,
        subject=Subject(pupil_id=placement.pupil_id, school_id=placement.school_id),
        categories=["pupil.enrolment", "pupil.identity.name", "pupil.note"],
        detail={"page": "placement"},
    )


def providers_for(actor: Any) -> QuerySet[Provider]:
    """Providers of the trusts where the actor may manage placements at some school."""
    trusts = staff_schools(actor).values("trust_id")
    return Provider.objects.filter(trust_id__in=trusts).order_by("name")


def staff_provider(actor: Any, pk: Any) -> Provider:
    try:
        return providers_for(actor).get(pk=pk)
    except (Provider.DoesNotExist, ValueError, TypeError):
        raise Http404("No such provider") from None


def recipient_categories(school: School) -> list[CategoryRef]:
    """What the register shares with AP providers at the school: the choices for a placement."""
    recipient = next((r for r in effective_register(school).recipients if r.key == RECIPIENT), None)
    return list(recipient.categories) if recipient is not None else []


def agreements_for(school: School) -> list[Agreement]:
    """Agreements with AP providers for the AP purpose that could cover a placement at the school,
    newest first (purposes are a JSON list, filtered here: SQLite has no JSON containment lookup)."""
    rows = Agreement.objects.filter(
        models.Q(school__isnull=True) | models.Q(school=school),
        trust_id=school.trust_id,
        recipient_key=RECIPIENT,
    ).order_by("-starts_on", "-pk")
    return [a for a in rows if PURPOSE in a.purposes]
