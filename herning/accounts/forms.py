from django import forms
from django.utils.translation import gettext_lazy as _


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Kode"),
        max_length=20,
        help_text=_("De seks cifre fra din autentificeringsapp, eller en af dine reservekoder."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


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
