"""Reads whose SQL is compiled once per process, with each request's values bound to it.

A page reads the same shapes of rows on every request (a case's journal page, its follow-ups):
only the values differ, the case's id above all. Django builds and compiles the statement anew
each time, and for a statement of three joined tables that cost more CPU than PostgreSQL took to
answer it (a case's journal page: 3.5 ms to compile, 0.5 ms to run; benchmarks/RESULTS.md).

``@kept(bound=(...))`` decorates a function that builds a queryset from its keyword arguments. The first call
of each shape builds the queryset with a probe value in place of each *bound* argument (a value no
row holds), compiles it, and notes where each probe landed among the statement's parameters. Then
it builds the queryset with the real values and compiles it too: only when that statement is the
probe's with the real values put in their places is the shape kept; otherwise (a value the ORM
rewrites, a lookup that writes the value into the SQL) it is never kept and every call takes the
ORM's own path. Later calls bind their values into the kept statement and read the rows through
the ORM's own iterable, with the kept compiler's columns, joins and converters: the same model
instances, ``select_related`` rows and annotations as the ORM's own read.

What is not bound is part of the shape: every other argument (a page number, a flag) must be
hashable and is the key with the bound values' types and None-ness (``None`` compiles to ``IS
NULL``). An argument the statement is written from but that is no value of it, a person whose
access rule the statement holds, is ``keyed`` by a function that gives what of it the statement
is written from (``cases.access.person_state``): each person's shape is learnt and kept apart, and
a person whose roles change has another key at the next request.

A bound value must be an int, a string, a date, a datetime or a list, tuple or set of ints (ids
for an ``__in``, which ``herning.core.lookups`` writes as one array parameter, ``= ANY(%s)``, so a
list of any length has one statement); any other (a model instance, a flag, a list of text) takes
the ORM's path. An empty list is a shape of its own (an ``__in`` of nothing reads nothing without
asking, and a function may leave out what it has no ids for).

Model instances and ``values()``, ``values_list()`` rows alike: a values read keeps the names of its
columns with its shape.

The queryset a kept read returns is for reading as it is (iterate it, ``list`` it, ``len`` it):
filtering, slicing or counting it would compile its probe's statement, so it refuses
(``KeptStatementError``); build those into the function instead. A list's count is then a kept
read of ``count_read(queryset)``, and ``KeptPages`` gives the paginator a page and a count, each
read by a kept read.

Only on PostgreSQL, where reads are timed; SQLite (the quick start) takes the ORM's path.

Foundation code: this module imports no domain app.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import threading

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections
from django.db.models import Count, Value
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    NamedValuesListIterable,
    ValuesIterable,
    ValuesListIterable,
)
from django.db.models.sql.query import Query

from herning.core.arrays import bound as array_text

_BOUND_TYPES = (int, str, datetime.date, datetime.datetime)
_LISTS = (list, tuple, set, frozenset)
# The iterables a kept read reads its rows with: what each needs of a query besides the compiler is
# the names of a values read's columns, which its shape keeps.
_ITERABLES = (
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    FlatValuesListIterable,
    NamedValuesListIterable,
)
_BIGINT = (-(2**63), 2**63 - 1)
_NEVER = object()
# Shapes per function and process: one or a few (its page numbers and flags), or, for a read kept
# per person, about a day's work of a large municipality's staff on one web process: about 5 KB a
# shape (``_Shape``), so at most a few MB for each such function. Emptied when full.
_KEPT_SHAPES = 500
_KEPT_PEOPLE = 300


def _whole(value) -> bool:
    # Not a flag: ``True`` is an int to Python, and a flag is no id.
    return type(value) is int and _BIGINT[0] <= value <= _BIGINT[1]


def _bindable(value) -> bool:
    """Whether a kept statement takes ``value`` as a parameter: None, or an int (not a flag) within
    a bigint's range (beyond it the ORM answers "nothing" without asking), a string, a date, a
    datetime, or a list, tuple or set of such ints."""
    if value is None:
        return True
    if isinstance(value, _LISTS):
        return all(map(_whole, value))
    if isinstance(value, bool) or not isinstance(value, _BOUND_TYPES):
        return False
    return not isinstance(value, int) or _BIGINT[0] <= value <= _BIGINT[1]


def _empty(value) -> bool:
    return value is None or (isinstance(value, _LISTS) and not value)


def _as_param(value):
    """What the statement's parameter is for a bound value: a list of ids as the array's text
    (``herning.core.lookups`` binds it so), any other value as it is."""
    return array_text(list(value)) if isinstance(value, _LISTS) else value


class KeptStatementError(TypeError):
    """A kept read was asked to become another statement (filtered, sliced, counted)."""


def _probe(value, n: int):
    """A value of ``value``'s type that no row holds and no other probe equals."""
    if isinstance(value, _LISTS):
        # One id: the ORM writes a list of any length as one array parameter.
        return [_probe(0, n)]
    if isinstance(value, int):
        # Inside every integer column's range, positive ones' included: the ORM answers a value
        # out of a column's range without asking (nothing matches), which no value may teach it.
        return 2_147_000_000 + n
    if isinstance(value, str):
        return f"\x00kept-probe-{n}\x00"
    if isinstance(value, datetime.datetime):
        return datetime.datetime(1, 1, 1, 0, 0, 0, n + 1, tzinfo=value.tzinfo)
    if isinstance(value, datetime.date):
        return datetime.date(1, 1, 1) + datetime.timedelta(days=n + 1)
    raise TypeError(f"a bound value must be one of {_BOUND_TYPES}, not {type(value).__name__}")


