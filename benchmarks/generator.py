"""Synthetic case data at scale, written with PostgreSQL COPY, for benchmarks.

Reusable: ``generate(Scale(...))`` builds municipalities with districts, teams, advisors and team
leaders through the ORM (a few hundred rows), then children, cases, measures and past follow-ups
through COPY (hundreds of thousands of rows), all from one seeded random generator, so a run is
repeatable. The national-scale benchmark of a later issue grows ``Scale``.

The data is plausible, not real: CPR numbers are synthetic (birth date + serial), names are
drawn from short lists, follow-ups are spaced by the measure's usual interval with some jitter,
so that most are on time, some late and a few measures have an overdue follow-up.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from cases.models import Case, CaseState, Child
from followups.models import FollowUp
from herning.organisation.models import District, Municipality, Role, RoleAssignment, Team, User
from measures.models import Measure, MeasureType

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

# Share of open measures by code, roughly KORA's picture of a municipality (001 Tab. 2.1-2.3).
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


@dataclass
class Generated:
    municipalities: int = 0
    teams: int = 0
    advisors: int = 0
    children: int = 0
    cases: int = 0
    measures: int = 0
    followups: int = 0


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


def _organisation(scale: Scale, rng: random.Random):
    """Municipalities, districts, teams, advisors and team leaders (through the ORM)."""
    teams: list[tuple[Team, list[int]]] = []
    for m in range(scale.municipalities):
        municipality, _ = Municipality.objects.get_or_create(
            code=f"{900 - m:03d}", defaults={"name": f"Benchmark Kommune {m + 1}"}
        )
        users, assignments = [], []
        for d in range(scale.districts_per_municipality):
            district, _ = District.objects.get_or_create(municipality=municipality, name=f"Distrikt {d + 1}")
            for t in range(scale.teams_per_district):
                team, _ = Team.objects.get_or_create(district=district, name=f"Team {d + 1}.{t + 1}")
                members = []
                for a in range(scale.advisors_per_team + 1):
                    username = f"b{m}-{d}-{t}-{a}"
                    user = User(
                        username=username,
                        first_name=rng.choice(FIRST_NAMES),
                        last_name=rng.choice(LAST_NAMES),
                        email=f"{username}@benchmark.example",
                        municipality=municipality,
                    )
                    users.append(user)
                    members.append((user, Role.TEAM_LEADER if a == 0 else Role.ADVISOR, team))
                teams.append((team, members))
        User.objects.bulk_create(users, ignore_conflicts=True)
        by_name = dict(
            User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk")
        )
        for _team, members in teams[-scale.districts_per_municipality * scale.teams_per_district :]:
            for user, role, team in members:
                assignments.append(RoleAssignment(user_id=by_name[user.username], role=role, team=team))
        RoleAssignment.objects.bulk_create(assignments, ignore_conflicts=True)
    result = []
    for team, members in teams:
        ids = list(
            User.objects.filter(
                username__in=[u.username for u, role, _ in members if role == Role.ADVISOR]
            ).values_list("pk", flat=True)
        )
        result.append((team, ids))
    return result


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
    types = {t.code: t for t in MeasureType.objects.all()}
    codes_weighted = list(MIX)
    weights = [MIX[c] for c in codes_weighted]
    leaders = dict(RoleAssignment.objects.filter(role=Role.TEAM_LEADER).values_list("team_id", "user_id"))

    child_id, case_id, measure_id, followup_id = (_next_id(m) for m in (Child, Case, Measure, FollowUp))
    now = timezone.now()
    children, cases, measures = [], [], []
    codes, ages, recorders = [], [], []
    for n in range(scale.measures):
        team, advisors = teams[n % len(teams)]
        municipality_id = team.district.municipality_id
        # Birth dates cycle through 16 years and the serial counts the cycles: CPR numbers are
        # unique, with the 7th digit giving the right century (law_dubu.md §5).
        birth = today - datetime.timedelta(days=365 + n % BIRTH_DAYS)
        yy = birth.year % 100
        seventh = (4 if yy <= 36 else 5) if birth.year >= 2000 else 0
        cpr = f"{birth:%d%m}{yy:02d}{seventh}{n // BIRTH_DAYS:03d}"
        code = rng.choices(codes_weighted, weights)[0]
        age = rng.randint(0, scale.max_measure_age_days)
        start = today - datetime.timedelta(days=age)
        advisor = rng.choice(advisors)
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
                types[code].ladder_step_id,
                start,
                "",
                "",
                now,
            )
        )
        measures.append(
            (
                measure_id,
                case_id,
                types[code].pk,
                "",
                start,
                Measure.DecisionBasis.WITH_CONSENT,
                types[code].legal_basis_id,
                "",
                "",
                leaders.get(team.pk, advisor),
                now,
            )
        )
        codes.append(code)
        ages.append(age)
        recorders.append(advisor)
        child_id, case_id, measure_id = child_id + 1, case_id + 1, measure_id + 1

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
            "decision_basis",
            "legal_basis_id",
            "ending_reason",
            "ending_note",
            "decided_by_id",
            "created_at",
        ],
        measures,
    )

    counts = _plan_counts(ages, codes, scale.followups, rng)

    def followup_rows():
        nonlocal followup_id
        for (mid, *_rest), _code, age, count, recorder in zip(
            measures, codes, ages, counts, recorders, strict=True
        ):
            if not count:
                continue
            start = today - datetime.timedelta(days=age)
            step = age / (count + 0.6)
            for k in range(count):
                jitter = rng.randint(-4, 2) if rng.random() < 0.85 else rng.randint(3, 20)
                held = start + datetime.timedelta(days=max(1, min(age, round(step * (k + 1)) + jitter)))
                first = k == 0 and start >= datetime.date(2024, 1, 1)
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
    for model in (Child, Case, Measure, FollowUp):
        _reset_sequence(model)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return out
