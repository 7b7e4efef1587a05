"""Configuration in the admin: rule sets, their rules, and which rule set a municipality follows.

Only configuration lives here. Follow-ups, exceptions, deadlines and reminders are case content and
are not in the admin. The shipped presets are read-only; the action "Kopiér" makes an editable copy.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from followups import engine, services
from followups.models import HELD_FORMS, Form, MunicipalityRuleSet, Rule, RuleMilestone, RulePhase, RuleSet
from herning.organisation.admin_scope import ScopedAdmin, ScopedInline


class RuleForm(forms.ModelForm):
    allowed_forms = forms.MultipleChoiceField(
        label=_("Tilladte former"),
        choices=[(v, label) for v, label in Form.choices if v in HELD_FORMS],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Rule
        fields = [
            "rule_set",
            "measure_type",
            "programme_end_amount",
            "programme_end_unit",
            "child_conversation_required",
            "allowed_forms",
            "note",
        ]


class _ReadOnlyPresetMixin:
    """Presets are shared by every municipality: they are copied, not changed."""

    def _preset(self, obj) -> bool:
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and self._preset(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and self._preset(obj))


class MilestoneInline(ScopedInline, admin.TabularInline):
    model = RuleMilestone
    extra = 0


class PhaseInline(ScopedInline, admin.TabularInline):
    model = RulePhase
    extra = 0


class RuleInline(ScopedInline, admin.TabularInline):
    model = Rule
    form = RuleForm
    extra = 0
    fields = ("measure_type", "summary", "child_conversation_required")
    readonly_fields = ("summary",)
    show_change_link = True

    @admin.display(description=_("Regel i ord"))
    def summary(self, obj):
        return engine.describe_rule(obj.to_engine(), "da") if obj.pk else ""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and obj.is_preset)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj is not None and obj.is_preset)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_preset)


@admin.action(description=_("Kopiér de valgte regelsæt"))
def copy_rule_sets(modeladmin, request, queryset):
    for rule_set in queryset:
        copy = services.rule_set_copy(rule_set=rule_set, municipality=request.user.municipality)
        messages.success(request, _("Kopieret til %(name)s.") % {"name": copy.name})


@admin.register(RuleSet)
class RuleSetAdmin(_ReadOnlyPresetMixin, ScopedAdmin, SimpleHistoryAdmin):
    # The presets (no municipality) are read and copied by all; a copy is the copier's municipality's.
    municipality_path = "municipality"
    shared_when_empty = True
    list_display = ("name", "municipality", "valid_from", "valid_to", "is_preset")
    list_filter = ("is_preset", "municipality")
    inlines = [RuleInline]
    actions = [copy_rule_sets]

    def _preset(self, obj):
        return obj.is_preset


@admin.register(Rule)
class RuleAdmin(_ReadOnlyPresetMixin, ScopedAdmin, SimpleHistoryAdmin):
    municipality_path = "rule_set__municipality"
    shared_when_empty = True
    form = RuleForm
    list_display = ("rule_set", "measure_type", "summary")
    list_filter = ("rule_set",)
    inlines = [MilestoneInline, PhaseInline]

    def _preset(self, obj):
        return obj.rule_set.is_preset

    @admin.display(description=_("Regel i ord"))
    def summary(self, obj):
        return engine.describe_rule(obj.to_engine(), "da")


@admin.register(MunicipalityRuleSet)
class MunicipalityRuleSetAdmin(ScopedAdmin, SimpleHistoryAdmin):
    municipality_path = "municipality"
    list_display = ("municipality", "rule_set")
    list_filter = ("municipality",)
