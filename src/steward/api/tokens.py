"""Issuing, checking and revoking API tokens.

A key is `stw_` followed by 43 URL-safe characters (256 random bits). Only its SHA-256 hash is
stored: with that much entropy a fast hash is enough, and a stolen database yields no usable key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from steward.accounts.roles import Action
from steward.accounts.scope import scope_for
from steward.api.models import ApiToken

KEY_PREFIX = "stw_"
PREFIX_LENGTH = 12  # "stw_" and the first 8 random characters: enough to tell tokens apart
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A newly issued token and its plain key, which is never available again."""

    token: ApiToken
    key: str


def hash_key(key: str) -> str:
    """The SHA-256 hex digest under which a key is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    """A fresh random key."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def may_manage_tokens(actor: Any, user: Any) -> bool:
    """Whether `actor` may issue, list or revoke `user`'s tokens.

    Everyone manages their own; a superuser manages anyone's; a user manager (the trust DPO)
    manages those of staff holding a role in a trust where they may manage users.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.pk == user.pk or getattr(actor, "is_superuser", False):
        return True
    from steward.accounts.models import RoleAssignment

    managed_trusts = {
        tid for tid, acts in scope_for(actor).trust_actions.items() if Action.MANAGE_USERS in acts
    }
    return RoleAssignment.objects.filter(user_id=user.pk, trust_id__in=managed_trusts).exists()


def tokens_visible_to(actor: Any) -> QuerySet[ApiToken]:
    """Tokens whose metadata the actor may see (never their keys)."""
    qs = ApiToken.objects.select_related("user")
    if getattr(actor, "is_superuser", False):
        return qs
    managed_trusts = {
        tid for tid, acts in scope_for(actor).trust_actions.items() if Action.MANAGE_USERS in acts
    }
    return qs.filter(Q(user_id=actor.pk) | Q(user__roles__trust_id__in=managed_trusts)).distinct()


@transaction.atomic
def issue_token(*, actor: Any, user: Any, name: str, expires_at: dt.datetime | None = None) -> IssuedToken:
    """Create a token for `user`; the returned `key` is the only time the plain key exists."""
    if not may_manage_tokens(actor, user):
        raise PermissionDenied(f"You may not issue API tokens for {user.get_username()}.")
    if not user.is_active:
        raise ValidationError({"user": f"{user.get_username()} is not an active user."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    key = new_key()
    token = ApiToken(user=user, name=name.strip(), prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key))
    token.expires_at = expires_at
    token.full_clean()
    token.save()
    return IssuedToken(token=token, key=key)


@transaction.atomic
def revoke_token(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token at once (idempotent: an already revoked token keeps its first revocation time)."""
    if not may_manage_tokens(actor, token.user):
        raise PermissionDenied("You may not revoke this API token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate_key(key: str) -> ApiToken | None:
    """The live token for a presented key, with its user; None when unknown, revoked or expired.

    Records when the token was last used, at most once a minute, with a queryset update: the
    stamp is bookkeeping, not a change anyone made, so it raises no audit event (the API call
    itself is audited as the token's user).
    """
    if not key or not key.startswith(KEY_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    now = timezone.now()
    if token is None or not token.is_active_at(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def find_token(actor: Any, *, prefix: str = "", pk: int | None = None) -> ApiToken:
    """One token the actor may see, by id or by its (unique) prefix; ValidationError otherwise."""
    qs = tokens_visible_to(actor)
    if pk is not None:
        qs = qs.filter(pk=pk)
    elif prefix:
        qs = qs.filter(prefix__startswith=prefix)
    else:
        raise ValidationError("Name the token by its id or its prefix.")
    found = list(qs[:2])
    if not found:
        raise ValidationError("No such API token.")
    if len(found) > 1:
        raise ValidationError("That prefix matches more than one token: give more characters or the id.")
    return found[0]


def user_by_username(username: str) -> Any:
    """The user with this username; ValidationError when there is none."""
    User = get_user_model()
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise ValidationError({"user": f"No user called {username!r}."}) from None
