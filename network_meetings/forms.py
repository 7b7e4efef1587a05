"""Forms of the network-meeting pages. They check what a person typed and say in Danish what is
wrong; the rules about the data (the consent gate above all) live in the services, whose errors
``herning.core.forms.add_service_errors`` puts on the right field."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from herning.core.dates import validate_reading_date
from herning.core.forms import DateInput, TimeInput
from herning.organisation.models import User
from network_meetings.models import (
    Consent,
    MeetingSlot,
    NetworkMap,
    NetworkMapPerson,
    NetworkMeeting,
    Participant,
)
from network_meetings.selectors import MEETING_ROLES

# The form fields a service's error on a model field belongs to (``add_service_errors``'s field_map).
SERVICE_ERROR_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}


def combine(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, slot: MeetingSlot) -> str:
        start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
        place = f", {slot.place}" if slot.place else ""
        return f"{slot.team}: {start:%d.%m.%Y} kl. {start:%H.%M}–{end:%H.%M}{place}"


class ChildChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, child) -> str:
        # A list shows the masked CPR only (docs/domain.md §8).
        return f"{child.full_name} ({child.masked_cpr})"


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        title = f", {user.job_title}" if user.job_title else ""
        return f"{user.get_full_name() or user.username}{title}"


def staff_queryset(municipality_id: int):
    return (
        User.objects.filter(
            municipality_id=municipality_id, is_active=True, role_assignments__role__in=MEETING_ROLES
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


class _TimeFields(forms.Form):
    """Date, start and end; or a fixed slot, which brings its own time."""

    slot = SlotChoiceField(
        label=_("Fast mødetid"),
        queryset=MeetingSlot.objects.none(),
        required=False,
        empty_label=_("Ingen – jeg vælger selv tidspunktet"),
        help_text=_("Teamenes faste tider til netværksmøder. Vælger du en, bookes den til mødet."),
    )
    day = forms.DateField(label=_("Dato"), widget=DateInput(), required=False)
    start_time = forms.TimeField(label=_("Starter kl."), widget=TimeInput(), required=False)
    end_time = forms.TimeField(label=_("Slutter kl."), widget=TimeInput(), required=False)

    def __init__(self, *args, slots=None, **kwargs):
        super().__init__(*args, **kwargs)
        if slots is None:
            del self.fields["slot"]
        else:
            self.fields["slot"].queryset = slots

    def clean(self):
        data = super().clean()
        if data.get("slot"):
            return data
        missing = [f for f in ("day", "start_time", "end_time") if not data.get(f) and f not in self.errors]
        for field in missing:
            self.add_error(field, _("Udfyld feltet, eller vælg en fast mødetid."))
        if not missing and not self.errors:
            if data["end_time"] <= data["start_time"]:
                self.add_error("end_time", _("Mødet skal slutte efter, det er begyndt."))
            else:
                data["starts_at"] = combine(data["day"], data["start_time"])
                data["ends_at"] = combine(data["day"], data["end_time"])
        return data


class MeetingForm(_TimeFields):
    """Plan or change a meeting. Herningmodellen 1.0 asks for purpose, form and participants, an agenda
    made with the parents and contact details for questions and cancellations."""

    child = ChildChoiceField(label=_("Barn"), queryset=None, required=True)
    kind = forms.ChoiceField(
        label=_("Mødeform"),
        choices=NetworkMeeting.Kind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Som udgangspunkt et netværksmøde. Et inddragende netværksmøde er løsningsorienteret og "
            "vælges af Børn og Unges medarbejdere."
        ),
    )
    place = forms.CharField(
        label=_("Sted"), max_length=200, required=False, help_text=_("Fx skolens mødelokale.")
    )
    purpose = forms.CharField(label=_("Formål med mødet"), widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        label=_("Vi mødes fordi …"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Bekymringen med egne ord. Indtil samtykket er registreret, må barnets navn ikke stå her."
        ),
    )
    agenda = forms.CharField(label=_("Dagsorden"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    agenda_made_with_parents = forms.BooleanField(
        label=_("Dagsordenen er lavet sammen med forældrene"), required=False
    )
    procedure = forms.CharField(
        label=_("Sådan forløber mødet"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Tomt felt: standardteksten for mødeformen bruges."),
    )
    initiator_name = forms.CharField(
        label=_("Initiativtager"),
        max_length=200,
        help_text=_("Den fagperson, der har bekymringen og dermed initiativpligten."),
    )
    initiator_function = forms.CharField(
        label=_("Initiativtagers funktion og arbejdssted"),
        max_length=200,
        help_text=_("Fx skoleleder, Sunds Skole."),
    )
    contact_name = forms.CharField(label=_("Kontaktperson ved spørgsmål og afbud"), max_length=200)
    contact_phone = forms.CharField(label=_("Kontaktpersonens telefon"), max_length=30)
    contact_email = forms.EmailField(
        label=_("Kontaktpersonens e-mail"),
        required=False,
        error_messages={"invalid": _("Skriv en gyldig e-mailadresse, fx navn@herning.dk.")},
    )
    concern_noted_on = forms.DateField(
        label=_("Hvornår opstod bekymringen?"),
        widget=DateInput(),
        required=False,
        help_text=_("Bruges, når der ikke er en underretning: tiden fra bekymring til møde følges."),
    )

    field_order = [
        "child",
        "kind",
        "slot",
        "day",
        "start_time",
        "end_time",
        "place",
        "purpose",
        "reason",
        "agenda",
        "agenda_made_with_parents",
        "procedure",
        "initiator_name",
        "initiator_function",
        "contact_name",
        "contact_phone",
        "contact_email",
        "concern_noted_on",
    ]

    def __init__(self, *args, children=None, **kwargs):
        super().__init__(*args, **kwargs)
        if children is None:
            del self.fields["child"]
        else:
            self.fields["child"].queryset = children

    def clean(self):
        data = super().clean()
        if not data.get("slot") and not data.get("place") and "place" not in self.errors:
            self.add_error("place", _("Skriv, hvor mødet holdes."))
        return data


class FollowUpForm(_TimeFields):
    place = forms.CharField(label=_("Sted"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("slot") and not data.get("place") and "place" not in self.errors:
            self.add_error("place", _("Skriv, hvor mødet holdes."))
        return data


class ParticipantForm(forms.ModelForm):
    user = StaffChoiceField(
        label=_("Medarbejder i kommunen"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Vælg, hvis deltageren er ansat her (fx PPR-psykolog); navn og e-mail hentes så."),
    )

    class Meta:
        model = Participant
        fields = ["function", "name", "organisation", "user", "email", "phone"]
        help_texts = {
            "name": _(
                "Angiv navn, hvis det er muligt. Indtil samtykket er registreret, skrives barnet og familien uden navn."
            ),
        }
        error_messages = {"email": {"invalid": _("Skriv en gyldig e-mailadresse, fx navn@skole.dk.")}}

    def __init__(self, *args, municipality_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["user"]
        else:
            self.fields["user"].queryset = staff_queryset(municipality_id)

    def clean(self):
        data = super().clean()
        if (
            not data.get("name")
            and not data.get("user")
            and data.get("function")
            not in (
                Participant.Function.CHILD,
                Participant.Function.PARENT,
                Participant.Function.OWN_NETWORK,
            )
        ):
            self.add_error("name", _("Skriv fagpersonens navn, eller vælg en medarbejder."))
        return data


class ParticipantStatusForm(forms.Form):
    invitation_status = forms.ChoiceField(label=_("Invitation"), choices=Participant.InvitationStatus.choices)


class RolesForm(forms.Form):
    chair = forms.ModelChoiceField(
        label=_("Mødeleder"), queryset=Participant.objects.none(), required=False, empty_label=_("Ikke valgt")
    )
    minute_taker = forms.ModelChoiceField(
        label=_("Referent"), queryset=Participant.objects.none(), required=False, empty_label=_("Ikke valgt")
    )

    def __init__(self, *args, meeting: NetworkMeeting, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("chair", "minute_taker"):
            self.fields[name].queryset = meeting.participants.all()
            self.fields[name].label_from_instance = lambda p: p.label


class FromMapForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("Personer fra netværkskortet"),
        queryset=NetworkMapPerson.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Vælg mindst én person.")},
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people
        self.fields["people"].label_from_instance = lambda p: (
            f"{p.name} – {p.relation or p.get_kind_display()}"
        )


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["custody_holder", "given_by_name", "given_on", "method", "note"]
        widgets = {"given_on": DateInput(), "method": forms.RadioSelect}
        labels = {"given_by_name": _("Navn på den, der gav samtykke")}
        help_texts = {
            "custody_holder": _("Vælg blandt forældremyndighedsindehaverne registreret på barnet."),
            "given_by_name": _("Udfyld, hvis forældremyndighedsindehaveren ikke står på listen."),
        }

    def __init__(self, *args, custody_holders, name_holders: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["custody_holder"].queryset = custody_holders
        if not name_holders:
            self.fields["custody_holder"].label_from_instance = lambda r: r.get_kind_display()
        self.fields["custody_holder"].required = False
        self.fields["given_by_name"].required = False
        self.fields["custody_holder"].empty_label = _("Ikke på listen")
        self.fields["method"].choices = Consent.Method.choices  # no empty radio button

    def clean(self):
        data = super().clean()
        if not data.get("custody_holder") and not data.get("given_by_name"):
            self.add_error("given_by_name", _("Vælg forældremyndighedsindehaveren, eller skriv navnet."))
        return data


class MinutesForm(forms.Form):
    attended = forms.ModelMultipleChoiceField(
        label=_("På mødet deltog"),
        queryset=Participant.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    concerns = forms.CharField(
        label=_("Bekymringer"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    working = forms.CharField(label=_("Fungerer"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    want_to_see = forms.CharField(
        label=_("Hvad vil vi se ske"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )

    def __init__(self, *args, meeting: NetworkMeeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].queryset = meeting.participants.all()
        self.fields["attended"].label_from_instance = lambda p: p.label


class AgreementForm(forms.Form):
    text = forms.CharField(label=_("Aftale eller løsning"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(
        label=_("Ansvarlig"),
        queryset=Participant.objects.none(),
        error_messages={"required": _("Vælg, hvem der er ansvarlig for aftalen.")},
    )
    due_on = forms.DateField(
        label=_("Senest"), widget=DateInput(), error_messages={"required": _("Aftalen skal have en dato.")}
    )

    def __init__(self, *args, meeting: NetworkMeeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = meeting.participants.all()
        self.fields["owner"].label_from_instance = lambda p: p.label


class AgreementDoneForm(forms.Form):
    note = forms.CharField(label=_("Bemærkning"), max_length=250, required=False)


class CancelForm(forms.Form):
    note = forms.CharField(
        label=_("Begrundelse"),
        max_length=250,
        required=False,
        help_text=_("Står i aflysningen til de inviterede. Skriv ikke barnets navn."),
    )


class NetworkMapForm(forms.ModelForm):
    class Meta:
        model = NetworkMap
        fields = ["made_on", "made_with_parents", "made_with_child", "investigation", "note"]
        widgets = {"made_on": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "investigation": _("Netværkskortet vedhæftes den børnefaglige undersøgelse."),
        }

    def __init__(self, *args, investigations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investigation"].queryset = investigations
        self.fields["investigation"].required = False
        self.fields["investigation"].empty_label = _("Ingen undersøgelse")


class NetworkMapPersonForm(forms.ModelForm):
    user = StaffChoiceField(label=_("Medarbejder i kommunen"), queryset=User.objects.none(), required=False)

    class Meta:
        model = NetworkMapPerson
        fields = ["name", "kind", "relation", "significance", "closeness", "user", "phone", "email", "note"]
        widgets = {"significance": forms.RadioSelect, "closeness": forms.RadioSelect}
        error_messages = {"email": {"invalid": _("Skriv en gyldig e-mailadresse.")}}

    def __init__(self, *args, municipality_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_queryset(municipality_id)
        self.fields["significance"].choices = NetworkMapPerson.Significance.choices  # no empty radio button


class SlotOfferForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None)
    day = forms.DateField(label=_("Første dato"), widget=DateInput())
    start_time = forms.TimeField(label=_("Starter kl."), widget=TimeInput())
    end_time = forms.TimeField(label=_("Slutter kl."), widget=TimeInput())
    place = forms.CharField(label=_("Sted"), max_length=200, required=False)
    weeks = forms.IntegerField(
        label=_("Antal uger"),
        min_value=1,
        max_value=26,
        initial=1,
        help_text=_(
            "Samme ugedag og klokkeslæt i så mange uger. En tid, der ikke er booket inden en uge, frigives."
        ),
        error_messages={
            "min_value": _("Vælg mindst 1 uge."),
            "max_value": _("Vælg højst 26 uger."),
        },
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams

    def clean(self):
        data = super().clean()
        if data.get("start_time") and data.get("end_time") and data.get("day"):
            if data["end_time"] <= data["start_time"]:
                self.add_error("end_time", _("Tiden skal slutte efter, den er begyndt."))
            else:
                data["first_start"] = combine(data["day"], data["start_time"])
                data["duration"] = combine(data["day"], data["end_time"]) - data["first_start"]
        return data


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("Fra og med"), widget=DateInput(), validators=[validate_reading_date])
    end = forms.DateField(label=_("Til og med"), widget=DateInput(), validators=[validate_reading_date])

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("Slutdatoen kan ikke ligge før startdatoen."))
        return data
