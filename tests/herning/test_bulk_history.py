"""History rows of a bulk write (herning/core/history.py): written as column arrays, they must be
the rows django-simple-history's own ``bulk_create_with_history`` and ``bulk_history_create``
write, column for column, with the same author and reason."""

from __future__ import annotations

import datetime

import pytest
import simple_history.utils

from cases.models import Child
from herning.core import history
from herning.organisation.models import Municipality
from tests.factories import ChildFactory, DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db

# Written by the database or the clock, not by the object: left out of the comparison (the
# record's own creation time is held to its history row apart).
VARYING = {"history_id", "history_date", "id", "created_at"}


def columns_of(row) -> dict:
    return {k: v for k, v in row.items() if k not in VARYING}


def children(district, n: int) -> list[Child]:
    return [
        ChildFactory.build(
            municipality=district.municipality,
            district=district,
            first_name=f"Barn {i}",
            last_name="Lind",
            birth_date=datetime.date(2012, 1, 1),  # save() reads it from the CPR number; bulk_create does not
        )
        for i in range(n)
    ]


def history_values(model, objs) -> list[dict]:
    """Every column of each object's history rows but the varying ones, in the objects' order."""
    by_id = {}
    for row in model.history.filter(id__in=[o.pk for o in objs]).order_by("history_id").values():
        by_id.setdefault(row["id"], []).append(columns_of(row))
    return [by_id.get(o.pk, []) for o in objs]


def test_created_rows_are_simple_historys_column_for_column():
    district = DistrictFactory()
    author = UserFactory(municipality=district.municipality)
    ours = history.bulk_create_with_history(children(district, 3), Child, batch_size=2, default_user=author)
    theirs = simple_history.utils.bulk_create_with_history(children(district, 3), Child, default_user=author)
    assert all(o.pk for o in ours)
    assert [Child.history.get(id=o.pk).created_at for o in ours] == [o.created_at for o in ours]
    assert history_values(Child, ours) == history_values(Child, theirs)
    rows = history_values(Child, ours)
    assert [len(r) for r in rows] == [1, 1, 1]
    assert rows[0][0]["history_type"] == "+"
    assert rows[0][0]["history_user_id"] == author.pk
    assert rows[0][0]["history_change_reason"] is None
    assert rows[0][0]["first_name"] == "Barn 0"
    assert "cpr" not in rows[0][0]  # the history leaves the CPR number out, here as there


def test_changed_rows_with_their_own_author_and_reason():
    district = DistrictFactory()
    author, other = (
        UserFactory(municipality=district.municipality),
        UserFactory(municipality=district.municipality),
    )
    ours = history.bulk_create_with_history(children(district, 2), Child, default_user=author)
    theirs = simple_history.utils.bulk_create_with_history(children(district, 2), Child, default_user=author)
    for records in (ours, theirs):
        records[0].first_name = "Omdøbt"
        records[1]._history_user = other
        records[1]._change_reason = "Rettet fra DUBU"
    assert history.bulk_history_create(Child, ours, user=author, update=True) == 2
    Child.history.bulk_history_create(theirs, update=True, default_user=author)
    assert history_values(Child, ours) == history_values(Child, theirs)
    changed = [rows[-1] for rows in history_values(Child, ours)]
    assert [r["history_type"] for r in changed] == ["~", "~"]
    assert changed[0]["first_name"] == "Omdøbt"
    assert [r["history_user_id"] for r in changed] == [author.pk, other.pk]
    assert [r["history_change_reason"] for r in changed] == ["", "Rettet fra DUBU"]


def test_without_an_author_the_person_acting_is_recorded():
    district = DistrictFactory()
    person = UserFactory(municipality=district.municipality)
    with history.acting_as(person):
        written = history.bulk_create_with_history(children(district, 1), Child)
    assert Child.history.get(id=written[0].pk).history_user == person


def test_a_field_the_driver_cannot_take_as_it_is_is_prepared_as_the_orm_prepares_it():
    """A municipality's logo is a file: its column holds the file's name."""
    ours = [Municipality(name="Kommune A", code="951", logo="kommuner/logo/a.png")]
    theirs = [Municipality(name="Kommune B", code="952", logo="kommuner/logo/a.png")]
    history.bulk_create_with_history(ours, Municipality)
    simple_history.utils.bulk_create_with_history(theirs, Municipality)
    # The history keeps a file's name as text.
    assert Municipality.history.get(id=ours[0].pk).logo == "kommuner/logo/a.png"
    assert Municipality.history.values("logo").get(id=ours[0].pk) == Municipality.history.values("logo").get(
        id=theirs[0].pk
    )


def test_nothing_to_write_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert history.bulk_history_create(Child, []) == 0


def test_one_statement_for_the_rows_however_many(django_assert_max_num_queries):
    district = DistrictFactory()
    records = Child.objects.bulk_create(children(district, 50))
    with django_assert_max_num_queries(1):
        assert history.bulk_history_create(Child, records, user=None) == 50
