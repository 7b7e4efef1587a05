from django import forms
from django.utils.translation import gettext_lazy as _


class OtpCodeForm(forms.Form):
    """The code from the authenticator app: six digits, so phones bring up the numeric keyboard and
    offer the code from an SMS or the app (``one-time-code``). The server reads it either way."""

    code = forms.CharField(
        label=_("Kode"),
        max_length=20,
        help_text=_("De seks cifre fra din autentificeringsapp."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class BackupCodeForm(forms.Form):
    """A backup code has letters too (``abcd-efgh-jkmn``): a field of its own with the ordinary
    keyboard, since the numeric keyboard of the app code's field could not type it."""

    backup_code = forms.CharField(
        label=_("Reservekode"),
        max_length=20,
        help_text=_("En af dine reservekoder, fx abcd-efgh-jkmn."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def clean_backup_code(self) -> str:
        return self.cleaned_data["backup_code"].strip()


class EnrolmentForm(forms.Form):
    code = forms.CharField(
        label=_("Kode fra appen"),
        max_length=10,
        help_text=_("Skriv de seks cifre, appen viser nu."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError(_("Koden består kun af cifre."))
        return code
