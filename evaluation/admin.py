"""The evaluation app's configuration in the admin: the placement targets.

Snapshots, complaints and SDQ scores are case content and are not in the admin: the system
administrator configures, but does not read about children.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from evaluation.models import PlacementTarget
from herning.organisation.admin_scope import ScopedAdmin
from measures.models import PlacementCategory

_CHOICES = [(value, label) for value, label in PlacementCategory.choices if value]


class PlacementTargetForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("Anbringelsestyper"), choices=_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    base_categories = forms.MultipleChoiceField(
        label=_("Andel af"),
        choices=_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Ingen valgt: andel af alle anbragte årsbørn."),
    )

    class Meta:
        model = PlacementTarget
        fields = [
            "municipality",
            "name",
            "categories",
            "base_categories",
            "comparison",
            "share",
            "valid_from",
            "valid_to",
            "source",
        ]


@admin.register(PlacementTarget)
class PlacementTargetAdmin(ScopedAdmin, SimpleHistoryAdmin):
    # The shipped targets (no municipality) are read by all; a municipality adds its own instead.
    municipality_path = "municipality"
    shared_when_empty = True
    form = PlacementTargetForm
    list_display = ["name", "municipality", "comparison", "share", "valid_from", "valid_to"]
    list_filter = ["municipality"]
