"""Request and response shapes of the sharing endpoints (`steward.api.sharing`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

# -- errors -------------------------------------------------------------------------------------


class CtfProblemOut(Schema):
    """One problem with an uploaded CTF: the element (XPath) and line it is on, and the reason."""

    field: str | None = Field(..., examples=["file"])
    messages: list[str]
    codes: list[str] = Field(default_factory=list, examples=[["invalid_ctf"]])
    line: int | None = Field(None, description="Line of the file the problem is on.")
    element: str | None = Field(None, examples=["/CTfile/CTFpupilData/Pupil/UPN"])


class CtfErrorOut(Schema):
    """A refused CTF import: every problem by line and element; nothing was written."""

    detail: str
    errors: list[CtfProblemOut] = Field(default_factory=list)


# -- the one-time package -----------------------------------------------------------------------


class PackageOut(Schema):
    """An outgoing file, as an AES-256 encrypted ZIP waiting to be downloaded once.

    `passphrase` is shown in this response only: it is stored nowhere. Send it to the recipient by
    another channel than the file (telephone, a separate message).
    """

    download_url: str = Field(..., description="GET it once, as the same caller, before `expires_at`.")
    expires_at: dt.datetime
    file_name: str = Field(..., examples=["youth-support-100002-2026-11-24.zip"])
    members: list[str] = Field(..., description="The files inside the ZIP (names identify no pupil).")
    sha256: str = Field(..., description="SHA-256 of the encrypted package.")
    size: int
    passphrase: str = Field(..., examples=["k7Hq-Wm3x-PzR9-aT4e-Yb8N"])


# -- the disclosure log -------------------------------------------------------------------------


class DisclosureOut(Schema):
    id: int
    run_id: int
    on: dt.date
    at: dt.datetime
    kind: str
    recipient_key: str
    recipient: str
    purpose: str
    lawful_basis: str
    categories: list[str]
    fields: list[str]
    limited: bool
    override: bool
    payload_sha256: str
    by: str
    channel: str


class PupilDisclosuresOut(Schema):
    pupil_id: int
    count: int
    withheld: int = Field(
        0, description="Disclosures of data categories the caller may not read: counted, not listed."
    )
    items: list[DisclosureOut]


class ChainReportOut(Schema):
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


# -- share runs -----------------------------------------------------------------------------------


class ShareRunOut(Schema):
    id: int
    school_urn: str
    kind: str
    kind_label: str
    recipient_key: str
    recipient: str
    purpose: str
    lawful_basis: str
    on: dt.date
    at: dt.datetime
    agreement_id: int | None = None
    override_reason: str = ""
    by: str | None = None
    package_sha256: str = ""
    pupils: int
    summary: dict[str, Any] = Field(default_factory=dict)


class DisclosedPupilOut(Schema):
    pupil_id: int
    name: str
    fields: list[str]
    categories: list[str]
    limited: bool
    override: bool


class ShareRunDetailOut(ShareRunOut):
    disclosures: list[DisclosedPupilOut] = Field(default_factory=list)


class ShareRunPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[ShareRunOut]


# -- youth support and statutory returns ----------------------------------------------------------


class YouthSupportIn(Schema):
    school: str = Field(..., description="URN of the school sharing.", examples=["100002"])
    on: dt.date = Field(..., description="The day of the share: ages are taken on it.")
    override_reason: str = Field("", description="The DPO only: share although the gate refuses, and why.")


class OutcomeOut(Schema):
    pupil_id: int
    name: str
    age: int
    status: str = Field(..., description="included, limited or excluded.")
    reason: str


class YouthSupportOut(Schema):
    school_urn: str
    on: dt.date
    run_ids: list[int]
    counts: dict[str, int]
    columns: list[str]
    csv_sha256: str = Field(..., description="SHA-256 of the CSV inside the package.")
    overridden: bool
    pupils: list[OutcomeOut]
    package: PackageOut | None = Field(None, description="Null when nobody was sent (nothing left).")


class StatutoryIn(Schema):
    school: str = Field(..., examples=["100001"])
    recipient: str = Field(..., description="The recipient's register key.", examples=["dfe"])
    on: dt.date = Field(..., description="The census day.")
    start: dt.date | None = Field(None, description="Start of the attendance period (default 1 September).")
    override_reason: str = ""


class LeftOutOut(Schema):
    pupil_id: int
    name: str
    reason: str


class StatutoryOut(Schema):
    school_urn: str
    recipient_key: str
    on: dt.date
    period: list[dt.date]
    run_id: int
    included: int
    excluded: list[LeftOutOut]
    columns: list[str]
    csv_sha256: str
    overridden: bool
    package: PackageOut


# -- ad-hoc disclosures ---------------------------------------------------------------------------


class AdHocIn(Schema):
    school: str = Field(..., examples=["100001"])
    recipient_key: str = Field(..., description="The recipient's register key.", examples=["police_courts"])
    requester_organisation: str = Field(..., examples=["Exampleshire Police"])
    requester_name: str = Field(..., examples=["DC Example"])
    reference: str = ""
    received_on: dt.date
    pupils: list[int] = Field(default_factory=list, description="Pupil ids (or give `upns`).")
    upns: list[str] = Field(default_factory=list)
    asked_for: str = Field(..., description="What was asked for, and why.")
    purpose_key: str = Field(..., examples=["investigate_crime"])
    lawful_basis: str = Field(..., examples=["legal_obligation"])
    exemption: str = Field("", description="sch2_para2, sch2_para5, safeguarding, or empty.")


class AdHocDecideIn(Schema):
    decision: str = Field(..., description="disclosed, partly or refused.")
    reasons: str
    categories: list[str] = Field(default_factory=list, description="Required unless refused.")
    description: str = Field("", description="What was disclosed, in words (default: generated).")
    on: dt.date | None = Field(None, description="Decision day (default today).")


class AdHocOut(Schema):
    id: int
    school_urn: str
    recipient_key: str
    requester_organisation: str
    requester_name: str
    reference: str
    received_on: dt.date
    pupil_ids: list[int]
    asked_for: str
    purpose_key: str
    lawful_basis: str
    exemption: str
    decision: str
    reasons: str
    approved_by: str | None = None
    decided_on: dt.date | None = None
    run_id: int | None = None
    disclosed_description: str = ""
    logged_by: str | None = None


class AdHocDetailOut(AdHocOut):
    disclosures: list[DisclosedPupilOut] = Field(default_factory=list)


class AdHocDecidedOut(AdHocDetailOut):
    package: PackageOut | None = Field(None, description="The disclosed data (JSON); null when refused.")


class AdHocListOut(Schema):
    count: int
    items: list[AdHocOut]


# -- CTF ----------------------------------------------------------------------------------------------


class CtfExportIn(Schema):
    school: str = Field(..., examples=["100001"])
    upns: list[str] = Field(default_factory=list, description="The pupils; or give `leavers_on`.")
    leavers_on: dt.date | None = Field(None, description="Every pupil whose enrolment ends on this day.")
    to: str = Field(..., description="Destination URN, 7-digit LAESTAB, or 'unknown'.", examples=["100002"])
    on: dt.date | None = Field(None, description="Day of the transfer (default today); sets the CTF version.")
    override_reason: str = ""


class DestinationOut(Schema):
    laestab: str
    urn: str
    name: str
    unknown: bool


class CtfFileOut(Schema):
    name: str
    sha256: str
    pupils: int


class CpOwedOut(Schema):
    id: int
    pupil_id: int
    upn: str
    from_school_urn: str
    destination: str
    destination_name: str
    exported_on: dt.date
    due_on: dt.date
    due_basis: str
    status: str = Field(..., description="overdue, due, pending or sent.")
    sent_on: dt.date | None = None
    method: str = ""
    receipt_confirmed_on: dt.date | None = None


class CtfExportOut(Schema):
    run_id: int
    destination: DestinationOut
    files: list[CtfFileOut]
    warnings: list[str]
    child_protection_owed: int = Field(
        ..., description="Child protection files now owed separately (never in the CTF)."
    )
    child_protection: list[CpOwedOut] = Field(
        default_factory=list, description="Listed only for those who keep child protection files."
    )
    overridden: bool
    package: PackageOut


class ImportedPupilOut(Schema):
    upn: str
    status: str = Field(..., description="created, updated or unchanged.")
    changed: list[str]


class CtfImportOut(Schema):
    file: str
    sha256: str
    ctf_version: str
    source: dict[str, str]
    dry_run: bool
    counts: dict[str, int]
    pupils: list[ImportedPupilOut]
    warnings: list[str]


class CtfImportIn(Schema):
    school: str = Field(..., description="URN of the importing school.")
    dry_run: bool = Field(False, description="Check and summarise; write nothing.")
    admission_date: dt.date | None = Field(None, description="Admission at this school (default today).")


class CpSentIn(Schema):
    sent_on: dt.date
    method: str = Field(..., examples=["secure_transfer"])
    receipt_confirmed_on: dt.date | None = None


# -- agreements and notice-review flags ---------------------------------------------------------------


class AgreementOut(Schema):
    id: int
    trust_id: int
    school_urn: str | None = None
    recipient_key: str
    title: str
    parties: str
    purposes: list[str]
    categories: list[str]
    lawful_basis: str
    legal_gateway: str
    starts_on: dt.date
    ends_on: dt.date | None = None
    onward_sharing: str
    in_force: bool = Field(..., description="In force today.")
    has_document: bool


class AgreementIn(Schema):
    school: str | None = Field(None, description="URN; omit for an agreement covering every school.")
    trust: int | None = Field(None, description="Trust id (needed only without `school`, in several trusts).")
    recipient_key: str | None = Field(
        None, description="The register recipient; omit for alternative provision providers (`ap_providers`)."
    )
    purposes: list[str] = Field(
        default_factory=list,
        description="Purposes covered (with `recipient_key`; AP: alternative_provision).",
    )
    title: str
    parties: str
    categories: list[str]
    starts_on: dt.date
    ends_on: dt.date | None = None
    onward_sharing: str = ""


class NoticeFlagOut(Schema):
    id: int
    school_urn: str
    run_id: int | None = None
    reason: str
    raised_at: dt.datetime
    raised_by: str | None = None
    resolved_on: dt.date | None = None
    resolution: str = ""


class NoticeFlagResolveIn(Schema):
    id: int = Field(..., description="The open flag to resolve.")
    resolution: str = Field(..., description="How it was resolved, e.g. the notice was republished.")
