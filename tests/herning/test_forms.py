"""The shared form renderer gives every widget the design system's markup."""

from __future__ import annotations

import re

from django import forms


class ExampleForm(forms.Form):
    name = forms.CharField(label="Navn", help_text="Som i CPR", max_length=10)
    kind = forms.ChoiceField(label="Type", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    tags = forms.MultipleChoiceField(
        label="Mærker", choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple, required=False
    )
    agree = forms.BooleanField(label="Enig", required=False)
    kind_select = forms.ChoiceField(label="Vælg", choices=[("a", "A")])


def test_text_input_has_label_hint_and_class():
    html = str(ExampleForm())
    assert '<label class="form-label" for="id_name">Navn</label>' in html
    assert 'class="form-hint" id="id_name-hint"' in html
    assert re.search(r'<input[^>]+class="form-input"[^>]+aria-describedby="id_name-hint"', html)


def test_radio_and_checkbox_lists_keep_the_class_off_their_wrapper():
    html = str(ExampleForm())
    # The design system hides .form-radio/.form-checkbox elements behind a custom control: on the
    # wrapper they would hide every option.
    assert not re.search(r'<div[^>]+class="[^"]*form-(radio|checkbox)[^"]*"', html)
    assert re.search(r'<input type="radio"[^>]+class="form-radio"', html)
    assert re.search(r'<input type="checkbox" name="tags"[^>]+class="form-checkbox"', html)
    assert '<legend class="form-label">Type' in html


def test_errors_are_announced_with_the_field():
    form = ExampleForm(data={"name": "x" * 20})
    html = str(form)
    assert 'class="alert alert-error" role="alert"' in html
    assert 'id="id_name-error"' in html
    assert 'aria-invalid="true"' in html
    assert re.search(r'aria-describedby="id_name-hint id_name-error"', html)


def test_select_has_the_select_class():
    assert re.search(r'<select name="kind_select"[^>]+class="form-select"', str(ExampleForm()))
