"""Forms for starting, ending and changing a measure on a case."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms import ServiceModelForm
from cases.models import JournalNote, LegalBasis
from herning.core.forms import DateInput
from measures.models import LadderMovement, Measure, MeasureType
from measures.services import Hearing


class MeasureTypeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: MeasureType) -> str:
        return _("Trin %(n)s: %(name)s") % {"n": obj.ladder_step.number, "name": obj.localized_name}


def _active_types(step: int | None = None):
    """The catalog's active types; with ``step``, only those on that ladder step (the ladder
    section's "move to step N" opens the form with the step's types only)."""
    types = MeasureType.objects.filter(is_active=True).select_related("ladder_step")
    return types if step is None else types.filter(ladder_step__number=step)


def _decision_basis_field() -> forms.ChoiceField:
    """Consent or no consent: the advisor chooses; nothing is chosen beforehand."""
    return forms.ChoiceField(
        label=_("Afgørelsesgrundlag"),
        choices=[("", _("Vælg med eller uden samtykke")), *Measure.DecisionBasis.choices],
        error_messages={"required": _("Vælg, om afgørelsen træffes med eller uden samtykke.")},
    )


class HearingFields(forms.Form):
    """The child's hearing before the measure starts (Barnets Lov § 5, stk. 3; forvaltningsloven
    § 19): a date and a note, or the journal note about it, or the law's reason why not."""

    hearing_on = forms.DateField(label=_("Barnet hørt den"), widget=DateInput(), required=False)
    hearing_note = forms.CharField(
        label=_("Partshøring af barnet"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hvad barnet sagde om indsatsen."),
    )
    hearing_journal_note = forms.ModelChoiceField(
        label=_("Eller journalnotatet om partshøringen"),
        queryset=JournalNote.objects.none(),
        required=False,
        empty_label=_("Intet journalnotat valgt"),
        help_text=_("Journalnotater med overskriften 'Partshøring – af barnet'."),
    )
    hearing_omitted = forms.ChoiceField(
        label=_("Eller: barnet er ikke hørt, fordi"),
        choices=[("", _("Barnet er hørt")), *Measure.HearingOmitted.choices],
        required=False,
    )
    hearing_omitted_note = forms.CharField(
        label=_("Begrundelse for ikke at høre barnet"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    plan_exception = forms.CharField(
        label=_("Anbringelse uden samtykke før barnets plan: begrundelse"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Kun hvis afgørelsen ikke kunne vente på planen (foreløbig afgørelse, Barnets Lov § 143). "
            "Planen skal så foreligge senest 3 måneder efter."
        ),
    )

    def limit_journal_notes(self, case) -> None:
        self.fields["hearing_journal_note"].queryset = (
            JournalNote.objects.for_system()
            .filter(case=case, heading=JournalNote.Heading.HEARING_CHILD)
            .order_by("-occurred_on", "-pk")
        )

    def hearing(self) -> Hearing:
        data = self.cleaned_data
        return Hearing(
            on=data.get("hearing_on"),
            note=data.get("hearing_note") or "",
            journal_note=data.get("hearing_journal_note"),
            omitted=data.get("hearing_omitted") or "",
            omitted_note=data.get("hearing_omitted_note") or "",
        )


REASON_HELP = _("Udfyldes kun, hvis sagen skifter trin og årsagen er en anden end den foreslåede.")


class LegalBasisField(forms.ModelChoiceField):
    """Each basis cited under the law in force today, not the old and the new law side by side."""

    def label_from_instance(self, obj: LegalBasis) -> str:
        return f"{obj.title} ({obj.citation_on(timezone.localdate())})"


class MeasureStartForm(HearingFields, ServiceModelForm):
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

    def __init__(self, *args, case=None, step=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure_type"].queryset = _active_types(step)
        self.fields["legal_basis"].queryset = LegalBasis.objects.order_by("title")
        self.fields["decision_basis"] = _decision_basis_field()
        self.limit_journal_notes(case)
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
        label=_("Årsag til ophør"), choices=[("", _("Vælg årsag")), *Measure.EndingReason.choices]
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


class MeasureChangeForm(HearingFields):
    change_date = forms.DateField(
        label=_("Den nye indsats begynder"), widget=DateInput(), initial=timezone.localdate
    )
    new_measure_type = MeasureTypeField(label=_("Ny indsatstype"), queryset=MeasureType.objects.none())
    provider = forms.CharField(label=_("Leverandør / anbringelsessted"), required=False, max_length=200)
    planned_end = forms.DateField(label=_("Planlagt slutdato"), widget=DateInput(), required=False)
    decision_basis = _decision_basis_field()
    ending_reason = forms.ChoiceField(
        label=_("Årsag til at den nuværende indsats ophører"),
        choices=[("", _("Vælg årsag")), *Measure.EndingReason.choices],
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

    def __init__(self, *args, case=None, step=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_measure_type"].queryset = _active_types(step)
        self.limit_journal_notes(case)