class _Shape:
    """One compiled statement: its SQL, its parameters with the bound ones' places, what the
    ORM's iterable reads the rows with (the compiler's description of the columns: which belong to
    a joined row or an annotation, and their converters), and the queryset's own settings (its
    class, prefetches, iterable). Not the probe's query or compiler, and the columns' description
    shared by every shape of a function with the same select list: a shape is kept per person too,
    and with its query, compiler and columns of its own one was 55 KB; as it is, about 5 KB (the
    case page's reads of 40 advisors at national scale, tracemalloc)."""

    __slots__ = ("columns", "model", "names", "params", "places", "queryset", "sql")

    def __init__(
        self, queryset, compiler, sql: str, params: tuple, places: dict[str, list[tuple[int, type | None]]]
    ):
        self.model = queryset.model
        self.queryset = (
            type(queryset),
            queryset._db,
            queryset._hints,
            queryset._prefetch_related_lookups,
            queryset._iterable_class,
            queryset._fields,
        )
        self.columns = (
            compiler.select,
            compiler.klass_info,
            compiler.annotation_col_map,
            compiler.col_count,
            compiler.has_extra_select,
        )
        self.sql = sql
        self.params = params
        self.places = places
        # The names of a values read's columns, as ``ValuesIterable`` reads them off its query.
        query = queryset.query
        self.names = (
            ()
            if queryset._iterable_class is ModelIterable
            else tuple(query.selected)
            if query.selected
            else (*query.extra_select, *query.values_select, *query.annotation_select)
        )

    def bind(self, values: dict) -> tuple:
        params = list(self.params)
        for name, places in self.places.items():
            value = _as_param(values[name])
            for place, kind in places:
                # As the ORM passed the probe: an int of a 4-byte column as psycopg's ``Int4``.
                params[place] = value if kind is None else kind(value)
        return tuple(params)


class _KeptQuery(Query):
    """A query standing for a kept statement with one call's parameters: its compiler answers with
    the statement (``get_compiler``); it refuses to become another one."""

    def chain(self, klass=None):
        raise KeptStatementError("a kept read is read as it is; build filters and slices into its function")

    clone = chain

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        connection = connection or connections[using]
        compiler = _kept_compiler(self, connection, using, elide_empty)
        # What the ORM's iterable reads of a compiler once it has compiled: the columns, which of
        # them are a related row's or an annotation, and their converters. Read-only, shared.
        (
            compiler.select,
            compiler.klass_info,
            compiler.annotation_col_map,
            compiler.col_count,
            compiler.has_extra_select,
        ) = self._kept_shape.columns
        compiler._kept = (self._kept_shape.sql, self._kept_params)
        return compiler


def _kept_compiler(query, connection, using, elide_empty):
    """The connection's own SQL compiler, answering ``as_sql`` with the kept statement."""
    base = connection.ops.compiler("SQLCompiler")
    kept_class = _kept_compilers.get(base)
    if kept_class is None:
        kept_class = type(f"Kept{base.__name__}", (base,), {"as_sql": _kept_as_sql})
        kept_class = _kept_compilers.setdefault(base, kept_class)
    return kept_class(query, connection, using, elide_empty)


_kept_compilers: dict[type, type] = {}
_every_read: list = []


def kept_reads() -> list:
    """Every function decorated with ``kept`` (for the tests that check each one is kept)."""
    return list(_every_read)


def _kept_as_sql(self, with_limits=True, with_col_aliases=False):
    return self._kept


