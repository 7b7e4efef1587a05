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

A model serializer's field whose source is not a chain of columns (a property such as the child's
``full_name``) is read the same way, one ``attrgetter`` of its dotted path, the value checked.

Building a serializer's fields is itself about 0.4-0.5 ms per request (``ModelSerializer`` builds
them from the model on every instance, and a list's child is a new instance each request). Where
every field represents from its value alone (``_SHARED``: the value's own converters, a date's
format, a choice's key, a code) and the class alone decides its fields, the plan is made once per
class and the fields are never built for the request; DRF builds them only if a row needs its own
path (an empty relation, a callable value). A field with a reading of its own may name the
attribute it reads (``plain_attribute``) to be planned as well.
"""

from __future__ import annotations

from operator import attrgetter

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from rest_framework import serializers
from rest_framework.fields import SkipField, empty
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


# What a planned read that finds a step missing answers (an ``AttributeError``: a relation on the
# way is empty, or the annotation was not made): DRF's ``Field.get_attribute`` decides from the
# field's settings alone, so the plan can decide it once. ``_OWN_PATH``: ask DRF's path.
_OWN_PATH, _SKIP = object(), object()


def _when_missing(field):
    """For a source that is a chain of columns and forward relations only: no step can be a
    method DRF would call (a property's or a plain object's source keeps ``_OWN_PATH``)."""
    if field.default is not empty:
        return _OWN_PATH
    if field.allow_null:
        return None
    if not field.required:
        return _SKIP  # DRF leaves the field out of the row
    return _OWN_PATH


def _plan(serializer) -> list[tuple]:
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    plan = []
    for field in serializer._readable_fields:
        getter = convert = None
        missing = _OWN_PATH
        attrs = field.source_attrs
        plain = getattr(field, "plain_attribute", None)
        if plain is not None:
            # A field that reads one attribute of its own, None when missing (``UpdatedAtField``).
            getter, convert, missing = attrgetter(plain), field.to_representation, None
        elif attrs and _reads_its_source(field):
            pk_only = (
                model is not None
                and isinstance(field, serializers.PrimaryKeyRelatedField)
                and field.use_pk_only_optimization()
                and field.pk_field is None
            )
            path = _column_path(model, attrs, key_of_last=pk_only) if model is not None else None
            if path is not None:
                getter = attrgetter(".".join(path))
                convert = _same if pk_only else _CONVERTERS.get(type(field), field.to_representation)
                missing = _when_missing(field)
            elif not isinstance(field, serializers.RelatedField):
                # Plain objects, and a model's property: the attribute path as it is; the value is
                # checked before ``to_representation`` (a callable, or a step that is missing, takes
                # DRF's path). A related field through a property keeps DRF's own reading.
                getter = attrgetter(".".join(attrs))
                convert = _CONVERTERS.get(type(field), field.to_representation)
        plan.append((field.field_name, getter, convert, field, missing))
    return plan


# The ``to_representation`` of the fields that represent from the value and their own settings
# alone (no request, no context, no parent): a plan of these may serve every instance of a class.
_SHARED = frozenset(
    cls.to_representation
    for cls in (
        serializers.IntegerField,
        serializers.BigIntegerField,
        serializers.CharField,
        serializers.BooleanField,
        serializers.FloatField,
        serializers.DecimalField,
        serializers.DateField,
        serializers.DateTimeField,
        serializers.ChoiceField,
        serializers.UUIDField,
        serializers.SlugRelatedField,
    )
)
_CLASS_PLANS: dict[type, list[tuple] | None] = {}
_DRF_GET_FIELDS = frozenset({serializers.Serializer.get_fields, serializers.ModelSerializer.get_fields})


def _class_decides_fields(cls) -> bool:
    # DRF's own building (the declared fields and the model's): nothing of the instance (its
    # arguments, context or request) can add, drop or change a field.
    return cls.get_fields in _DRF_GET_FIELDS and cls.__init__ is serializers.BaseSerializer.__init__


def _shared(field, getter, convert) -> bool:
    if getter is None:
        return False
    if convert is _same or convert in _CONVERTERS.values():
        return True
    return type(field).to_representation in _SHARED or getattr(field, "represents_alone", False)


def _class_plan(serializer) -> list[tuple] | None:
    """The plan every instance of the serializer's class shares, its fields left out (an
    instance's own are read when a row takes DRF's path); ``None`` when its instances need their
    own."""
    cls = type(serializer)
    try:
        return _CLASS_PLANS[cls]
    except KeyError:
        pass
    plan = None
    if _class_decides_fields(cls):
        # Planned on an instance of its own, with no context: the plan, kept for the process,
        # holds no request.
        made = _plan(cls())
        if all(_shared(field, getter, convert) for _name, getter, convert, field, _missing in made):
            plan = [(name, getter, convert, None, missing) for name, getter, convert, _f, missing in made]
    _CLASS_PLANS[cls] = plan
    return plan


class PlannedRepresentation:
    """Mix into a read serializer (before the DRF class) for the planned ``to_representation``."""

    def to_representation(self, instance):
        plan = self.__dict__.get("_representation_plan")
        if plan is None:
            plan = _class_plan(self)
            if plan is None:
                plan = _plan(self)
            self._representation_plan = plan
        ret = {}
        for name, getter, convert, field, missing in plan:
            if getter is not None:
                try:
                    value = getter(instance)
                except ObjectDoesNotExist:
                    pass  # a row the relation points to is gone: DRF's path says what that gives
                except (AttributeError, KeyError):
                    if missing is not _OWN_PATH:
                        if missing is not _SKIP:
                            ret[name] = missing
                        continue
                else:
                    if not callable(value):  # DRF calls a method it reads: its path does
                        ret[name] = None if value is None else convert(value)
                        continue
            if field is None:
                field = self.fields[name]  # the instance's own, built by DRF on first need
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else field.to_representation(attribute)
        return ret


class ReadModelSerializer(PlannedRepresentation, serializers.ModelSerializer):
    """The base of the API's model serializers: a ``ModelSerializer`` whose output is planned."""
