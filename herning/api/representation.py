"""A read serializer's output, planned once per serializer from its fields.

DRF's ``Serializer.to_representation`` asks every field, for every row, for its attribute through
generic code: the readable fields are filtered again, and each step of a field's source goes
through a mapping check, a callable check and an exception handler. On a page of 50 measures that
is 1,000 field reads and about 2 ms of CPU, as much as reading the rows from the database.

``PlannedRepresentation`` gives the same dict from a plan made once per serializer instance (a
list serializer's one child serves the whole page): for a field whose source is a chain of the
model's own columns and forward relations, the value is read with one ``attrgetter``; a
primary-key related field reads the key column (as DRF's pk-only optimisation does); an
``IntegerField`` or ``CharField`` converts with ``int`` or ``str``, as their ``to_representation``
does; every other field keeps its own ``to_representation``. Anything else (a nested serializer, a
method field, an annotation, a property, a source through a relation that is empty on this row)
takes DRF's own path for that field. ``tests/api/test_representation.py`` holds every read
serializer of the API to DRF's output.

A serializer of plain objects (no ``Meta.model``: the follow-ups the API computes) is planned too:
each field's source is read with one ``attrgetter`` of its dotted path, and a value that is callable
(DRF would call it) or a step that is missing takes DRF's path, as above. Only serializers that mix
this in are planned, so one of dicts, whose every read would miss, keeps DRF's own path.
"""

from __future__ import annotations

from operator import attrgetter

from django.core.exceptions import FieldDoesNotExist
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject


def _same(value):
    return value


# Exact classes only: a subclass may represent differently.
_CONVERTERS = {serializers.IntegerField: int, serializers.CharField: str}


def _column_path(model, attrs, *, key_of_last: bool) -> list[str] | None:
    """The attribute names that read ``attrs`` from an instance of ``model`` as plain attributes:
    forward relations to the last step, then a concrete column (its foreign key's column with
    ``key_of_last``). ``None`` when a step is anything else (a property, a method, an annotation,
    a reverse relation), whose reading DRF's path decides."""
    path = []
    for position, attr in enumerate(attrs):
        if model is None:
            return None
        try:
            field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.many_to_many:
            return None
        last = position == len(attrs) - 1
        if field.is_relation:
            if not (field.many_to_one or field.one_to_one):
                return None
            if last:
                if not key_of_last:
                    path.append(attr)
                    return path
                path.append(field.attname)
                return path
            path.append(attr)
            model = field.related_model
        else:
            if not last:
                return None
            path.append(attr)
    return path


def _reads_its_source(field) -> bool:
    """Whether ``field`` reads its value as DRF's fields do, by following its source: a field
    class with a reading of its own (``UpdatedAtField`` reads an annotation) keeps it."""
    if isinstance(field, serializers.BaseSerializer):
        return False
    own = type(field).get_attribute
    return own is serializers.Field.get_attribute or own is serializers.RelatedField.get_attribute


def _plan(serializer) -> list[tuple]:
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    plan = []
    for field in serializer._readable_fields:
        getter = convert = None
        attrs = field.source_attrs
        if model is None and attrs and _reads_its_source(field):
            # Plain objects: the attribute path as it is; ``to_representation`` checks the value.
            getter = attrgetter(".".join(attrs))
            convert = _CONVERTERS.get(type(field), field.to_representation)
        elif model is not None and attrs and _reads_its_source(field):
            pk_only = (
                isinstance(field, serializers.PrimaryKeyRelatedField)
                and field.use_pk_only_optimization()
                and field.pk_field is None
            )
            path = _column_path(model, attrs, key_of_last=pk_only)
            if path is not None:
                getter = attrgetter(".".join(path))
                convert = _same if pk_only else _CONVERTERS.get(type(field), field.to_representation)
        plan.append((field.field_name, getter, convert, field))
    return plan


class PlannedRepresentation:
    """Mix into a read serializer (before the DRF class) for the planned ``to_representation``."""

    def to_representation(self, instance):
        plan = self.__dict__.get("_representation_plan")
        if plan is None:
            plan = self._representation_plan = _plan(self)
        ret = {}
        for name, getter, convert, field in plan:
            if getter is not None:
                try:
                    value = getter(instance)
                except AttributeError:
                    pass  # a relation on the way is empty: DRF's path says what that gives
                else:
                    if not callable(value):  # DRF calls a method it reads: its path does
                        ret[name] = None if value is None else convert(value)
                        continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else field.to_representation(attribute)
        return ret


class ReadModelSerializer(PlannedRepresentation, serializers.ModelSerializer):
    """The base of the API's model serializers: a ``ModelSerializer`` whose output is planned."""
