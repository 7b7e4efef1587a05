"""Registering many children and opening many cases at once, for imports (the DUBU exchange).

The rules are those of ``cases.services`` (``child_create``, ``case_open``, ``case_assign``),
checked for a whole batch in a fixed number of queries instead of a few dozen per record: a CPR
number is one child in a municipality, a child has at most one open case, the team belongs to the
case's district, the advisor works in the team, and no advisor is given cases above the team's
caseload cap (docs/domain.md §5). History rows carry the acting person, as the services' do.

What the single-record services do beyond the rules is left out on purpose: no e-mail per case
("you have been given case no. …") is sent for cases that come from another system, where the
advisor already has them.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import deadlines as case_deadlines
from cases.caseload import open_case_counts, over_cap_message
from cases.models import Case, CaseState, Child, JournalNote, LegalBasis, Plan
from cases.services import STATE_LEGAL_BASIS, plan_kind_for
from herning.api import feed
from herning.api.models import ChangeEvent
from herning.core import cpr as cpr_lib
from herning.core.history import bulk_create_with_history, bulk_history_create
from herning.organisation.models import District, Team, User

BATCH = 1000


@dataclass
class NewChild:
    cpr: str  # ten digits
    first_name: str
    last_name: str
    district: District


@dataclass
class NewCase:
    child: Child
    team: Team
    advisor: User | None
    opened_on: datetime.date


def check_children(*, municipality, children: list[NewChild]) -> dict[int, ValidationError]:
    """What would refuse each new child, by its index in ``children`` (one query)."""
    errors: dict[int, ValidationError] = {}
    known = set(
        Child.objects.for_system()
        .filter(municipality=municipality, cpr__in=[c.cpr for c in children])
        .values_list("cpr", flat=True)
    )
    seen: set[str] = set()
    for n, spec in enumerate(children):
        if spec.cpr in known or spec.cpr in seen:
            errors[n] = ValidationError({"cpr": _("Kommunen kender allerede et barn med dette CPR-nummer.")})
        elif spec.district.municipality_id != municipality.pk:
            errors[n] = ValidationError({"district": _("Distriktet hører til en anden kommune.")})
        else:
            try:
                _child(municipality, spec).full_clean(
                    exclude=["municipality", "district", "school_district"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as error:
                errors[n] = error
        seen.add(spec.cpr)
    return errors


def _child(municipality, spec: NewChild) -> Child:
    parsed = cpr_lib.parse(spec.cpr)
    return Child(
        municipality=municipality,
        cpr=parsed.digits,
        birth_date=parsed.birth_date,
        legal_sex=parsed.legal_sex,
        first_name=spec.first_name,
        last_name=spec.last_name,
        district=spec.district,
    )


@transaction.atomic
def children_create(*, municipality, children: list[NewChild], created_by: User) -> list[Child]:
    """Register ``children``; refused as a whole if any of them would be (``check_children``)."""
    errors = check_children(municipality=municipality, children=children)
    if errors:
        raise next(iter(errors.values()))
    objects = [_child(municipality, spec) for spec in children]
    created = bulk_create_with_history(objects, Child, batch_size=BATCH, default_user=created_by)
    # Bulk history sends no signal: the change feed is written here (herning.api.feed).
    feed.record_many(created, ChangeEvent.Kind.CREATED)
    return created


def caseload_error(advisor: User, team: Team, load: int) -> ValidationError:
    """The page's and the API's refusal (cases.caseload); an import offers no override."""
    return ValidationError(
        {"advisor": over_cap_message(advisor=advisor, load=load, team=team, leads_team=False)}
    )


def check_cases(*, cases: list[NewCase], lock: bool = False) -> dict[int, ValidationError]:
    """What would refuse each new case, by its index in ``cases``: the child has an open case (or
    gets two here), the advisor is not in the team, or the advisor's load would pass the team's cap.
    With ``lock`` the advisors' rows are locked first, so two imports cannot both pass the cap."""
    errors: dict[int, ValidationError] = {}
    advisor_ids = {c.advisor.pk for c in cases if c.advisor is not None}
    if lock and advisor_ids:
        list(User.objects.select_for_update().filter(pk__in=advisor_ids).values_list("pk", flat=True))
    open_children = set(
        Case.objects.for_system()
        .open()
        .filter(child__in=[c.child.pk for c in cases if c.child.pk])
        .values_list("child_id", flat=True)
    )
    # Each advisor's open cases, as the pages count the load (``cases.caseload``).
    loads = Counter(open_case_counts(advisor_ids))
    seen_children: set[int] = set()
    for n, spec in enumerate(cases):
        child_key = spec.child.pk or id(spec.child)
        if spec.child.pk in open_children or child_key in seen_children:
            errors[n] = ValidationError(_("Barnet har allerede en åben sag."))
            continue
        seen_children.add(child_key)
        advisor = spec.advisor
        if advisor is None:
            continue
        if not advisor.is_advisor_in(spec.team):
            errors[n] = ValidationError(
                {
                    "advisor": _("%(person)s er ikke socialrådgiver i %(team)s.")
                    % {"person": advisor, "team": spec.team}
                }
            )
            continue
        if loads[advisor.pk] >= spec.team.caseload_cap:
            errors[n] = caseload_error(advisor, spec.team, loads[advisor.pk])
            continue
        loads[advisor.pk] += 1
    return errors


