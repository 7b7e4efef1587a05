"""No "---------" placeholder reaches a page (issue 20, point 10): Django's empty choice is written
as "Vælg …" by the project's select template, for every form that did not name its own."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from herning.organisation.models import Team

pytestmark = pytest.mark.django_db


class _Form(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.all())
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], required=False)
    own = forms.ModelChoiceField(queryset=Team.objects.all(), empty_label="Alle")


def test_the_empty_choice_is_a_danish_choose_not_dashes(org):
    html = str(_Form())
    assert "---------" not in html
    assert html.count(">Vælg …</option>") == 2
    assert ">Alle</option>" in html  # a label the form chose stays
    with translation.override("en"):
        assert ">Choose …</option>" in str(_Form())


def test_a_page_with_a_required_choice_shows_no_dashes(org, login):
    from tests.factories import CaseFactory

    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    html = login(org.advisor).get(f"/sager/{case.pk}/flyt/").content.decode()
    assert "<select" in html and "---------" not in html
