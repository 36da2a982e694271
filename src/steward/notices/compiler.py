"""Compile a school's privacy notice from its register of processing.

`compile_notice(school, audience)` reads `effective_register(school)` and nothing else: every fact
in the notice (controller, DPO, purposes, lawful bases and the law behind them, special-category
conditions, categories of data, whether each must be given and where it comes from, recipients,
systems, transfers, retention, automated decisions, youth support and the National Pupil Database)
comes from the register or from the school and trust records it carries. What is written here is
only the fixed wording that is the same for every school: the explanation of each right, the
Department for Education's wording about the National Pupil Database and youth support services
(from the DfE model notice, `shared/domain/rules.md` §6 and §9.2), and how to reach the ICO.

Every UK GDPR Art 13/14 item gets a statement, whether or not it applies: "we do not transfer
personal information outside the UK" and "we do not pass information to youth support services" are
answers a reader is owed (and the checker looks for). The youth support and National Pupil Database
*sections* appear only when the register says so (`RegisterView.youth_support_13/16`, `.npd`).

The result is a `document.Document`; `CompiledNotice` renders it (`render.py`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from steward.notices import render
from steward.notices.audiences import REGISTER_AUDIENCE, NoticeAudience, audience_label, check_audience
from steward.notices.document import (
    Block,
    BulletList,
    Document,
    Heading,
    Inline,
    Paragraph,
    Run,
    Runs,
    Table,
    email,
    link,
    phone,
    runs,
    strong,
)
from steward.organisations.models import School
from steward.register.choices import Art6, Provision, Source, YouthSupportModel
from steward.register.selectors import (
    CategoryRef,
    ConditionView,
    PurposeView,
    RecipientView,
    RegisterView,
    effective_register,
)

# The ICO's published contact details (rules.md §9.1; the same for every notice).
ICO_COMPLAINT_URL = "https://ico.org.uk/make-a-complaint/"
ICO_PHONE = "0303 123 1113"
ICO_ADDRESS = "Information Commissioner's Office, Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF"

# DfE pages the DfE model notice points to (used when the register gives no link of its own).
DFE_DATA_COLLECTION_URL = "https://www.gov.uk/education/data-collection-and-censuses-for-schools"
DFE_NPD_URL = (
    "https://www.gov.uk/government/publications/national-pupil-database-user-guide-and-supporting-information"
)
DFE_SHARING_URL = "https://www.gov.uk/data-protection-how-we-collect-and-share-research-data"
DFE_REQUESTS_URL = "https://www.gov.uk/government/publications/national-pupil-database-requests-received"
DFE_CONTACT_URL = "https://www.gov.uk/contact-dfe"

# Sources that are the family or the school itself; anything else is an Art 14 source.
OWN_SOURCES = frozenset({Source.PARENTS, Source.PUPIL, Source.SCHOOL})

# How the younger pupils' notice explains each lawful basis (one sentence per Art 6 basis).
YOUNG_BASIS: dict[str, str] = {
    Art6.PUBLIC_TASK: "we need it to do our job as a school (the law calls this 'public task')",
    Art6.LEGAL_OBLIGATION: "the law says we must (the law calls this a 'legal obligation')",
    Art6.VITAL_INTERESTS: "we need it to keep you or someone else alive and safe in an emergency "
    "(the law calls this 'vital interests')",
    Art6.CONSENT: "you or your parents or carers have said yes (the law calls this 'consent')",
    Art6.CONTRACT: "we need it for an agreement with you or your family (the law calls this a 'contract')",
    Art6.LEGITIMATE_INTERESTS: "it is fair for us to use it, and it does not harm you "
    "(the law calls this 'legitimate interests')",
}

TITLES: dict[str, str] = {
    NoticeAudience.PUPIL: "Privacy notice for pupils: how we use pupil information",
    NoticeAudience.PUPIL_YOUNG: "How we look after information about you",
    NoticeAudience.PARENT: "Privacy notice for parents and carers: how we use information about pupils "
    "and their families",
    NoticeAudience.AP: "Privacy notice: sharing pupil information with alternative provision providers",
}


@dataclass(frozen=True)
class CompiledNotice:
    """A notice compiled from a school's register, ready to render in any format.

    `register` is the school's effective register as this notice tells it (`for_audience`), and
    `full_register` the whole of it (stored with a published version as its snapshot).
    """

    school: School
    audience: str
    on: dt.date
    document: Document
    register: RegisterView
    full_register: RegisterView = field(repr=False)

    @property
    def title(self) -> str:
        return self.document.title

    @property
    def dateline(self) -> str:
        """The date line a freshly compiled (unpublished) notice carries under its title."""
        return f"Last updated {render.long_date(self.on)}"

    @property
    def content(self) -> str:
        """The canonical Markdown of the notice, without a date line (what a version stores and hashes)."""
        return render.markdown(self.document)

    def markdown(self, dateline: str | None = None) -> str:
        return render.markdown(self.document, dateline=self.dateline if dateline is None else dateline)

    def text(self, dateline: str | None = None) -> str:
        return render.text(self.document, dateline=self.dateline if dateline is None else dateline)

    def html(self, dateline: str | None = None, *, standalone: bool = True) -> str:
        """A full HTML page (GOV.UK Frontend styles inlined when `standalone`)."""
        return render.html_page(
            self.document,
            render.article(self.document),
            dateline=self.dateline if dateline is None else dateline,
            standalone=standalone,
        )

    def pdf(self, dateline: str | None = None) -> bytes:
        return render.pdf(
            self.document,
            render.article(self.document),
            dateline=self.dateline if dateline is None else dateline,
        )

    def render(self, fmt: str, dateline: str | None = None) -> str | bytes:
        """The notice in `fmt` (md, txt, html or pdf)."""
        if fmt == "md":
            return self.markdown(dateline)
        if fmt == "txt":
            return self.text(dateline)
        if fmt == "html":
            return self.html(dateline)
        if fmt == "pdf":
            return self.pdf(dateline)
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(render.FORMATS)}")


def compile_notice(school: School, audience: str, *, on: dt.date | None = None) -> CompiledNotice:
    """Compile the `audience` notice of `school` from its effective register.

    `audience` is pupil, pupil-young, parent or ap; `on` is the date the notice says it was last
    updated (today by default). A register with problems (`register_problems`) still compiles, so
    that a DPO can preview it; publishing refuses it.
    """
    check_audience(audience)
    full = effective_register(school)
    view = full.for_audience(REGISTER_AUDIENCE[audience])
    builder = _YoungNotice(view, full, audience) if audience == NoticeAudience.PUPIL_YOUNG else None
    blocks = builder.build() if builder else _Notice(view, full, audience).build()
    document = Document(
        title=TITLES[audience],
        school_name=full.school_name,
        school_urn=full.school_urn,
        audience=audience,
        audience_label=audience_label(audience),
        blocks=tuple(blocks),
    )
    return CompiledNotice(
        school=school,
        audience=audience,
        on=on or timezone.localdate(),
        document=document,
        register=view,
        full_register=full,
    )


# --- wording helpers --------------------------------------------------------------------------------


def lower_first(text: str) -> str:
    """ "The local authority" -> "the local authority"; acronyms ("NHS ...", "DfE") keep their case."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def sentence(text: str) -> str:
    """Text ending with a full stop (register text may or may not have one)."""
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def join_words(items: Sequence[str], last: str = "and") -> str:
    """ "a", "a and b", "a, b and c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def one_line(text: str) -> str:
    """Addresses are stored over several lines; a notice gives them on one."""
    return ", ".join(part.strip().rstrip(",") for part in text.splitlines() if part.strip())


_TRAILING_BRACKET = re.compile(r"\s*\([^()]*\)$")


def without_bracket(name: str) -> str:
    """ "Our local authority ... (pupils aged 13+)" -> "Our local authority ..."."""
    return _TRAILING_BRACKET.sub("", name)


def labels(categories: Iterable[CategoryRef]) -> list[str]:
    """Category labels in order, each once, lower-cased for use inside a sentence."""
    seen: dict[str, str] = {}
    for c in categories:
        seen.setdefault(c.key, lower_first(c.label))
    return list(seen.values())


def top_level(categories: Iterable[CategoryRef]) -> list[CategoryRef]:
    """Categories without those below another in the list (pupil.health covers pupil.health.allergy)."""
    cats = list(categories)
    keys = {c.key for c in cats}
    return [c for c in cats if not any(c.key.startswith(k + ".") for k in keys)]


def law_names(citations: Iterable[str]) -> list[str]:
    """The laws named in legislation citations, each once: "Education Act 2002 (national curriculum
    assessment arrangements); for academies, ..." -> ["Education Act 2002"]."""
    names: list[str] = []
    for citation in citations:
        for part in citation.split(";"):
            name = without_bracket(part.strip().rstrip("."))
            if name and name[0].isupper():
                names.append(lower_first(name) if name.startswith("The ") else name)
    return _unique(names)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


