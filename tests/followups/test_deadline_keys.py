"""The deadline row's copies of its source's municipality, team, district and person carry no
foreign-key constraint in the database (the sweep inserts 400,000 rows; docs/deadlines.md). What
the constraint would have guarded still holds: a deletion reaches the rows through Django's
``on_delete``, and the row's owner, the case, keeps its constraint."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from followups.models import Deadline, DeadlineKind
from tests.factories import DistrictFactory, MunicipalityFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def deadline(**keys) -> Deadline:
    return Deadline.objects.create(
        kind=DeadlineKind.HANDOVER,
        source_id=Deadline.objects.count() + 1,
        due_on=D(2026, 3, 2),
        due_at=datetime.datetime(2026, 3, 2, 23, tzinfo=datetime.UTC),
        rule="r",
        explanation="e",
        explanation_en="e",
        **keys,
    )


@pytest.fixture
def keys():
    municipality = MunicipalityFactory(name="Ikast-Brande Kommune", code="756")
    district = DistrictFactory(municipality=municipality, name="Nord")
    team = TeamFactory(district=district, name="Team Nord")
    person = UserFactory(username="dorte", municipality=municipality)
    return {"municipality": municipality, "district": district, "team": team, "responsible": person}


def test_only_the_case_is_checked_by_a_constraint():
    with connection.cursor() as cursor:
        checked = {
            c["columns"][0]
            for c in connection.introspection.get_constraints(cursor, Deadline._meta.db_table).values()
            if c["foreign_key"]
        }
    assert checked == {"case_id"}


def test_a_deleted_team_district_or_person_leaves_the_row_without_it(keys):
    row = deadline(**keys)
    keys["responsible"].delete()
    row.refresh_from_db()
    assert row.responsible_id is None and row.team_id == keys["team"].pk
    keys["team"].delete()
    row.refresh_from_db()
    assert row.team_id is None and row.district_id == keys["district"].pk
    keys["district"].delete()
    row.refresh_from_db()
    assert row.district_id is None and row.municipality_id == keys["municipality"].pk


def test_a_deleted_municipality_takes_its_rows(keys):
    gone = MunicipalityFactory(name="Vejle Kommune", code="630")
    row = deadline(municipality=gone)
    other = deadline(**keys)
    gone.delete()
    assert list(Deadline.objects.filter(pk__in=[row.pk, other.pk]).values_list("pk", flat=True)) == [other.pk]


def test_a_row_for_a_case_that_does_not_exist_is_refused(keys):
    with pytest.raises(IntegrityError), transaction.atomic():
        deadline(municipality=keys["municipality"], case_id=10**9)
        # Checked at commit; the test's own transaction never commits, so ask for it now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
