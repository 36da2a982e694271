"""Choices for the register: lawful bases, special-category conditions and the register's vocabularies.

The law these cite is in ../shared/domain/rules.md (§3 lawful bases, §5 retention, §6 youth support,
§10 Art 9 and DPA 2018 Schedule 1). Values are stable identifiers used in the shipped default register
(`defaults/register.toml`); labels are what staff see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Art6(models.TextChoices):
    """UK GDPR Article 6(1): processing is lawful only if at least one of these applies.

    - (a) ``consent``: the data subject has given consent for one or more specific purposes;
    - (b) ``contract``: necessary for a contract with the data subject, or steps before entering one;
    - (c) ``legal_obligation``: necessary to comply with a legal obligation of the controller;
    - (d) ``vital_interests``: necessary to protect someone's life;
    - (e) ``public_task``: necessary for a task in the public interest or in the exercise of official
      authority vested in the controller;
    - (f) ``legitimate_interests``: necessary for the legitimate interests of the controller or a third
      party. The last subparagraph of Art 6(1) says it "shall not apply to processing carried out by
      public authorities in the performance of their tasks"; schools are public authorities.

    Art 6(3): the basis for (c) and (e) must be laid down by law, so the register requires the
    legislation for both.
    """

    CONSENT = "consent", "Consent (UK GDPR Art 6(1)(a))"
    CONTRACT = "contract", "Contract (UK GDPR Art 6(1)(b))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (UK GDPR Art 6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (UK GDPR Art 6(1)(d))"
    PUBLIC_TASK = "public_task", "Public task (UK GDPR Art 6(1)(e))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (UK GDPR Art 6(1)(f))"


@dataclass(frozen=True)
class BasisInfo:
    """How a lawful basis is cited and explained in a notice."""

    article: str
    short: str
    plain: str
    needs_legislation: bool = False


BASIS_INFO: dict[str, BasisInfo] = {
    Art6.CONSENT: BasisInfo("UK GDPR Art 6(1)(a)", "consent", "you have given consent"),
    Art6.CONTRACT: BasisInfo("UK GDPR Art 6(1)(b)", "contract", "we need it for a contract with you"),
    Art6.LEGAL_OBLIGATION: BasisInfo(
        "UK GDPR Art 6(1)(c)", "legal obligation", "the law requires us to", needs_legislation=True
    ),
    Art6.VITAL_INTERESTS: BasisInfo(
        "UK GDPR Art 6(1)(d)", "vital interests", "we need to protect someone's life or health"
    ),
    Art6.PUBLIC_TASK: BasisInfo(
        "UK GDPR Art 6(1)(e)",
        "public task",
        "we need it to carry out our official task in the public interest",
        needs_legislation=True,
    ),
    Art6.LEGITIMATE_INTERESTS: BasisInfo(
        "UK GDPR Art 6(1)(f)", "legitimate interests", "it is in our legitimate interests"
    ),
}


class Art9(models.TextChoices):
    """UK GDPR Article 9(2): the conditions that lift the ban on processing special category data.

    - (a) ``explicit_consent``;
    - (b) ``employment``: employment, social security and social protection law (DPA 2018 Sch 1 Pt 1 para 1);
    - (c) ``vital_interests``: where the person is physically or legally incapable of giving consent;
    - (d) ``not_for_profit``: legitimate activities of a foundation, association or not-for-profit body;
    - (e) ``made_public``: data manifestly made public by the data subject;
    - (f) ``legal_claims``: legal claims, or courts acting in their judicial capacity;
    - (g) ``substantial_public_interest``: met only through a condition in DPA 2018 Sch 1 Pt 2 (s.10(3));
    - (h) ``health_care``: health or social care (Sch 1 Pt 1 para 2);
    - (i) ``public_health`` (Sch 1 Pt 1 para 3);
    - (j) ``archiving_research``: archiving, scientific or historical research, statistics (Sch 1 Pt 1 para 4).
    """

    EXPLICIT_CONSENT = "explicit_consent", "Explicit consent (UK GDPR Art 9(2)(a))"
    EMPLOYMENT = "employment", "Employment, social security and social protection (Art 9(2)(b))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (UK GDPR Art 9(2)(c))"
    NOT_FOR_PROFIT = "not_for_profit", "Not-for-profit bodies (UK GDPR Art 9(2)(d))"
    MADE_PUBLIC = "made_public", "Made public by the data subject (UK GDPR Art 9(2)(e))"
    LEGAL_CLAIMS = "legal_claims", "Legal claims and judicial acts (UK GDPR Art 9(2)(f))"
    SUBSTANTIAL_PUBLIC_INTEREST = (
        "substantial_public_interest",
        "Substantial public interest (UK GDPR Art 9(2)(g))",
    )
    HEALTH_CARE = "health_care", "Health or social care (UK GDPR Art 9(2)(h))"
    PUBLIC_HEALTH = "public_health", "Public health (UK GDPR Art 9(2)(i))"
    ARCHIVING_RESEARCH = "archiving_research", "Archiving, research and statistics (UK GDPR Art 9(2)(j))"


# Schedule 1 paragraph titles (DPA 2018). Part 1: paras 1-4; Part 2 (substantial public interest): 6-28.
# Para 5 is Part 2's general requirement, not a condition. Source: rules.md §10.
SCHEDULE_1: dict[int, str] = {
    1: "Employment, social security and social protection",
    2: "Health or social care purposes",
    3: "Public health",
    4: "Research etc",
    6: "Statutory and government purposes",
    7: "Administration of justice and parliamentary purposes",
    8: "Equality of opportunity or treatment",
    9: "Racial and ethnic diversity at senior levels of organisations",
    10: "Preventing or detecting unlawful acts",
    11: "Protecting the public against dishonesty etc",
    12: "Regulatory requirements relating to unlawful acts and dishonesty etc",
    13: "Journalism etc in connection with unlawful acts and dishonesty etc",
    14: "Preventing fraud",
    15: "Suspicion of terrorist financing or money laundering",
    16: "Support for individuals with a particular disability or medical condition",
    17: "Counselling etc",
    18: "Safeguarding of children and of individuals at risk",
    19: "Safeguarding of economic well-being of certain individuals",
    20: "Insurance",
    21: "Occupational pensions",
    22: "Political parties",
    23: "Elected representatives responding to requests",
    24: "Disclosure to elected representatives",
    25: "Informing elected representatives about prisoners",
    26: "Publication of legal judgments",
    27: "Anti-doping in sport",
    28: "Standards of behaviour in sport",
}
PART_2 = frozenset(range(6, 29))


def schedule_1_part(paragraph: int) -> int:
    """The Part of DPA 2018 Schedule 1 a paragraph sits in."""
    return 1 if paragraph <= 4 else 2


def schedule_1_citation(paragraph: int | None) -> str:
    """E.g. "DPA 2018 Sch 1 Pt 2 para 18 (Safeguarding of children and of individuals at risk)"."""
    if paragraph is None:
        return ""
    return f"DPA 2018 Sch 1 Pt {schedule_1_part(paragraph)} para {paragraph} ({SCHEDULE_1[paragraph]})"


SCHEDULE_1_CHOICES = [(n, f"Sch 1 Pt {schedule_1_part(n)} para {n}: {t}") for n, t in SCHEDULE_1.items()]

# Which Schedule 1 paragraphs each Art 9(2) condition needs (DPA 2018 ss.10(2)-(3)). A condition
# missing here needs no Schedule 1 paragraph, and recording one would mislead.
PARAGRAPHS_FOR: dict[str, frozenset[int]] = {
    Art9.EMPLOYMENT: frozenset({1}),
    Art9.SUBSTANTIAL_PUBLIC_INTEREST: PART_2,
    Art9.HEALTH_CARE: frozenset({2}),
    Art9.PUBLIC_HEALTH: frozenset({3}),
    Art9.ARCHIVING_RESEARCH: frozenset({4}),
}

CONDITION_ARTICLE: dict[str, str] = {
    Art9.EXPLICIT_CONSENT: "UK GDPR Art 9(2)(a)",
    Art9.EMPLOYMENT: "UK GDPR Art 9(2)(b)",
    Art9.VITAL_INTERESTS: "UK GDPR Art 9(2)(c)",
    Art9.NOT_FOR_PROFIT: "UK GDPR Art 9(2)(d)",
    Art9.MADE_PUBLIC: "UK GDPR Art 9(2)(e)",
    Art9.LEGAL_CLAIMS: "UK GDPR Art 9(2)(f)",
    Art9.SUBSTANTIAL_PUBLIC_INTEREST: "UK GDPR Art 9(2)(g)",
    Art9.HEALTH_CARE: "UK GDPR Art 9(2)(h)",
    Art9.PUBLIC_HEALTH: "UK GDPR Art 9(2)(i)",
    Art9.ARCHIVING_RESEARCH: "UK GDPR Art 9(2)(j)",
}


class Audience(models.TextChoices):
    """Who a notice is written for (the notice compiler renders one per audience)."""

    PUPIL = "pupil", "Pupils"
    PARENT = "parent", "Parents and carers"
    AP = "ap", "Alternative provision"


class Origin(models.TextChoices):
    """Where a register row came from."""

    DEFAULT = "default", "Steward's default register"
    CATALOGUE = "catalogue", "Picked from the systems catalogue"
    LOCAL = "local", "Entered by the trust or school"


class Provision(models.TextChoices):
    """Whether people must give us a category of data (UK GDPR Art 13(2)(e))."""

    MANDATORY = "mandatory", "Mandatory: you must provide it"
    OPTIONAL = "optional", "Optional: you choose whether to provide it"
    SCHOOL_RECORD = "school_record", "Recorded by the school or received from others, not asked of you"


class Source(models.TextChoices):
    """Where a category of data comes from (UK GDPR Art 14(2)(f))."""

    PARENTS = "parents", "Parents and carers"
    PUPIL = "pupil", "The pupil"
    SCHOOL = "school", "School staff"
    PREVIOUS_SCHOOL = "previous_school", "Previous schools"
    LOCAL_AUTHORITY = "local_authority", "The local authority"
    DFE = "dfe", "The Department for Education"
    LRS = "lrs", "The Learning Records Service"
    HEALTH = "health", "The NHS and other health professionals"
    SOCIAL_CARE = "social_care", "Children's social care"
    POLICE = "police", "The police"
    AWARDING_BODIES = "awarding_bodies", "Exam boards and awarding bodies"


class RecipientKind(models.TextChoices):
    """What sort of organisation receives data from the school."""

    GOVERNMENT = "government", "Central government"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    YOUTH_SUPPORT = "youth_support", "Youth support and careers services"
    SCHOOL = "school", "Schools and colleges"
    TRUST = "trust", "Our trust"
    ALTERNATIVE_PROVISION = "alternative_provision", "Alternative provision providers"
    HEALTH = "health", "Health services"
    SOCIAL_CARE = "social_care", "Children's social care"
    LAW_ENFORCEMENT = "law_enforcement", "Police, courts and tribunals"
    REGULATOR = "regulator", "Regulators and inspectors"
    AUDITOR = "auditor", "Auditors"
    EXAM_BOARD = "exam_board", "Exam boards and assessment bodies"
    PROCESSOR = "processor", "Suppliers acting for us (processors)"
    FAMILY = "family", "Family and representatives"
    RESEARCH = "research", "Research and survey organisations"
    OTHER = "other", "Other"


class Sharing(models.TextChoices):
    """How often data goes to a recipient."""

    ROUTINE = "routine", "Routinely"
    CASE_BY_CASE = "case_by_case", "Case by case, when needed"


class SystemFunction(models.TextChoices):
    """What a system does for the school (catalogue entries are grouped by this)."""

    MIS = "mis", "Management information system (MIS)"
    SAFEGUARDING = "safeguarding", "Safeguarding and pastoral records"
    PAYMENTS = "payments", "Payments"
    COMMUNICATION = "communication", "Messages to parents"
    EMAIL = "email", "Email"
    CLOUD_STORAGE = "cloud_storage", "Cloud storage and office software"
    ASSESSMENT = "assessment", "Assessment tracking"
    LEARNING_PLATFORM = "learning_platform", "Learning platform and educational software"
    VISITS = "visits", "Educational visits management"
    CCTV = "cctv", "CCTV"
    CATERING = "catering", "Cashless catering (may use biometrics)"
    LIBRARY = "library", "Library"
    SECURE_TRANSFER = "secure_transfer", "Secure file transfer and encrypted email"
    FINANCE = "finance", "Finance"
    OTHER = "other", "Other"


class Transfer(models.TextChoices):
    """Whether a system moves personal data outside the UK (UK GDPR Chapter V)."""

    NO = "no", "No: data stays in the UK"
    YES = "yes", "Yes: data is transferred outside the UK"
    UNKNOWN = "unknown", "To confirm with the supplier"


class Safeguard(models.TextChoices):
    """What makes an international transfer lawful (UK GDPR Arts 45-46)."""

    ADEQUACY = "adequacy", "UK adequacy regulations (e.g. EEA countries)"
    IDTA = "idta", "International Data Transfer Agreement (IDTA)"
    ADDENDUM = "addendum", "UK Addendum to the EU standard contractual clauses"
    BCR = "bcr", "Binding corporate rules"
    OTHER = "other", "Other (described)"


class Trigger(models.TextChoices):
    """What starts a retention period (rules.md §5, "System implications")."""

    DATE_OF_BIRTH = "date_of_birth", "the pupil's date of birth"
    LEAVING_DATE = "leaving_date", "the date the pupil leaves"
    ENTRY_DATE = "entry_date", "the date of the entry"
    EVENT_DATE = "event_date", "the date of the event"
    LAST_ENTRY = "last_entry", "the last entry"
    ACADEMIC_YEAR_END = "academic_year_end", "the end of the academic year"
    TRIP_END = "trip_end", "the end of the trip"
    CONSENT_WITHDRAWN = "consent_withdrawn", "consent being withdrawn"
    PURPOSE_ENDS = "purpose_ends", "the purpose ending"


class PeriodKind(models.TextChoices):
    """The shape of a retention period."""

    FIXED = "fixed", "A fixed period after the trigger"
    WHILE_ON_ROLL = "while_on_roll", "While the pupil is on roll, then the action (usually transfer)"
    UNTIL_TRIGGER = "until_trigger", "Until the trigger happens, then the action"


class RetentionAction(models.TextChoices):
    """What happens at the end of a retention period."""

    REVIEW = "review", "Review, then secure disposal unless there is a reason to keep it"
    SECURE_DISPOSAL = "secure_disposal", "Secure disposal"
    TRANSFER = "transfer", "Transfer to the next school"
    ARCHIVE = "archive", "Offer to an archive"


class RuleStatus(models.TextChoices):
    """How sure the register is of a retention rule (rules.md §5 marks each row C or U)."""

    CONFIRMED = "confirmed", "Confirmed against a retrieved source"
    UNCONFIRMED = "unconfirmed", "Unconfirmed: check against the current IRMS toolkit"
    LOCAL_CHOICE = "local_choice", "Local choice: no statutory or toolkit period"


class YouthSupportModel(models.TextChoices):
    """Which youth-support opt-out the school follows (rules.md §6: the school must say which)."""

    OBJECT = (
        "object",
        "Share fully unless a parent (or the pupil at 16) asks for name, address and date of birth only",
    )
    CONSENT = (
        "consent",
        "Share only name, address and date of birth unless a parent (or the pupil at 16) agrees to more",
    )


SCHOOL_PHASES = ("nursery", "primary", "middle", "secondary", "all-through", "16-plus")
