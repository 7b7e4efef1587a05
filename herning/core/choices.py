"""A choice field's label read from a table built once per field, not from its choices flattened on
every call.

Django's ``get_<field>_display`` builds ``dict(make_hashable(field.flatchoices))`` each time it is
called. Making the pairs hashable hashes every label, and hashing a lazily translated label
translates it: a deadline's ``get_kind_display()`` translated all 13 kinds to show one. "Min dag"
made about 460 of its 716 translations per request that way (``benchmarks/RESULTS.md``).

``install()`` (``CoreConfig.ready``) gives every model's generated ``get_<field>_display`` this
module's lookup: the value's label is found in a table of the field's values (built once, the
labels kept lazy) and only that label is translated, in the language active at the call, as before.
A model's own ``get_<field>_display`` is left alone, and a field whose choices are a callable keeps
Django's lookup: its choices may differ from one call to the next.
"""

from __future__ import annotations

import functools
from functools import partialmethod
from types import MappingProxyType

from django.apps import apps
from django.db.models import Field, Model
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

_TABLE = "_herning_choice_labels"


def _labels(field: Field) -> dict | None:
    """The field's labels by value, kept on the field with the choices they were read from; None
    when the choices are not a fixed list (a callable's are read anew, as Django does)."""
    choices = field.choices
    if not isinstance(choices, list | tuple):
        return None
    kept = field.__dict__.get(_TABLE)
    if kept is None or kept[0] is not choices:
        # Keyed as Django keys them (a list value becomes a tuple); a repeated value keeps its last
        # label, as dict() over the pairs does. The labels stay lazy: nothing is translated here.
        kept = (choices, {make_hashable(value): label for value, label in field.flatchoices})
        field.__dict__[_TABLE] = kept
    return kept[1]


def field_display(instance: Model, field: Field):
    """``instance``'s value of ``field`` in words: what Django's ``_get_FIELD_display`` returns."""
    labels = _labels(field)
    if labels is None:
        return _django_display(instance, field=field)
    value = getattr(instance, field.attname)
    return force_str(labels.get(make_hashable(value), value), strings_only=True)


_django_display = Model._get_FIELD_display


def install() -> int:
    """Give each installed model's generated ``get_<field>_display`` the table lookup; returns how
    many were replaced. Each model has its own, set by the field when the class was built (a field
    of an abstract parent is copied to each child), so the model's own ``__dict__`` is where it is."""
    replaced = 0
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_fields:
            if field.choices is None:
                continue
            name = f"get_{field.name}_display"
            generated = model.__dict__.get(name)
            if (
                isinstance(generated, partialmethod)
                and generated.func is _django_display
                and generated.keywords.get("field") is field
            ):
                setattr(model, name, partialmethod(field_display, field=field))
                replaced += 1
    return replaced


def labels_in_language(choices) -> MappingProxyType:
    """Each value of a ``TextChoices`` class with its label in the active language, made once per
    class and language (a process serves Danish and English): a list drawn in Python (the
    deadline tables, Min dag, the reminders) shows a kind's label per row, and made the table anew
    for every list, translating every label each time."""
    return _labels_in(choices, get_language())


@functools.lru_cache(maxsize=64)
def _labels_in(choices, language: str | None) -> MappingProxyType:
    # ``str`` translates in the active language, which is ``language``: the key is what was asked.
    return MappingProxyType({value: str(label) for value, label in choices.choices})
