"""factory-boy factories and small helpers shared by the tests of every app."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from cases.models import Case, CaseState, Child, LegalBasis, Notification
from herning.organisation.models import (
    District,
    Municipality,
    Role,
    RoleAssignment,
    SchoolDistrict,
    Team,
    User,
)
from measures.models import LadderStep, Measure, MeasureType
from measures.services import Hearing

# The child's hearing before a measure starts (measures.services.Hearing): the tests start their
# measures after it, on a day before any start date they use.
HEARD = Hearing(on=datetime.date(2000, 1, 1), note="Barnet er hørt om indsatsen og er enig i den.")

TEST_PASSWORD = "correct-horse-battery-staple"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Testkommune {n}")
    code = factory.Sequence(lambda n: f"{900 + n % 99:03d}")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Distrikt {n}")


class SchoolDistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolDistrict

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Skoledistrikt {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    email = factory.LazyAttribute(lambda u: f"{u.username}@kommune.example")
    municipality = factory.SubFactory(MunicipalityFactory)
    password = factory.django.Password(TEST_PASSWORD)


def staff(
    *, username: str, municipality: Municipality, roles: list[tuple[str, Team | None]], **extra
) -> User:
    """A member of staff holding ``roles`` (role, team) in ``municipality``."""
    user = UserFactory(username=username, municipality=municipality, **extra)
    for role, team in roles:
        RoleAssignment.objects.create(user=user, role=role, team=team)
    return user


__all__ = [
    "TEST_PASSWORD",
    "DistrictFactory",
    "MunicipalityFactory",
    "Role",
    "SchoolDistrictFactory",
    "TeamFactory",
    "UserFactory",
    "staff",
]


# --- Children, cases and measures -------------------------------------------------------------


def cpr_for(birth: datetime.date, serial: int, *, female: bool = True) -> str:
    """A CPR number for ``birth`` whose 7th digit gives the right century (not mod-11 checked)."""
    yy = birth.year % 100
    seventh = (4 if yy <= 36 else 5) if birth.year >= 2000 else 0
    last = (serial % 5) * 2 + (0 if female else 1)
    return f"{birth:%d%m}{yy:02d}{seventh}{serial % 100:02d}{last}"


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    municipality = factory.SubFactory(MunicipalityFactory)
    district = factory.SubFactory(DistrictFactory, municipality=factory.SelfAttribute("..municipality"))
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    cpr = factory.Sequence(lambda n: cpr_for(datetime.date(2012, 1, 1) + datetime.timedelta(days=n), n))


class CaseFactory(factory.django.DjangoModelFactory):
    """An open case; pass ``team`` (its district and municipality follow) and ``advisor``."""

    class Meta:
        model = Case

    team = factory.SubFactory(TeamFactory)
    district = factory.SelfAttribute("team.district")
    municipality = factory.SelfAttribute("team.district.municipality")
    child = factory.SubFactory(
        ChildFactory,
        municipality=factory.SelfAttribute("..municipality"),
        district=factory.SelfAttribute("..district"),
    )
    advisor = None
    state = CaseState.CLARIFICATION
    opened_on = factory.LazyFunction(timezone.localdate)


def measure_type(code: str) -> MeasureType:
    """A measure type of the shipped catalog (loaded by migration)."""
    return MeasureType.objects.get(code=code)


def ladder_step(number: int) -> LadderStep:
    return LadderStep.objects.get(number=number)


def legal_basis(code: str) -> LegalBasis:
    return LegalBasis.objects.get(code=code)


__all__ += [
    "CaseFactory",
    "ChildFactory",
    "Measure",
    "Notification",
    "cpr_for",
    "ladder_step",
    "legal_basis",
    "measure_type",
]
