"""A field's group (label, hint, error and widget) is written in Python
(``herning.core.forms.field_markup``, through the project's form renderer). The markup is
templates/forms/field.html's, character for character, for every kind of field: hidden, a
checkbox, options in a fieldset, required, optional and conditional fields, with and without hint
and errors, hostile labels and hints, markup already safe, in Danish and English."""

from __future__ import annotations

import pytest
from django import forms
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from herning.core.forms import FIELD_TEMPLATE, DateInput, DesignSystemFormRenderer, field_markup

HOSTILE = '<b>"Bo" & Co</b>'


class _Form(forms.Form):
    default_renderer = DesignSystemFormRenderer

    name = forms.CharField(label=HOSTILE, help_text=HOSTILE, max_length=5)
    note = forms.CharField(required=False, widget=forms.Textarea, help_text=mark_safe("<i>ok</i>"))
    when = forms.DateField(label=gettext_lazy("Dato"), widget=DateInput(), required=False)
    tick = forms.BooleanField(label="Sæt flueben", required=False, help_text="Et hint")
    must = forms.BooleanField(label="Skal", required=True)
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", HOSTILE)], widget=forms.RadioSelect, help_text="Vælg")
    some = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple, required=False
    )
    pick = forms.ChoiceField(choices=[("", "---------"), ("x", "X")], required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    initial = forms.CharField(widget=forms.HiddenInput, show_hidden_initial=True, required=False)
    only_if = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A field the page asks for only in some cases: never marked "(frivilligt)".
        self.fields["only_if"].conditional = True


class _TemplateRenderer(DesignSystemFormRenderer):
    """The renderer with the field's group drawn by the reference template."""

    def render(self, template_name, context, request=None):
        if template_name == FIELD_TEMPLATE:
            return get_template(template_name).render(context)
        return super().render(template_name, context, request=request)


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {"name": "for langt navn", "kind": "c", "must": "", "when": "2026-02-30"},
        {"name": HOSTILE[:5], "kind": "b", "must": "on", "tick": "on", "some": ["a", "b"], "secret": HOSTILE},
        {"name": "Anna", "kind": "a", "must": "on", "note": HOSTILE, "pick": "x", "initial": "1"},
    ],
)
def test_every_field_group_is_written_as_the_template_writes_it(language, data):
    reference = get_template(FIELD_TEMPLATE)
    with translation.override(language):
        form = _Form(data)
        for bound in form:
            assert field_markup(bound) == reference.render({"field": bound}), bound.name
            assert "<b>" not in field_markup(bound)
        # And through the renderer, as a page draws the whole form.
        assert str(form) == str(_Form(data, renderer=_TemplateRenderer()))


def test_each_kind_of_group_is_drawn():
    form = _Form({"name": "", "kind": "a"})
    drawn = {bound.name: field_markup(bound) for bound in form}
    assert drawn["name"].startswith(
        '<div class="form-group form-error">\n  <label class="form-label" for="id_name">'
    )
    assert '<span class="sr-only">Fejl: </span>' in drawn["name"]
    assert drawn["kind"].startswith('<fieldset class="form-group" aria-describedby="id_kind-hint ">')
    assert '<div class="form-group-checkbox">' in drawn["tick"]
    assert drawn["secret"].startswith('<input type="hidden" name="secret" id="id_secret">')
    assert "<div" not in drawn["secret"] and "<label" not in drawn["secret"]
    assert "(frivilligt)" in drawn["note"] and "(frivilligt)" not in drawn["only_if"]
    assert "(frivilligt)" not in drawn["name"]
