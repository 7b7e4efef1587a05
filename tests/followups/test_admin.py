"""Rule sets are configuration an administrator copies and edits in the admin, without code."""

from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from followups.models import (
    Deadline,
    FollowUp,
    FollowUpException,
    MunicipalityRuleSet,
    Reminder,
    Rule,
    RulePhase,
    RuleSet,
)
from followups.presets import HERNING

pytestmark = pytest.mark.django_db


def test_the_admin_copies_a_preset_and_the_copy_is_editable(login, org):
    client = login(org.sysadmin)
    preset = RuleSet.objects.get(name=HERNING, municipality=None)
    response = client.post(
        reverse("admin:followups_ruleset_changelist"),
        {"action": "copy_rule_sets", "_selected_action": [preset.pk]},
    )
    assert response.status_code == 302
    copy = RuleSet.objects.get(name="Kopi af Herningmodellen 1.0")
    assert copy.municipality == org.municipality and not copy.is_preset
    assert copy.rules.count() == preset.rules.count() == 19
    foster = copy.rules.get(measure_type__code="foster_family")
    assert list(foster.phases.values_list("every_amount", "every_unit", "until_amount")) == [
        (6, "weeks", 12),
        (3, "months", None),
    ]

    # The copy opens for change; the preset only for viewing.
    assert "Gem" in client.get(reverse("admin:followups_ruleset_change", args=[copy.pk])).content.decode()
    preset_page = client.get(reverse("admin:followups_ruleset_change", args=[preset.pk])).content.decode()
    assert 'name="_save"' not in preset_page
    rule_page = client.get(reverse("admin:followups_rule_change", args=[foster.pk]))
    assert rule_page.status_code == 200

    # Edit the copy's rule in the admin: every 4 weeks the first year.
    phase = foster.phases.get(order=0)
    data = {
        "rule_set": copy.pk,
        "measure_type": foster.measure_type_id,
        "programme_end_amount": "",
        "programme_end_unit": "",
        "child_conversation_required": "on",
        "allowed_forms": ["meeting", "phone"],
        "note": "Vores egen regel",
        "milestones-TOTAL_FORMS": "1",
        "milestones-INITIAL_FORMS": "1",
        "milestones-0-id": foster.milestones.get().pk,
        "milestones-0-rule": foster.pk,
        "milestones-0-amount": "2",
        "milestones-0-unit": "weeks",
        "phases-TOTAL_FORMS": "2",
        "phases-INITIAL_FORMS": "2",
    }
    for n, p in enumerate(foster.phases.order_by("order")):
        data.update(
            {
                f"phases-{n}-id": p.pk,
                f"phases-{n}-rule": foster.pk,
                f"phases-{n}-order": p.order,
                f"phases-{n}-every_amount": 4 if p.pk == phase.pk else p.every_amount,
                f"phases-{n}-every_unit": p.every_unit,
                f"phases-{n}-until_amount": p.until_amount or "",
                f"phases-{n}-until_unit": p.until_unit,
            }
        )
    response = client.post(reverse("admin:followups_rule_change", args=[foster.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RulePhase.objects.get(pk=phase.pk).every_amount == 4
    assert Rule.objects.get(pk=foster.pk).allowed_forms == ["meeting", "phone"]
    # The preset is untouched.
    assert preset.rules.get(measure_type__code="foster_family").phases.get(order=0).every_amount == 6


def test_a_municipality_chooses_its_rule_set_in_the_admin(login, org):
    hvidovre = RuleSet.objects.get(name="Hvidovre 2014")
    client = login(org.sysadmin)
    response = client.post(
        reverse("admin:followups_municipalityruleset_add"),
        {"municipality": org.municipality.pk, "rule_set": hvidovre.pk},
    )
    assert response.status_code == 302
    assert MunicipalityRuleSet.objects.get().rule_set == hvidovre
    # Two rule sets over the same period are refused, in Danish.
    response = client.post(
        reverse("admin:followups_municipalityruleset_add"),
        {"municipality": org.municipality.pk, "rule_set": RuleSet.objects.get(name=HERNING).pk},
    )
    assert "overlapper" in response.content.decode()


def test_case_content_is_not_in_the_admin():
    for model in (FollowUp, FollowUpException, Deadline, Reminder):
        assert not admin.site.is_registered(model)


def test_load_rule_sets_restores_what_is_missing_and_changes_nothing_else():
    Rule.objects.filter(rule_set__name=HERNING, measure_type__code="mst").delete()
    out = io.StringIO()
    call_command("load_rule_sets", stdout=out)
    assert "regler oprettet: 1" in out.getvalue()
    call_command("load_rule_sets", stdout=out)
    assert "regler oprettet: 0" in out.getvalue()
