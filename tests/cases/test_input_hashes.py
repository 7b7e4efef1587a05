"""The hashes the nightly sweep's input digests are made of (``cases.obligations.sql_row_hash`` and
``sql_set_hash``), as PostgreSQL computes them: they must tell every change they are used for."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from cases.obligations import sql_row_hash, sql_set_hash

pytestmark = pytest.mark.django_db


def scalar(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


TYPES = {int: "int", datetime.date: "date", str: "text", bool: "boolean"}


def row_hash(*values, types=None):
    types = types or [TYPES[type(v)] for v in values]
    return scalar(f"SELECT {sql_row_hash(*(f'%s::{t}' for t in types))}", values)


def set_hash(rows):
    return scalar(
        f"SELECT {sql_set_hash('a', 'b')} FROM unnest(%s::int[], %s::date[]) AS t(a, b)",  # noqa: S608 - no value in it
        [[a for a, _b in rows], [b for _a, b in rows]],
    )


def test_a_row_hash_tells_each_value_and_its_place():
    day = datetime.date(2026, 3, 2)
    base = row_hash(1, day, "tekst", True)
    assert row_hash(1, day, "tekst", True) == base  # the same values, the same hash
    assert row_hash(2, day, "tekst", True) != base
    assert row_hash(1, day + datetime.timedelta(days=1), "tekst", True) != base
    assert row_hash(1, day, "tekst ", True) != base
    assert row_hash(1, day, "tekst", False) != base
    # A NULL where a value was, and a value moved to another place.
    assert row_hash(1, None, "tekst", True, types=["int", "date", "text", "boolean"]) != base
    assert row_hash(None, 1, types=["int", "int"]) != row_hash(1, None, types=["int", "int"])


def test_a_set_hash_ignores_the_order_and_tells_a_row_added_changed_or_removed():
    day = datetime.date(2026, 3, 2)
    rows = [(1, day), (2, day), (3, None)]
    base = set_hash(rows)
    assert set_hash(list(reversed(rows))) == base
    assert set_hash(rows[:2]) != base
    assert set_hash([*rows, (4, day)]) != base
    assert set_hash([(1, day), (2, day), (3, day)]) != base
    assert set_hash([]) is None  # no rows: NULL, which the digests read as "none"
