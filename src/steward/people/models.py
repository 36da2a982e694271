"""Pupils and their parents and carers (contacts)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from steward.core import codes
from steward.core.codes import choices
from steward.core.validators import normalise_upn, validate_uln, validate_upn

KEY = "system.key"
PROV = "system.provenance"


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Whole years of age on a date (a 29 February birthday counts on 1 March in non-leap years)."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


class Pupil(models.Model):
    """A child or young person on (or formerly on) the roll of a school in the trust."""

    trust = models.ForeignKey("organisations.Trust", on_delete=models.PROTECT, verbose_name="trust")
    upn = models.CharField("UPN", max_length=13, validators=[validate_upn], help_text="Unique pupil number")
    former_upn = models.CharField("former UPN", max_length=13, blank=True, validators=[validate_upn])
    uln = models.CharField(
        "ULN", max_length=10, blank=True, validators=[validate_uln], help_text="Unique learner number"
    )
    legal_forename = models.CharField("legal forename", max_length=100)
    middle_names = models.CharField("middle names", max_length=100, blank=True)
    legal_surname = models.CharField("legal surname", max_length=100)
    preferred_forename = models.CharField("preferred forename", max_length=100, blank=True)
    preferred_surname = models.CharField("preferred surname", max_length=100, blank=True)
    former_surname = models.CharField("former surname", max_length=100, blank=True)
    date_of_birth = models.DateField("date of birth")
    sex = models.CharField("sex", max_length=1, choices=choices(codes.SEX))
    ethnicity = models.CharField("ethnicity", max_length=4, choices=choices(codes.ETHNICITY), default="NOBT")
    ethnicity_source = models.CharField(
        "ethnicity source",
        max_length=1,
        blank=True,
        choices=[
            ("P", "Provided by parent"),
            ("C", "Provided by pupil"),
            ("S", "Ascribed by previous school"),
        ],
    )
    first_language = models.CharField(
        "first language", max_length=4, choices=choices(codes.LANGUAGE), default="NOT"
    )
    nationality = models.CharField("nationality", max_length=60, blank=True)
    country_of_birth = models.CharField("country of birth", max_length=60, blank=True)
    ncy = models.CharField("national curriculum year", max_length=2, choices=choices(codes.NC_YEARS))
    email = models.EmailField("pupil email", blank=True)
    source = models.CharField("source", max_length=20, choices=choices(codes.SOURCE), default="school")
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class PersonalData:
        subject = "pupil"
        retention_from = "date_of_birth"
        fields = {
            "id": KEY,
            "trust": KEY,
            "upn": "pupil.identity.upn",
            "former_upn": "pupil.identity.upn",
            "uln": "pupil.identity.uln",
            "legal_forename": "pupil.identity.name",
            "middle_names": "pupil.identity.name",
            "legal_surname": "pupil.identity.name",
            "preferred_forename": "pupil.identity.name",
            "preferred_surname": "pupil.identity.name",
            "former_surname": "pupil.identity.name",
            "date_of_birth": "pupil.identity.dob",
            "sex": "pupil.identity.sex",
            "ethnicity": "pupil.characteristics.ethnicity",
            "ethnicity_source": "pupil.characteristics.ethnicity",
            "first_language": "pupil.characteristics.language",
            "nationality": "pupil.characteristics.nationality",
            "country_of_birth": "pupil.characteristics.country_of_birth",
            "ncy": "pupil.enrolment",
            "email": "pupil.contact",
            "source": PROV,
            "created_at": PROV,
            "updated_at": PROV,
        }

    class Meta:
        verbose_name = "pupil"
        ordering = ["legal_surname", "legal_forename"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "upn"],
                name="unique_pupil_upn_per_trust",
                violation_error_message="A pupil with this UPN already exists in the trust.",
            ),
        ]
        indexes = [models.Index(fields=["legal_surname", "legal_forename"])]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        self.upn = normalise_upn(self.upn or "")
        self.former_upn = normalise_upn(self.former_upn or "")
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": "Date of birth cannot be in the future."})
        if self.former_upn and self.former_upn == self.upn:
            raise ValidationError({"former_upn": "Former UPN cannot be the same as the current UPN."})

    @property
    def forename(self) -> str:
        return self.preferred_forename or self.legal_forename

    @property
    def surname(self) -> str:
        return self.preferred_surname or self.legal_surname

    @property
    def display_name(self) -> str:
        return f"{self.forename} {self.surname}"

    def age_on(self, on: dt.date) -> int:
        return age_on(self.date_of_birth, on)


class Enrolment(models.Model):
    """A period on the admission register of one school."""

    pupil = models.ForeignKey(
        Pupil, on_delete=models.CASCADE, related_name="enrolments", verbose_name="pupil"
    )
    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="enrolments", verbose_name="school"
    )
    admission_date = models.DateField("admission date")
    leaving_date = models.DateField("leaving date", null=True, blank=True)
    leaving_reason = models.CharField("leaving reason", max_length=100, blank=True)
    status = models.CharField(
        "enrolment status", max_length=1, choices=choices(codes.ENROLMENT_STATUS), default="C"
    )
    tutor_group = models.CharField("registration group", max_length=20, blank=True)

    class PersonalData:
        subject = "pupil"
        subject_path = "pupil"
        retention_from = "admission_date"
        fields = {
            "id": KEY,
            "pupil": KEY,
            "school": KEY,
            "admission_date": "pupil.enrolment",
            "leaving_date": "pupil.enrolment",
            "leaving_reason": "pupil.enrolment",
            "status": "pupil.enrolment",
            "tutor_group": "pupil.enrolment",
        }

    class Meta:
        verbose_name = "enrolment"
        ordering = ["pupil", "admission_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(leaving_date__isnull=True)
                | models.Q(leaving_date__gte=models.F("admission_date")),
                name="enrolment_leaving_after_admission",
                violation_error_message="Leaving date cannot be before the admission date.",
            ),
        ]
        indexes = [models.Index(fields=["school", "pupil"])]

    def clean(self) -> None:
        if self.leaving_date and self.admission_date and self.leaving_date < self.admission_date:
            raise ValidationError({"leaving_date": "Leaving date cannot be before the admission date."})

    @property
    def is_current(self) -> bool:
        return self.leaving_date is None or self.leaving_date >= timezone.localdate()

    def __str__(self) -> str:
        return f"{self.school} from {self.admission_date}"


class PupilAddress(models.Model):
    """A home address of a pupil, with the dates it applied (CTF keeps address history too)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="addresses", verbose_name="pupil")
    line1 = models.CharField("address line 1", max_length=120)
    line2 = models.CharField("address line 2", max_length=120, blank=True)
    town = models.CharField("town", max_length=80, blank=True)
    county = models.CharField("county", max_length=80, blank=True)
    postcode = models.CharField("postcode", max_length=10, blank=True)
    start_date = models.DateField("from", null=True, blank=True)
    end_date = models.DateField("until", null=True, blank=True)
    source = models.CharField("source", max_length=20, choices=choices(codes.SOURCE), default="parent")

    class PersonalData:
        subject = "pupil"
        subject_path = "pupil"
        retention_from = "pupil__date_of_birth"
        fields = {
            "id": KEY,
            "pupil": KEY,
            "line1": "pupil.contact.address",
            "line2": "pupil.contact.address",
            "town": "pupil.contact.address",
            "county": "pupil.contact.address",
            "postcode": "pupil.contact.address",
            "start_date": "pupil.contact.address",
            "end_date": "pupil.contact.address",
            "source": PROV,
        }

    class Meta:
        verbose_name = "pupil address"
        verbose_name_plural = "pupil addresses"
        ordering = ["pupil", "-start_date"]

    def __str__(self) -> str:
        return ", ".join(p for p in [self.line1, self.town, self.postcode] if p)


