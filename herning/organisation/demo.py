"""Demo organisation: Herning Kommune with three districts, three teams and their staff.

Used by ``seed_demo``. Everything is looked up by a natural key before it is created, so running
the seed again changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction

from herning.organisation.models import (
    District,
    DutyShift,
    Municipality,
    Role,
    RoleAssignment,
    SchoolDistrict,
    Team,
    User,
)

# The demo staff's e-mail domain (a reserved test domain, RFC 2606): how a deploy check tells them apart.
DEMO_EMAIL_DOMAIN = "herning.example"
DEMO_PASSWORD = "herning-demo-2026"  # noqa: S105 - the demo's published password, never used in production

DISTRICTS = [
    ("Nord", ["Sunds", "Hammerum", "Gjellerup"], "Team Nord"),
    ("Midt", ["Herning By", "Gullestrup", "Lindbjerg"], "Team Midt"),
    ("Syd", ["Lind", "Brændgård", "Kibæk"], "Team Syd"),
]

# (username, first name, last name, job title, [(role, team name or None)])
STAFF = [
    ("tl.nord", "Trine", "Holm", "Teamleder", [(Role.TEAM_LEADER, "Team Nord")]),
    (
        "tl.syd",
        "Lars",
        "Bach",
        "Teamleder",
        [(Role.TEAM_LEADER, "Team Midt"), (Role.TEAM_LEADER, "Team Syd")],
    ),
    (
        "anne",
        "Anne",
        "Kjær",
        "Socialrådgiver",
        [(Role.ADVISOR, "Team Nord"), (Role.DUTY_ADVISOR, "Team Nord")],
    ),
    (
        "bo",
        "Bo",
        "Nielsen",
        "Socialrådgiver",
        [(Role.ADVISOR, "Team Nord"), (Role.DUTY_ADVISOR, "Team Nord")],
    ),
    ("camilla", "Camilla", "Juhl", "Socialrådgiver", [(Role.ADVISOR, "Team Nord")]),
    (
        "dorte",
        "Dorte",
        "Lund",
        "Socialrådgiver",
        [(Role.ADVISOR, "Team Nord"), (Role.DUTY_ADVISOR, "Team Nord")],
    ),
    (
        "emil",
        "Emil",
        "Sørensen",
        "Socialrådgiver",
        [(Role.ADVISOR, "Team Midt"), (Role.DUTY_ADVISOR, "Team Midt")],
    ),
    (
        "frida",
        "Frida",
        "Mortensen",
        "Socialrådgiver",
        [(Role.ADVISOR, "Team Midt"), (Role.DUTY_ADVISOR, "Team Midt")],
    ),
    ("gitte", "Gitte", "Poulsen", "Socialrådgiver", [(Role.ADVISOR, "Team Midt")]),
    (
        "henrik",
        "Henrik",
        "Dam",
        "Socialrådgiver",
        [(Role.ADVISOR, "Team Midt"), (Role.DUTY_ADVISOR, "Team Midt")],
    ),
    (
        "ida",
        "Ida",
        "Thomsen",
        "Socialrådgiver",
        [(Role.ADVISOR, "Team Syd"), (Role.DUTY_ADVISOR, "Team Syd")],
    ),
    (
        "jesper",
        "Jesper",
        "Krogh",
        "Socialrådgiver",
        [(Role.ADVISOR, "Team Syd"), (Role.DUTY_ADVISOR, "Team Syd")],
    ),
    ("karen", "Karen", "Vestergaard", "Socialrådgiver", [(Role.ADVISOR, "Team Syd")]),
    ("lone", "Lone", "Skov", "Socialrådgiver", [(Role.ADVISOR, "Team Syd"), (Role.DUTY_ADVISOR, "Team Syd")]),
    ("sekretaer", "Susanne", "Berg", "Administrativ medarbejder", [(Role.CASE_ADMINISTRATOR, None)]),
    (
        "psykolog",
        "Peter",
        "Winther",
        "PPR-psykolog",
        [(Role.PSYCHOLOGIST, "Team Nord"), (Role.PSYCHOLOGIST, "Team Midt")],
    ),
    ("sundhed", "Hanne", "Møller", "Sundhedsplejerske", [(Role.HEALTH_VISITOR, "Team Syd")]),
    ("chef", "Mette", "Frandsen", "Centerchef", [(Role.MANAGEMENT, None)]),
    ("dpo", "Dorthe", "Vind", "Databeskyttelsesrådgiver", [(Role.DATA_PROTECTION, None)]),
    ("admin", "Ole", "Jakobsen", "Systemadministrator", [(Role.SYSTEM_ADMINISTRATOR, None)]),
]


@dataclass
class DemoOrganisation:
    municipality: Municipality
    districts: dict[str, District]
    teams: dict[str, Team]
    users: dict[str, User]


@transaction.atomic
def seed_organisation(*, today: datetime.date, roster_days_back: int = 730, roster_days_ahead: int = 60):
    municipality, _ = Municipality.objects.get_or_create(code="657", defaults={"name": "Herning Kommune"})
    districts: dict[str, District] = {}
    teams: dict[str, Team] = {}
    for district_name, school_districts, team_name in DISTRICTS:
        district, _ = District.objects.get_or_create(
            municipality=municipality, name=f"Distrikt {district_name}"
        )
        districts[district_name] = district
        for sd in school_districts:
            SchoolDistrict.objects.get_or_create(
                district=district, name=sd, defaults={"school_name": f"{sd} Skole"}
            )
        team, _ = Team.objects.get_or_create(district=district, name=team_name)
        teams[team_name] = team

    # Nobody is a superuser: the demo's system administrator is bounded by the municipality like any
    # other (docs/access.md, "The admin"). A demo seeded before that is corrected once.
    User.objects.filter(username__in=[row[0] for row in STAFF], is_superuser=True).update(
        is_superuser=False, is_staff=False
    )
    users: dict[str, User] = {}
    for username, first, last, title, roles in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@{DEMO_EMAIL_DOMAIN}",
                job_title=title,
                municipality=municipality,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        for role, team_name in roles:
            RoleAssignment.objects.get_or_create(
                user=user, role=role, team=teams[team_name] if team_name else None
            )
        users[username] = user

    # The duty roster: the district's duty advisors take turns, one per working day and weekends alike.
    existing = set(
        DutyShift.objects.filter(district__in=districts.values()).values_list("district_id", "date")
    )
    new_shifts = []
    for district_name, district in districts.items():
        team = teams[f"Team {district_name}"]
        on_duty = sorted(
            (
                u
                for u in users.values()
                if any(a.role == Role.DUTY_ADVISOR and a.team_id == team.pk for a in u.role_assignments.all())
            ),
            key=lambda u: u.username,
        )
        for offset in range(-roster_days_back, roster_days_ahead + 1):
            day = today + datetime.timedelta(days=offset)
            if (district.pk, day) in existing:
                continue
            new_shifts.append(
                DutyShift(district=district, date=day, advisor=on_duty[day.toordinal() % len(on_duty)])
            )
    DutyShift.objects.bulk_create(new_shifts)
    return DemoOrganisation(municipality=municipality, districts=districts, teams=teams, users=users)
