"""Forms of the case pages. They check what a field alone can tell; the services check the rules
and their errors are put back on the form (``herning.core.forms.add_service_errors``), so the page says in Danish
what is wrong and keeps what was typed."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cases import caseload
from cases.models import Case, CaseState, Child, Goal, JournalNote, Notification, Plan, Relation
from cases.selectors import CaseListFilter
from cases.services import CHILD_FIELDS, MANUAL_STATES, existing_child
from herning.core import cpr as cpr_lib
from herning.core.forms import DateInput, Pairs, PlainSelect, TimeInput
from herning.organisation.models import District, Role, SchoolDistrict, Team, User
from herning.organisation.selectors import advisor_choices, district_choices, team_choices


class ServiceModelForm(forms.ModelForm):
    """A model form whose model validation is left to the service that saves it."""

    def _post_clean(self):
        pass


class CprField(forms.CharField):
    """A CPR number as typed (with or without a dash); cleaned to ten digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("CPR-nummer"))
        kwargs.setdefault("help_text", _("10 cifre, fx 010203-1234."))
        kwargs.setdefault("max_length", 11)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        return cpr_lib.parse(value).digits


class CprSearchForm(forms.Form):
    cpr = CprField()


class CaseFilterForm(forms.Form):
    """The case list's filters (GET). Choices come from the person's own municipality."""

    NO_ADVISOR = "none"
    UNDER_CLARIFICATION = "0"
    ALL_STATES = "all"

    q = forms.CharField(label=_("Navn"), required=False, max_length=100)
    advisor = forms.ChoiceField(label=_("Rådgiver"), required=False, widget=PlainSelect)
    team = forms.ChoiceField(label=_("Team"), required=False, widget=PlainSelect)
    district = forms.ChoiceField(label=_("Distrikt"), required=False, widget=PlainSelect)
    step = forms.ChoiceField(label=_("Trin"), required=False, widget=PlainSelect)
    state = forms.ChoiceField(label=_("Status"), required=False, widget=PlainSelect)

    def __init__(self, *args, user, steps, **kwargs):
        super().__init__(*args, **kwargs)
        municipality = user.municipality_id
        # Every choice is read as (id, name) by a kept read of the organisation's
        # (herning.organisation.selectors) and checked against the list: a chosen team or district
        # is no second query. A large municipality has hundreds of advisors; as instances they
        # took 5 ms of the case list's CPU at national scale (benchmarks/RESULTS.md).
        every = [("", _("Alle"))]
        self.fields["advisor"].choices = Pairs(
            [*every, (self.NO_ADVISOR, _("Ingen rådgiver")), *advisor_choices(municipality_id=municipality)]
        )
        self.fields["team"].choices = Pairs([*every, *team_choices(municipality_id=municipality)])
        self.fields["district"].choices = Pairs([*every, *district_choices(municipality_id=municipality)])
        # A step is chosen by its number (the address's ``step=3``) and read by its id.
        self._step_ids = {str(s.number): s.pk for s in steps}
        self.fields["step"].choices = [
            *every,
            (self.UNDER_CLARIFICATION, _("Under afklaring / undersøgelse")),
            *[(str(s.number), str(s)) for s in steps],
        ]
        self.fields["state"].choices = [
            ("", _("Åbne sager")),
            (self.ALL_STATES, _("Alle sager")),
            *CaseState.choices,
        ]

    def chosen(self) -> CaseListFilter:
        """What the valid filters choose (``cases.selectors.case_list`` reads it)."""
        data = self.cleaned_data
        advisor, step, state = data.get("advisor"), data.get("step"), data.get("state")
        return CaseListFilter(
            words=tuple((data.get("q") or "").split()),
            advisor=int(advisor) if advisor and advisor != self.NO_ADVISOR else None,
            no_advisor=advisor == self.NO_ADVISOR,
            team=int(data["team"]) if data.get("team") else None,
            district=int(data["district"]) if data.get("district") else None,
            step=self._step_ids.get(step),
            unclarified=step == self.UNDER_CLARIFICATION,
            state=state if state and state != self.ALL_STATES else None,
            every_state=state == self.ALL_STATES,
        )


# --- The child ---------------------------------------------------------------------------------


class ChildForm(ServiceModelForm):
    class Meta:
        model = Child
        fields = list(CHILD_FIELDS)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_district"].queryset = SchoolDistrict.objects.filter(
            district__municipality=municipality
        ).select_related("district")
        self.fields["district"].queryset = District.objects.filter(municipality=municipality)
        self.fields["district"].required = False
        self.fields["district"].help_text = _("Udfyldes af skoledistriktet, hvis du ikke vælger et.")

    def clean(self):
        data = super().clean()
        if not data.get("district") and not data.get("school_district"):
            self.add_error("district", _("Vælg barnets distrikt eller skoledistrikt."))
        return data