class FSMPeriod(models.Model):
    """A period of free school meal eligibility (census FSM history)."""

    pupil = models.ForeignKey(
        Pupil, on_delete=models.CASCADE, related_name="fsm_periods", verbose_name="pupil"
    )
    start_date = models.DateField("eligibility start")
    end_date = models.DateField("eligibility end", null=True, blank=True)
    country = models.CharField(
        "UK country",
        max_length=3,
        default="ENG",
        choices=[("ENG", "England"), ("WLS", "Wales"), ("SCT", "Scotland"), ("NIR", "Northern Ireland")],
    )
    source = models.CharField("source", max_length=20, choices=choices(codes.SOURCE), default="la")

    class PersonalData:
        subject = "pupil"
        subject_path = "pupil"
        retention_from = "pupil__date_of_birth"
        fields = {
            "id": KEY,
            "pupil": KEY,
            "start_date": "pupil.characteristics.fsm",
            "end_date": "pupil.characteristics.fsm",
            "country": "pupil.characteristics.fsm",
            "source": PROV,
        }

    class Meta:
        verbose_name = "free school meal eligibility period"
        ordering = ["pupil", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="fsm_end_after_start",
                violation_error_message="FSM end date cannot be before its start date.",
            ),
        ]

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "FSM end date cannot be before its start date."})

    def __str__(self) -> str:
        return f"FSM {self.start_date} to {self.end_date or 'now'}"


