import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from herning.api.models import ApiToken
from herning.core.dates import validate_reading_date
from herning.core.forms import DateInput
from herning.organisation.models import User


class IssueTokenForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Servicebruger"),
        queryset=User.objects.none(),
        help_text=_("Tokenet giver den adgang, servicebrugerens roller giver."),
    )
    name = forms.CharField(
        label=_("Navn"), max_length=100, help_text=_("Hvad tokenet bruges til, fx 'DUBU-udtræk'.")
    )
    scope = forms.ChoiceField(
        label=_("Rettighed"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ
    )
    expires = forms.DateField(
        label=_("Udløber"),
        required=False,
        widget=DateInput(),
        validators=[validate_reading_date],
        help_text=_("Gælder til og med denne dag. Tom: gælder, til det spærres."),
    )

    def __init__(self, *args, municipality_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            municipality_id=municipality_id, is_service_user=True, is_active=True
        ).order_by("username")

    def clean_expires(self):
        day = self.cleaned_data["expires"]
        if day is None:
            return None
        if day < timezone.localdate():
            raise forms.ValidationError(_("Udløbet skal ligge i fremtiden."))
        # Through the whole day, Danish time.
        return timezone.make_aware(
            datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
        )
