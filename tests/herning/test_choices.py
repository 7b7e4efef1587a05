"""A choice field's label is read from a table built once per field (herning/core/choices.py): the
same words as Django's own lookup, in the language of the call, with one translation per call
rather than one per choice."""

from __future__ import annotations

from functools import partialmethod

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation

from followups.models import Deadline, DeadlineKind
from herning.core import choices


def generated_displays():
    """(model, field, the class's get_<field>_display) for every field with fixed choices."""
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_fields:
            method = model.__dict__.get(f"get_{field.name}_display")
            if field.choices is not None and isinstance(method, partialmethod):
                yield model, field, method


@pytest.fixture
def translations(monkeypatch):
    """Counts the messages translated (what a lazy label does when it is read or hashed)."""
    translation.gettext("Opfølgning")  # the translation functions are looked up on first use
    seen: list[str] = []
    real = translation._trans.gettext

    def counting(message):
        seen.append(message)
        return real(message)

    monkeypatch.setattr(translation._trans, "gettext", counting)
    return seen


def test_every_models_generated_display_reads_the_table():
    found = list(generated_displays())
    assert len(found) > 50  # the project's choice fields, their history models' and the libraries'
    assert [(m.__name__, f.name) for m, f, method in found if method.func is not choices.field_display] == []
    assert choices.install() == 0  # ready() installed them all; a second call finds nothing left


def test_a_label_translates_only_itself(translations):
    deadline = Deadline(kind=DeadlineKind.SUPERVISION)
    shown = deadline.get_kind_display()
    assert len(translations) == 1
    assert shown == "Tilsynsbesøg med børnesamtale"
    # Django's own lookup hashes, and so translates, every kind to show one.
    translations.clear()
    choices._django_display(deadline, field=Deadline._meta.get_field("kind"))
    assert len(translations) >= len(DeadlineKind.choices)


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_same_words_as_djangos_lookup_for_every_value_and_for_values_outside_the_choices(language):
    with translation.override(language):
        compared = 0
        for model, field, _method in generated_displays():
            instance = model()
            for value in [*(v for v, _label in field.flatchoices), None, "not-a-choice", 10**6]:
                try:
                    setattr(instance, field.attname, value)
                except ValidationError:  # a field that checks its value when set (a time zone's)
                    continue
                ours = getattr(instance, f"get_{field.name}_display")()
                assert ours == choices._django_display(instance, field=field), (model, field.name, value)
                assert type(ours) is type(choices._django_display(instance, field=field))
                compared += 1
        assert compared > 500


def test_the_words_follow_the_language_of_the_call():
    deadline = Deadline(kind=DeadlineKind.FOLLOWUP)
    assert deadline.get_kind_display() == "Opfølgning"
    with translation.override("en"):
        assert deadline.get_kind_display() == "Follow-up"


def test_choices_set_anew_are_read_anew(monkeypatch):
    field = Deadline._meta.get_field("kind")
    deadline = Deadline(kind=DeadlineKind.FOLLOWUP)
    assert deadline.get_kind_display() == "Opfølgning"
    monkeypatch.setattr(field, "choices", [(DeadlineKind.FOLLOWUP.value, "Ny tekst")])
    assert deadline.get_kind_display() == "Ny tekst"


def test_choices_from_a_callable_keep_djangos_lookup_every_time(monkeypatch):
    field = Deadline._meta.get_field("kind")
    deadline = Deadline(kind="a")
    labels = iter(["first", "second"])
    # Django keeps a callable as choices read anew on each iteration.
    monkeypatch.setattr(field, "choices", lambda: [("a", next(labels))])
    assert deadline.get_kind_display() == "first"
    assert deadline.get_kind_display() == "second"


def test_labels_in_language_are_each_languages_words_made_once(translations):
    danish = choices.labels_in_language(DeadlineKind)
    assert danish[DeadlineKind.FOLLOWUP] == "Opfølgning"
    assert dict(danish) == {value: str(label) for value, label in DeadlineKind.choices}
    with translation.override("en"):
        english = choices.labels_in_language(DeadlineKind)
        assert english[DeadlineKind.FOLLOWUP] == "Follow-up"
        assert dict(english) == {value: str(label) for value, label in DeadlineKind.choices}
    translations.clear()
    # Asked again in either language: the same table, nothing translated anew.
    assert choices.labels_in_language(DeadlineKind) is danish
    with translation.override("en"):
        assert choices.labels_in_language(DeadlineKind) is english
    assert translations == []
    with pytest.raises(TypeError):
        danish["x"] = "y"  # shared by every list of the process: nobody may change it
