"""Every phrase the notice checker looks for, in one place so that a DPO can review and extend it.

The checker (`checker.py`) is only machinery: what counts as evidence of a required item, and what
counts as a problem, is decided here. Patterns are matched line by line against *normalised* text
(curly quotes made straight, Markdown emphasis removed, runs of spaces collapsed: see
`checker.normalise`), case-insensitively unless a pattern says otherwise.

Sources for the required items: ICO right-to-be-informed checklist (UK GDPR Arts 13 and 14) and the
headings of the DfE model notice "How we use pupil information" (shared/domain/rules.md §9), youth
support services (§6), special-category conditions (§10).

Decisions worth knowing (each is tested in tests/notices/):

- A heading on its own is never evidence: "Transferring data internationally" followed by nothing says
  nothing. Lead-in lines that promise a list ("... includes:") count only when the list is there.
- `lawful_basis` needs the Art 6 vocabulary (public task, legal obligation, consent, vital interests,
  contract, legitimate interests, "Article 6"). "as part of our public functions" and "on a statutory
  basis" are pre-GDPR phrasing that does not tell the reader the basis, so they do not count.
- `retention` needs a period, the criteria, or a named schedule, policy or toolkit. "for the statutory
  recommended period" names none of these and does not count.
- `national_pupil_database` needs the notice to say something about the NPD (what it is, that pupil
  data is stored in it or shared from it); the NPD named bare in a list of recipients does not count.
- `data_source` means data obtained from someone other than the family (Art 14(2)(f)): another school,
  the local authority, the DfE, the Learning Records Service. The DfE's sentence about where *the NPD*
  gets its data from ("collected from a range of sources including schools...") is not about the
  school and does not count.
- `automated_decision_making` needs a statement about whether it happens. The right "to object to
  decisions being taken by automated means" in a rights list is not such a statement.
- `missing_ico_contact`: raised when the ICO is named as a place to complain but the notice nowhere
  gives a way to reach it (an ico.org.uk address, 0303 123 1113, or the Wycliffe House address); or
  when the notice discusses complaints but never mentions the ICO at all. A notice that says nothing
  about complaints only has `complaint_to_ico` missing (no double count).
- "Information Commission" is **not** a misnaming: the Data (Use and Access) Act 2025 replaces the
  ICO with the Information Commission. Apostrophe variants ("Information Commissioners Office") are
  not flagged either: the body is unambiguous.
- "ESFA" is not flagged (it was current until 2025 and still appears in funding agreements);
  "Education Funding Agency" is (it became ESFA in 2017). "Connexions" is not flagged: some local
  authorities still use the name for their careers and youth support service.
- Rights lists copied from the DPA 1998-era DfE template ("rectified, blocked, erased or destroyed";
  a right to object only to processing "likely to cause damage or distress") are `outdated_law`:
  blocking and the s.10 damage-or-distress right are the 1998 Act's, not UK GDPR's.
- Links to "#" (or to nothing) are placeholders; links to an anchor such as "#rights" are fine.
- Example addresses (example.com) and Ofcom drama telephone numbers are *not* placeholders: Steward's
  own fixtures and demo data use them, and its compiled notices must check clean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

IGNORE_CASE = re.IGNORECASE


def rx(pattern: str, flags: int = IGNORE_CASE) -> re.Pattern[str]:
    """Compile a checker pattern (case-insensitive unless flags say otherwise)."""
    return re.compile(pattern, flags)


# --- Line structure -----------------------------------------------------------------------------

# A list item: a bullet or a number/letter marker at the start of the line.
LIST_ITEM = rx(r"^\s*(?:[-*+•·▪◦‣●○■□➢➤✓✔]|\d{1,2}[.)]|[a-z][.)]|\([a-z0-9]{1,4}\))\s+")
MARKDOWN_HEADING = rx(r"^\s{0,3}#{1,6}\s+")
# A lead-in that promises a list: "... includes:", "... where:", "... with:", "we use it to:".
LIST_PROMISE = rx(
    r"(?:\binclud(?:e|es|ing)|\blimited to|\brestricted to|\bwhere|\bas follows|\bsuch as|\bfollowing|"
    r"\bbelow|\bto|\bwith|\bare|\bthese|\binclude but|\bby)\s*:\s*$"
)
URL = rx(r"https?://\S+|www\.\S+|\b[\w.-]+\.(?:gov|org|co|ac|sch|nhs)\.uk\b\S*")
EMAIL = rx(r"\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b")
# UK telephone numbers: 0 followed by 9-10 digits in the usual groupings, or +44.
PHONE = rx(r"(?<![\w/])(?:\+44\s?\(?0?\)?\s?|0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\w/])")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
MARKDOWN_LINK = rx(r"\[([^\]]*)\]\(\s*([^)\s]*)\s*\)")
EMPTY_HREFS = {"", "#", "#!", "#0"}

# --- Required items (ICO checklist; DfE model headings) -------------------------------------------


@dataclass(frozen=True)
class ItemRule:
    """What counts as evidence for one required item.

    A line is evidence when it matches any pattern of a group and none of `exclude`. Every group must
    be matched by at least one line (e.g. `rights` needs the access right *and* another right).
    """

    key: str
    title: str
    need: str  # what a notice must say, shown when the item is missing
    groups: tuple[tuple[re.Pattern[str], ...], ...]
    exclude: tuple[re.Pattern[str], ...] = field(default_factory=tuple)


# "DPO" as a word, not the "dpo" of an address such as dpo@school.example.com.
ROLE_DPO = rx(r"\bdata protection officer\b|(?<![\w.@-])DPO(?![\w@-])")
ROLE_PATTERNS: dict[str, re.Pattern[str]] = {
    "data protection officer": ROLE_DPO,
    "data protection lead": rx(r"\bdata protection (?:lead|manager|co-?ordinator)\b"),
    "headteacher": rx(r"\bhead ?teacher\b|\bhead of school\b|\bprincipal\b"),
}

ICO_NAMED = rx(r"\bInformation Commissioner|\bInformation Commission\b|\bICO\b|ico\.org\.uk")
COMPLAINT_WORDS = rx(r"\bcomplain|\bcomplaint|\bconcern|\bnot (?:happy|satisfied)|\bunhappy|\bdissatisfied")
# A way to reach the ICO: its website, its helpline, or its postal address.
ICO_CONTACT = rx(r"ico\.org\.uk|0303\s?123\s?1113|Wycliffe House|SK9\s?5AF")

# Categories of data named in notices (DfE model list and what schools add).
CATEGORY_CONCEPTS: dict[str, re.Pattern[str]] = {
    "identifiers": rx(r"\bname\b|\baddress\b|date of birth|\bunique pupil number\b|\bUPN\b|identif"),
    "contacts": rx(r"contact (?:details|information)|telephone|e-?mail address"),
    "characteristics": rx(
        r"ethnic|\blanguage\b|nationality|country of birth|free school meal|characteristics"
    ),
    "attendance": rx(r"attendance|absence"),
    "assessment": rx(r"assessment|attainment|exam|test results|results of"),
    "medical": rx(r"medical|health"),
    "sen": rx(r"special educational needs|\bSEND?\b|\bEHCP?\b"),
    "behaviour": rx(r"behaviou?r|exclusion"),
    "safeguarding": rx(r"safeguarding|child protection"),
    "images": rx(r"photograph|\bCCTV\b|images"),
}
CATEGORIES_LEADIN = rx(
    r"categor(?:y|ies) of (?:\w+ ){0,3}(?:information|data)|"
    r"(?:personal )?(?:data|information) (?:that )?we (?:may )?(?:collect|hold|process|keep)"
)
MIN_CATEGORY_CONCEPTS = 4

ITEM_RULES: tuple[ItemRule, ...] = (
    ItemRule(
        "controller_identity",
        "Controller's identity",
        "name the school or trust as the data controller (with its contact details)",
        (
            (
                rx(r"\bdata controller\b"),
                rx(r"\b(?:we|us)\b[^.]{0,80}\b(?:are|is|as) (?:the |a )?['\"]?controller\b"),
                rx(r"\bcontroller\b[^.]{0,40}\bfor the purposes? of\b"),
                # "We, St Neots Learning Partnership, are ..." / "We Alsager Multi Academy Trust (AMAT) collect"
                re.compile(
                    r"^\W*We,?\s+(?:the\s+)?(?:[A-Z][\w'&.-]*\s+){1,8}(?:\([A-Z]{2,}\)\s*)?,?\s*"
                    r"(?:are|collect|process|hold|is)\b"
                ),
                rx(r"\bICO registration (?:number|no)|registered with the Information Commissioner"),
            ),
        ),
        exclude=(rx(r"\bDepartment for Education\b[^.]{0,60}\bcontroller|\bDfE\b[^.]{0,60}\bcontroller"),),
    ),
    ItemRule(
        "dpo_contact",
        "Data protection officer's contact details",
        "give the data protection officer's contact details (an email address, telephone or postal address)",
        ((ROLE_DPO,),),  # plus a contact detail on the line or in its contact block: see checker
    ),
    ItemRule(
        "data_categories",
        "Categories of personal data",
        "list the categories of personal data (identifiers, characteristics, attendance, assessment, ...)",
        ((CATEGORIES_LEADIN,),),  # or enough category concepts named: see checker
    ),
    ItemRule(
        "purposes",
        "Purposes of processing",
        "say what the data is used for (support learning, monitor progress, pastoral care, ...)",
        (
            (
                rx(
                    r"^\W*to (?:enable|support|provide|deliver|monitor|assess|comply|keep|meet|administer|"
                    r"carry out|protect|safeguard|inform|manage|promote|derive|fulfil)\b"
                ),
                rx(
                    r"\b(?:support|monitor)\w* (?:and report on )?(?:pupil|student|child)\w*'? (?:learning|progress)"
                ),
                rx(r"\bpastoral care\b|\bkeep (?:children|pupils|students) safe\b"),
                rx(r"\bassess the quality of (?:our )?services\b"),
                rx(r"\bpurposes? (?:of|for) (?:processing|which we|collecting|using|sharing)\b[^:]*[.]"),
                rx(
                    r"\bwe (?:collect and )?use (?:this|the|pupil|student|your|their) (?:\w+ )?(?:data|information) "
                    r"(?:to|for) \w+"
                ),
            ),
        ),
    ),
    ItemRule(
        "lawful_basis",
        "Lawful basis (UK GDPR Art 6)",
        "state the Art 6 lawful basis: public task, legal obligation (citing the law), consent, vital interests",
        (
            (
                rx(r"\blegal obligation|\bcomply with (?:a|our) legal\b"),
                rx(
                    r"\bpublic task\b|\btask (?:carried out )?in the public interest|\bofficial (?:task|authority)\b"
                ),
                rx(r"\bvital interests?\b"),
                rx(
                    r"\b(?:have|obtained|given|rely on|relying on|basis of|with) (?:your |their |the )?"
                    r"(?:explicit )?consent\b|\bconsent (?:has been|is) (?:given|obtained)\b"
                ),
                rx(r"\bperformance of a contract\b|\bnecessary for (?:a|the) contract\b"),
                rx(r"\blegitimate interests?\b"),
                rx(r"\bArt(?:icle|\.)?\s*6\b|\b6\s?\(1\)\s?\([a-f]\)"),
            ),
        ),
    ),
    ItemRule(
        "special_category_condition",
        "Special category condition (UK GDPR Art 9, DPA 2018 Sch 1)",
        "state the Art 9(2) condition for special category data (e.g. substantial public interest, with the "
        "DPA 2018 Schedule 1 paragraph)",
        (
            (
                rx(r"\bArt(?:icle|\.)?\s*9\b|\b9\s?\(2\)\s?\([a-j]\)"),
                rx(r"\bsubstantial public interest\b"),
                rx(r"\bSchedule 1\b|\bSch\.? ?1\b"),
                rx(r"\bcondition[s]? for processing special categor"),
                rx(
                    r"special categor[^.]{0,120}\b(?:explicit consent|vital interests|employment|social protection|"
                    r"legal claims|public health|archiving)"
                ),
            ),
        ),
    ),
    ItemRule(
        "recipients",
        "Recipients",
        "name who the data is shared with (DfE, local authority, next school, NHS, suppliers, ...)",
        (
            (
                rx(
                    r"\b(?:routinely |may |will |also )?share[sd]? (?:\w+ ){0,4}(?:information|data)\b[^.]{0,80}\bwith\b"
                ),
                rx(r"\bshared with\b|\brecipients?\b"),
                rx(
                    r"\b(?:pass|disclose|send|provide|give)\w* (?:on )?(?:certain |some |this |pupil |student |"
                    r"personal )?(?:information|data)\b[^.]{0,60}\bto\b"
                ),
            ),
        ),
        exclude=(rx(r"\b(?:do|will) not share\b|\bnever share\b|\bshared with others\?"),),
    ),
    ItemRule(
        "international_transfers",
        "International transfers",
        "say whether data goes outside the UK and, if it does, the safeguard",
        (
            (
                rx(
                    r"\btransfer\w*\b[^.]{0,80}\b(?:abroad|overseas|internationally|outside (?:of )?the|"
                    r"other countries|third countr|outside the UK)"
                ),
                rx(
                    r"\binternational (?:data )?transfers?\b|\b(?:stored|held|processed|hosted) "
                    r"(?:\w+ ){0,3}(?:outside|in) the (?:UK|United Kingdom|EEA|European)"
                ),
                rx(
                    r"\badequacy (?:regulations|decision)|\bstandard contractual clauses|\bIDTA\b|"
                    r"International Data Transfer Agreement"
                ),
            ),
        ),
    ),
    ItemRule(
        "retention",
        "Retention",
        "say how long data is kept, or the criteria (e.g. the IRMS toolkit for schools, the retention policy)",
        (
            (
                rx(
                    r"\bretention (?:policy|schedule|period|guidance|guidelines)\b|\bguidance on (?:data )?retention\b"
                ),
                rx(r"\bRecords Management Society\b|\bIRMS\b|\btoolkit for schools\b"),
                rx(r"\bhow long (?:we )?(?:will |must |should |can )?(?:keep|hold|retain|store)"),
                rx(r"\b(?:keep|hold|retain|store)\w*\b[^.]{0,80}\b(?:\d+|six|seven|twenty[- ]?\w*) years\b"),
                rx(r"\b(?:keep|hold|retain)\w*\b[^.]{0,80}\b(?:while|whilst|until|for as long as)\b"),
                rx(r"\bdate of birth ?\+ ?\d+|\bDOB ?\+ ?\d+"),
            ),
        ),
    ),
    ItemRule(
        "rights",
        "Data protection rights",
        "list the rights: access, and rectification, erasure, restriction, objection, portability",
        (
            (
                rx(
                    r"\bright (?:of|to) (?:subject )?access|\bsubject access\b|\brequest (?:access|a copy)\b|"
                    r"\baccess (?:to )?(?:the )?(?:personal )?(?:information|data) (?:that )?we hold"
                ),
            ),
            (
                rx(r"\brectif|\bcorrect(?:ed|ion)?\b|\binaccurate\b"),
                rx(r"\berase|\berasure\b|\bdelet(?:e|ed|ion)\b|\bforgotten\b"),
                rx(r"\brestrict\w*\b(?! to\b)"),  # "restrict processing", not "not restricted to"
                rx(r"\bobject(?:ion)?\b"),
                rx(r"\bportab|\btransmitted electronically\b"),
            ),
        ),
    ),
    ItemRule(
        "withdraw_consent",
        "Right to withdraw consent",
        "say that consent, where it is the basis, can be withdrawn at any time, and how",
        (
            (
                rx(
                    r"\bwithdraw\w*\b[^.]{0,60}\b(?:consent|permission)|\b(?:consent|permission)\b[^.]{0,100}\bwithdraw"
                ),
                rx(r"\bconsent\b[^.]{0,60}\bchange your mind|\bchange your mind\b[^.]{0,60}\bconsent"),
            ),
        ),
    ),
    ItemRule(
        "complaint_to_ico",
        "Right to complain to the ICO",
        "tell the reader they can complain to the Information Commissioner's Office",
        ((ICO_NAMED,),),  # plus complaint wording on the line or the line before: see checker
    ),
    ItemRule(
        "statutory_or_contractual_requirement",
        "Whether providing data is required",
        "say which data must be provided and which is voluntary, and the consequences of not providing it",
        (
            (
                rx(r"\bmandatory\b|\bon a voluntary basis\b|\bvoluntary or mandatory\b"),
                rx(
                    r"\b(?:provide[ds]?|giv(?:e|en|ing))\b[^.]{0,40}\b(?:voluntar(?:y|ily)|optional)\b|"
                    r"\b(?:voluntar(?:y|ily)|optional)\b[^.]{0,40}\b(?:provide|give)"
                ),
                rx(
                    r"\b(?:you|parents?|carers?|pupils?|students?)\b[^.]{0,30}\b(?:required|obliged) to provide\b|"
                    r"\bconsequences? of not (?:providing|complying|giving)"
                ),
                rx(r"\bstatutory (?:or|and) contractual\b"),
            ),
        ),
        exclude=(rx(r"\boptional extras?\b"),),
    ),
    ItemRule(
        "automated_decision_making",
        "Automated decision-making and profiling",
        "say whether automated decision-making or profiling happens (and if so its logic and effects)",
        (
            (
                rx(
                    r"\bautomated (?:individual )?decision|\bautomated decisions?\b|\bautomated means\b|"
                    r"\bprofiling\b|\bdecisions? (?:made|taken) (?:solely )?(?:by|using) (?:a )?computer"
                ),
            ),
        ),
        # A right, or a promise to report on it in a subject access reply, is not a statement.
        exclude=(
            rx(r"\bobject to\b|\bright (?:not )?to\b|\blet you know whether\b|\bwhether any automated\b"),
        ),
    ),
    ItemRule(
        "data_source",
        "Where the data comes from",
        "say where data not given by the family comes from (previous school, local authority, DfE, LRS)",
        (
            (
                rx(
                    r"\b(?:received|receive|obtain\w*|get|collect\w*|comes?|came|sourced|provided|passed|sent|given)"
                    r"\b[^.]{0,60}\bfrom (?:the |your |their |a |our |any )?(?:other (?:organisations|schools|"
                    r"agencies|sources|bodies)|previous|local authorit|Department for Education|DfE|"
                    r"Learning Records Service|LRS|third part|NHS|health|social care|schools?\b)"
                ),
                rx(r"\bsources? of (?:the |this |your )?(?:personal )?(?:data|information)\b"),
                rx(r"\b(?:data|information) (?:comes|came) from\b"),
                rx(r"\bLearning Records Service\b[^.]{0,40}\b(?:give|provide|send|supply)"),
                rx(r"\bcommon transfer file\b[^.]{0,60}\bfrom\b"),
            ),
        ),
        # The DfE's description of where the NPD's data comes from is not about the school.
        exclude=(rx(r"\brange of sources\b"),),
    ),
    ItemRule(
        "youth_support_services",
        "Youth support services (pupils aged 13+)",
        "explain what is passed to the local authority / youth support services from age 13, and the 16+ right",
        (
            (
                rx(r"\byouth support services?\b"),
                rx(r"\bsection 507B\b|\bs\.? ?507B\b"),
                rx(
                    r"\b13\s?(?:-|–|to)\s?19\b|\baged? (?:of )?13\b|\bage of 13\b|\breach(?:es)? (?:the age of )?13\b"
                ),
            ),
        ),
    ),
    ItemRule(
        "national_pupil_database",
        "National Pupil Database",
        "explain that census data is stored in the National Pupil Database and how the DfE shares it",
        (
            (
                rx(
                    r"(?:\bNational Pupil Database\b|\bNPD\b)[^.]{0,200}\b(?:stor|held|hold|owned|managed|collect|"
                    r"share|used|research|statistic|contains)"
                ),
                rx(
                    r"\b(?:stor|held|hold|owned|managed|collect|share|used|research|statistic)\w*\b[^.]{0,120}"
                    r"(?:\bNational Pupil Database\b|\bNPD\b)"
                ),
                rx(r"national-pupil-database"),
            ),
        ),
    ),
)

ITEM_KEYS: tuple[str, ...] = tuple(rule.key for rule in ITEM_RULES)

# --- Problems -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemRule:
    """A line-level problem: `pattern` found on a line where `unless` is not found."""

    kind: str
    name: str
    pattern: re.Pattern[str]
    advice: str
    unless: re.Pattern[str] | None = None


# Words that make a mention of old law historical rather than a citation of it as current.
HISTORICAL = rx(
    r"\b(?:replac|repeal|supersed|former|previous|predecess|revoked|no longer|was in force|"
    r"historic|prior to|under the old|superseded|until (?:25 May )?2018|before (?:25 May )?2018)"
)
UK_CONTEXT = rx(r"\bUK\b|United Kingdom|\bretained\b|as it forms part|Withdrawal|Keeling")
# When a notice never mentions the UK GDPR or the DPA 2018, a bare "GDPR" is the EU Regulation.
MENTIONS_CURRENT_LAW = rx(r"\bUK GDPR\b|\bUK General Data Protection|Data Protection Act 2018|\bDPA 2018\b")
BARE_GDPR = rx(r"(?<!UK )(?<!EU )(?<!UK's )\b(?:General Data Protection Regulations?|GDPR)\b")
BARE_GDPR_ADVICE = (
    "Since 1 January 2021 the law in the UK is the UK GDPR with the Data Protection Act 2018; "
    "this notice cites only the EU Regulation."
)

OUTDATED_LAW: tuple[ProblemRule, ...] = (
    ProblemRule(
        "outdated_law",
        "DPA 1998",
        rx(r"\bData Protection Act,? (?:of )?\(?1998\)?|\bDPA\s?(?:19)?98\b"),
        "The Data Protection Act 1998 was repealed on 25 May 2018; cite the UK GDPR and the Data "
        "Protection Act 2018.",
        unless=HISTORICAL,
    ),
    ProblemRule(
        "outdated_law",
        "EU GDPR",
        rx(r"\bEU GDPR\b|\(EU\) 2016/679|European General Data Protection Regulation|\bGDPR \(EU\)"),
        "Since 1 January 2021 the UK GDPR (the EU GDPR as retained in UK law) with the Data Protection "
        "Act 2018 applies; cite those.",
        unless=UK_CONTEXT,
    ),
    ProblemRule(
        "outdated_law",
        "Data Protection Directive",
        rx(r"\bDirective 95/46\b|\bData Protection Directive\b"),
        "The 1995 Data Protection Directive was replaced in 2018; cite the UK GDPR and the DPA 2018.",
        unless=HISTORICAL,
    ),
    ProblemRule(
        "outdated_law",
        "Privacy Shield / Safe Harbor",
        rx(r"\bPrivacy Shield\b|\bSafe Harbou?r\b"),
        "Safe Harbor (2015) and the EU-US Privacy Shield (2020) were invalidated; US transfers rely on "
        "the UK Extension to the Data Privacy Framework, the IDTA or the Addendum.",
        unless=rx(r"invalidat|struck down|Schrems|no longer|replaced|Data Privacy Framework"),
    ),
    ProblemRule(
        "outdated_law",
        "Pupil Registration Regulations 2006",
        rx(r"Pupil Registration\)? (?:\(England\) )?Regulations,? 2006"),
        "The Education (Pupil Registration) (England) Regulations 2006 were replaced by the School "
        "Attendance (Pupil Registration) (England) Regulations 2024 (SI 2024/208).",
        unless=rx(r"\b2024\b|" + HISTORICAL.pattern),
    ),
    ProblemRule(
        "outdated_law",
        "Pupil Information Regulations 2000",
        rx(r"Pupil Information\)? \(England\) Regulations,? 2000"),
        "The 2000 pupil information regulations were replaced by the Education (Pupil Information) "
        "(England) Regulations 2005.",
        unless=HISTORICAL,
    ),
    ProblemRule(
        "outdated_law",
        "EEA transfer rule",
        rx(r"\boutside (?:of )?the (?:European Economic Area|EEA)\b"),
        "Since 1 January 2021 UK GDPR restricts transfers outside the UK, not the EEA; say whether data "
        "leaves the UK and name the safeguard (UK adequacy regulations, IDTA or Addendum).",
        unless=UK_CONTEXT,
    ),
    ProblemRule(
        "outdated_law",
        "DPA 1998 subject access deadline",
        rx(
            r"\b40 (?:calendar )?days\b(?=.*\b(?:subject access|request|respond|reply))|"
            r"\b(?:subject access|request)\b.*\b40 (?:calendar )?days\b"
        ),
        "Forty days was the Data Protection Act 1998 deadline; under UK GDPR a subject access request is "
        "answered within one calendar month (extendable by two months for complex requests).",
        # The exam-script exemption has its own 40-day rule (from the announcement of results).
        unless=rx(r"\bexam|\bresults\b|\bannounce|" + HISTORICAL.pattern),
    ),
    ProblemRule(
        "outdated_law",
        "DPA 1998 subject access fee",
        rx(r"£\s?10\b(?=.*\b(?:subject access|request|fee))|\b(?:subject access|request)\b.*£\s?10\b"),
        "The £10 subject access fee was abolished with the Data Protection Act 1998; under UK GDPR a "
        "request is free (a reasonable fee only for manifestly unfounded or excessive requests or extra copies).",
        unless=HISTORICAL,
    ),
    ProblemRule(
        "outdated_law",
        "DPA 1998 blocking",
        rx(
            r"\bblocked\b(?=[^.]{0,80}\b(?:erase|destroy|rectif|inaccurate))|"
            r"\b(?:rectif|inaccurate)\w*\b[^.]{0,80}\bblocked\b"
        ),
        "'Blocking' is a Data Protection Act 1998 remedy; under UK GDPR the rights are rectification, "
        "erasure, restriction of processing, objection and data portability.",
    ),
    ProblemRule(
        "outdated_law",
        "DPA 1998 s.10 objection",
        rx(r"\b(?:object|prevent)\w*\b[^.]{0,100}\bdamage or distress\b"),
        "The right to object to processing 'likely to cause damage or distress' is s.10 of the Data "
        "Protection Act 1998; under UK GDPR Art 21 the right to object applies to processing for a "
        "public task or legitimate interests, whatever the harm.",
        unless=rx(r"\bcompensation\b"),
    ),
)

WRONG_TERMS: tuple[ProblemRule, ...] = (
    ProblemRule(
        "wrong_term",
        "National Student Database",
        rx(r"\bNational Student Database\b|national-student-database"),
        "The DfE's database is the National Pupil Database (NPD); links built on "
        "'national-student-database' do not exist on gov.uk.",
    ),
    ProblemRule(
        "wrong_term",
        "Individual Students regulations",
        rx(r"\bIndividual Students\)?\s*\(England\) Regulations|\bInformation About Individual Students\b"),
        "The regulations are the Education (Information About Individual Pupils) (England) Regulations 2013.",
    ),
    ProblemRule(
        "wrong_term",
        "unique student number",
        rx(r"\bunique student number\b"),
        "The DfE identifier is the unique pupil number (UPN).",
    ),
    ProblemRule(
        "wrong_term",
        "Department of Education",
        rx(r"\bDepartment of Education\b"),
        "In England it is the Department for Education (DfE); 'Department of Education' is Northern Ireland's.",
        unless=rx(r"Northern Ireland"),
    ),
    ProblemRule(
        "wrong_term",
        "former education department",
        rx(
            r"\bDepartment for Education and Skills\b|\bDfES\b|\bDepartment for Children, Schools and Families\b|"
            r"\bDCSF\b|\bDepartment for Education and Employment\b|\bDfEE\b",
            0,
        ),
        "That department no longer exists; it is the Department for Education (DfE).",
        unless=HISTORICAL,
    ),
    ProblemRule(
        "wrong_term",
        "Education Funding Agency",
        rx(r"\bEducation Funding Agency\b"),
        "The Education Funding Agency became the ESFA in 2017, whose functions moved into the DfE in 2025.",
        unless=rx(r"Skills Funding|\bESFA\b|" + HISTORICAL.pattern),
    ),
    ProblemRule(
        "wrong_term",
        "KCSIE regulations",
        rx(r"\bKeeping Children Safe in Education\b[^.;]{0,30}\bregulations?\b"),
        "Keeping Children Safe in Education is statutory guidance (under s.175 Education Act 2002), not "
        "regulations.",
    ),
    ProblemRule(
        "wrong_term",
        "IRMS name",
        rx(
            r"\bInformation (?!and\b)(?:\w+ ){0,2}?Records? Management Society\b|"
            r"\bInformation and Record Management Society\b"
        ),
        "The body is the Information and Records Management Society (IRMS).",
    ),
    ProblemRule(
        "wrong_term",
        "legitimate activities",
        rx(r"\blegitimate activities\b"),
        "'Legitimate activities' is the Art 9(2)(d) condition for not-for-profit bodies, not available to "
        "a school; schools process pupil data as a public task (Art 6(1)(e)) or a legal obligation (Art 6(1)(c)).",
    ),
    ProblemRule(
        "wrong_term",
        "Information Commission's Office",
        rx(r"\bInformation Commission'?s Office\b"),
        "The body is the Information Commissioner's Office (ICO).",
    ),
    ProblemRule(
        "wrong_term",
        "Data Protection Registrar",
        rx(r"\bData Protection Registrar\b"),
        "The Data Protection Registrar became the Information Commissioner in 2001.",
        unless=HISTORICAL,
    ),
    ProblemRule(
        "wrong_term",
        "Common Transfer Form",
        rx(r"\bCommon Transfer Form\b"),
        "The DfE's file is the Common Transfer File (CTF).",
    ),
)

PLACEHOLDERS: tuple[ProblemRule, ...] = (
    ProblemRule(
        "placeholder",
        "bracketed template field",
        rx(
            r"\[(?!bookmark:)\s*(?:insert|enter|add |type |school|academy|trust|name|date|address|e-?mail|"
            r"tel(?:ephone)?|phone|number|dpo|contact|details|link|url|website|your |organisation|la\b|"
            r"local authority|x{2,}|\.{3}|…)[^\]]{0,60}\](?!\()"
        ),
        "Unfilled template field: replace it with the real text.",
    ),
    ProblemRule(
        "placeholder",
        "angle-bracket template field",
        rx(
            r"<<?\s*(?:insert|enter|name|school|academy|trust|date|address|e-?mail|phone|tel|dpo|contact|details|"
            r"link|url|organisation)\b[^<>]{0,60}>>?"
        ),
        "Unfilled template field: replace it with the real text.",
    ),
    ProblemRule(
        "placeholder",
        "curly-brace template field",
        rx(r"\{\{[^{}]{1,60}\}\}|\{[a-z_]{3,40}\}"),
        "Unfilled template field: replace it with the real text.",
    ),
    ProblemRule(
        "placeholder",
        "XXX / TBC",
        re.compile(r"\b(?:X{3,}|x{3,}|TBC|TBA|TBD)\b"),
        "Unfilled template text (XXX / TBC): replace it with the real detail.",
    ),
    ProblemRule(
        "placeholder",
        "insert ...",
        rx(
            r"\binsert (?:the |your |school |trust |academy )?(?:name|school|details|date|address|email|link|"
            r"here|logo|text|contact|number)\b"
        ),
        "Template instruction left in: replace it with the real text.",
    ),
    ProblemRule(
        "placeholder",
        "lorem ipsum",
        rx(r"\blorem ipsum\b"),
        "Dummy text left in.",
    ),
    ProblemRule(
        "placeholder",
        "Word content control",
        rx(
            r"\bClick (?:or tap )?here to enter (?:a )?(?:text|date)\b|\bChoose an item\b|\bEnter text here\b"
        ),
        "An empty Word form field: fill it in or remove it.",
    ),
    ProblemRule(
        "placeholder",
        "Word field error",
        rx(
            r"\bError! (?:Reference source not found|Bookmark not defined|Hyperlink reference not valid|"
            r"No text of specified style)"
        ),
        "A broken Word cross-reference: the reader sees an error instead of the text it pointed to.",
    ),
    ProblemRule(
        "placeholder",
        "Word bookmark residue",
        rx(r"\[bookmark: [^\]]*\]|\b_GoBack\b|\b_Hlk\d+\b|\b_Toc\d+\b"),
        "Word editing residue (a hidden bookmark) came through into the published text; remove it.",
    ),
    ProblemRule(
        "placeholder",
        "tracked-change residue",
        re.compile(
            r"^\W*(?:Deleted|Inserted|Formatted|Moved \((?:insertion|deletion)\)|Comment(?:ed)? \[\w+\]):|"
            r"\[[A-Z]{1,3}\d{1,3}\]"
        ),
        "Tracked-change or comment residue from the editor: accept or reject changes and remove comments.",
    ),
    ProblemRule(
        "placeholder",
        "raw empty href",
        rx(r"""href\s*=\s*["'](?:#|#!|javascript:[^"']*)?["']"""),
        "A link that goes nowhere: point it at the real page.",
    ),
)

EMPTY_LINK_ADVICE = "A link that goes nowhere ('{href}'): point '{text}' at the real page or document."
EMPTY_LIST_ADVICE = (
    "This line promises a list, but none follows: the template's list was never filled in "
    "(the reader is told nothing)."
)
MISSING_ICO_CONTACT_ADVICE = (
    "Say how to reach the ICO: https://ico.org.uk/make-a-complaint/, telephone 0303 123 1113, or "
    "Information Commissioner's Office, Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF."
)
NO_ICO_ADVICE = (
    "Complaints are discussed but the ICO is never named: tell the reader they may complain to the "
    "Information Commissioner's Office (https://ico.org.uk/make-a-complaint/, 0303 123 1113)."
)

# Inconsistent contacts: a person's name beside a role.
NAME_WORD = r"[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?"
TITLE = r"(?:Mr|Mrs|Ms|Miss|Dr|Mx|Prof)\.?"
PERSON_NAME = rf"(?:{TITLE}\s+{NAME_WORD}(?:\s+{NAME_WORD}){{0,2}}|{NAME_WORD}(?:\s+{NAME_WORD}){{1,2}})"
# Words that start capitalised phrases which are not people ("The ICT Service", "Our Trust").
NOT_A_NAME = frozenset(
    [
        "the",
        "our",
        "your",
        "this",
        "that",
        "school",
        "trust",
        "academy",
        "college",
        "data",
        "email",
        "e-mail",
        "tel",
        "telephone",
        "phone",
        "address",
        "contact",
        "information",
        "privacy",
        "department",
        "local",
        "ico",
        "we",
        "you",
        "if",
        "to",
        "for",
        "please",
        "alternatively",
        "dear",
        "head",
        "headteacher",
        "principal",
        "officer",
        "protection",
    ]
)
TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "mx", "prof"})