class Contact(models.Model):
    """A parent, carer or other contact of one or more pupils."""

    trust = models.ForeignKey("organisations.Trust", on_delete=models.PROTECT, verbose_name="trust")
    title = models.CharField("title", max_length=20, blank=True)
    forename = models.CharField("forename", max_length=100)
    surname = models.CharField("surname", max_length=100)
    email = models.EmailField("email", blank=True)
    phone_home = models.CharField("home telephone", max_length=30, blank=True)
    phone_mobile = models.CharField("mobile telephone", max_length=30, blank=True)
    phone_work = models.CharField("work telephone", max_length=30, blank=True)
    address_line1 = models.CharField("address line 1", max_length=120, blank=True)
    address_line2 = models.CharField("address line 2", max_length=120, blank=True)
    town = models.CharField("town", max_length=80, blank=True)
    postcode = models.CharField("postcode", max_length=10, blank=True)
    source = models.CharField("source", max_length=20, choices=choices(codes.SOURCE), default="parent")
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class PersonalData:
        subject = "contact"
        retention_from = "updated_at"
        fields = {
            "id": KEY,
            "trust": KEY,
            "title": "contact.identity",
            "forename": "contact.identity",
            "surname": "contact.identity",
            "email": "contact.details",
            "phone_home": "contact.details",
            "phone_mobile": "contact.details",
            "phone_work": "contact.details",
            "address_line1": "contact.details",
            "address_line2": "contact.details",
            "town": "contact.details",
            "postcode": "contact.details",
            "source": PROV,
            "created_at": PROV,
            "updated_at": PROV,
        }

    class Meta:
        verbose_name = "contact"
        ordering = ["surname", "forename"]

    def __str__(self) -> str:
        return " ".join(p for p in [self.title, self.forename, self.surname] if p)


class PupilContact(models.Model):
    """How a contact relates to a pupil: relationship, parental responsibility, priority, court orders."""

    pupil = models.ForeignKey(
        Pupil, on_delete=models.CASCADE, related_name="contact_links", verbose_name="pupil"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="pupil_links", verbose_name="contact"
    )
    relationship = models.CharField("relationship", max_length=3, choices=choices(codes.RELATIONSHIP))
    parental_responsibility = models.BooleanField("has parental responsibility", default=False)
    priority = models.PositiveSmallIntegerField("contact priority", default=1)
    lives_with = models.BooleanField("pupil lives with this contact", default=False)
    court_order = models.BooleanField("court order in place", default=False)
    court_order_note = models.TextField("court order details", blank=True)

    class PersonalData:
        subject = "contact"
        subject_path = "contact"
        retention_from = "pupil__date_of_birth"
        fields = {
            "id": KEY,
            "pupil": KEY,
            "contact": KEY,
            "relationship": "contact.relationship",
            "parental_responsibility": "contact.relationship",
            "priority": "contact.relationship",
            "lives_with": "contact.relationship",
            "court_order": "contact.legal",
            "court_order_note": "contact.legal",
        }

    class Meta:
        verbose_name = "pupil contact"
        ordering = ["pupil", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "contact"],
                name="unique_pupil_contact",
                violation_error_message="This contact is already linked to the pupil.",
            ),
            models.CheckConstraint(
                condition=models.Q(priority__gte=1),
                name="contact_priority_positive",
                violation_error_message="Contact priority starts at 1.",
            ),
        ]

    def clean(self) -> None:
        if self.court_order_note and not self.court_order:
            raise ValidationError(
                {"court_order": "Court order details are given: tick 'court order in place'."}
            )

    def __str__(self) -> str:
        return f"{self.contact} ({self.get_relationship_display()}) of {self.pupil}"