class ChildCreateForm(ChildForm):
    cpr = CprField()
    access_purpose = forms.CharField(
        label=_("Formål med en eventuel anmodning om adgang"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Kender kommunen allerede barnet, og har du ikke adgang til det, sendes en anmodning om "
            "adgang med dette formål til den ansvarlige teamleder."
        ),
    )

    field_order = ["cpr", "first_name", "last_name"]

    def __init__(self, *args, municipality, user, **kwargs):
        super().__init__(*args, municipality=municipality, **kwargs)
        self.municipality = municipality
        self.user = user
        # A child the municipality knows and the person may not see: the page asks for access
        # (cases.services.access_requests) and says nothing about the child.
        self.hidden_child = None

    def clean_cpr(self):
        digits = self.cleaned_data["cpr"]
        existing = existing_child(user=self.user, cpr=digits)
        if existing is not None and existing.visible:
            raise ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("Barnet er allerede registreret, og du har adgang til det."),
                    reverse("cases:child_detail", args=[existing.child.pk]),
                    _("Gå til barnet"),
                )
            )
        self.hidden_child = existing.child if existing is not None else None
        return digits


class RelationForm(ServiceModelForm):
    class Meta:
        model = Relation
        fields = ["kind", "name", "has_custody", "phone", "email", "address", "note"]


# --- The case ----------------------------------------------------------------------------------


class CaseOpenForm(forms.Form):
    opened_on = forms.DateField(label=_("Oprettet"), widget=DateInput(), initial=timezone.localdate)


class AdvisorChoiceField(forms.ModelChoiceField):
    """An advisor with their open cases against the team's cap, when the loads are given."""

    def __init__(self, *args, loads=None, cap=None, warning=None, **kwargs):
        self.loads, self.cap, self.warning = loads, cap, warning
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        if self.loads is None:
            return str(obj)
        load = self.loads.get(obj.pk, 0)
        label = _("%(name)s (%(load)s af %(cap)s sager)") % {"name": obj, "load": load, "cap": self.cap}
        # The band beside the count, so the cap is seen before it refuses (caseload.level, the
        # bands the dashboards and the API use).
        band = caseload.level(load, warning=self.warning or self.cap, cap=self.cap)
        marker = {
            caseload.WARNING: _("tæt på loftet"),
            caseload.AT_CAP: _("ved loftet"),
            caseload.ABOVE: _("over loftet"),
        }.get(band)
        return f"{label} – {marker}" if marker else label


