"""Forms of the follow-up pages. They check what a form can; the services check the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import Goal
from followups.models import ExceptionKind, FollowUp, Form, NoConversationGround
from herning.core.forms import DateInput
from measures.models import Measure

_YES_NO = [("yes", _("Ja")), ("no", _("Nej"))]


class FollowUpForm(forms.Form):
    held_on = forms.DateField(label=_("Dato for opfølgningen"), widget=DateInput)
    form = forms.ChoiceField(label=_("Form"), choices=Form.choices, widget=forms.RadioSelect)
    participants = forms.CharField(
        label=_("Deltagere"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Navn og funktion, fx barnet, mor, kontaktperson Lise Holm."),
    )
    supervisory_visit = forms.BooleanField(
        label=_("Opfølgningen var et tilsynsbesøg på anbringelsesstedet"),
        required=False,
        help_text=_("Barnets Lov § 156, stk. 5: mindst to tilsynsbesøg om året med samtale med barnet."),
    )
    child_conversation = forms.ChoiceField(
        label=_("Blev der holdt en børnesamtale?"), choices=_YES_NO, widget=forms.RadioSelect
    )
    no_conversation_reason = forms.CharField(
        label=_("Hvis nej: hvorfor ikke?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    no_conversation_ground = forms.ChoiceField(
        label=_("Hvis nej: lovens grund"),
        required=False,
        choices=[("", _("Ingen af lovens grunde")), *NoConversationGround.choices],
        help_text=_(
            "Uden børnesamtale tæller opfølgningen kun som lovpligtig, når barnets modenhed eller "
            "sagens karakter taler imod samtalen."
        ),
    )
    summary = forms.CharField(label=_("Referat"), widget=forms.Textarea(attrs={"rows": 6}))
    decision = forms.ChoiceField(
        label=_("Beslutning"), choices=FollowUp.Decision.choices, widget=forms.RadioSelect
    )
    decision_note = forms.CharField(
        label=_("Begrundelse for beslutningen"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    ending_reason = forms.ChoiceField(
        label=_("Hvis indsatsen afsluttes: årsag"),
        required=False,
        choices=[("", "—"), *Measure.EndingReason.choices],
    )
    end_date = forms.DateField(
        label=_("Hvis indsatsen afsluttes: sidste dag"),
        required=False,
        widget=DateInput,
        help_text=_("Tom: dagen for opfølgningen."),
    )
    next_agreed_on = forms.DateField(
        label=_("Næste opfølgning aftalt til"),
        required=False,
        widget=DateInput,
        help_text=_("Det anbefales at aftale næste opfølgning ved denne."),
    )
    later_than_rule_reason = forms.CharField(
        label=_("Hvis datoen er senere end reglen: hvorfor?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    statutory_cadence_months = forms.IntegerField(
        label=_("Lovpligtig opfølgning fremover hver (måneder)"),
        required=False,
        min_value=1,
        max_value=12,
        help_text=_("Barnets Lov § 95, stk. 3: besluttes ved første opfølgning. Tom: hver 6. måned."),
    )
    cadence_reason = forms.CharField(
        label=_("Begrundelse for kadencen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Begrundelsen gives til barnet og forældrene."),
    )

    def __init__(self, *args, goals: list[Goal] = (), placement: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        if not placement:
            del self.fields["supervisory_visit"]
        for goal in self.goals:
            self.fields[f"goal_{goal.pk}_status"] = forms.ChoiceField(
                label=_("Status: %(goal)s") % {"goal": goal.what},
                choices=Goal.Status.choices,
                initial=goal.status,
            )
            self.fields[f"goal_{goal.pk}_note"] = forms.CharField(
                label=_("Bemærkning til målet"), required=False, initial=goal.status_note
            )

    def clean(self):
        data = super().clean()
        document = data.get("form") == Form.DOCUMENT
        if document and data.get("child_conversation") == "yes":
            self.add_error("child_conversation", _("En skriftlig status er ikke en samtale med barnet."))
        elif (
            not document
            and data.get("child_conversation") == "no"
            and not (data.get("no_conversation_reason") or "").strip()
        ):
            self.add_error("no_conversation_reason", _("Skriv, hvorfor der ikke blev holdt en børnesamtale."))
        if data.get("supervisory_visit") and data.get("form") and data.get("form") != Form.MEETING:
            self.add_error(
                "supervisory_visit",
                _(
                    "Et tilsynsbesøg er et besøg på anbringelsesstedet (Barnets Lov § 156, stk. 5); "
                    "en opfølgning pr. telefon eller mail kan ikke registreres som tilsynsbesøg."
                ),
            )
        if data.get("decision") == FollowUp.Decision.END and not data.get("ending_reason"):
            self.add_error("ending_reason", _("Angiv årsagen til, at indsatsen afsluttes."))
        return data

    @property
    def goal_fields(self):
        return [(goal, self[f"goal_{goal.pk}_status"], self[f"goal_{goal.pk}_note"]) for goal in self.goals]

    def _section(self, *names):
        return [self[n] for n in names if n in self.fields]

    @property
    def meeting_fields(self):
        return self._section(
            "held_on",
            "form",
            "participants",
            "supervisory_visit",
            "child_conversation",
            "no_conversation_reason",
            "no_conversation_ground",
            "summary",
        )

    @property
    def decision_fields(self):
        return self._section("decision", "decision_note", "ending_reason", "end_date")

    @property
    def next_fields(self):
        return self._section(
            "next_agreed_on", "later_than_rule_reason", "statutory_cadence_months", "cadence_reason"
        )


class NewGoalForm(forms.Form):
    what = forms.CharField(label=_("Mål (hvad)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    who = forms.CharField(label=_("Hvem arbejder med det"), required=False)
    how_measured = forms.CharField(label=_("Hvordan ses fremskridt"), required=False)
    by_when = forms.DateField(label=_("Hvornår"), required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        filled = [k for k in ("what", "who", "how_measured", "by_when") if data.get(k)]
        if filled and len(filled) < 4:
            raise ValidationError(_("Et nyt mål skal have alle fire felter udfyldt (SMART)."))
        return data


NewGoalFormSet = forms.formset_factory(NewGoalForm, extra=2, max_num=10)


class ExceptionRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Undtagelse"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Begrundelse"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Hvorfor taler hensynet til barnet for undtagelsen? Teamlederen tager stilling."),
    )
    distance_km = forms.IntegerField(
        label=_("Afstand fra kommunen (km)"),
        required=False,
        min_value=0,
        max_value=32767,
        help_text=_("Kun ved ungeanbringelse langt væk: mere end 50 km."),
    )
    youth_age = forms.IntegerField(
        label=_("Den unges alder"),
        required=False,
        min_value=0,
        max_value=30,
        help_text=_("Kun ved ungeanbringelse langt væk: 15-22 år."),
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, label) for k, label in ExceptionKind.choices if k in kinds]
        if ExceptionKind.FAR_AWAY not in kinds:
            del self.fields["distance_km"], self.fields["youth_age"]


class ExceptionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Beslutning"),
        choices=[("approve", _("Godkend")), ("reject", _("Afvis"))],
        widget=forms.RadioSelect,
    )
    decision_reason = forms.CharField(label=_("Begrundelse"), widget=forms.Textarea(attrs={"rows": 3}))


class ExceptionRevokeForm(forms.Form):
    decision_reason = forms.CharField(
        label=_("Begrundelse for tilbagekaldelsen"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ReminderSettingsForm(forms.Form):
    """How a team leader hears of missed deadlines in their teams (followups.digest)."""

    DIGEST, IMMEDIATE = "digest", "immediate"

    escalations = forms.ChoiceField(
        label=_("Overskredne frister i dine teams"),
        choices=[
            (DIGEST, _("Én samlet mail om dagen pr. team, efter rådgiver og barn med den ældste først")),
            (IMMEDIATE, _("En mail med det samme for hver overskredet frist")),
        ],
        widget=forms.RadioSelect,
        help_text=_(
            "Gælder, når du er teamleder. Påmindelser om dine egne frister får du altid med det samme."
        ),
    )
