"""Forms: the filters of the figure pages, the SDQ cohort and comparison choices, and the entry of
complaints and SDQ scores."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluation import selectors
from evaluation.models import Complaint, SdqScore
from evaluation.periods import Period, spanning, year
from evaluation.scope import Scope, districts_in, teams_in
from herning.core.dates import validate_reading_date
from herning.core.forms import DateInput

GRANULARITY = [("year", _("År")), ("half", _("Halvår")), ("rolling", _("Løbende 12 måneder"))]


class ScopeFilterMixin:
    """Adds "team" and (for the whole municipality) "district" to a form; a choice outside the
    person's scope is reported by ``out_of_scope`` so the view can answer 404."""

    def _add_scope_fields(self, scope: Scope) -> None:
        self.scope = scope
        self.fields["team"] = forms.ModelChoiceField(
            teams_in(scope), required=False, empty_label=_("Alle teams"), label=_("Team")
        )
        if scope.team_ids is None:
            self.fields["district"] = forms.ModelChoiceField(
                districts_in(scope), required=False, empty_label=_("Alle distrikter"), label=_("Distrikt")
            )

    @property
    def out_of_scope(self) -> bool:
        return any(
            e.code == "invalid_choice"
            for name in ("team", "district")
            for e in (self.errors.as_data().get(name) or [])
        )

    def narrowed_scope(self) -> Scope:
        team = self.cleaned_data.get("team")
        district = self.cleaned_data.get("district")
        label = ", ".join(str(x) for x in (district, team) if x) or self.scope.label
        return self.scope.narrowed(
            teams=[team] if team else (), districts=[district] if district else (), label=label
        )


def _bound(form_class, data, defaults, **kwargs):
    """A filter form is always bound: the request's values over the defaults."""
    merged = {**defaults, **{k: v for k, v in data.items() if v != ""}}
    return form_class(merged, **kwargs)


