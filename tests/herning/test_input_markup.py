"""Inputs and textareas are written out in Python (``herning.core.forms.input_markup`` and
``textarea_markup``, through the project's form renderer), as selects are. The markup is Django's
own templates', for every kind of input: a value or none, zero, a date, a checkbox ticked or not,
hostile values, attributes that are flags, lazy translations and markup already safe."""

from __future__ import annotations

from pathlib import Path

import django
import pytest
from django import forms
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from herning.core.forms import (
    INPUT_TEMPLATE,
    INPUT_TEMPLATES,
    TEXTAREA_TEMPLATE,
    DateInput,
    DesignSystemFormRenderer,
)

HOSTILE = '<b>"Bo" & Co</b>'
WIDGETS = Path(django.__file__).parent / "forms" / "templates" / "django" / "forms" / "widgets"


def test_each_input_template_drawn_in_python_is_only_django_s_input():
    """A Django upgrade that gives one of them markup of its own would be drawn wrong: caught here."""
    for name in INPUT_TEMPLATES:
        source = (WIDGETS / Path(name).name).read_text()
        assert source == '{% include "django/forms/widgets/input.html" %}\n', name


class _Form(forms.Form):
    default_renderer = DesignSystemFormRenderer

    text = forms.CharField(
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Navn"), "autofocus": True})
    )
    empty = forms.CharField(required=False, widget=forms.TextInput(attrs={"spellcheck": False}))
    number = forms.IntegerField(required=False)
    day = forms.DateField(widget=DateInput(), required=False)
    email = forms.EmailField(required=False)
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    tick = forms.BooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    safe = forms.CharField(required=False)


def _widgets(form):
    for bound in form:
        widget = bound.field.widget
        attrs = bound.build_widget_attrs({"class": "form-input", "aria-describedby": 'x"y'}, widget)
        attrs.setdefault("id", bound.auto_id)
        yield (
            bound.name,
            widget.template_name,
            widget.get_context(bound.html_name, bound.value(), attrs)["widget"],
        )


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": HOSTILE, "number": "0", "day": "2026-02-29", "email": "a&b@x.dk", "secret": HOSTILE,
         "hidden": '"', "tick": "on", "note": HOSTILE, "safe": mark_safe("<i>ok</i>")},
        {"text": "Anna", "empty": "", "number": "12", "day": "2026-12-07", "note": "\nto linjer\n"},
    ],
)  # fmt: skip
def test_every_input_and_textarea_is_written_as_django_s_template_writes_it(language, data):
    with translation.override(language):
        form = _Form(data)
        seen = set()
        for name, template_name, widget in _widgets(form):
            reference = get_template(template_name).render({"widget": widget})
            drawn = DesignSystemFormRenderer().render(template_name, {"widget": widget})
            assert template_name in INPUT_TEMPLATES | {INPUT_TEMPLATE, TEXTAREA_TEMPLATE}, name
            assert drawn == reference, name
            assert "<b>" not in drawn
            seen.add(name)
        assert len(seen) == 10
        # And through the renderer, as a page draws it.
        page = str(form)
        assert page.count("<input") == 9 and page.count("<textarea") == 1
        if data and "safe" in data:
            assert "&lt;b&gt;" in page and "<i>ok</i>" in page
