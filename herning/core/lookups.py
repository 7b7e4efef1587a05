"""``__in`` with a list of values as one bound array on PostgreSQL: ``col = ANY(%s::type[])``.

With prepared statements on (``DB_PREPARED_STATEMENTS``, Django's ``server_side_binding``), every
value is a parameter the server binds, and PostgreSQL takes at most 65,535 of them per statement:
the ORM's ``IN (%s, %s, ...)`` of a 100,000-row DUBU import's ids fails with "number of parameters
must be between 0 and 65535". One array is one parameter whatever its length. It also gives a list
of any length the same statement text, so the connection prepares it once, not once per length.

PostgreSQL reads ``IN (a, b, c)`` as ``= ANY(ARRAY[a, b, c])`` itself, so the meaning is the
same: NULL is left out of the list as Django does, and an empty list matches nothing. The array is
cast to the column's type without its modifier (``varchar``, not ``varchar(20)``, whose cast would
cut a longer value short and let it match), as Django's own bulk insert does. Lists holding
expressions, JSON values, pairs of columns, and every list when the parameters are bound on the
client (SQLite, or PgBouncer without prepared statements) keep Django's ``IN``.

A list of whole numbers for a column of whole numbers (the ids the sweep and the access rule pass
by the thousand) is checked and bound in bulk: Django prepares and adapts each value of an ``IN``
in Python, several calls per value, and psycopg looks through a list for its largest number
before adapting it value by value; ``herning.core.arrays.bound`` sends it as the array's text.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models.expressions import ColPairs
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In
from django.utils.datastructures import OrderedSet

from herning.core.arrays import bound, whole_numbers

# The fields whose ``get_prep_value`` of an ``int`` is the ``int`` itself (``int(value)``) and whose
# ``get_db_prep_value`` leaves it as it is; a foreign key is its target's.
_WHOLE_NUMBERS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)


def _target(field):
    return field.target_field if getattr(field, "is_relation", False) else field


def _whole_numbers(lookup) -> bool:
    """Whether ``lookup``'s values are all ``int`` and its column one of whole numbers."""
    field = getattr(lookup.lhs, "output_field", None)
    return (
        field is not None
        and _target(field).get_internal_type() in _WHOLE_NUMBERS
        and isinstance(lookup.rhs, list | tuple | set | frozenset)
        and whole_numbers(lookup.rhs)
    )


class _ArrayIn:
    def as_postgresql(self, compiler, connection):
        array_sql = self._as_array(compiler, connection)
        if array_sql is None:
            return self.as_sql(compiler, connection)
        return array_sql

    def _as_array(self, compiler, connection):
        if not connection.features.uses_server_side_binding or not self.rhs_is_direct_value():
            return None
        if isinstance(self.lhs, ColPairs) or not hasattr(self.lhs, "as_sql"):
            return None  # a pair of columns (composite keys): Django's row comparison
        field = getattr(self.lhs, "output_field", None)
        if field is None or isinstance(field, models.JSONField):
            return None  # values the driver wraps (JSON)
        target = _target(field)
        db_type = target.db_type(connection)
        if not db_type or target.get_internal_type() not in connection.data_types:
            return None
        if not self.bilateral_transforms and _whole_numbers(self):
            # Prepared already (``get_prep_lookup``) and as the database takes them: no value by
            # value preparing and adapting. Duplicates are left to the database.
            if not self.rhs:
                raise EmptyResultSet
            lhs_sql, lhs_params = self.process_lhs(compiler, connection)
            return f"{lhs_sql} = ANY(%s::{db_type.split('(')[0]}[])", (*lhs_params, bound(list(self.rhs)))
        try:
            values = OrderedSet(self.rhs)
            values.discard(None)
        except TypeError:  # unhashable values
            values = [value for value in self.rhs if value is not None]
        if not values:
            raise EmptyResultSet
        if any(hasattr(value, "resolve_expression") for value in values):
            return None
        placeholders, params = self.batch_process_rhs(compiler, connection, values)
        if any(placeholder != "%s" for placeholder in placeholders):
            return None  # a field with its own placeholder (e.g. a function around the value)
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs_sql} = ANY(%s::{db_type.split('(')[0]}[])", (*lhs_params, bound(list(params)))


class _WholeNumbersIn(In):
    def get_prep_lookup(self):
        if _whole_numbers(self):
            # What the field's ``get_prep_value`` gives for each: ``int(value)``, the value itself.
            return list(self.rhs)
        return super().get_prep_lookup()


class ArrayIn(_ArrayIn, _WholeNumbersIn):
    pass


# After ``RelatedIn``, whose own preparing (a model instance to its key) comes first.
class RelatedArrayIn(_ArrayIn, RelatedIn, _WholeNumbersIn):
    pass


def register() -> None:
    models.Field.register_lookup(ArrayIn)
    models.ForeignObject.register_lookup(RelatedArrayIn)
