"""Large writes as column arrays: one statement with one bound array per column (PostgreSQL's
``unnest``), instead of the ORM's model instances and a parameter per value.

``bulk_update`` writes ``SET col = CASE WHEN id = 1 THEN … WHEN id = 2 THEN … END``: the database
walks the CASE for every row, so a batch of 4,000 costs in proportion to 4,000 × 4,000, and
building it in Python costs more than running it. ``bulk_create`` builds a model instance and a
parameter per value. The sweeps write hundreds of thousands of rows at a time (the reminders and
next checks of a first full sweep, the measures' next due dates), so they go through here.

Only for plain values the database keeps as they are given (numbers, dates, times, text, JSON): no
signals, no history, no ``auto_now``; the caller writes what those would have written. Elsewhere
than PostgreSQL (the SQLite of the embedded default) the same writes go through the ORM.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models


def supported() -> bool:
    return connection.vendor == "postgresql"


def _quoted(name: str) -> str:
    # A column may bear an SQL keyword's name (a goal's "order"), as Django quotes every name.
    return connection.ops.quote_name(name)


def array_type(field: models.Field) -> str:
    # A foreign key's type is its target's; a varchar keeps its length, which the cast checks. A
    # JSON column's values are bound as their text and cast (the driver adapts no plain dict).
    if isinstance(field, models.JSONField):
        return "text[]::jsonb[]"
    return f"{field.db_type(connection)}[]"


def _column(field: models.Field, values: Iterable[Any]) -> list | str:
    if isinstance(field, models.JSONField):
        return [None if v is None else json.dumps(v, cls=field.encoder) for v in values]
    return bound(list(values))


_INTEGERS = {int}
_INTEGERS_OR_NULL = {int, type(None)}


def whole_numbers(values) -> bool:
    """Whether every value is an ``int`` (a ``bool`` is not; an empty list is)."""
    return set(map(type, values)) <= _INTEGERS


def bound(values: list) -> list | str:
    """``values`` as one parameter for a statement that casts it to an array (``%s::bigint[]``).

    A list of whole numbers (and NULLs) becomes PostgreSQL's array text, ``{1,2,NULL}``, which the
    driver sends as it is and the cast reads. Why: psycopg adapts a list in Python, value by value,
    after looking through all of it for the largest number to choose the array's type; for the
    sweep's lists of thousands of ids that cost more than the database's work on them (the
    findings of 6 December 2026 in ``benchmarks/RESULTS.md``). ``str`` of an ``int`` is its
    decimal digits, so the text is exact; a value out of the column's range fails in the cast as it
    did before. Any other list (text, dates, booleans: ``bool`` is not ``int`` here) is left to the
    driver, which quotes and escapes it."""
    types = set(map(type, values))
    if types == _INTEGERS:
        return "{" + ",".join(map(str, values)) + "}"
    if types == _INTEGERS_OR_NULL:
        return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"
    return values


def update(model: type[models.Model], field_name: str, values: Mapping[Any, Any]) -> int:
    """Set ``field_name`` of each row ``{primary key: value}``; returns the rows updated."""
    return update_rows(model, (field_name,), {key: (value,) for key, value in values.items()})


def update_rows(
    model: type[models.Model], field_names: Sequence[str], rows: Mapping[Any, Sequence[Any]]
) -> int:
    """Set ``field_names`` of each row ``{primary key: (value, ...)}``; returns the rows updated."""
    if not rows:
        return 0
    fields = [model._meta.get_field(name) for name in field_names]
    pk = model._meta.pk
    if not supported():
        instances = [
            model(**{pk.attname: key}, **dict(zip((f.attname for f in fields), row, strict=True)))
            for key, row in rows.items()
        ]
        return model._base_manager.bulk_update(instances, list(field_names))
    names = [f"c{n}" for n in range(len(fields))]
    columns = [_column(f, column) for f, column in zip(fields, zip(*rows.values(), strict=True), strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_quoted(model._meta.db_table)} AS t SET "  # noqa: S608 - names from the model, values bound
            + ", ".join(f"{_quoted(f.column)} = v.{n}" for f, n in zip(fields, names, strict=True))
            + f" FROM unnest(%s::{array_type(pk)}, "
            + ", ".join(f"%s::{array_type(f)}" for f in fields)
            + f") AS v(id, {', '.join(names)}) WHERE t.{_quoted(pk.column)} = v.id",
            [bound(list(rows)), *columns],
        )
        return cursor.rowcount


@functools.lru_cache(maxsize=256)
def _insert_statement(
    model: type[models.Model],
    field_names: tuple[str, ...],
    other_names: tuple[str, ...],
    ignore_conflicts: bool,
    update_conflicts: tuple[str, ...],
) -> str:
    """``insert``'s statement, made once per model and columns: the access log writes one on every
    page that names a child, and making it (each column's type and quoted name) cost a third of
    the write's Python time."""
    fields = [model._meta.get_field(name) for name in field_names]
    others = [model._meta.get_field(name) for name in other_names]
    keys = [model._meta.get_field(name) for name in update_conflicts]
    columns = ", ".join(_quoted(f.column) for f in (*fields, *others))
    arrays = ", ".join(f"%s::{array_type(f)}" for f in fields)
    names = ", ".join(f"c{n}" for n in range(len(fields)))
    # The defaults once each, as bound values the database repeats for every row.
    constants = "".join(f", %s::{f.db_type(connection)}" for f in others)
    return (
        f"INSERT INTO {_quoted(model._meta.db_table)} ({columns}) "  # noqa: S608 - names from the model, values bound
        f"SELECT {names}{constants} FROM unnest({arrays}) AS t({names})"
        + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "")
        + (
            f" ON CONFLICT ({', '.join(_quoted(k.column) for k in keys)}) DO UPDATE SET "
            + ", ".join(
                f"{_quoted(f.column)} = EXCLUDED.{_quoted(f.column)}" for f in fields if f not in keys
            )
            if keys
            else ""
        )
    )


