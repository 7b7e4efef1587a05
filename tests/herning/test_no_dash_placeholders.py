"""No select of the domain's forms offers Django's "---------" (issue 20, point 10): an empty
choice reads "Vælg …" in Danish (or names what empty means, such as "Alle"). Every form class of
the apps' ``forms`` modules, and every select the form renders when built as its pages build it."""

from __future__ import annotations

import copy
import importlib
import inspect

import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.forms.widgets import ChoiceWidget

DASHES = "---------"
MODULES = [
    "cases.forms",
    "dashboards.forms",
    "dubu.forms",
    "evaluation.forms",
    "followups.forms",
    "herning.accounts.forms",
    "herning.api.forms",
    "herning.audit.forms",
    "herning.core.forms",
    "measures.forms",
    "network_meetings.forms",
]


def _form_classes():
    for name in MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                yield pytest.param(cls, id=f"{name}.{cls.__name__}")


def _rendered_choices(name: str, field: forms.Field) -> str:
    """The field's widget as the pages render it (the project's renderer and templates), with its
    empty choice; a model choice's rows are left out (they are the database's, never dashes)."""
    field = copy.deepcopy(field)
    if isinstance(field, forms.ModelChoiceField):
        choices = [] if field.empty_label is None else [("", field.empty_label)]
    else:
        choices = list(field.choices)
    field.widget.choices = choices
    return field.widget.render(name, None, renderer=get_default_renderer())


def _built(form_class):
    """The forms whose ``__init__`` sets the choices (a radio button without the empty one), built
    as their pages build them; the others are judged by their class."""
    from network_meetings.forms import ConsentForm, NetworkMapPersonForm

    if form_class is ConsentForm:
        return ConsentForm(custody_holders=ConsentForm.base_fields["custody_holder"].queryset.none())
    if form_class is NetworkMapPersonForm:
        return NetworkMapPersonForm(municipality_id=0)
    return None


@pytest.mark.parametrize("form_class", list(_form_classes()))
def test_no_select_of_the_form_shows_dashes(form_class):
    form = _built(form_class)
    fields = form.fields if form is not None else form_class.base_fields
    dashed = [
        name
        for name, field in fields.items()
        if isinstance(field, forms.ChoiceField)
        and isinstance(field.widget, ChoiceWidget)
        and DASHES in _rendered_choices(name, field)
    ]
    assert not dashed, f"{form_class.__name__}: {dashed} show '{DASHES}'"


def test_the_empty_choice_reads_vaelg():
    from cases.forms import JournalForm

    html = _rendered_choices("heading", JournalForm.base_fields["heading"])
    assert '<option value="" selected>Vælg …</option>' in html and DASHES not in html