@transaction.atomic
def cases_open(*, cases: list[NewCase], opened_by: User) -> list[Case]:
    """Open ``cases`` in clarification, each with its advisor (or none, for the team leader to
    assign); refused as a whole if any of them would be (``check_cases``, with the advisors locked)."""
    errors = check_cases(cases=cases, lock=True)
    if errors:
        raise next(iter(errors.values()))
    basis = LegalBasis.objects.filter(code=STATE_LEGAL_BASIS[CaseState.CLARIFICATION]).first()
    objects = [
        Case(
            child=spec.child,
            municipality_id=spec.child.municipality_id,
            district_id=spec.team.district_id,
            team=spec.team,
            advisor=spec.advisor,
            state=CaseState.CLARIFICATION,
            opened_on=spec.opened_on,
            legal_basis=basis,
        )
        for spec in cases
    ]
    created = bulk_create_with_history(objects, Case, batch_size=BATCH, default_user=opened_by)
    feed.record_many(created, ChangeEvent.Kind.CREATED)
    return created


# --- Many cases' state and plans, after an import of their measures (measures.bulk) -----------


class _LazyBases(dict):
    """The legal bases of the states (code → basis), read on first use only: most imports move
    cases into the measures state, which takes its basis from the measure."""

    def __missing__(self, code):
        self.update({b.code: b for b in LegalBasis.objects.filter(code__in=STATE_LEGAL_BASIS.values())})
        self.setdefault(code, None)
        return dict.__getitem__(self, code)


def state_bases() -> dict[str, LegalBasis | None]:
    """The ``bases`` argument of ``cases.services.apply_state`` for a batch of cases."""
    return _LazyBases()


@transaction.atomic(savepoint=False)
def case_states_save(*, cases: list[Case], by, opened: Collection[int] = ()) -> None:
    """Write the cases' new state, step and legal basis, with their history rows. On PostgreSQL in
    one ``UPDATE ... FROM (VALUES ...)``: Django's ``bulk_update`` builds a CASE per row and field,
    which costs seconds for the thousands of cases of a first import.

    ``opened`` names cases opened earlier in the same transaction (an import's new cases, moved
    into their measures' state by the same rows). Opening and moving them is one change: their
    opening history row is brought to the state written here instead of a second row, which would
    read as a later change by the same person."""
    if not cases:
        return
    now = timezone.now()
    for case in cases:
        case.updated_at = now
    fresh = [c for c in cases if c.pk in opened]
    later = [c for c in cases if c.pk not in opened]
    _states_update(Case._meta.db_table, cases, now)
    _states_update(Case.history.model._meta.db_table, fresh, now, only_opening_row=True)
    bulk_history_create(Case, later, user=by)
    feed.record_many(cases, ChangeEvent.Kind.UPDATED)


def _states_update(table: str, cases: list[Case], now, *, only_opening_row: bool = False) -> None:
    """Set state, step, legal basis and ``updated_at`` of ``cases`` in ``table`` (the cases' own
    table, or their history table's opening rows), in one statement per batch."""
    if not cases:
        return
    if connection.vendor != "postgresql":
        # SQLite (the quick start): a few cases at a time, one statement each is quick enough.
        rows = Case.objects.for_system() if not only_opening_row else Case.history.filter(history_type="+")
        for case in cases:
            rows.filter(id=case.pk).update(
                state=case.state,
                current_step_id=case.current_step_id,
                legal_basis_id=case.legal_basis_id,
                updated_at=now,
            )
        return
    opening = " AND c.history_type = '+'" if only_opening_row else ""
    for start in range(0, len(cases), BATCH):
        batch = cases[start : start + BATCH]
        rows = ", ".join(["(%s, %s, %s::bigint, %s::bigint)"] * len(batch))
        params = [v for c in batch for v in (c.pk, c.state, c.current_step_id, c.legal_basis_id)]
        with connection.cursor() as cursor:
            cursor.execute(
                # The table names are the models' own; every value is a parameter.
                f"UPDATE {table} AS c SET state = v.state, current_step_id = v.step, "  # noqa: S608
                f"legal_basis_id = v.basis, updated_at = %s FROM (VALUES {rows}) AS v(id, state, step, basis) "
                f"WHERE c.id = v.id{opening}",
                [now, *params],
            )


@transaction.atomic(savepoint=False)
def plans_require_many(
    *, placements: dict[int, datetime.date], cases: dict[int, Case], required_by
) -> list[Plan]:
    """BL § 91: a case placed without a plan gets the plan due three months after the placement."""
    with_plan = set(Plan.objects.for_system().filter(case__in=placements).values_list("case_id", flat=True))
    plans = [
        Plan(
            case=cases[case_id],
            kind=plan_kind_for(cases[case_id].child, start),
            version=1,
            due_on=case_deadlines.plan_due(start),
            created_by=required_by,
        )
        for case_id, start in placements.items()
        if case_id not in with_plan
    ]
    created = bulk_create_with_history(plans, Plan, batch_size=BATCH, default_user=required_by)
    feed.record_many(created, ChangeEvent.Kind.CREATED)
    return created


# --- Many journal notes, for follow-ups imported from another system (followups.bulk) ---------


@dataclass
class NewNote:
    case_id: int
    heading: str
    occurred_on: datetime.date
    text: str


@transaction.atomic(savepoint=False)
def journal_add_many(*, notes: list[NewNote], written_by: User) -> list[JournalNote]:
    """Write ``notes`` in their cases' journals, in the order given, with their history rows."""
    rows = [
        JournalNote(
            case_id=n.case_id,
            heading=n.heading,
            occurred_on=n.occurred_on,
            text=n.text,
            written_by=written_by,
        )
        for n in notes
    ]
    return bulk_create_with_history(rows, JournalNote, batch_size=BATCH, default_user=written_by)
