from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from herning.audit.exports import FORMATS
from herning.audit.models import AccessLog
from herning.core import cpr as cpr_lib
from herning.core.dates import validate_reading_date
from herning.core.forms import DateInput
from herning.organisation.models import User


class CprField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 11)
        kwargs.setdefault("label", _("Barnets CPR-nummer"))
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return cpr_lib.parse(value).digits if value else ""


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("Fra og med"), required=False, widget=DateInput(), validators=[validate_reading_date]
    )
    end = forms.DateField(
        label=_("Til og med"), required=False, widget=DateInput(), validators=[validate_reading_date]
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError({"end": _("Slutdatoen ligger før startdatoen.")})
        return data


class AccessLogSearchForm(PeriodForm):
    """Search the access log; the CPR number travels by POST only."""

    cpr = CprField(required=False, help_text=_("DDMMÅÅ-LLLL. Søg på et barn."))
    staff = forms.ModelChoiceField(
        label=_("Medarbejder"), queryset=User.objects.none(), required=False, empty_label=_("Alle")
    )
    channel = forms.ChoiceField(
        label=_("Kanal"), choices=[("", _("Alle")), *AccessLog.Channel.choices], required=False
    )
    field_order = ["cpr", "staff", "start", "end", "channel"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = User.objects.filter(municipality_id=user.municipality_id)

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in ("cpr", "staff", "start", "end", "channel")):
            raise ValidationError(_("Angiv mindst ét søgekriterium."))
        return data


class CitizenExportForm(PeriodForm):
    """An export of the looks at one citizen's data, for a request of insight."""

    cpr = CprField(help_text=_("Borgerens (barnets) CPR-nummer, DDMMÅÅ-LLLL."))
    fmt = forms.ChoiceField(
        label=_("Format"), choices=[(f, f.upper()) for f in FORMATS if f != "xlsx"], initial="pdf"
    )
    field_order = ["cpr", "start", "end", "fmt"]
