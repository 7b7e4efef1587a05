"""Which law applies on a given day: the one table of the legal regimes the product enforces.

Barnets Lov (LOV nr 721 af 13/06/2023) replaced the child parts of Serviceloven on 1 January 2024.
An obligation is judged by the regime in force on the day it concerns: a notification by its day of
receipt, an investigation by its decision, and each legal follow-up and supervisory visit of a
measure by the day it falls due. A measure begun under Serviceloven and running past 1 January 2024
owes the follow-ups falling on or after that day under Barnets Lov (§ 95, the cadence decided at a
follow-up; § 156, stk. 5): the act enters into force on that day for running cases, and the product
applies no transitional rule keeping Serviceloven § 70 or § 148 for them (docs/deadlines.md, "Which
law applies"). Every "which law on this day" question in the code asks ``regime_on(day)`` and reads
the provision it needs from the ``Regime``; nothing compares against 2024 by hand (the meta-test
``tests/herning/test_law.py`` holds it), so the next change of law is one new row.

Each provision is cited as the product shows it to the advisor (Danish citation form, "§ 95, stk.
2"); ``citation_en`` is the English form ("§ 95(2)") used in English explanations.

Pure data: no database, no settings, no domain app (``herning.core`` is the foundation).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Provision:
    """One rule of a statute, with the citation the product writes next to a deadline."""

    citation: str
    citation_en: str
    summary_en: str

    def __str__(self) -> str:
        return self.citation


@dataclass(frozen=True)
class Regime:
    """The rules in force from ``start`` to ``end`` (both inclusive; ``end`` None: still in force)."""

    name: str
    statute: str
    # The field of ``cases.models.LegalBasis`` holding a section under this regime ("sel", "bl").
    key: str
    start: datetime.date
    end: datetime.date | None
    # Notifications (underretninger).
    assessment: Provision
    receipt: Provision
    # The child-welfare investigation (børnefaglig undersøgelse): finished within 4 months of the
    # day the municipality became aware of the child's possible need, else an interim assessment
    # (foreløbig vurdering) then; both in the same subsection.
    investigation: Provision
    # The child's plan; ``youth_plan`` is None where the statute has no separate plan for youth.
    plan: Provision
    youth_plan: Provision | None
    youth_plan_from_age: int | None
    # The legal follow-up of a measure: the first within ``first_followup_months``, then at most
    # ``followup_cadence_months`` apart unless the regime lets the cadence be decided per case.
    followup: Provision
    first_followup: Provision
    followup_cadence: Provision
    first_followup_months: int
    followup_cadence_months: int
    # Barnets Lov § 95, stk. 2, nr. 1: the first follow-up comes at the end of an investigation
    # running alongside the measure, when that is earlier than the months above.
    first_followup_at_investigation_end: bool
    # Barnets Lov § 95, stk. 3: the cadence is decided, with reasons, at the first follow-up.
    cadence_decided_at_first_followup: bool
    # The supervisory visits to a placed child, each with a conversation with the child.
    supervision: Provision
    supervision_interval_months: int
    # The feedback to a professional notifier on whether an investigation or a measure was started,
    # within ``feedback_months`` of receipt.
    feedback: Provision | None = None
    feedback_months: int = 3
    # The screening of the child's need for help; None where the statute has no screening step.
    screening: Provision | None = None

    def in_force_on(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


_SEL_FOLLOWUP = Provision(
    "Serviceloven § 70",
    "Serviceloven § 70",
    "follow-up of a measure: first within 3 months, then every 6 months",
)
_BL_FOLLOWUP = Provision("Barnets Lov § 95", "Barnets Lov § 95", "follow-up of a measure")
_BL_PLAN = Provision(
    "Barnets Lov § 91", "Barnets Lov § 91", "the child's plan within 3 months of the decision"
)
_SEL_PLAN = Provision("Serviceloven § 140", "Serviceloven § 140", "the action plan before the decision")
_BL_YOUTH_PLAN = Provision("Barnets Lov § 108", "Barnets Lov § 108", "the youth plan from the age of 15")

SERVICELOVEN = Regime(
    name="Serviceloven",
    statute="Lov om social service",
    key="sel",
    start=datetime.date(1998, 7, 1),
    end=datetime.date(2023, 12, 31),
    assessment=Provision(
        "Serviceloven § 155", "Serviceloven § 155", "assess a notification for acute danger within 24 hours"
    ),
    receipt=Provision(
        "Serviceloven § 155 b",
        "Serviceloven § 155 b",
        "confirm receipt to a professional notifier within 6 working days",
    ),
    investigation=Provision(
        "Serviceloven § 50, stk. 7",
        "Serviceloven § 50(7)",
        "the child-welfare investigation within 4 months of becoming aware; else an interim assessment",
    ),
    plan=_SEL_PLAN,
    youth_plan=None,
    youth_plan_from_age=None,
    followup=_SEL_FOLLOWUP,
    first_followup=_SEL_FOLLOWUP,
    followup_cadence=_SEL_FOLLOWUP,
    first_followup_months=3,
    followup_cadence_months=6,
    first_followup_at_investigation_end=False,
    cadence_decided_at_first_followup=False,
    supervision=Provision(
        "Serviceloven § 148, stk. 3",
        "Serviceloven § 148(3)",
        "at least two supervisory visits a year with a conversation with the child",
    ),
    supervision_interval_months=6,
    feedback=Provision(
        "Serviceloven § 155 b, stk. 2",
        "Serviceloven § 155 b(2)",
        "tell a professional notifier within 3 months whether an investigation or a measure was started",
    ),
)

BARNETS_LOV = Regime(
    name="Barnets Lov",
    statute="Barnets Lov (LOV nr 721 af 13/06/2023)",
    key="bl",
    start=datetime.date(2024, 1, 1),
    end=None,
    assessment=Provision(
        "Barnets Lov § 136", "Barnets Lov § 136", "assess a notification for acute danger within 24 hours"
    ),
    receipt=Provision(
        "Barnets Lov § 136",
        "Barnets Lov § 136",
        "confirm receipt to a professional notifier within 6 working days",
    ),
    investigation=Provision(
        "Barnets Lov § 20, stk. 3",
        "Barnets Lov § 20(3)",
        "the child-welfare investigation within 4 months of becoming aware; else an interim assessment",
    ),
    plan=_BL_PLAN,
    youth_plan=_BL_YOUTH_PLAN,
    youth_plan_from_age=15,
    followup=_BL_FOLLOWUP,
    first_followup=Provision(
        "Barnets Lov § 95, stk. 2",
        "Barnets Lov § 95(2)",
        "first follow-up within 3 months, or at the end of an investigation running alongside",
    ),
    followup_cadence=Provision(
        "Barnets Lov § 95, stk. 3",
        "Barnets Lov § 95(3)",
        "the cadence is decided, with reasons, at the first follow-up",
    ),
    first_followup_months=3,
    followup_cadence_months=6,
    first_followup_at_investigation_end=True,
    cadence_decided_at_first_followup=True,
    supervision=Provision(
        "Barnets Lov § 156, stk. 5",
        "Barnets Lov § 156(5)",
        "at least two supervisory visits a year with a conversation with the child",
    ),
    supervision_interval_months=6,
    feedback=Provision(
        "Barnets Lov § 136",
        "Barnets Lov § 136",
        "tell a professional notifier within 3 months whether an investigation or a measure was started",
    ),
    screening=Provision(
        "Barnets Lov § 18",
        "Barnets Lov § 18",
        "screen whether the child's need for help needs no more, a clarification (§ 19) or an investigation",
    ),
)

# Oldest first; consecutive, without gaps (tests/herning/test_law.py holds it).
REGIMES: tuple[Regime, ...] = (SERVICELOVEN, BARNETS_LOV)

# A plan keeps the provision of its kind, whichever regime asks (a handleplan made in 2023 is
# still a Serviceloven § 140 plan).
PLAN_PROVISIONS: dict[str, Provision] = {
    "handleplan": _SEL_PLAN,
    "barnets_plan": _BL_PLAN,
    "ungeplan": _BL_YOUTH_PLAN,
}


def plan_provision(kind: str) -> Provision:
    """The provision behind a plan kind (the ``Plan.Kind`` values); an unknown kind is read as the
    child's plan of Barnets Lov."""
    return PLAN_PROVISIONS.get(kind, _BL_PLAN)


