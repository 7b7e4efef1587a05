"""The child and the people around the child: registering, changing, relations."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import (
    Case,
    Child,
    Relation,
)
from cases.services.case import case_open
from cases.services.common import CHILD_FIELDS, RELATION_FIELDS
from herning.core import cpr as cpr_lib
from herning.core.history import acting_as
from herning.organisation.models import District, Role, User


@transaction.atomic
def child_create(
    *,
    municipality,
    cpr: str,
    first_name: str,
    last_name: str,
    created_by: User,
    district: District | None = None,
    school_district=None,
    address: str = "",
    postal_code: str = "",
    city: str = "",
    school_or_daycare: str = "",
) -> Child:
    """Register a child. The district follows the school district unless one is chosen."""
    try:
        parsed = cpr_lib.parse(cpr)
    except ValidationError as error:
        raise ValidationError({"cpr": error.error_list}) from None
    child = Child(
        municipality=municipality,
        cpr=parsed.digits,
        first_name=first_name,
        last_name=last_name,
        address=address,
        postal_code=postal_code,
        city=city,
        school_district=school_district,
        district=district,
        school_or_daycare=school_or_daycare,
    )
    if district is None and school_district is not None:
        child.district = school_district.district
    if child.district_id is None:
        raise ValidationError({"district": _("Vælg barnets distrikt eller skoledistrikt.")})
    _check_district_in_municipality(child.district, municipality)
    with acting_as(created_by):
        child.full_clean()
        child.save()
    return child


def _check_district_in_municipality(district: District, municipality) -> None:
    if district.municipality_id != municipality.pk:
        raise ValidationError({"district": _("Distriktet hører til en anden kommune.")})


@transaction.atomic
def child_update(*, child: Child, updated_by: User, **fields) -> Child:
    """Change the child's facts (not the CPR number: a new number is a new registration)."""
    unknown = set(fields) - set(CHILD_FIELDS)
    if unknown:
        raise TypeError(f"child_update() got unexpected fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(child, name, value)
    if "school_district" in fields and "district" not in fields and child.school_district_id:
        child.district = child.school_district.district
    _check_district_in_municipality(child.district, child.municipality)
    with acting_as(updated_by):
        child.full_clean()
        child.save()
    return child


@transaction.atomic
def relation_add(*, child: Child, kind: str, name: str, added_by: User, **fields) -> Relation:
    unknown = set(fields) - set(RELATION_FIELDS)
    if unknown:
        raise TypeError(f"relation_add() got unexpected fields: {', '.join(sorted(unknown))}")
    relation = Relation(child=child, kind=kind, name=name, **fields)
    with acting_as(added_by):
        relation.full_clean()
        relation.save()
    return relation


@transaction.atomic
def relation_update(*, relation: Relation, updated_by: User, **fields) -> Relation:
    unknown = set(fields) - set(RELATION_FIELDS)
    if unknown:
        raise TypeError(f"relation_update() got unexpected fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(relation, name, value)
    with acting_as(updated_by):
        relation.full_clean()
        relation.save()
    return relation


@transaction.atomic
def relation_end(*, relation: Relation, ended_by: User) -> Relation:
    """A relation is never deleted: it stops being current and stays in the record."""
    relation.is_active = False
    relation.has_custody = False
    with acting_as(ended_by):
        relation.save(update_fields=["is_active", "has_custody"])
    return relation


@transaction.atomic
def child_register_with_case(
    *, municipality, registered_by: User, opened_on: datetime.date | None = None, **child_fields
) -> tuple[Child, Case]:
    """Register a child the municipality does not know yet and open the child's case in
    clarification, as one action (the page and the API alike). An advisor who registers the
    child becomes the case's advisor; a team leader assigns one afterwards."""
    child = child_create(municipality=municipality, created_by=registered_by, **child_fields)
    case = case_open(
        child=child,
        opened_by=registered_by,
        advisor=registered_by if registered_by.has_role(Role.ADVISOR) else None,
        opened_on=opened_on,
    )
    return child, case
