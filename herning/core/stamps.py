"""Exact version stamps of configuration tables, for caches kept in a process's memory.

A process may keep configuration (the follow-up rules, the measure catalogue) in memory only if it
can tell, exactly and cheaply, that the tables have not changed since it read them: a stale
follow-up rule computes a wrong legal deadline. Timestamps and history rows cannot tell that
(``QuerySet.update()`` writes no history, and two writes can share a moment), so the database does
it: a statement-level trigger on each stamped table (``install``) writes a new random stamp into
``ConfigStamp`` in the same transaction as the write, whatever wrote it (the ORM, a bulk update,
a migration, raw SQL, ``TRUNCATE``). A stamp never repeats, so a write that is rolled back leaves
no stamp a later state could be mistaken for.

``read`` gives the current stamps in one query, and ``None`` when there is nothing exact to go by:
a database without the triggers (SQLite, the quick start, where Django's table rebuilds would drop
them), or a stamp row missing. The caller then reads the tables afresh every time.
"""

from __future__ import annotations

import datetime

from django.db import connections, migrations, router

from herning.core.statements import kept

FUNCTION = "herning_config_stamp_bump"
TRIGGER = "herning_config_stamp"

# The function is named FUNCTION.
_CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION herning_config_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO core_configstamp (name, stamp, changed_at)
    VALUES (TG_ARGV[0], md5(random()::text || clock_timestamp()::text || txid_current()::text), clock_timestamp())
    ON CONFLICT (name) DO UPDATE SET stamp = EXCLUDED.stamp, changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END
$$;
"""


def _stamped(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def install(name: str, *tables: str) -> migrations.RunPython:
    """A migration operation: every write to ``tables`` gives stamp ``name`` a new value. The app
    owning the tables installs it in its own migration (after ``core.0002``)."""

    def forward(apps, schema_editor):
        if not _stamped(schema_editor):
            return
        schema_editor.execute(_CREATE_FUNCTION)
        for table in tables:
            quoted = schema_editor.quote_name(table)
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quoted}")
            schema_editor.execute(
                f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quoted} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}(%s)",
                [name],
            )
        # A first stamp, so that a process can cache before anything is written again.
        schema_editor.execute(
            "INSERT INTO core_configstamp (name, stamp) VALUES (%s, md5(random()::text)) "
            "ON CONFLICT (name) DO NOTHING",
            [name],
        )

    def backward(apps, schema_editor):
        if not _stamped(schema_editor):
            return
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {schema_editor.quote_name(table)}")
        schema_editor.execute("DELETE FROM core_configstamp WHERE name = %s", [name])

    return migrations.RunPython(forward, backward, elidable=False)


def stamped_tables(using: str = "default") -> set[str]:
    """The tables that carry the stamp trigger (for the test that every cached table does)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s AND NOT t.tgisinternal",
            [TRIGGER],
        )
        return {row[0] for row in cursor.fetchall()}


def read(*names: str, model=None) -> tuple[str, ...] | None:
    """The current stamps of ``names``, in one query on the database ``model`` is read from; ``None``
    when any is missing or the database keeps none."""
    found = read_with_times(*names, model=model)
    return None if found is None else tuple(stamp for stamp, _at in found)


def read_with_times(*names: str, model=None) -> tuple[tuple[str, datetime.datetime | None], ...] | None:
    """``read``, each stamp with the moment its tables last changed (None: not since the stamp was
    installed): every write counts, also one that leaves no history row (``QuerySet.update()``)."""
    from herning.core.models import ConfigStamp

    using = router.db_for_read(model or ConfigStamp)
    if connections[using].vendor != "postgresql":
        return None
    found = {name: (stamp, at) for name, stamp, at in _stamp_rows(names=names, using=using)}
    if len(found) != len(names):
        return None
    return tuple(found[n] for n in names)


@kept(bound=())
def _stamp_rows(*, names: tuple[str, ...], using: str):
    # Asked by every request that reads the rules (a schedule, the follow-ups API): compiled once
    # per process (herning.core.statements), as its names are the same every time.
    from herning.core.models import ConfigStamp

    return ConfigStamp.objects.using(using).filter(name__in=names).values_list("name", "stamp", "changed_at")
