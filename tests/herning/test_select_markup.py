"""Selects are written out in Python (``herning.core.forms.select_markup``, through the project's
form renderer), as the case list's advisor filter has hundreds of options. The markup is the
project's select template's (``templates/django/forms/widgets/select.html``, the reference), for
every kind of select: choices and model choices, groups, a selection, several selections, a
disabled or required field, hostile labels and values, in Danish and English."""

from __future__ import annotations

import pytest
from django import forms
from django.template.loader import get_template
from django.utils import translation

from herning.core.forms import SELECT_TEMPLATE, DesignSystemFormRenderer, select_markup
from herning.organisation.models import Team

pytestmark = pytest.mark.django_db

HOSTILE = '<b>"Bo" & Co</b>'


class _Form(forms.Form):
    default_renderer = DesignSystemFormRenderer

    team = forms.ModelChoiceField(queryset=Team.objects.order_by("pk"))
    own = forms.ModelChoiceField(queryset=Team.objects.order_by("pk"), empty_label=HOSTILE, required=False)
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", HOSTILE), (0, "nul")], required=False)
    grouped = forms.ChoiceField(
        choices=[
            ("Nord", [("n1", "Nord 1"), ("n2", "Nord 2")]),
            ("Syd & <vest>", [("s1", "Syd 1")]),
            ("x", "X"),
        ]
    )
    several = forms.MultipleChoiceField(choices=[("a", "A"), ("b", HOSTILE), ("c", "C")], required=False)
    answer = forms.NullBooleanField(required=False)
    closed = forms.ChoiceField(choices=[("a", "A")], disabled=True, required=False)


def _widgets(form):
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, forms.Select):
            attrs = bound.build_widget_attrs({"class": "form-select", "aria-describedby": 'x"y'}, widget)
            attrs.setdefault("id", bound.auto_id)
            yield bound.name, widget.get_context(bound.html_name, bound.value(), attrs)["widget"]


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {"team": "", "kind": "a", "grouped": "s1", "several": ["a", "b"], "answer": "true", "closed": "a"},
        {"own": "1", "kind": "0", "grouped": "n2", "several": ["c"], "answer": "false"},
    ],
)
def test_every_select_is_written_as_the_template_writes_it(org, language, data):
    reference = get_template(SELECT_TEMPLATE)
    with translation.override(language):
        form = _Form(data)
        seen = 0
        for name, widget in _widgets(form):
            drawn = select_markup(widget)
            assert drawn == reference.render({"widget": widget}), name
            assert "<b>" not in drawn
            seen += 1
        assert seen == 7
        # And through the renderer, as a page draws it.
        page = str(form)
        assert page.count("<select") == 7 and "---------" not in page and "&lt;b&gt;" in page