class AssignForm(forms.Form):
    """Give a case an advisor. Above the team's caseload cap only the team leader may, with a
    written reason (``cases.services.case_assign``)."""

    advisor = AdvisorChoiceField(label=_("Rådgiver"), queryset=User.objects.none(), empty_label=None)
    override_reason = forms.CharField(
        label=_("Begrundelse for at gå over loftet"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kun når rådgiveren har nået teamets loft over sager, og kun teamlederen kan. Begrundelsen "
            "gemmes og vises på teamoverblikket."
        ),
    )

    def __init__(self, *args, advisors, loads=None, cap=None, warning=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["advisor"]
        field.queryset = User.objects.filter(pk__in=[a.pk for a in advisors])
        field.loads, field.cap, field.warning = loads, cap, warning


class TransferForm(forms.Form):
    """Move a case to the team of another district when the family moves."""

    to_team = forms.ModelChoiceField(label=_("Nyt team"), queryset=Team.objects.none())
    handover_due_on = forms.DateField(
        label=_("Frist for overleveringsmøde"),
        required=False,
        widget=DateInput(),
        help_text=_("Den afgivende rådgiver indkalder den nye rådgiver til et overleveringsmøde inden da."),
    )
    note = forms.CharField(
        label=_("Bemærkning til den nye teamleder"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_team"].queryset = (
            Team.objects.filter(district__municipality_id=case.municipality_id)
            .exclude(district_id=case.district_id)
            .select_related("district")
            .order_by("district__name", "name")
        )
        self.fields["to_team"].label_from_instance = lambda t: f"{t} ({t.district})"


class HandoverForm(forms.Form):
    handover_held_on = forms.DateField(
        label=_("Overleveringsmødet blev holdt"), widget=DateInput(), initial=timezone.localdate
    )


class CaseStateForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Ny status"),
        choices=[(s.value, s.label) for s in MANUAL_STATES],
        widget=forms.RadioSelect,
    )


class CaseCloseForm(ServiceModelForm):
    class Meta:
        model = Case
        fields = ["closed_on", "closing_reason", "closing_note"]
        widgets = {"closed_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].required = True
        self.fields["closing_reason"].required = True


class ParticipantForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Fagperson"), queryset=User.objects.none())
    note = forms.CharField(label=_("Rolle i sagen"), required=False, max_length=200)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(
                is_active=True,
                municipality_id=case.municipality_id,
                role_assignments__role__in=[Role.PSYCHOLOGIST, Role.HEALTH_VISITOR, Role.ADVISOR],
            )
            .exclude(pk=case.advisor_id)
            .exclude(case_participations__case=case)
            .distinct()
        )


# --- Notifications -------------------------------------------------------------------------------


class IntakeForm(forms.Form):
    """The case administrator's registration of a notification. The child is found by CPR number
    (by POST); for a child the municipality does not know, the child's name and district are
    filled in as well."""

    cpr = CprField()
    first_name = forms.CharField(label=_("Barnets fornavn"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Barnets efternavn"), required=False, max_length=100)
    address = forms.CharField(label=_("Adresse"), required=False, max_length=200)
    postal_code = forms.CharField(label=_("Postnummer"), required=False, max_length=4)
    city = forms.CharField(label=_("By"), required=False, max_length=100)
    school_district = forms.ModelChoiceField(label=_("Skoledistrikt"), queryset=None, required=False)
    district = forms.ModelChoiceField(label=_("Distrikt"), queryset=None, required=False)
    # Most notifications are registered as they arrive: now, unless the administrator says otherwise.
    received_date = forms.DateField(label=_("Modtaget dato"), widget=DateInput(), initial=timezone.localdate)
    received_time = forms.TimeField(
        label=_("Modtaget klokken"),
        widget=TimeInput(),
        initial=lambda: timezone.localtime().time().replace(second=0, microsecond=0),
    )
    notifier_kind = forms.ChoiceField(
        label=_("Underretter"), choices=Notification.NotifierKind.choices, widget=forms.RadioSelect
    )
    notifier_name = forms.CharField(label=_("Underretters navn"), required=False, max_length=200)
    notifier_organisation = forms.CharField(
        label=_("Underretters arbejdssted"), required=False, max_length=200
    )
    notifier_email = forms.EmailField(label=_("Underretters e-mail"), required=False)
    notifier_phone = forms.CharField(label=_("Underretters telefon"), required=False, max_length=30)
    concern = forms.CharField(label=_("Bekymring"), widget=forms.Textarea(attrs={"rows": 6}))

    # A notification names the child; where the child goes to school is asked later.
    NEW_CHILD_FIELDS = tuple(f for f in CHILD_FIELDS if f != "school_or_daycare")

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.known_child: Child | None = None
        self.fields["school_district"].queryset = SchoolDistrict.objects.filter(
            district__municipality=municipality
        )
        self.fields["district"].queryset = District.objects.filter(municipality=municipality)
        # Required only for a child the municipality does not know (``clean``): the label says so
        # instead of "(frivilligt)" (templates/forms/field.html reads ``conditional``).
        for name in ("first_name", "last_name"):
            self.fields[name].conditional = True
            self.fields[name].help_text = _("Skal udfyldes, hvis barnet ikke er kendt i kommunen.")
        for name in ("district", "school_district"):
            self.fields[name].conditional = True
            self.fields[name].help_text = _(
                "Distrikt eller skoledistrikt skal udfyldes, hvis barnet ikke er kendt i kommunen."
            )

    def clean(self):
        data = super().clean()
        if data.get("cpr"):
            self.known_child = (
                Child.objects.for_system().filter(municipality=self.municipality, cpr=data["cpr"]).first()
            )
            if self.known_child is None:
                if not data.get("first_name"):
                    self.add_error("first_name", _("Barnet er ikke kendt: skriv barnets fornavn."))
                if not data.get("last_name"):
                    self.add_error("last_name", _("Barnet er ikke kendt: skriv barnets efternavn."))
                if not data.get("district") and not data.get("school_district"):
                    self.add_error("district", _("Barnet er ikke kendt: vælg distrikt eller skoledistrikt."))
        if data.get("received_date") and data.get("received_time"):
            data["received_at"] = timezone.make_aware(
                datetime.datetime.combine(data["received_date"], data["received_time"])
            )
        return data


class AssessForm(forms.Form):
    acute_danger = forms.TypedChoiceField(
        label=_("Er barnet i akut fare?"),
        choices=[("yes", _("Ja")), ("no", _("Nej"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    assessment_action = forms.CharField(
        label=_("Hvad blev gjort"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Fx kontakt til forældre, politi eller skole, eller at sagen går videre til fordeling."),
    )


class ReceiptForm(forms.Form):
    receipt_sent_on = forms.DateField(
        label=_("Kvittering sendt"), widget=DateInput(), initial=timezone.localdate
    )


class ScreeningForm(forms.Form):
    """The screening of Barnets Lov § 18, stk. 1."""

    screening_outcome = forms.ChoiceField(
        label=_("Resultat af screeningen"),
        choices=Notification.ScreeningOutcome.choices,
        widget=forms.RadioSelect,
    )
    screened_on = forms.DateField(label=_("Screenet"), widget=DateInput(), initial=timezone.localdate)


class FeedbackForm(forms.Form):
    """The feedback to a professional notifier (SEL § 155 b, stk. 2 / Barnets Lov § 136)."""

    feedback_outcome = forms.ChoiceField(
        label=_("Underretteren fik at vide"),
        choices=Notification.FeedbackOutcome.choices,
        widget=forms.RadioSelect,
    )
    feedback_sent_on = forms.DateField(
        label=_("Tilbagemelding sendt"), widget=DateInput(), initial=timezone.localdate
    )


# --- Investigation, plan, journal -----------------------------------------------------------------


class InvestigationOpenForm(forms.Form):
    decided_on = forms.DateField(label=_("Besluttet"), widget=DateInput(), initial=timezone.localdate)
    aware_on = forms.DateField(
        label=_("Kommunen blev opmærksom"),
        widget=DateInput(),
        required=False,
        help_text=_(
            "Fristen på 4 måneder regnes herfra (Barnets Lov § 20, stk. 3). Tom: modtagelsen af den "
            "underretning, der førte til undersøgelsen."
        ),
    )


class InvestigationAwareOnForm(forms.Form):
    aware_on = forms.DateField(label=_("Kommunen blev opmærksom"), widget=DateInput())
    reason = forms.CharField(label=_("Begrundelse for ændringen"), max_length=250)


class InvestigationInterimForm(forms.Form):
    assessed_on = forms.DateField(label=_("Dato"), widget=DateInput(), initial=timezone.localdate)
    text = forms.CharField(label=_("Foreløbig vurdering"), widget=forms.Textarea(attrs={"rows": 8}))


class InvestigationCompleteForm(forms.Form):
    completed_on = forms.DateField(label=_("Afsluttet"), widget=DateInput(), initial=timezone.localdate)
    conclusion = forms.CharField(label=_("Konklusion"), widget=forms.Textarea(attrs={"rows": 6}))


class PlanForm(ServiceModelForm):
    class Meta:
        model = Plan
        fields = ["kind", "purpose", "made_on"]
        widgets = {"made_on": DateInput(), "purpose": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["made_on"].required = True
        self.fields["made_on"].initial = timezone.localdate


class GoalForm(forms.Form):
    """One SMART goal: what, who works on it, how progress is seen, by when. A blank extra goal
    is skipped (the formset leaves an unchanged form alone); a goal left out of a revision need
    not be complete."""

    carried_from = forms.IntegerField(widget=forms.HiddenInput, required=False)
    keep = forms.BooleanField(label=_("Tag målet med i den nye version"), required=False, initial=True)
    what = forms.CharField(label=_("Mål (hvad)"), widget=forms.Textarea(attrs={"rows": 2}))
    who = forms.CharField(label=_("Hvem arbejder med det"), max_length=250)
    how_measured = forms.CharField(
        label=_("Hvordan ses fremskridt"), widget=forms.Textarea(attrs={"rows": 2})
    )
    by_when = forms.DateField(label=_("Hvornår"), widget=DateInput())
    status = forms.ChoiceField(
        label=_("Status"), choices=Goal.Status.choices, initial=Goal.Status.NOT_STARTED
    )

    SMART = ("what", "who", "how_measured", "by_when")

    def __init__(self, *args, revising: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not revising:
            del self.fields["keep"]

    def clean(self):
        data = super().clean()
        if "keep" in self.fields and not data.get("keep"):
            for name in self.SMART:
                self._errors.pop(name, None)
            data["left_out"] = True
        return data


class BaseGoalFormSet(forms.BaseFormSet):
    def __init__(self, *args, revising: bool = False, **kwargs):
        self.revising = revising
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "revising": self.revising}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            revising=self.revising,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form


GoalFormSet = forms.formset_factory(GoalForm, formset=BaseGoalFormSet, extra=2, max_num=20)


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Bemærkning"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class JournalForm(ServiceModelForm):
    class Meta:
        model = JournalNote
        fields = ["heading", "occurred_on", "text"]
        widgets = {"occurred_on": DateInput(), "text": forms.Textarea(attrs={"rows": 6})}


class JournalCorrectForm(JournalForm):
    correction_reason = forms.CharField(
        label=_("Begrundelse for rettelse"),
        max_length=250,
        help_text=_("Vises ved notatet. Den oprindelige tekst bevares i historikken."),
    )