class _Blocks:
    """Collects blocks with short helpers."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []

    def h2(self, text: str, id: str) -> None:
        self.blocks.append(Heading(text, 2, id))

    def h3(self, text: str, id: str = "") -> None:
        self.blocks.append(Heading(text, 3, id))

    def p(self, *parts: Inline) -> None:
        r = runs(*parts)
        if r:
            self.blocks.append(Paragraph(r))

    def ul(self, items: Iterable[Runs | Inline]) -> None:
        made = tuple(i if _is_runs(i) else runs(i) for i in items)
        made = tuple(i for i in made if i)
        if made:
            self.blocks.append(BulletList(made))  # type: ignore[arg-type]

    def table(self, caption: str, head: Sequence[str], rows: Iterable[Sequence[Runs | Inline]]) -> None:
        made = tuple(tuple(c if _is_runs(c) else runs(c) for c in row) for row in rows)
        if made:
            self.blocks.append(Table(caption, tuple(head), made))  # type: ignore[arg-type]


def _is_runs(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(v, Run) for v in value) and bool(value)


# --- the notice for pupils, parents and alternative provision ------------------------------------


class _Notice(_Blocks):
    """The full notice (DfE model headings, rules.md §9.2) for one audience."""

    def __init__(self, view: RegisterView, full: RegisterView, audience: str) -> None:
        super().__init__()
        self.v = view
        self.full = full
        self.audience = audience
        self.school = view.school_name
        self.controller = view.controller.name

    # The DPO as a run list: "by email at x or by telephone on y".
    def dpo_reach(self) -> list[Inline]:
        dpo = self.v.dpo
        ways: list[list[Inline]] = []
        if dpo.email:
            ways.append(["by email at ", email(dpo.email)])
        if dpo.phone:
            ways.append(["by telephone on ", phone(dpo.phone)])
        out: list[Inline] = []
        for i, way in enumerate(ways):
            if i:
                out.append(" or ")
            out.extend(way)
        return out

    def build(self) -> list[Block]:
        self.intro()
        self.who_we_are()
        self.categories()
        self.purposes()
        self.lawful_bases()
        self.collecting()
        self.retention()
        self.sharing()
        self.transfers()
        self.automated_decisions()
        self.youth_support()
        self.government()
        self.rights()
        self.complaints()
        self.contact()
        return self.blocks

    def intro(self) -> None:
        if self.audience == NoticeAudience.AP:
            self.p(
                f"This notice explains what information {self.school} shares with alternative provision "
                "providers when a pupil is taught or supported by one, why we share it, who else we share "
                "it with, how long we keep it, and your rights. It is for pupils and their parents and carers."
            )
            try:
                purpose = self.v.purpose("alternative_provision")
            except KeyError:
                return
            # The register describes the purpose as "To arrange ...": say it as the reason for sharing.
            description = sentence(purpose.description)
            self.p(f"We do this {lower_first(description)}" if description.startswith("To ") else description)
        elif self.audience == NoticeAudience.PUPIL:
            self.p(
                f"This notice explains what information {self.school} collects and holds about you as a "
                "pupil, why we need it, who we share it with, how long we keep it, and your rights."
            )
        else:
            self.p(
                f"This notice explains what information {self.school} collects and holds about pupils and "
                "about their parents and carers, why we need it, who we share it with, how long we keep "
                "it, and your rights."
            )

    def who_we_are(self) -> None:
        c = self.v.controller
        self.h2("Who we are", "who-we-are")
        if c.name and c.name != c.school_name:
            self.p(
                f"{c.school_name} is part of {c.name}. {c.name} is the data controller for the personal "
                "information in this notice: it decides how and why the information is used."
            )
        else:
            self.p(
                f"{c.school_name} is the data controller for the personal information in this notice: it "
                "decides how and why the information is used."
            )
        details: list[str] = []
        if c.address:
            details.append(f"Our registered address is {one_line(c.address)}.")
        if c.ico_registration:
            details.append(
                f"We are registered with the Information Commissioner's Office as a data controller "
                f"(registration number {c.ico_registration})."
            )
        if c.companies_house_number:
            details.append(f"Our Companies House number is {c.companies_house_number}.")
        self.p(" ".join(details))
        ways: list[list[Inline]] = []
        address = ", ".join(x for x in (one_line(c.school_address), c.school_postcode) if x)
        if address:
            ways.append([f"by post at {address}"])
        if c.school_phone:
            ways.append(["by telephone on ", phone(c.school_phone)])
        if c.school_email:
            ways.append(["by email at ", email(c.school_email)])
        if ways:
            parts: list[Inline] = [f"You can contact {c.school_name} "]
            for i, way in enumerate(ways):
                if i:
                    parts.append(" or " if i == len(ways) - 1 else ", ")
                parts.extend(way)
            parts.append(".")
            if c.school_website:
                parts += [" Our website is ", link(c.school_website), "."]
            self.p(*parts)
        dpo = self.v.dpo
        reach = self.dpo_reach()
        if dpo.name:
            self.p(
                f"Our data protection officer (DPO) is {dpo.name}. ",
                *(["You can contact them ", *reach, "."] if reach else []),
            )
        elif reach:
            self.p("You can contact our data protection officer (DPO) ", *reach, ".")

    def categories(self) -> None:
        self.h2("The information we hold", "information")
        whose = "pupils and their families" if self.audience == NoticeAudience.PARENT else "pupils"
        self.p(f"The categories of information about {whose} that we process include:")
        items: list[Runs] = []
        for g in self.v.categories:
            subs = [lower_first(u.category.label) for u in g.uses if u.category.key != g.key]
            text = g.label + (" (special category data)" if g.special else "")
            text += f", including {join_words(subs)}" if subs else ""
            items.append(runs(text))
        self.ul(items)
        special = labels(top_level(self.v.special_categories))
        if special:
            self.p(
                "Some of this is special category data, which the law protects more strictly: "
                f"{join_words(special)}."
            )

    def purposes(self) -> None:
        self.h2("Why we collect and use this information", "purposes")
        self.p("We use this information for these purposes:")
        self.ul(
            runs(strong(p.name), f": {lower_first(sentence(p.description))}" if p.description else "")
            for p in self.v.purposes
        )

    def _bases_cell(self, p: PurposeView) -> Runs:
        return runs(join_words([f"{b.short} ({b.article})" for b in p.bases]) or "None recorded")

    def _law_cell(self, p: PurposeView) -> Runs:
        parts = []
        for b in p.bases:
            said = [x for x in (b.legislation, b.legitimate_interests, b.explanation) if x]
            if said:
                parts.append(f"{b.short.capitalize()}: {' '.join(sentence(x) for x in said)}")
        return runs(" ".join(parts))

    def lawful_bases(self) -> None:
        self.h2("Our lawful bases", "lawful-bases")
        self.p(
            "Under Article 6 of the UK GDPR we may only use personal information when the law allows it. "
            "The table below gives the lawful basis for each purpose and the law it rests on."
        )
        self.table(
            "Lawful bases (UK GDPR Article 6)",
            ("Purpose", "Lawful basis", "The law, and what it covers"),
            ((runs(p.name), self._bases_cell(p), self._law_cell(p)) for p in self.v.purposes),
        )
        self.special_conditions()
        self.consent()

    def _condition_cell(self, c: ConditionView) -> Runs:
        text = c.label
        if c.schedule_1:
            text += f", with {c.schedule_1}"
        if c.explanation:
            text += f". {sentence(c.explanation)}"
        return runs(sentence(text))

    def special_conditions(self) -> None:
        names = {p.key: p.name for p in self.v.purposes}
        conditions = self.v.conditions
        if not conditions and not self.v.special_categories:
            self.p("We do not use special category data (UK GDPR Article 9) for these purposes.")
            return
        self.p(
            "To use special category data we also need a condition in Article 9(2) of the UK GDPR and, "
            "where the law asks for one, a condition in Schedule 1 to the Data Protection Act 2018. The "
            "table below gives them."
        )
        self.table(
            "Conditions for special category data (UK GDPR Article 9)",
            ("Purpose", "Information", "Condition"),
            (
                (
                    runs(names.get(c.purpose_key, c.purpose_key)),
                    runs(c.category.label),
                    self._condition_cell(c),
                )
                for c in conditions
            ),
        )

    def consent(self) -> None:
        consent = [p.name for p in self.v.purposes if p.consent_based]
        if consent:
            self.p(
                f"We rely on consent for these purposes: {join_words(consent)}. You can withdraw your consent "
                "at any time by telling the school or our data protection officer. Withdrawing consent does "
                "not affect what we did with the information before."
            )
        else:
            self.p(
                "None of these purposes relies on consent. If we ever ask for your consent for something "
                "else, you can withdraw it at any time."
            )

    def collecting(self) -> None:
        self.h2("Collecting this information", "collecting")
        uses = self.v.uses
        if any(u.provision == Provision.MANDATORY for u in uses):
            self.p(
                "Some of the information we ask for is mandatory, and some is optional. When we ask for "
                "information we tell you whether you must provide it and the consequences of not providing "
                "it. The table below says which information must be given, why, and where each kind of "
                "information comes from."
            )
        else:
            self.p(
                "None of the information we ask for is mandatory: you can choose whether to provide it. The "
                "table below says the consequences of not providing it, and where each kind of information "
                "comes from."
            )
        rows = []
        for u in uses:
            why = " ".join(sentence(x) for x in (u.requirement, u.consequence) if x)
            if u.consequence and not u.requirement:
                why = f"If it is not given: {lower_first(sentence(u.consequence))}"
            rows.append(
                (
                    runs(u.category.label),
                    runs(u.provision_label),
                    runs(why or "Not applicable."),
                    runs(
                        join_words([lower_first(s) for s in u.source_labels]).capitalize() or "Not recorded"
                    ),
                )
            )
        self.table(
            "What we collect, whether it must be given, and where it comes from",
            (
                "Information",
                "Must it be given?",
                "Why, and what happens if it is not given",
                "Where it comes from",
            ),
            rows,
        )
        others = _unique(
            lower_first(Source(s).label)
            for u in uses
            for s in u.sources
            if s not in OWN_SOURCES and s in Source.values
        )
        if others:
            self.p(
                f"We also receive information about pupils from other organisations: {join_words(others)}."
            )
        else:
            self.p(
                "All the information we hold comes from pupils, their parents and carers, and our own staff; "
                "we do not receive it from other organisations."
            )

    def retention(self) -> None:
        self.h2("How long we keep information", "retention")
        self.p(
            "We keep personal information only for as long as we need it. Our retention schedule below says "
            "how long we keep each kind of record, what happens at the end of the period, and where the "
            "period comes from."
        )
        self.table(
            "Retention schedule",
            ("Record", "How long we keep it", "Source"),
            (
                (runs(r.record_type), runs(sentence(r.summary).capitalize()), runs(sentence(r.source)))
                for r in self.v.retention
            ),
        )

    def _recipient_row(self, r: RecipientView) -> tuple[Runs, ...]:
        what = [sentence(r.description)] if r.description else []
        shared = labels(r.categories)
        if shared:
            what.append(f"Information shared: {join_words(shared)}.")
        how = "Routinely" if r.routine else "Case by case, when needed"
        if r.dsa_required:
            how += ", under a data sharing agreement"
        law: list[Inline] = [f"{r.lawful_basis.short.capitalize()} ({r.lawful_basis.article})"]
        if r.legal_gateway:
            law.append(f": {sentence(r.legal_gateway)}")
        else:
            law.append(".")
        if r.information_url:
            law += [" More information: ", link(r.information_url)]
        return (runs(r.name), runs(" ".join(what)), runs(how), runs(*law))

    def sharing(self) -> None:
        self.h2("Who we share information with", "sharing")
        self.p(
            "We share pupil information with the organisations in the table below, only when the law "
            "allows it. Some receive it routinely, and some only when it is needed."
        )
        self.table(
            "Who we share information with",
            ("Organisation", "What we share and why", "How often", "Lawful basis and the law"),
            (self._recipient_row(r) for r in self.v.recipients),
        )
        if self.v.systems:
            self.h3("Systems that hold information for us", "systems")
            self.p(
                "We keep and use information in the systems below. Their suppliers act for us as processors, "
                "under a contract (UK GDPR Article 28), and may not use the information for anything else."
            )
            self.table(
                "Our systems and their suppliers",
                ("System", "What it is for", "Supplier", "Where the information is held"),
                (
                    (
                        runs(s.name),
                        runs(sentence(s.description) if s.description else s.function_label),
                        runs(s.supplier or "Not recorded yet"),
                        runs(s.hosting_location or "Not recorded yet"),
                    )
                    for s in self.v.systems
                ),
            )
        if not (self.v.youth_support_13 or self.v.youth_support_16):
            if self.full.youth_support_13 or self.full.youth_support_16:
                self.p(
                    "Information about pupils aged 13 and over is also passed to youth support services, as "
                    "our privacy notice for pupils and parents explains."
                )
            else:
                self.p("We do not pass information about pupils to youth support services.")
        if not self.v.npd:
            if self.full.npd:
                self.p(
                    "Some of the information we send the Department for Education is stored in the National "
                    "Pupil Database (NPD), as our privacy notice for pupils and parents explains."
                )
            else:
                self.p(
                    "We do not send information to the Department for Education for the National Pupil Database."
                )

    def transfers(self) -> None:
        self.h2("Transfers outside the UK", "transfers")
        yes = self.v.international_transfers
        unknown = self.v.transfers_unconfirmed
        if yes:
            self.p(
                "Some of our systems transfer personal information outside the UK. Each transfer is protected "
                "by a safeguard that UK law recognises:"
            )
            self.ul(
                runs(
                    f"{s.name}" + (f" ({s.supplier})" if s.supplier else "") + f": {s.transfer_destination}; "
                    f"{lower_first(s.transfer_safeguard_label)}"
                    + (f". {sentence(s.transfer_safeguard_detail)}" if s.transfer_safeguard_detail else "")
                )
                for s in yes
            )
        if unknown:
            names = join_words([lower_first(s.name) for s in unknown])
            self.p(
                f"We are checking with the suppliers of our systems whether they transfer any personal "
                f"information outside the UK ({names}). If they do, the transfer must be protected by a "
                "safeguard that UK law recognises, such as UK adequacy regulations, the International Data "
                "Transfer Agreement or the UK Addendum to the EU standard contractual clauses, and we will "
                "update this notice."
            )
        if not yes and not unknown:
            self.p("We do not transfer personal information outside the UK.")

    def automated_decisions(self) -> None:
        self.h2("Automated decision-making and profiling", "automated-decisions")
        adm = self.v.adm
        if adm.any:
            what = join_words(
                (["automated decision-making"] if adm.automated_decisions else [])
                + (["profiling"] if adm.profiling else [])
            )
            self.p(f"We use {what}. {sentence(adm.description)}")
            self.p(
                "You have the right to ask for a person to review any decision made about you by automated "
                "means alone, and to give your point of view."
            )
        else:
            self.p(
                "We do not make decisions about pupils by automated means alone, and we do not use profiling."
            )

    def youth_support(self) -> None:
        v = self.v
        if not (v.youth_support_13 or v.youth_support_16):
            return
        self.h2("Youth support services", "youth-support")
        r13 = next((r for r in v.recipients if r.youth_support_13), None)
        r16 = next((r for r in v.recipients if r.youth_support_16), None)
        if r13 is not None:
            self.h3("Pupils aged 13 and over", "youth-support-13")
            law = f" under {r13.legal_gateway.rstrip('.')}" if r13.legal_gateway else ""
            self.p(
                f"Once our pupils reach the age of 13, we also pass pupil information to "
                f"{lower_first(without_bracket(r13.name))}, which has responsibilities for the education or "
                f"training of 13 to 19 year olds{law}. This lets them provide youth support services and "
                "careers advice."
            )
            shared = labels(r13.categories)
            if shared:
                self.p(f"The information we pass includes {join_words(shared)}.")
        if r16 is not None:
            self.h3("Pupils aged 16 and over", "youth-support-16")
            law = f", under {r16.legal_gateway.rstrip('.')}" if r16.legal_gateway else ""
            self.p(
                f"We also share certain information about pupils aged 16 and over with "
                f"{lower_first(without_bracket(r16.name))}{law}, to help them stay in education or training."
            )
            shared = labels(r16.categories)
            if shared:
                self.p(f"The information we share includes {join_words(shared)}.")
        self.h3("Limiting what is passed on", "youth-support-choice")
        if v.youth_support_model == YouthSupportModel.CONSENT:
            self.p(
                "We pass only the pupil's name, address and date of birth, unless a parent or carer agrees that "
                "we may pass more. This decision passes to the pupil once they reach the age of 16."
            )
        else:
            self.p(
                "A parent or carer can ask that only their child's name, address and date of birth is passed "
                "to the youth support services provider, by telling us. This right passes to the pupil once "
                "they reach the age of 16."
            )
        links = _unique(r.information_url for r in (r13, r16) if r is not None)
        for url in links:
            self.p("For more about services for young people, go to ", link(url), ".")

    def government(self) -> None:
        v = self.v
        if not v.npd:
            return
        dfe = next((r for r in v.recipients if r.kind == "government" and not r.npd), None)
        npd = next(r for r in v.recipients if r.npd)
        self.h2("How the government uses pupil information", "government")
        if dfe is not None:
            law = f" The law that requires it: {sentence(dfe.legal_gateway)}" if dfe.legal_gateway else ""
            self.p(sentence(dfe.description) + law)
        self.h3("Data collection requirements", "data-collection")
        self.p(
            "To find out more about the data collection requirements placed on us by the Department for "
            "Education (for example, through the school census), go to ",
            link((dfe.information_url if dfe is not None else "") or DFE_DATA_COLLECTION_URL),
            ".",
        )
        self.h3("The National Pupil Database (NPD)", "npd")
        if npd.description:
            self.p(sentence(npd.description))
        self.p(
            "The NPD is owned and managed by the Department for Education and contains information about "
            "pupils in schools in England. It provides evidence on educational performance to inform "
            "independent research, as well as studies commissioned by the Department."
        )
        if npd.legal_gateway:
            self.p(f"The law that allows this is {sentence(npd.legal_gateway)}")
        self.p("To find out more about the NPD, go to ", link(npd.information_url or DFE_NPD_URL), ".")
        self.h3("Sharing by the Department for Education", "dfe-sharing")
        self.p(
            "The Department for Education may share information about pupils from the NPD with third parties "
            "who promote the education or well-being of children in England by:"
        )
        self.ul(
            [
                "conducting research or analysis",
                "producing statistics",
                "providing information, advice or guidance",
            ]
        )
        self.p(
            "Decisions on whether the Department releases data to third parties are subject to a strict "
            "approval process and based on a detailed assessment of:"
        )
        self.ul(
            [
                "who is requesting the data",
                "the purpose for which it is required",
                "the level and sensitivity of data requested",
                "the arrangements in place to store and handle the data",
            ]
        )
        self.p(
            "To be granted access to pupil information, organisations must comply with strict terms and "
            "conditions covering the confidentiality and handling of the data, security arrangements, and "
            "retention and use of the data."
        )
        self.p("For more about the Department's data sharing process, go to ", link(DFE_SHARING_URL), ".")
        self.p(
            "To see which organisations the Department has given pupil information to, and for which project, "
            "go to ",
            link(DFE_REQUESTS_URL),
            ".",
        )
        self.h3("What the Department for Education holds about you", "dfe-access")
        self.p(
            "Under data protection law you can ask the Department for Education whether it holds personal "
            "information about you, what it holds, why, and who it has shared it with, and for a copy. To "
            "contact the Department, go to ",
            link(DFE_CONTACT_URL),
            ".",
        )

    def rights(self) -> None:
        self.h2("Your rights", "rights")
        if self.audience == NoticeAudience.PUPIL:
            self.p(
                "Under data protection law, you have the right to request access to the personal information "
                "we hold about you (a subject access request). A parent or carer can also ask on your behalf."
            )
        else:
            self.p(
                "Under data protection law, pupils have the right to request access to the personal "
                "information we hold about them (a subject access request). Parents and carers can make a "
                "request for their child when the child is not old enough to understand their rights, and "
                "can ask for the information we hold about themselves."
            )
        self.p("You also have the right to:")
        self.ul(
            [
                "have inaccurate personal information corrected (rectification), and incomplete information completed",
                "have personal information erased in certain circumstances (most pupil records are kept because "
                "the law requires them, so this often does not apply)",
                "restrict how we use personal information in certain circumstances, for example while we check "
                "whether it is accurate",
                "object to how we use personal information where we rely on public task or legitimate interests",
                "data portability: where we rely on consent or a contract and use the information by automated "
                "means, to receive the information you gave us in a machine-readable form",
            ]
        )
        self.p(
            "You can make a request in writing or by speaking to us. We will reply within one calendar month, "
            "and there is usually no charge."
        )
        if self.v.controller.maintained:
            self.p(
                "Parents also have a separate right to see, or have a copy of, their child's educational "
                "record, within 15 school days of a written request (The Education (Pupil Information) "
                "(England) Regulations 2005)."
            )
        reach = self.dpo_reach()
        self.p(
            "To exercise any of these rights, contact our data protection officer",
            *([" ", *reach] if reach else []),
            ".",
        )

    def complaints(self) -> None:
        self.h2("Complaints", "complaints")
        self.p(
            "If you are unhappy with how we have used personal information, please tell us first so that we "
            "can put it right: contact the school or our data protection officer."
        )
        self.p(
            "You also have the right to complain to the Information Commissioner's Office (ICO), the UK's "
            "data protection regulator:"
        )
        self.ul(
            [
                runs("online at ", link(ICO_COMPLAINT_URL)),
                runs("by telephone on ", phone(ICO_PHONE)),
                runs(f"by post to {ICO_ADDRESS}"),
            ]
        )

    def contact(self) -> None:
        c = self.v.controller
        self.h2("Contact us", "contact")
        school_reach: list[Inline] = []
        if c.school_email:
            school_reach = [" at ", email(c.school_email)]
        elif c.school_phone:
            school_reach = [" on ", phone(c.school_phone)]
        dpo = self.v.dpo
        dpo_reach: list[Inline] = (
            [" at ", email(dpo.email)] if dpo.email else ([" on ", phone(dpo.phone)] if dpo.phone else [])
        )
        self.p(
            f"If you would like to discuss anything in this notice, contact {c.school_name}",
            *school_reach,
            ", or our data protection officer",
            *dpo_reach,
            ".",
        )
        self.p(
            "We review this notice regularly, and we will update it before we start using personal "
            "information in a new way."
        )


# --- the notice for younger pupils -------------------------------------------------------------------


class _YoungNotice(_Notice):
    """The pupil notice in plain words for younger pupils (ICO: child-friendly, concise).

    It tells every item the full notice tells, from the same register, in shorter sentences; the law's
    own words appear in brackets so that readers (and the checker) can match them to the full notice.
    """

    def build(self) -> list[Block]:
        v = self.v
        c = v.controller
        self.p(
            f"This is about the information {self.school} keeps about you, why we keep it, who we share "
            "it with, and what you can do if you are worried. You can ask a grown-up to read it with you."
        )

        self.h2("Who looks after your information", "who-we-are")
        owner = c.name or c.school_name
        self.p(
            f"{owner} is in charge of the information we keep about you. The law calls this the data "
            "controller."
        )
        dpo = v.dpo
        reach = self.dpo_reach()
        name = f", {dpo.name}," if dpo.name else ""
        self.p(
            f"Our data protection officer (DPO){name} checks that we look after information properly. You or "
            "your parents or carers can contact them",
            *([" ", *reach] if reach else []),
            ".",
        )

        self.h2("What information we keep", "information")
        self.p("The categories of information we keep about you include:")
        self.ul(runs(g.label) for g in v.categories)
        special = labels(top_level(v.special_categories))
        if special:
            self.p(
                f"Some information is extra private, like {join_words(special, 'or')}. The law calls this "
                "special category data, and we take extra care with it."
            )

        self.h2("Why we use it", "purposes")
        self.p("We use your information for these reasons:")
        self.ul(runs(sentence(p.description_young or p.description)) for p in v.purposes)

        self.h2("Why we are allowed to use it", "lawful-bases")
        bases = _unique(b.basis for p in v.purposes for b in p.bases)
        self.p("The law only lets us use your information when there is a good reason. We use it because:")
        self.ul(YOUNG_BASIS[b] for b in bases if b in YOUNG_BASIS)
        laws = law_names(b.legislation for p in v.purposes for b in p.bases)
        if laws:
            self.p(f"The laws we follow include {join_words(laws[:3])}.")
        if special:
            self.p(
                "For extra private information, the law asks for an extra reason (UK GDPR Article 9). Ours "
                "are: "
                + join_words(_unique(lower_first(cond.label) for cond in v.conditions)).rstrip(".")
                + "."
            )
        if v.consent_based:
            consent = [lower_first(p.name) for p in v.purposes if p.consent_based]
            self.p(
                f"For some things ({join_words(consent)}) we ask first. If you or your parents or carers said "
                "yes, you can change your mind and withdraw your consent at any time."
            )
        else:
            self.p(
                "We do not ask for your consent for any of these things. If we ever do, you can change your "
                "mind and withdraw your consent at any time."
            )

        self.h2("Do you have to give us information?", "collecting")
        if any(u.provision == Provision.MANDATORY for u in v.uses):
            mandatory = labels(u.category for u in v.uses if u.provision == Provision.MANDATORY)
            self.p(
                f"Some information is mandatory: your parents or carers must give it to us ({join_words(mandatory)}). "
                "Some is optional, and you can choose. When we ask, we say which, and the consequences of not "
                "providing it."
            )
        else:
            self.p(
                "None of the information we ask for is mandatory: you can choose. When we ask, we say the "
                "consequences of not providing it."
            )
        others = _unique(
            lower_first(Source(s).label)
            for u in v.uses
            for s in u.sources
            if s not in OWN_SOURCES and s in Source.values
        )
        if others:
            self.p(
                "We get information from you, your parents or carers and our staff. We also get information "
                f"about you from other organisations: {join_words(others)}."
            )
        else:
            self.p("All the information we keep comes from you, your parents or carers and our staff.")

        self.h2("How long we keep it", "retention")
        self.p(
            "We only keep information for as long as we need it. Our retention schedule says how long we keep "
            "each kind of record:"
        )
        self.ul(runs(f"{r.record_type}: {r.summary}") for r in v.retention)

        self.h2("Who we share it with", "sharing")
        self.p("We share information about you with these organisations, only when the law allows it:")
        self.ul(runs(r.name) for r in v.recipients)
        if v.systems:
            self.p(
                "We also use computer systems run by other companies. They keep information for us and may "
                "not use it for anything else."
            )
        if v.youth_support_13 or v.youth_support_16:
            r13 = next((r for r in v.recipients if r.youth_support_13 or r.youth_support_16), None)
            law = f" ({r13.legal_gateway.rstrip('.')})" if r13 and r13.legal_gateway else ""
            self.h3("When you are 13 or older", "youth-support")
            self.p(
                "When you are 13 or older, we tell the local council's youth support services about you, "
                f"so they can help you plan what to do after school{law}."
            )
            if v.youth_support_model == YouthSupportModel.CONSENT:
                self.p(
                    "We only tell them your name, address and date of birth, unless your parents or carers "
                    "agree to more. When you are 16, you can decide this yourself."
                )
            else:
                self.p(
                    "Your parents or carers can ask us to tell them only your name, address and date of "
                    "birth. When you are 16, you can decide this yourself."
                )
        elif self.full.youth_support_13 or self.full.youth_support_16:
            self.p(
                "When you are 13 or older, we will also tell the council's youth support services about you."
            )
        else:
            self.p("We do not pass information about you to youth support services.")
        if v.npd:
            self.p(
                "The Department for Education keeps some of the information we send it in the National Pupil "
                "Database (NPD). It uses it for research and statistics to help make schools better."
            )
        else:
            self.p(
                "We do not send information about you to the Department for Education for the National Pupil Database."
            )

        self.h2("Other countries", "transfers")
        if v.international_transfers or v.transfers_unconfirmed:
            self.p(
                "Some of the companies that run our systems may transfer information outside the UK. If they "
                "do, the law makes sure it is kept just as safe, and we will tell you in this notice."
            )
        else:
            self.p("We do not transfer information about you outside the UK.")

        self.h2("Computers making decisions", "automated-decisions")
        if v.adm.any:
            self.p(f"Sometimes we use automated decision-making or profiling. {sentence(v.adm.description)}")
            self.p("You can ask for a person to check any decision a computer made about you.")
        else:
            self.p(
                "No computer makes decisions about you on its own: we do not use automated decision-making or profiling."
            )

        self.h2("What you can do", "rights")
        self.p(
            "You have the right to ask for a copy of the information we keep about you (a subject access "
            "request). You can also ask us to:"
        )
        self.ul(
            [
                "correct information that is wrong (rectification)",
                "delete information, if we do not need to keep it (erasure)",
                "stop using information for a while (restriction)",
                "stop using information in a way you object to (objection)",
                "give you information you gave us in a form a computer can read (data portability)",
            ]
        )
        self.p(
            "To ask, talk to your teacher, your parents or carers, or our data protection officer",
            *([" ", *reach] if reach else []),
            ".",
        )

        self.h2("If you are worried", "complaints")
        self.p(
            "If you are worried about how we use information about you, tell us first so that we can put it "
            "right."
        )
        self.p(
            "You or your parents or carers can also complain to the Information Commissioner's Office (ICO), "
            "which makes sure organisations follow the law:"
        )
        self.ul(
            [
                runs("online at ", link(ICO_COMPLAINT_URL)),
                runs("by telephone on ", phone(ICO_PHONE)),
                runs(f"by post to {ICO_ADDRESS}"),
            ]
        )
        return self.blocks
