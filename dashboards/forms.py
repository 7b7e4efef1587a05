"""The overview pages' filters (GET): district and period."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from dashboards.selectors import Window

PERIODS = [
    (30, _("Seneste 30 dage")),
    (90, _("Seneste 90 dage")),
    (180, _("Seneste halve år")),
    (365, _("Seneste år")),
]
DEFAULT_PERIOD = 90


class OverviewFilterForm(forms.Form):
    """Narrow an overview to one district; choose the period its movements and overrides cover.
    The districts offered are the ones the person steers, given as (id, name) pairs."""

    district = forms.TypedChoiceField(label=_("Distrikt"), coerce=int, required=False, empty_value=None)
    period = forms.TypedChoiceField(
        label=_("Periode"),
        choices=PERIODS,
        coerce=int,
        required=False,
        empty_value=DEFAULT_PERIOD,
        help_text=_("Gælder bevægelser på indsatstrappen og tilsidesættelser af loftet."),
    )

    def __init__(self, *args, districts: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("Alle")), *districts]
        self.fields["period"].initial = DEFAULT_PERIOD

    def chosen(self, today: datetime.date) -> tuple[int | None, Window]:
        """The chosen district (None: all) and period; the defaults while the form is unbound or
        invalid (its errors are shown)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("district"), Window(days=data.get("period") or DEFAULT_PERIOD, end=today)
