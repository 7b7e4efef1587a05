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

from herning.core.forms import SELECT_TEMPLATE, DesignSystemFormRenderer, Pairs, PlainSelect, select_markup
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


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {"team": "", "kind": "a", "grouped": "s1", "closed": "a", "twice": "a"},
        {"own": "1", "kind": "0", "grouped": "n2", "twice": "b"},
    ],
)
def test_a_plain_select_is_written_as_django_s_select_with_the_template(org, language, data):
    """``PlainSelect`` writes its options from its choices without Django's dicts: the markup is
    the template's of a Select of the same choices, a value given twice selected once, groups by
    Django's own path. So is a field's ``Pairs``, set as they are."""
    reference = get_template(SELECT_TEMPLATE)

    class _Twice(_Form):
        twice = forms.ChoiceField(choices=[("a", "A"), ("b", HOSTILE), ("a", "A igen")], required=False)

    with translation.override(language):
        form = _Twice(data)
        seen = 0
        for name, widget in _widgets(form):
            bound = form[name]
            if type(bound.field.widget) is not forms.Select:
                continue
            plain = PlainSelect(choices=bound.field.widget.choices).get_context(
                bound.html_name, bound.value(), dict(widget["attrs"])
            )["widget"]
            assert ("plain_options" in plain) == (name != "grouped"), name
            assert select_markup(plain) == reference.render({"widget": widget}), name
            seen += 1
        assert seen == 6
        field = forms.ChoiceField(
            choices=Pairs([("", "Alle"), (7, HOSTILE), (8, "Otte")]), widget=PlainSelect
        )
        assert field.clean("7") == "7" and list(field.choices)[1] == (7, HOSTILE)
        with pytest.raises(forms.ValidationError):
            field.clean("9")
        drawn = field.widget.render("n", "8", {"id": "id_n"})
        assert drawn == forms.Select(choices=[("", "Alle"), (7, HOSTILE), (8, "Otte")]).render(
            "n", "8", {"id": "id_n"}, renderer=DesignSystemFormRenderer()
        )
        assert '<option value="8" selected>Otte</option>' in drawn
