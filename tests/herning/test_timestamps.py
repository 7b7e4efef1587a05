"""Timestamps read by psycopg's C loader (``herning.core.timestamps``): every connection has it, and
each value is what Django's own loader gives, the same instant with the same ``tzinfo``, at the
edges of a day, a month, a leap year, the clock changes and the calendar."""

from __future__ import annotations

import datetime

import psycopg
import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.utils import timezone
from psycopg.postgres import types
from psycopg.pq import Format

from herning.core import timestamps

pytestmark = pytest.mark.django_db

TIMESTAMPTZ = types["timestamptz"].oid

# Written as PostgreSQL reads them: with an offset, in a named zone, at the clock changes of
# 2026 in Denmark, a leap day, microseconds, the first and the last year PostgreSQL and Python share.
LITERALS = [
    "2026-12-07 15:30:04.258762+00",
    "2024-02-29 23:59:59.999999+00",
    "2026-03-29 01:59:59+00",
    "2026-03-29 02:30:00 Europe/Copenhagen",
    "2026-10-25 00:59:59.5+00",
    "2026-10-25 02:30:00 Europe/Copenhagen",
    "2026-12-31 23:00:00-11:30",
    "2027-01-01 00:00:00+14",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]
SELECT = "SELECT " + ", ".join(f"'{v}'::timestamptz" for v in LITERALS) + ", NULL::timestamptz"


def test_every_connection_reads_timestamps_with_the_c_loader():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    assert loader is timestamps._loader()
    # psycopg's C implementation is what the project installs (psycopg[binary]).
    assert timestamps._c_loader() is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert type(cursor.cursor._tx.get_loader(TIMESTAMPTZ, Format.TEXT)) is loader


def test_each_value_is_what_djangos_loader_gives():
    with connection.cursor() as cursor:
        cursor.execute(SELECT)
        ours = cursor.fetchone()
    with connection.cursor() as cursor:
        # Django's own loader on this cursor alone, as Django registers it when zones disagree.
        register_tzloader(connection.timezone, cursor.cursor)
        cursor.execute(SELECT)
        djangos = cursor.fetchone()
    assert ours[-1] is None and djangos[-1] is None
    assert ours == djangos
    for mine, theirs in zip(ours[:-1], djangos[:-1], strict=True):
        assert mine.tzinfo is datetime.UTC and theirs.tzinfo is datetime.UTC
        assert (mine.year, mine.microsecond, mine.utcoffset()) == (
            theirs.year,
            theirs.microsecond,
            theirs.utcoffset(),
        )
    # 02:30 did not exist that night (the clock went from 02:00 to 03:00): PostgreSQL reads it as 03:30.
    assert ours[3] == datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.UTC)
    assert ours[5] == datetime.datetime(2026, 10, 25, 1, 30, tzinfo=datetime.UTC)  # the second 02:30


def test_a_model_reads_back_the_moment_it_wrote():
    at = datetime.datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=datetime.UTC)
    Session.objects.create(session_key="k" * 32, session_data="", expire_date=at)
    read = Session.objects.get(session_key="k" * 32).expire_date
    assert read == at and read.tzinfo is datetime.UTC
    assert timezone.localtime(read).hour == 3  # Danish summer time from 02:00 that night


@pytest.mark.parametrize("zone", ["Europe/Copenhagen", "Etc/UTC", "America/St_Johns"])
def test_a_session_in_another_zone_still_reads_the_same_moment_in_utc(zone):
    """Django always sets the session to UTC; should anything set it otherwise, the value read is the
    same instant in ``datetime.UTC`` (Django's loader would relabel the local time as UTC, hours
    off; psycopg's C loader alone would give "Etc/UTC" as a ``ZoneInfo``)."""
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as raw:
        raw.execute(f"SET TIME ZONE '{zone}'")
        raw.adapters.register_loader("timestamptz", timestamps._loader())
        value = raw.execute("SELECT '2026-07-01 12:00:00.5+00'::timestamptz").fetchone()[0]
    assert value == datetime.datetime(2026, 7, 1, 12, 0, 0, 500000, tzinfo=datetime.UTC)
    assert value.tzinfo is datetime.UTC
