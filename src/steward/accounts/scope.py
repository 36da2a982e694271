"""What a user may see and do, school by school, derived from their role assignments.

Every selector restricts its queryset through a `Scope`, so code that forgets to ask still
gets nothing outside the user's schools and categories.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from steward.accounts.roles import ALWAYS, ROLES, Action, Role


@dataclass
class Grant:
    """What one user may do at one school: the union of the roles held there."""

    roles: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    actions: set[Action] = field(default_factory=set)

    def add(self, r: Role) -> None:
        self.roles.add(r.key)
        self.categories.update(r.categories)
        self.actions.update(r.actions)

    def may_read(self, category_key: str) -> bool:
        return any(category_key == p or category_key.startswith(p + ".") for p in (*self.categories, *ALWAYS))


@dataclass
class Scope:
    """A user's grants keyed by school id, plus the trusts they hold roles in."""

    user_id: int | None
    grants: dict[int, Grant] = field(default_factory=dict)
    trust_ids: set[int] = field(default_factory=set)
    trust_actions: dict[int, set[Action]] = field(default_factory=dict)

    def school_ids(self, action: Action = Action.VIEW_PUPILS) -> set[int]:
        return {sid for sid, g in self.grants.items() if action in g.actions}

    def schools_reading(self, category_keys: Iterable[str], action: Action = Action.VIEW_PUPILS) -> set[int]:
        """Schools where the user may perform `action` and read at least one of the categories."""
        keys = list(category_keys)
        return {
            sid for sid, g in self.grants.items() if action in g.actions and any(g.may_read(k) for k in keys)
        }

    def may(self, action: Action, school_id: int | None = None) -> bool:
        if school_id is None:
            return any(action in g.actions for g in self.grants.values()) or any(
                action in acts for acts in self.trust_actions.values()
            )
        g = self.grants.get(school_id)
        return bool(g and action in g.actions)

    def may_read(self, category_key: str, school_id: int) -> bool:
        g = self.grants.get(school_id)
        return bool(g and g.may_read(category_key))

    def readable_anywhere(self, category_key: str) -> bool:
        return any(g.may_read(category_key) for g in self.grants.values())

    def roles_at(self, school_id: int) -> set[str]:
        g = self.grants.get(school_id)
        return set(g.roles) if g else set()

    @property
    def role_keys(self) -> set[str]:
        return {k for g in self.grants.values() for k in g.roles}


def scope_for(user: Any) -> Scope:
    """Build the scope of a user from their role assignments (an anonymous user has none)."""
    from steward.accounts.models import RoleAssignment
    from steward.organisations.models import School

    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Scope(user_id=None)
    cached = getattr(user, "_steward_scope", None)
    if cached is not None:
        return cached
    scope = Scope(user_id=user.pk)  # type: ignore[attr-defined]
    assignments = list(
        RoleAssignment.objects.filter(user_id=user.pk).values_list("role", "trust_id", "school_id")
    )
    trust_wide = {trust_id for role_key, trust_id, school_id in assignments if school_id is None}
    schools_by_trust: dict[int, list[int]] = {}
    if trust_wide:
        for sid, tid in School.objects.filter(trust_id__in=trust_wide).values_list("id", "trust_id"):
            schools_by_trust.setdefault(tid, []).append(sid)
    for role_key, trust_id, school_id in assignments:
        r = ROLES.get(role_key)
        if r is None or not r.staff:
            continue
        scope.trust_ids.add(trust_id)
        scope.trust_actions.setdefault(trust_id, set()).update(r.actions)
        targets = [school_id] if school_id is not None else schools_by_trust.get(trust_id, [])
        for sid in targets:
            scope.grants.setdefault(sid, Grant()).add(r)
    user._steward_scope = scope  # type: ignore[attr-defined]
    return scope