class FigureFilterForm(ScopeFilterMixin, forms.Form):
    """Which part of the organisation and which years the figures are for."""

    year_from = forms.TypedChoiceField(label=_("Fra år"), coerce=int)
    year_to = forms.TypedChoiceField(label=_("Til og med år"), coerce=int)
    granularity = forms.ChoiceField(label=_("Opgjort pr."), choices=GRANULARITY)

    def __init__(
        self,
        *args,
        scope: Scope,
        coverage: tuple[datetime.date, datetime.date],
        with_prices: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        years = [(y, str(y)) for y in range(coverage[0].year, coverage[1].year + 1)]
        self.fields["year_from"].choices = years
        self.fields["year_to"].choices = years
        if with_prices:
            # The prices amounts are shown in: a year with a price index value
            # (measures.models.PriceIndex), or each year's own.
            self.fields["price_year"] = forms.TypedChoiceField(
                label=_("Priser i årets niveau"),
                choices=[("", _("Løbende priser"))] + [(y, str(y)) for y in selectors.price_years()],
                coerce=int,
                empty_value=None,
                required=False,
            )
        self._add_scope_fields(scope)
        self.order_fields(["team", "district", "year_from", "year_to", "granularity", "price_year"])

    @classmethod
    def for_request(cls, data, *, scope, coverage, with_prices: bool = False):
        last = coverage[1].year
        defaults = {
            "year_from": str(max(coverage[0].year, last - 1)),
            "year_to": str(last),
            "granularity": "year",
        }
        return _bound(cls, data, defaults, scope=scope, coverage=coverage, with_prices=with_prices)

    def clean(self):
        data = super().clean()
        if data.get("year_from") and data.get("year_to") and data["year_from"] > data["year_to"]:
            self.add_error("year_to", _("Til-året kan ikke ligge før fra-året."))
        return data


def _date(label):
    return forms.DateField(label=label, widget=DateInput(), validators=[validate_reading_date])


class SdqCohortForm(ScopeFilterMixin, forms.Form):
    """The children measured before and after, by one kind of informant."""

    informant = forms.ChoiceField(label=_("Besvaret af"), choices=SdqScore.Informant.choices)
    before_start = _date(_("Før-måling fra"))
    before_end = _date(_("Før-måling til og med"))
    after_start = _date(_("Efter-måling fra"))
    after_end = _date(_("Efter-måling til og med"))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_scope_fields(scope)
        self.order_fields(["team", "district", "informant"])

    @classmethod
    def for_request(cls, data, *, scope, today: datetime.date):
        # By default the year that began two years ago against the last year, as KORA measured
        # in 2014 and again in 2016.
        before_start = today - relativedelta(years=2) + datetime.timedelta(days=1)
        after_start = today - relativedelta(years=1) + datetime.timedelta(days=1)
        defaults = {
            "informant": SdqScore.Informant.TEACHER,
            "before_start": before_start.isoformat(),
            "before_end": (after_start - datetime.timedelta(days=1)).isoformat(),
            "after_start": after_start.isoformat(),
            "after_end": today.isoformat(),
        }
        return _bound(cls, data, defaults, scope=scope)

    def clean(self):
        data = super().clean()
        for window in ("before", "after"):
            start, end = data.get(f"{window}_start"), data.get(f"{window}_end")
            if start and end and end < start:
                self.add_error(f"{window}_end", _("Slutdatoen kan ikke ligge før startdatoen."))
        if data.get("before_end") and data.get("after_start") and data["before_end"] >= data["after_start"]:
            self.add_error("after_start", _("Efter-målingen skal ligge efter før-målingen."))
        return data

    def windows(self) -> tuple[Period, Period]:
        d = self.cleaned_data
        return (
            Period(d["before_start"], d["before_end"], str(_("Før"))),
            Period(d["after_start"], d["after_end"], str(_("Efter"))),
        )


def default_comparison_periods(first: datetime.date, last: datetime.date) -> tuple[Period, Period]:
    """The last two calendar years with data (the latest so far), or, with less than that, the
    days with data split in two halves."""
    previous = year(last.year - 1)
    if first <= previous.end:
        return (
            spanning(max(first, previous.start), previous.end),
            spanning(datetime.date(last.year, 1, 1), last),
        )
    middle = first + (last - first) / 2
    return spanning(first, middle), spanning(middle + datetime.timedelta(days=1), last)


class ComparisonForm(forms.Form):
    """Two groups of districts over two periods, as KORA compared the pilot districts with the rest."""

    label_a = forms.CharField(label=_("Navn på gruppe A"), max_length=60)
    group_a = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Distrikter i gruppe A"), widget=forms.CheckboxSelectMultiple
    )
    label_b = forms.CharField(label=_("Navn på gruppe B"), max_length=60)
    group_b = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Distrikter i gruppe B"), widget=forms.CheckboxSelectMultiple
    )
    first_start = _date(_("Periode 1 fra"))
    first_end = _date(_("Periode 1 til og med"))
    # Whose SDQ scores the comparison's before/after row pairs (period 1 before, period 2 after).
    informant = forms.ChoiceField(label=_("SDQ besvaret af"), choices=SdqScore.Informant.choices)
    second_start = _date(_("Periode 2 fra"))
    second_end = _date(_("Periode 2 til og med"))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["group_a"].queryset = districts_in(scope)
        self.fields["group_b"].queryset = districts_in(scope)

    @classmethod
    def for_request(cls, data, *, scope, coverage):
        districts = list(districts_in(scope).values_list("pk", flat=True))
        first, second = default_comparison_periods(*coverage)
        defaults = {
            "label_a": str(_("Gruppe A")),
            "label_b": str(_("Gruppe B")),
            "first_start": first.start.isoformat(),
            "first_end": first.end.isoformat(),
            "second_start": second.start.isoformat(),
            "second_end": second.end.isoformat(),
            "informant": SdqScore.Informant.TEACHER,
        }
        form_data = QueryDict(mutable=True)
        for key, value in defaults.items():
            form_data[key] = value
        if "group_a" not in data and "group_b" not in data:
            form_data.setlist("group_a", [str(pk) for pk in districts[:1]])
            form_data.setlist("group_b", [str(pk) for pk in districts[1:]])
        for key in data:
            form_data.setlist(key, data.getlist(key))
        return cls(form_data, scope=scope)

    def clean(self):
        data = super().clean()
        a, b = set(data.get("group_a") or []), set(data.get("group_b") or [])
        if a & b:
            self.add_error("group_b", _("Et distrikt kan kun være i én af grupperne."))
        for period in ("first", "second"):
            start, end = data.get(f"{period}_start"), data.get(f"{period}_end")
            if start and end and end < start:
                self.add_error(f"{period}_end", _("Slutdatoen kan ikke ligge før startdatoen."))
        return data

    def groups(self) -> list[tuple[str, Scope]]:
        d = self.cleaned_data
        return [
            (
                d["label_a"],
                Scope(
                    self.scope.municipality_id,
                    district_ids=tuple(x.pk for x in d["group_a"]),
                    label=d["label_a"],
                ),
            ),
            (
                d["label_b"],
                Scope(
                    self.scope.municipality_id,
                    district_ids=tuple(x.pk for x in d["group_b"]),
                    label=d["label_b"],
                ),
            ),
        ]

    def periods(self) -> list[Period]:
        d = self.cleaned_data
        return [spanning(d["first_start"], d["first_end"]), spanning(d["second_start"], d["second_end"])]


# --- Entry ------------------------------------------------------------------------------------


class ComplaintForm(forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ["received_on", "subject", "description"]
        widgets = {"received_on": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "description": _("Skriv kort, hvad klagen handler om. Skriv ikke CPR-nummer."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate


class ComplaintOutcomeForm(forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ["outcome", "decided_on"]
        widgets = {"decided_on": DateInput()}
        help_texts = {"decided_on": _("Tom, så længe klagen er under behandling.")}


class SdqScoreForm(forms.ModelForm):
    class Meta:
        model = SdqScore
        fields = [
            "assessed_on",
            "informant",
            "total",
            "emotional",
            "conduct",
            "hyperactivity",
            "peer",
            "prosocial",
        ]
        widgets = {"assessed_on": DateInput()}
        initial = {"informant": SdqScore.Informant.TEACHER}
        help_texts = {
            "total": _("Summen af de fire vanskelighedsskalaer. Prosocial adfærd tælles ikke med."),
        }
