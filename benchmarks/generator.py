"""Synthetic case data at scale, written with PostgreSQL COPY, for benchmarks.

Reusable: ``generate(Scale(...))`` builds municipalities with districts, teams, advisors and team
leaders through the ORM (a few hundred rows), then children, cases, measures and past follow-ups
through COPY (hundreds of thousands of rows), all from one seeded random generator, so a run is
repeatable.

Two shapes. The default (``Scale()``, the sweep and dashboard benchmarks) is one municipality with
one child, one case and one open measure per row. The national shape (``SCALES["national"]``,
issue 10) is a shared installation for all 98 municipalities: 100,000 children with an open case,
4,000 advisors in 400 teams (spread over the municipalities by size), 300,000 measures (each case's
earlier ones ended), 1,000,000 past follow-ups, 200,000 journal notes, and what the pages show
besides: a ladder movement per measure, a notification per child, a plan with goals per case.
Deadlines and reminders come from the sweep, as in production (``followups.sweep``).

    .venv/bin/python -m benchmarks.dataset --scale national     # into herning_bench_national
    .venv/bin/python -m benchmarks.dataset --scale small        # the smoke test's size

The data is plausible, not real: CPR numbers are synthetic (birth date + serial), names are
drawn from short lists, follow-ups are spaced by the measure's usual interval with some jitter,
so that most are on time, some late and a few measures have an overdue follow-up.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection, transaction
from django.utils import timezone

from cases.models import Case, CaseState, Child, Goal, JournalNote, Notification, Plan
from followups.models import FollowUp
from herning.core import law
from herning.organisation.models import District, Municipality, Role, RoleAssignment, Team, User
from measures.models import LadderMovement, Measure, MeasureType

FIRST_NAMES = [
    "Emma",
    "Noah",
    "Ida",
    "William",
    "Freja",
    "Oscar",
    "Alma",
    "Lucas",
    "Clara",
    "Carl",
    "Ella",
    "Alfred",
]
LAST_NAMES = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
]

# Share of open measures by code, roughly KORA's picture of a municipality (KORA 2017, Tab. 2.1-2.3).
MIX = {
    "preventive": 0.20,
    "family_treatment": 0.12,
    "contact_person": 0.12,
    "respite_care": 0.06,
    "private_contact_person": 0.05,
    "mst": 0.03,
    "early_support": 0.04,
    "foster_family": 0.12,
    "network_foster_family": 0.06,
    "special_foster_family": 0.04,
    "institution": 0.08,
    "secure_institution": 0.01,
    "short_term_placement": 0.01,
    "own_room": 0.03,
    "boarding_school": 0.02,
    "supported_housing": 0.01,
}
# Usual days between follow-ups, to space the synthetic ones.
INTERVAL_DAYS = {
    "institution": 42,
    "secure_institution": 42,
    "short_term_placement": 28,
    "foster_family": 60,
    "special_foster_family": 60,
    "network_foster_family": 60,
    "own_room": 42,
    "boarding_school": 91,
    "supported_housing": 42,
    "preventive": 91,
    "mst": 30,
    "contact_person": 91,
    "private_contact_person": 91,
    "family_treatment": 60,
    "respite_care": 91,
    "early_support": 182,
}


BIRTH_DAYS = 16 * 365


@dataclass(frozen=True)
class Scale:
    measures: int = 100_000
    followups: int = 1_000_000
    municipalities: int = 1
    districts_per_municipality: int = 10
    teams_per_district: int = 4
    advisors_per_team: int = 25
    max_measure_age_days: int = 4 * 365
    seed: str = "herning-benchmark"
    today: datetime.date = field(default_factory=timezone.localdate)
    # The national shape: ``children`` open cases share the measures (the earlier ones of a case
    # ended); ``teams`` are spread over the municipalities by size. None keeps one child, case
    # and open measure per measure, and ``districts_per_municipality`` x ``teams_per_district``
    # teams in every municipality.
    children: int | None = None
    teams: int | None = None
    journal_notes: int = 0
    # A ladder movement per measure, a notification per child and a plan with goals per case.
    case_records: bool = False
    goals_per_plan: int = 2


SCALES = {
    # A shared installation for every municipality (issue 10): 25 open cases per advisor, the cap.
    "national": Scale(
        children=100_000,
        measures=300_000,
        followups=1_000_000,
        municipalities=98,
        teams=400,
        teams_per_district=2,
        advisors_per_team=10,
        journal_notes=200_000,
        case_records=True,
    ),
    # The smoke test's: the same shape, small enough to build in a second.
    "small": Scale(
        children=240,
        measures=720,
        followups=2_400,
        municipalities=3,
        teams=6,
        teams_per_district=2,
        advisors_per_team=4,
        journal_notes=480,
        case_records=True,
    ),
}

# Every benchmark user's password (the benchmark logs in through the login page).
PASSWORD = "herning-benchmark-2026"  # noqa: S105 - synthetic users in a benchmark database only


@dataclass
class Generated:
    municipalities: int = 0
    teams: int = 0
    advisors: int = 0
    children: int = 0
    cases: int = 0
    measures: int = 0
    followups: int = 0
    journal_notes: int = 0
    plans: int = 0
    goals: int = 0
    notifications: int = 0
    ladder_movements: int = 0
    history_rows: int = 0


def _copy(table: str, columns: list[str], rows) -> int:
    """COPY ``rows`` into ``table``; returns how many."""
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
        return cursor.fetchone()[0]


def _reset_sequence(model) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def _teams_per_municipality(scale: Scale) -> list[int]:
    """How many teams each municipality has. The national shape spreads ``scale.teams`` by size,
    a few large municipalities and many small ones (Danish municipalities range from 2,000 to
    650,000 inhabitants), at least one team each."""
    if scale.teams is None:
        return [scale.districts_per_municipality * scale.teams_per_district] * scale.municipalities
    if scale.teams < scale.municipalities:
        raise ValueError("Every municipality needs at least one team.")
    weights = [1 / (m + 1) ** 0.9 for m in range(scale.municipalities)]
    spare = scale.teams - scale.municipalities
    shares = [spare * w / sum(weights) for w in weights]
    counts = [1 + int(share) for share in shares]
    order = sorted(range(len(shares)), key=lambda m: shares[m] - int(shares[m]), reverse=True)
    for m in order[: scale.teams - sum(counts)]:
        counts[m] += 1
    return counts


def _organisation(scale: Scale, rng: random.Random):
    """Municipalities, districts, teams, advisors and team leaders (through the ORM).

    Returns ``(team, [advisor ids])`` for every team."""
    # The production hasher, so the users can log in whatever settings serve them (the test
    # settings hash with MD5, which production does not accept).
    password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    teams: list[tuple[Team, list[int]]] = []
    for m, team_count in enumerate(_teams_per_municipality(scale)):
        municipality, _ = Municipality.objects.get_or_create(
            code=f"{900 - m:03d}", defaults={"name": f"Benchmark Kommune {m + 1}"}
        )
        users, assignments, members_of = [], [], []
        for n in range(team_count):
            d, t = divmod(n, scale.teams_per_district)
            district, _ = District.objects.get_or_create(municipality=municipality, name=f"Distrikt {d + 1}")
            team, _ = Team.objects.get_or_create(district=district, name=f"Team {d + 1}.{t + 1}")
            members = []
            for a in range(scale.advisors_per_team + 1):
                username = f"b{m}-{d}-{t}-{a}"
                user = User(
                    username=username,
                    password=password,
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    email=f"{username}@benchmark.example",
                    municipality=municipality,
                )
                users.append(user)
                members.append((user, Role.TEAM_LEADER if a == 0 else Role.ADVISOR))
            members_of.append((team, members))
        User.objects.bulk_create(users, ignore_conflicts=True)
        by_name = dict(
            User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk")
        )
        for team, members in members_of:
            for user, role in members:
                assignments.append(RoleAssignment(user_id=by_name[user.username], role=role, team=team))
            teams.append((team, [by_name[u.username] for u, role in members if role == Role.ADVISOR]))
        RoleAssignment.objects.bulk_create(assignments, ignore_conflicts=True)
    return teams


def _plan_counts(ages: list[int], codes: list[str], total: int, rng: random.Random) -> list[int]:
    """How many past follow-ups each measure gets: proportional to its age over its usual
    interval, scaled so the total is exactly ``total``."""
    raw = [max(age / INTERVAL_DAYS[code], 0.0) for age, code in zip(ages, codes, strict=True)]
    factor = total / sum(raw) if sum(raw) else 0
    counts = [int(r * factor) for r in raw]
    short = total - sum(counts)
    order = sorted(range(len(raw)), key=lambda i: raw[i] * factor - counts[i], reverse=True)
    for i in order[:short]:
        counts[i] += 1
    return counts


def _measures_per_case(children: int, measures: int, rng: random.Random) -> list[int]:
    """How many measures each case has had, one to six, adding up to ``measures``."""
    if measures < children:
        raise ValueError("Every case needs at least one measure.")
    mean = measures / children
    counts = [max(1, min(6, round(rng.gauss(mean, 1.0)))) for _ in range(children)]
    difference = measures - sum(counts)
    while difference:
        i = rng.randrange(children)
        if difference > 0 and counts[i] < 6:
            counts[i], difference = counts[i] + 1, difference - 1
        elif difference < 0 and counts[i] > 1:
            counts[i], difference = counts[i] - 1, difference + 1
    return counts


def _moment(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)


@dataclass
class _Case:
    """What the later tables need to know about a generated case."""

    id: int
    child_id: int
    municipality_id: int
    district_id: int
    advisor: int
    leader: int
    opened: datetime.date
    age: int


@transaction.atomic
def generate(scale: Scale = Scale()) -> Generated:
    """Write the data of ``scale`` into the current database (PostgreSQL)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The benchmark generator writes with PostgreSQL COPY.")
    rng = random.Random(scale.seed)
    today = scale.today
    out = Generated()
    teams = _organisation(scale, rng)
    out.municipalities, out.teams = scale.municipalities, len(teams)
    out.advisors = sum(len(ids) for _, ids in teams)
    types = {t.code: t for t in MeasureType.objects.select_related("ladder_step")}
    codes_weighted = list(MIX)
    weights = [MIX[c] for c in codes_weighted]
    leaders = dict(RoleAssignment.objects.filter(role=Role.TEAM_LEADER).values_list("team_id", "user_id"))
    municipality_of = {team.pk: team.district.municipality_id for team, _ in teams}

    child_count = scale.children or scale.measures
    per_case = _measures_per_case(child_count, scale.measures, rng) if scale.children else [1] * child_count
    child_id, case_id, measure_id, followup_id = (_next_id(m) for m in (Child, Case, Measure, FollowUp))
    now = timezone.now()
    children, cases, measures, movements = [], [], [], []
    spans, codes, recorders, made = [], [], [], []
    for n in range(child_count):
        team, advisors = teams[n % len(teams)]
        # Every advisor gets the same share of the cases (the national shape: the cap of 25).
        advisor = advisors[(n // len(teams)) % len(advisors)]
        leader = leaders.get(team.pk, advisor)
        municipality_id = municipality_of[team.pk]
        # Birth dates cycle through 16 years and the serial counts the cycles: CPR numbers are
        # unique, with the 7th digit giving the right century (cpr.dk, "Opbygning af CPR-nummeret").
        birth = today - datetime.timedelta(days=365 + n % BIRTH_DAYS)
        yy = birth.year % 100
        seventh = (4 if yy <= 36 else 5) if birth.year >= 2000 else 0
        cpr = f"{birth:%d%m}{yy:02d}{seventh}{n // BIRTH_DAYS:03d}"
        count = per_case[n]
        age = rng.randint(0 if count == 1 else 30 * count, scale.max_measure_age_days)
        opened = today - datetime.timedelta(days=age)
        # A case's measures follow one another and the earlier ones ended; with three or more,
        # the last two may run side by side (a placement with a contact person beside it).
        still_open = 1 if count < 3 else rng.choice((1, 2))
        ended = count - still_open
        segment = age / (ended + 1)
        case_codes = [rng.choices(codes_weighted, weights)[0] for _ in range(count)]
        previous_step = None
        for j, code in enumerate(case_codes):
            start = opened + datetime.timedelta(days=round(segment * min(j, ended)))
            end = opened + datetime.timedelta(days=round(segment * (j + 1)) - 1) if j < ended else None
            measure_type = types[code]
            measures.append(
                (
                    measure_id,
                    case_id,
                    measure_type.pk,
                    "",
                    start,
                    end,
                    Measure.DecisionBasis.WITH_CONSENT,
                    measure_type.legal_basis_id,
                    rng.choice(("changed_measure", "planned", "goals_met")) if end else "",
                    "",
                    leader,
                    now,
                    # The child heard before the measure (Barnets Lov § 5, stk. 3), as the service asks.
                    start - datetime.timedelta(days=5),
                    "Barnet er hørt om indsatsen.",
                    "",
                    "",
                    "",
                )
            )
            if scale.case_records:
                step = measure_type.ladder_step_id
                movements.append(
                    (
                        case_id,
                        start,
                        "first_measure" if previous_step is None else "greater_need",
                        "",
                        _moment(start),
                        leader,
                        previous_step,
                        step,
                        measure_id,
                    )
                )
                previous_step = step
            spans.append((measure_id, start, ((end or today) - start).days))
            codes.append(code)
            recorders.append(advisor)
            measure_id += 1
        children.append(
            (
                child_id,
                municipality_id,
                cpr,
                birth,
                "F" if n % 2 else "M",
                rng.choice(FIRST_NAMES),
                rng.choice(LAST_NAMES),
                "",
                "",
                "",
                team.district_id,
                "",
                now,
            )
        )
        cases.append(
            (
                case_id,
                child_id,
                municipality_id,
                team.district_id,
                team.pk,
                advisor,
                CaseState.MEASURES,
                types[case_codes[-1]].ladder_step_id,
                opened,
                "",
                "",
                now,
            )
        )
        made.append(_Case(case_id, child_id, municipality_id, team.district_id, advisor, leader, opened, age))
        child_id, case_id = child_id + 1, case_id + 1

    out.children = _copy(
        Child._meta.db_table,
        [
            "id",
            "municipality_id",
            "cpr",
            "birth_date",
            "legal_sex",
            "first_name",
            "last_name",
            "address",
            "postal_code",
            "city",
            "district_id",
            "school_or_daycare",
            "created_at",
        ],
        children,
    )
    out.cases = _copy(
        Case._meta.db_table,
        [
            "id",
            "child_id",
            "municipality_id",
            "district_id",
            "team_id",
            "advisor_id",
            "state",
            "current_step_id",
            "opened_on",
            "closing_reason",
            "closing_note",
            "updated_at",
        ],
        cases,
    )
    out.measures = _copy(
        Measure._meta.db_table,
        [
            "id",
            "case_id",
            "measure_type_id",
            "provider",
            "start_date",
            "actual_end",
            "decision_basis",
            "legal_basis_id",
            "ending_reason",
            "ending_note",
            "decided_by_id",
            "created_at",
            "hearing_on",
            "hearing_note",
            "hearing_omitted",
            "hearing_omitted_note",
            "plan_exception",
        ],
        measures,
    )

    counts = _plan_counts([days for _, _, days in spans], codes, scale.followups, rng)

    def followup_rows():
        nonlocal followup_id
        for (mid, start, days), count, recorder in zip(spans, counts, recorders, strict=True):
            if not count:
                continue
            step = days / (count + 0.6)
            decided = False
            for k in range(count):
                jitter = rng.randint(-4, 2) if rng.random() < 0.85 else rng.randint(3, 20)
                held = start + datetime.timedelta(days=max(1, min(days, round(step * (k + 1)) + jitter)))
                # Barnets Lov § 95, stk. 3: decided at the first follow-up held under it.
                first = not decided and law.regime_on(held).cadence_decided_at_first_followup
                decided = decided or first
                yield (
                    followup_id,
                    mid,
                    held,
                    "meeting",
                    "Barnet og forældrene",
                    k % 3 == 0,
                    True,
                    "",
                    "",
                    "continue",
                    "",
                    "",
                    6 if first else None,
                    "Standard" if first else "",
                    recorder,
                    now,
                )
                followup_id += 1

    out.followups = _copy(
        FollowUp._meta.db_table,
        [
            "id",
            "measure_id",
            "held_on",
            "form",
            "participants",
            "supervisory_visit",
            "child_conversation_held",
            "no_conversation_reason",
            "summary",
            "decision",
            "decision_note",
            "later_than_rule_reason",
            "statutory_cadence_months",
            "cadence_reason",
            "recorded_by_id",
            "recorded_at",
        ],
        followup_rows(),
    )
    out.journal_notes = _copy(
        JournalNote._meta.db_table,
        ["case_id", "heading", "occurred_on", "text", "written_by_id", "written_at", "correction_reason"],
        _journal_rows(scale, made, today, rng),
    )
    if scale.case_records:
        _case_records(scale, made, movements, today, rng, out)
    for model in (Child, Case, Measure, FollowUp, JournalNote, LadderMovement, Notification, Plan, Goal):
        _reset_sequence(model)
    out.history_rows = _history_rows()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return out


# The moment a record was written, where it keeps one; the others' history starts when generated.
WRITTEN_AT = ("created_at", "recorded_at", "written_at")


def _history_rows() -> int:
    """One creation row ('+') in the history table of every tracked record COPY wrote without one.

    The application writes a history row with every save, and the API's ``updated_at`` and the
    child page's goal statuses read them: without these rows the benchmark would measure reads
    that production never has. Written in one INSERT ... SELECT per table, as the data already
    are in the tracked table."""
    from simple_history.models import registered_models

    total = 0
    with connection.cursor() as cursor:
        for model in registered_models.values():
            history = model.history.model
            own = {f.name for f in model._meta.concrete_fields}
            columns = [
                f.column
                for f in history._meta.concrete_fields
                if not f.name.startswith("history_") and f.name in own
            ]
            when = next(
                (f'COALESCE(t."{name}", now())' for name in WRITTEN_AT if name in own),
                "now()",
            )
            listed = ", ".join(f'"{c}"' for c in columns)
            picked = ", ".join(f't."{c}"' for c in columns)
            table, kept, key = model._meta.db_table, history._meta.db_table, model._meta.pk.column
            cursor.execute(
                f'INSERT INTO "{kept}" ({listed}, history_date, history_type) '
                f"SELECT {picked}, {when}, '+' FROM \"{table}\" t "
                f'WHERE NOT EXISTS (SELECT 1 FROM "{kept}" h WHERE h."{key}" = t."{key}")'
            )
            total += cursor.rowcount
    return total


JOURNAL_HEADINGS = ["phone_call", "meeting", "home_visit", "correspondence", "note", "child_conversation"]


def _journal_rows(scale: Scale, made: list[_Case], today: datetime.date, rng: random.Random):
    """``scale.journal_notes`` notes, spread evenly over the cases, dated within each case's life."""
    for n in range(scale.journal_notes):
        case = made[n % len(made)]
        day = case.opened + datetime.timedelta(days=rng.randint(0, case.age))
        yield (
            case.id,
            rng.choice(JOURNAL_HEADINGS),
            day,
            "Samtale med forældrene om barnets trivsel i skolen og hjemme. Aftalt næste skridt.",
            case.advisor,
            _moment(day, 10),
            "",
        )


def _case_records(scale, made, movements, today, rng, out: Generated) -> None:
    """Ladder movements, the notification each case started from, and a plan with goals."""
    out.ladder_movements = _copy(
        LadderMovement._meta.db_table,
        [
            "case_id",
            "date",
            "reason",
            "note",
            "recorded_at",
            "recorded_by_id",
            "from_step_id",
            "to_step_id",
            "measure_id",
        ],
        movements,
    )
    out.notifications = _copy(
        Notification._meta.db_table,
        [
            "municipality_id",
            "district_id",
            "child_id",
            "case_id",
            "received_at",
            "notifier_kind",
            "notifier_name",
            "notifier_organisation",
            "notifier_email",
            "notifier_phone",
            "concern",
            "registered_by_id",
            "registered_at",
            "assessment_due_at",
            "assessed_at",
            "assessed_by_id",
            "acute_danger",
            "assessment_action",
            "receipt_due_on",
            "receipt_sent_on",
            "advisor_informed_at",
        ],
        (
            (
                c.municipality_id,
                c.district_id,
                c.child_id,
                c.id,
                _moment(c.opened, 8),
                "professional",
                "Skolen",
                "Benchmark Skole",
                "",
                "",
                "Barnet kommer ofte for sent og virker træt.",
                c.advisor,
                _moment(c.opened, 8),
                _moment(c.opened + datetime.timedelta(days=1), 8),
                _moment(c.opened, 11),
                c.advisor,
                False,
                "Vurderet: ingen akut fare.",
                c.opened + datetime.timedelta(days=6),
                c.opened + datetime.timedelta(days=2),
                _moment(c.opened, 12),
            )
            for c in made
        ),
    )
    plan_id = _next_id(Plan)
    plans, goals = [], []
    for c in made:
        made_on = c.opened + datetime.timedelta(days=min(c.age, 30))
        plans.append(
            (
                plan_id,
                c.id,
                "handleplan",
                1,
                "Barnet trives og går i skole.",
                None,
                made_on,
                c.leader,
                _moment(made_on),
            )
        )
        for g in range(scale.goals_per_plan):
            goals.append(
                (
                    plan_id,
                    ("Kommer i skole hver dag", "Har en fritidsaktivitet", "Sover om natten")[g % 3],
                    "Barnet og forældrene",
                    "Fremmøde og samtaler",
                    today + datetime.timedelta(days=rng.randint(30, 365)),
                    rng.choice(("not_started", "in_progress", "partly_met")),
                    "",
                    g,
                )
            )
        plan_id += 1
    out.plans = _copy(
        Plan._meta.db_table,
        ["id", "case_id", "kind", "version", "purpose", "due_on", "made_on", "created_by_id", "created_at"],
        plans,
    )
    out.goals = _copy(
        Goal._meta.db_table,
        ["plan_id", "what", "who", "how_measured", "by_when", "status", "status_note", '"order"'],
        goals,
    )
