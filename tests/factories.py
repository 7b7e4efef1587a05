"""factory-boy factories for the organisation; apps add theirs beside them."""

from __future__ import annotations

import factory

from herning.organisation.models import (
    District,
    Municipality,
    Role,
    RoleAssignment,
    SchoolDistrict,
    Team,
    User,
)

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
