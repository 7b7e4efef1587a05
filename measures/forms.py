"""Forms for starting, ending and changing a measure on a case."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms import ServiceModelForm
from cases.models import LegalBasis
from herning.core.forms import DateInput
from measures.models import LadderMovement, Measure, MeasureType


class MeasureTypeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: MeasureType) -> str:
        return _("Trin %(n)s: %(name)s") % {"n": obj.ladder_step.number, "name": obj.localized_name}


def _active_types():
    return MeasureType.objects.filter(is_active=True).select_related("ladder_step")


REASON_HELP = _("Udfyldes kun, hvis sagen skifter trin og årsagen er en anden end den foreslåede.")


class LegalBasisField(forms.ModelChoiceField):
    def label_from_instance(self, obj: LegalBasis) -> str:
        return f"{obj.title} ({obj.citation})"


class MeasureStartForm(ServiceModelForm):
    measure_type = MeasureTypeField(label=_("Indsatstype"), queryset=MeasureType.objects.none())
    legal_basis = LegalBasisField(
        label=_("Lovgrundlag"),
        queryset=LegalBasis.objects.none(),
        required=False,
        empty_label=_("Indsatstypens lovgrundlag"),
        help_text=_(
            "Fx et efterskoleophold som støttende indsats eller økonomisk støtte (Barnets Lov § 32 "
            "eller § 35, stk. 4) i stedet for en anbringelse: så er der ingen tilsynsbesøg."
        ),
    )
    movement_reason = forms.ChoiceField(
        label=_("Årsag til bevægelse på indsatstrappen"),
        choices=[("", _("Foreslået ud fra indsatsen")), *LadderMovement.Reason.choices],
        required=False,
        help_text=REASON_HELP,
    )
    movement_note = forms.CharField(
        label=_("Bemærkning til bevægelsen"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Measure
        fields = ["measure_type", "provider", "start_date", "planned_end", "decision_basis"]
        widgets = {"start_date": DateInput(), "planned_end": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure_type"].queryset = _active_types()
        self.fields["legal_basis"].queryset = LegalBasis.objects.order_by("title")
        self.fields["start_date"].initial = timezone.localdate
        self.fields["planned_end"].help_text = _("Fx for en tidsbegrænset anbringelse.")

    def clean(self):
        data = super().clean()
        if data.get("planned_end") and data.get("start_date") and data["planned_end"] < data["start_date"]:
            self.add_error("planned_end", _("Den planlagte slutdato kan ikke ligge før startdatoen."))
        return data


class MeasureEndForm(forms.Form):
    end_date = forms.DateField(
        label=_("Sidste dag med indsatsen"), widget=DateInput(), initial=timezone.localdate
    )
    ending_reason = forms.ChoiceField(
        label=_("Årsag til ophør"), choices=[("", "---------"), *Measure.EndingReason.choices]
    )
    ending_note = forms.CharField(
        label=_("Bemærkning til ophør"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    movement_reason = forms.ChoiceField(
        label=_("Årsag til bevægelse på indsatstrappen"),
        choices=[("", _("Foreslået ud fra årsagen til ophør")), *LadderMovement.Reason.choices],
        required=False,
        help_text=REASON_HELP,
    )


class MeasureChangeForm(forms.Form):
    change_date = forms.DateField(
        label=_("Den nye indsats begynder"), widget=DateInput(), initial=timezone.localdate
    )
    new_measure_type = MeasureTypeField(label=_("Ny indsatstype"), queryset=MeasureType.objects.none())
    provider = forms.CharField(label=_("Leverandør / anbringelsessted"), required=False, max_length=200)
    planned_end = forms.DateField(label=_("Planlagt slutdato"), widget=DateInput(), required=False)
    decision_basis = forms.ChoiceField(
        label=_("Afgørelsesgrundlag"),
        choices=Measure.DecisionBasis.choices,
        initial=Measure.DecisionBasis.WITH_CONSENT,
    )
    ending_reason = forms.ChoiceField(
        label=_("Årsag til at den nuværende indsats ophører"),
        choices=[("", "---------"), *Measure.EndingReason.choices],
        initial=Measure.EndingReason.CHANGED_MEASURE,
    )
    movement_reason = forms.ChoiceField(
        label=_("Årsag til bevægelse på indsatstrappen"),
        choices=[("", _("Foreslået ud fra skiftet")), *LadderMovement.Reason.choices],
        required=False,
        help_text=REASON_HELP,
    )
    movement_note = forms.CharField(
        label=_("Bemærkning"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_measure_type"].queryset = _active_types()