def kept(*, bound: tuple[str, ...], keyed: dict | None = None):
    """Decorates ``build(**values)``, a function returning a queryset: the decorated function
    returns the same rows, with the statement compiled once per shape and process. ``bound`` names
    the arguments whose values are parameters of the statement (see the module's docstring).
    ``keyed`` maps an argument that is neither (a person) to a function giving what of it the
    statement is written from, which is then part of the shape."""
    keyed = keyed or {}
    shapes_kept = _KEPT_PEOPLE if keyed else _KEPT_SHAPES

    def decorate(build):
        shapes: dict[tuple, _Shape | object] = {}
        # The compiler's description of the columns, one per distinct select list: every person's
        # statement of a function reads the same columns, and a description of the case page's
        # case and its joined rows held most of a shape's 55 KB.
        columns: dict[tuple, tuple] = {}
        lock = threading.Lock()

        @functools.wraps(build)
        def read(**values):
            values_bound = {name: values[name] for name in bound}
            if not all(_bindable(value) for value in values_bound.values()):
                return build(**values)
            key = (
                tuple(
                    (name, keyed[name](value) if name in keyed else value)
                    for name, value in sorted(values.items())
                    if name not in values_bound
                ),
                tuple((name, type(value), _empty(value)) for name, value in sorted(values_bound.items())),
            )
            shape = shapes.get(key)
            if shape is None:
                queryset = build(**values)
                shape = _learn(build, values, values_bound, queryset, columns)
                if shape is None:
                    return queryset
                with lock:
                    if len(shapes) >= shapes_kept:
                        shapes.clear()
                        columns.clear()
                    shapes[key] = shape
                if shape is _NEVER:
                    return queryset
            elif shape is _NEVER:
                return build(**values)
            return _bound_read(shape, values_bound)

        read.shapes = shapes
        _every_read.append(read)
        return read

    return decorate


def _learn(function, values: dict, bound: dict, queryset, columns: dict) -> _Shape | object | None:
    """Compile the probe's statement and the real one; keep the shape if the one is the other with
    the real values in the probe's places (``_NEVER`` if not; None if this call cannot tell)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or queryset._iterable_class not in _ITERABLES:
        return _NEVER
    counter = itertools.count()
    # An empty list is its own probe: what the function makes of "no ids" is part of the shape.
    probes = {
        name: (value if _empty(value) else _probe(value, next(counter))) for name, value in bound.items()
    }
    try:
        probe_queryset = function(**{**values, **probes})
        compiler = probe_queryset.query.get_compiler(using=probe_queryset.db)
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # ``none()``, an empty ``__in``: the ORM reads nothing without asking
        return _NEVER
    except (ValueError, TypeError, ValidationError):  # a probe the field will not take (a key as text)
        return _NEVER
    try:
        real_sql, real_params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        # This call's value matches nothing without asking (a key beyond its column's range, from
        # an address): the shape is learnt from the next call, not refused for every one.
        return None
    params = tuple(params)
    places: dict[str, list[tuple[int, type | None]]] = {}
    for name, probe in probes.items():
        if _empty(probe):
            continue
        probe = _as_param(probe)
        places[name] = [
            (i, None if type(p) is type(probe) else type(p))
            for i, p in enumerate(params)
            if isinstance(p, type(probe)) and p == probe
        ]
        if not places[name]:
            return _NEVER
    shape = _Shape(probe_queryset, compiler, sql, params, places)
    # Shared with the shapes of the same select list (as text: its parameters may be lists).
    select_list = repr(
        (
            [
                (column_sql, column_params, alias)
                for _column, (column_sql, column_params), alias in compiler.select
            ],
            sorted(compiler.annotation_col_map.items()),
            compiler.col_count,
            compiler.has_extra_select,
        )
    )
    shape.columns = columns.setdefault(select_list, shape.columns)
    if real_sql != sql or tuple(real_params) != shape.bind(bound):
        return _NEVER
    return shape


def _bound_read(shape: _Shape, bound: dict):
    query = _KeptQuery(shape.model)
    query._kept_shape = shape
    query._kept_params = shape.bind(bound)
    # What ``ValuesIterable`` names a row's columns by (a model read has none).
    query.selected = dict.fromkeys(shape.names) or None
    queryset_class, using, hints, prefetches, iterable_class, fields = shape.queryset
    queryset = queryset_class(model=shape.model, query=query, using=using, hints=hints)
    queryset._prefetch_related_lookups = prefetches
    queryset._iterable_class = iterable_class
    queryset._fields = fields
    return queryset


def count_read(queryset):
    """``queryset``'s number of rows as a read of one row a kept read can hold (``count()`` is no
    statement it can): a constant groups every row into one, so there is no GROUP BY and always
    one row."""
    return (
        queryset.order_by()
        .annotate(whole=Value(1))
        .values("whole")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )


class KeptPages:
    """Rows as Django's paginator (and DRF's) takes them, counted and a page read by kept reads:
    ``count_rows()`` gives ``count_read``'s row, ``page_rows(offset=…, limit=…)`` a page's rows."""

    def __init__(self, count_rows, page_rows, page_size: int):
        self.count_rows = count_rows
        self.page_rows = page_rows
        self.page_size = page_size

    def count(self) -> int:
        return next(iter(self.count_rows()), 0)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list:
        # A whole page's statement for the last, shorter one: one shape per page, not per length.
        rows = list(self.page_rows(offset=window.start, limit=self.page_size))
        return rows[: window.stop - window.start]