# The child conversation at a follow-up. A legal follow-up counts only when the child was spoken to
# (Barnets Lov § 95, stk. 3: the child's wishes and needs are part of deciding the follow-up; SEL
# § 70 with § 48), unless the conversation was left out for one of the reasons the statute gives
# for leaving a child conversation out: "i det omfang barnets eller den unges modenhed eller
# sagens karakter taler imod samtalens gennemførelse" (the act's recurring wording, read in
# Barnets Lov § 137, stk. 4, on the conversation about a notification, and SEL § 48, stk. 1; § 95
# itself names no ground of its own, docs/deadlines.md). These are the codes of those reasons
# (``followups.models.NoConversationGround``).
MATURITY = "maturity"
NATURE_OF_CASE = "nature_of_case"
CONVERSATION_MAY_BE_LEFT_OUT = frozenset({MATURITY, NATURE_OF_CASE})


# Cached: the sweep asks it about 13 times per measure, 200,000 times a batch, for a few thousand
# distinct days. The regimes are constants; a datetime is never equal to a date, so it is never
# answered from the cache and raises each time.
@lru_cache(maxsize=8192)
def regime_on(day: datetime.date) -> Regime:
    """The regime in force on ``day``. A day before the first known regime is judged by it (the
    product holds no older law)."""
    if isinstance(day, datetime.datetime):
        raise TypeError("regime_on takes a date in Danish local time, not a datetime")
    for regime in reversed(REGIMES):
        if day >= regime.start:
            return regime
    return REGIMES[0]
