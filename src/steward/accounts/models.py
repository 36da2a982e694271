"""Staff users and their role assignments."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from steward.accounts.roles import ROLES, role_choices


class User(AbstractUser):
    """A person who signs in to Steward: school staff (and, later, providers, parents and pupils)."""

    class PersonalData:
        subject = "staff"
        fields = {
            "id": "system.key",
            "password": "staff.account",
            "last_login": "staff.account",
            "is_superuser": "staff.account",
            "username": "staff.identity",
            "first_name": "staff.identity",
            "last_name": "staff.identity",
            "email": "staff.identity",
            "is_staff": "staff.account",
            "is_active": "staff.account",
            "date_joined": "staff.account",
            "groups": "staff.account",
            "user_permissions": "staff.account",
        }

    class Meta:
        verbose_name = "user"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class RoleAssignment(models.Model):
    """A role held by a user in a trust, for one school or (school empty) the whole trust."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name="user")
    role = models.CharField("role", max_length=32, choices=role_choices())
    trust = models.ForeignKey("organisations.Trust", on_delete=models.CASCADE, verbose_name="trust")
    school = models.ForeignKey(
        "organisations.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name="school",
        help_text="Empty means every school of the trust (trust-wide roles only).",
    )
    granted_at = models.DateTimeField("granted at", auto_now_add=True)

    class PersonalData:
        subject = "staff"
        subject_path = "user"
        fields = {
            "id": "system.key",
            "user": "system.key",
            "role": "staff.account",
            "trust": "system.key",
            "school": "system.key",
            "granted_at": "staff.account",
        }

    class Meta:
        verbose_name = "role assignment"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "trust", "school"],
                name="unique_role_assignment",
                violation_error_message="This user already holds that role there.",
            ),
        ]

    def clean(self) -> None:
        r = ROLES.get(self.role)
        if r is None:
            raise ValidationError({"role": f"Unknown role {self.role!r}."})
        if self.school_id is None and not r.trust_wide:
            raise ValidationError({"school": f"{r.label} is held for one school: choose the school."})
        if self.school is not None and self.school.trust_id != self.trust_id:
            raise ValidationError({"school": "The school is not part of this trust."})

    def __str__(self) -> str:
        return f"{ROLES[self.role].label} ({self.school or self.trust})"