def insert(
    model: type[models.Model],
    field_names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
    update_conflicts: Sequence[str] = (),
) -> int:
    """Insert ``rows`` (a tuple of values in the order of ``field_names`` each). The model's other
    fields get their default, or NULL. With ``ignore_conflicts``, a row a unique constraint already
    holds is left out (a concurrent writer wrote it). With ``update_conflicts`` (the fields of a
    unique constraint), a row whose key is already there updates it with the given fields
    instead (an upsert). Returns the rows inserted or updated."""
    rows = list(rows)
    if not rows:
        return 0
    fields = [model._meta.get_field(name) for name in field_names]
    keys = [model._meta.get_field(name) for name in update_conflicts]
    if not supported():
        instances = [model(**dict(zip((f.attname for f in fields), row, strict=True))) for row in rows]
        upsert = (
            {
                "update_conflicts": True,
                "unique_fields": list(update_conflicts),
                "update_fields": [f.name for f in fields if f not in keys],
            }
            if keys
            else {}
        )
        return len(model._base_manager.bulk_create(instances, ignore_conflicts=ignore_conflicts, **upsert))
    given = {f.attname for f in fields}
    # Every other field's default, as the ORM would give it ("" for a text without one); the
    # database's NULL for those whose default is None.
    # A field with a database default (``db_default``) is left to the column's default.
    others = [
        (f, f.get_default())
        for f in model._meta.concrete_fields
        if f.attname not in given and not f.primary_key and not f.has_db_default()
    ]
    others = [(f, value) for f, value in others if value is not None]
    defaults = [f.get_db_prep_save(value, connection) for f, value in others]
    arrays_given = [_column(f, column) for f, column in zip(fields, zip(*rows, strict=True), strict=True)]
    statement = _insert_statement(
        model, tuple(field_names), tuple(f.name for f, _ in others), ignore_conflicts, tuple(update_conflicts)
    )
    with connection.cursor() as cursor:
        # In the statement's order: the constants in the SELECT list, then the arrays.
        cursor.execute(statement, [*defaults, *arrays_given])
        return cursor.rowcount
