"""PostgreSQL's timestamps read by psycopg's C loader.

Django reads a ``timestamptz`` with a loader of its own (``BaseTzLoader``) that subclasses psycopg's
pure-Python one, to give every value Django's time zone. psycopg's C implementation is installed
(``psycopg[binary]``), but a subclass is not replaced by it: each value is parsed in Python. Every
page that lists deadlines, reminders or history reads dozens of timestamps: the C loader fetches
828 deadlines of 47 columns in 2.8 ms against Django's 16.5, and a Min dag page takes 0.3-0.6 ms
less CPU (``benchmarks/RESULTS.md``, the findings of 7 December 2026).

The C loader gives each value the session's time zone. Django sets the session to UTC when
``USE_TZ`` is on (``DatabaseWrapper._configure_timezone``) and expects ``datetime.timezone.utc``,
which is what the C loader gives for a session whose zone is named "UTC": the values are the same
as Django's. A session in any other zone, "Etc/UTC" included (the C loader gives it a ``ZoneInfo``),
gets each value moved to ``datetime.UTC``: the same instant, where Django's own loader would have
relabelled the local time as UTC.
"""

from __future__ import annotations

import datetime
import functools

from django.db.backends.signals import connection_created

UTC = datetime.UTC


def _c_loader():
    """psycopg's C loader of ``timestamptz`` as text, or None when only the Python one exists."""
    import psycopg
    from psycopg.postgres import types
    from psycopg.pq import Format

    loader = psycopg.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)
    return None if loader is None or loader.__module__.startswith("psycopg.") else loader


def _make_loader(c_loader):
    from psycopg.adapt import Loader

    class UtcTimestamptzLoader(Loader):
        """The C loader's ``load`` itself, taken by psycopg's row loader with no Python call in
        between (psycopg's C transformer calls a Python loader's ``load`` attribute; the C class
        cannot be subclassed). ``timezone`` is what Django's ``create_cursor`` compares before
        replacing the loader with its own."""

        timezone = UTC

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            loader = c_loader(oid, context)
            connection = getattr(context, "connection", None)
            zone = connection.info.parameter_status("TimeZone") if connection is not None else None
            if zone == "UTC":
                self.load = loader.load
            else:
                self.load = lambda data: loader.load(data).astimezone(UTC)

        def load(self, data):  # pragma: no cover - the instance's ``load`` above replaces it
            raise NotImplementedError

    return UtcTimestamptzLoader


def _install_on(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql" or connection.timezone is not UTC:
        return
    loader = _loader()
    if loader is not None:
        connection.connection.adapters.register_loader("timestamptz", loader)


@functools.cache
def _loader():
    c_loader = _c_loader()
    return _make_loader(c_loader) if c_loader is not None else None


def install() -> None:
    """Every new PostgreSQL connection reads timestamps with the C loader (``CoreConfig.ready``)."""
    connection_created.connect(_install_on, dispatch_uid="herning.core.timestamps")
