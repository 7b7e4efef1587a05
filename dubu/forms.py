from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dubu.models import MappingProfile


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fil fra DUBU"),
        help_text=_(
            "CSV (semikolon, komma eller tabulator; UTF-8, UTF-16 eller Windows-1252) eller XLSX, med "
            "kolonnerne i profilen."
        ),
    )
    profile = forms.ModelChoiceField(
        label=_("Profil"), queryset=MappingProfile.objects.all(), empty_label=None
    )
    dry_run = forms.BooleanField(
        label=_("Prøvekørsel: vis hvad der ville ske, uden at gemme"), required=False, initial=True
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Importér de gode rækker, selv om nogle rækker har fejl"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].initial = MappingProfile.default()

    @classmethod
    def file_refused(cls, message: str) -> ImportForm:
        """The form for a file refused before its body was read: the other fields as a new form
        shows them, the file's field with ``message``."""
        profile = MappingProfile.default()
        form = cls(data={"profile": profile.pk if profile else "", "dry_run": "on"}, files={})
        form.errors["file"] = form.error_class([message])
        return form


class ExportForm(forms.Form):
    profile = forms.ModelChoiceField(
        label=_("Profil"), queryset=MappingProfile.objects.all(), empty_label=None
    )
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX")], initial="csv"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].initial = MappingProfile.default()
