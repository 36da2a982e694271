"""The current consent state is a replay of the ledger: for random ledgers, `consent_state` equals a plain
reference replay written from the rules, and it depends on nothing but the ledger (recording the same
events in another order gives the same state)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.consent.conftest import TODAY, make_contact

from steward.consent.models import ConsentEvent
from steward.consent.selectors import consent_state
from steward.organisations.models import School, Trust
from steward.people.models import Contact, Pupil
from steward.register.models import ConsentPurpose

PARTIES = ("mum", "dad", "pupil")
ACTIONS = ("grant", "refuse", "withdraw", "object", "notified")
METHODS = ("paper", "verbal", "portal")


@dataclass(frozen=True)
class Ev:
    day: int  # days before today; distinct within a ledger
    action: str
    party: str
    method: str


ledgers = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.sampled_from(PARTIES), st.sampled_from(METHODS)),
    max_size=8,
).flatmap(
    lambda items: st.lists(
        st.integers(min_value=0, max_value=60), min_size=len(items), max_size=len(items), unique=True
    ).map(lambda days: [Ev(d, a, p, m) for d, (a, p, m) in zip(days, items, strict=True)])
)


def reference(given_by: str, written_only: bool, events: list[Ev], on_day: int) -> tuple[str, bool]:
    """The rules, replayed the plain way: walk the decisions in date order, remember each party's last."""
    may = {
        "parent": given_by in ("parent", "either", "both"),
        "pupil": given_by in ("pupil", "either", "both"),
    }
    seen = [
        e
        for e in sorted(events, key=lambda e: -e.day)
        if e.day >= on_day and e.action != "notified" and may["pupil" if e.party == "pupil" else "parent"]
    ]
    words = {"grant": "given", "refuse": "refused", "withdraw": "withdrawn", "object": "objected"}
    if given_by == "both":
        last: dict[str, Ev] = {}
        for e in seen:
            last[e.party] = e
        child = last.get("pupil")
        if child is not None and child.action != "grant":
            return ("refused" if child.action == "refuse" else "objected", False)
        parents = [last[p] for p in ("mum", "dad") if p in last]
        stops = [p for p in parents if p.action != "grant"]
        if stops:
            return (words[min(stops, key=lambda e: e.day).action], False)
        if any(p.action == "grant" and p.method != "verbal" for p in parents):
            return ("given", True)
        return ("not_asked", False)
    if not seen:
        return ("not_asked", False)
    final = seen[-1]
    if final.action != "grant":
        return (words[final.action], False)
    if written_only and final.method == "verbal":
        return ("not_asked", False)
    return ("given", True)


@pytest.fixture
def purposes(trust: Trust) -> dict[str, ConsentPurpose]:
    def make(key: str, given_by: str, **kw: Any) -> ConsentPurpose:
        return ConsentPurpose.objects.create(
            trust=trust,
            key=key,
            name=key.replace("_", " "),
            description="For the property test.",
            given_by=given_by,
            **kw,
        )

    return {
        "parent": make("prop_parent", "parent"),
        "pupil": make("prop_pupil", "pupil", written_only=True),
        "either": make("prop_either", "either"),
        "both": make(
            "prop_biometric",
            "both",
            biometric=True,
            written_only=True,
            dpia_reference="DPIA-P",
            alternative="A PIN",
        ),
    }


@pytest.fixture
def household(trust: Trust, pupil_a: Pupil) -> dict[str, Contact]:
    return {"mum": make_contact(trust, pupil_a, "Mina"), "dad": make_contact(trust, pupil_a, "Dev")}


def _write(
    events: list[Ev],
    order: list[int],
    pupil: Pupil,
    school: School,
    purpose: ConsentPurpose,
    household: dict[str, Contact],
) -> None:
    for i in order:
        e = events[i]
        if e.action == "notified":
            by, contact = "school", household["mum" if e.party == "pupil" else e.party]
        elif e.party == "pupil":
            by, contact = "pupil", None
        else:
            by, contact = "parent", household[e.party]
        ConsentEvent.objects.create(
            pupil=pupil,
            school=school,
            purpose=purpose,
            action=e.action,
            by=by,
            contact=contact,
            method=e.method,
            on=TODAY - dt.timedelta(days=e.day),
        )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    given_by=st.sampled_from(["parent", "pupil", "either", "both"]),
    events=ledgers,
    order_seed=st.randoms(use_true_random=False),
    on_day=st.integers(min_value=0, max_value=61),
)
def test_state_is_a_replay_of_the_ledger_whatever_the_recording_order(
    purposes: dict[str, ConsentPurpose],
    household: dict[str, Contact],
    pupil_a: Pupil,
    school_a: School,
    given_by: str,
    events: list[Ev],
    order_seed: Any,
    on_day: int,
) -> None:
    purpose = purposes[given_by]
    expected = reference(given_by, purpose.written_only, events, on_day)
    on = TODAY - dt.timedelta(days=on_day)
    orders = [list(range(len(events))), list(reversed(range(len(events))))]
    shuffled = list(range(len(events)))
    order_seed.shuffle(shuffled)
    orders.append(shuffled)
    for order in orders:
        with transaction.atomic():
            _write(events, order, pupil_a, school_a, purpose, household)
            state = consent_state(pupil_a, purpose, on)
            transaction.set_rollback(True)
        assert (state.state, state.effective) == expected, (order, events)
        assert [e.on for e in state.events] == sorted(e.on for e in state.events)
