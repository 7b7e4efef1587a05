"""A large change (the sweep's first run) writes its feed rows as column arrays in one statement:
the same rows, kinds, cases and readers as the ORM writes a small one."""

from __future__ import annotations

import pytest

from herning.api import feed
from herning.api.models import ChangeEvent
from measures.models import Measure

pytestmark = pytest.mark.django_db

COLUMNS = ("resource", "object_id", "kind", "case_id", "readers", "occurred_at")


def written(kind, *, arrays_from, monkeypatch, readers=(), **extra):
    monkeypatch.setattr(feed, "_ARRAYS_FROM", arrays_from)
    ChangeEvent.objects.all().delete()
    # Measures 1-150 of cases 1-50: own rows, and each case once as the measures' parent.
    instances = [Measure(pk=n, case_id=1 + n % 50) for n in range(1, 151)]
    with feed.deletions_readable_by(readers):
        count = feed.record_many(instances, kind, **extra)
    rows = list(ChangeEvent.objects.order_by("resource", "object_id").values(*COLUMNS, "txid"))
    assert count == len(rows)
    return rows


@pytest.mark.parametrize("kind", [ChangeEvent.Kind.UPDATED, ChangeEvent.Kind.DELETED])
def test_the_arrays_write_what_the_orm_writes(monkeypatch, kind):
    by_orm = written(kind, arrays_from=10**9, monkeypatch=monkeypatch, readers=[7, 3])
    by_arrays = written(kind, arrays_from=1, monkeypatch=monkeypatch, readers=[7, 3])
    assert len(by_arrays) == 200
    assert all(row["txid"] is not None for row in by_arrays)  # the column default, as for the ORM
    strip = [{k: v for k, v in row.items() if k != "txid"} for row in by_orm]
    assert [{k: v for k, v in row.items() if k != "txid"} for row in by_arrays] == [
        {**row, "occurred_at": by_arrays[i]["occurred_at"]} for i, row in enumerate(strip)
    ]
    measure = next(r for r in by_arrays if r["resource"] == "measure" and r["object_id"] == "1")
    case = next(r for r in by_arrays if r["resource"] == "case" and r["object_id"] == "2")
    assert measure["kind"] == kind and case["kind"] == ChangeEvent.Kind.UPDATED
    if kind == ChangeEvent.Kind.DELETED:
        assert measure["case_id"] == 2 and measure["readers"] == [3, 7]
    else:
        assert measure["case_id"] is None and measure["readers"] == []


def test_records_known_by_key_get_their_own_rows_only(monkeypatch):
    for arrays_from in (10**9, 1):
        monkeypatch.setattr(feed, "_ARRAYS_FROM", arrays_from)
        ChangeEvent.objects.all().delete()
        assert feed.record_many((), ChangeEvent.Kind.UPDATED, model=Measure, ids=[5, 6, 5]) == 2
        assert sorted(ChangeEvent.objects.values_list("resource", "object_id", "kind")) == [
            ("measure", "5", "updated"),
            ("measure", "6", "updated"),
        ]
