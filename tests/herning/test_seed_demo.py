"""``seed_demo`` builds the demo municipality and running it again changes nothing."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command

from herning.organisation.models import District, DutyShift, Role, Team, User


def snapshot() -> dict[str, int]:
    """Row counts of every table the project owns, history tables included."""
    counts = {}
    for model in apps.get_models():
        if model._meta.app_label in {
            "organisation",
            "cases",
            "measures",
            "followups",
            "network_meetings",
            "core",
        }:
            counts[model._meta.label] = model.objects.count()
    return counts


@pytest.mark.django_db
@time_machine.travel("2026-03-02 09:00 +01:00", tick=False)
def test_seed_demo_creates_a_believable_municipality_and_prints_logins():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert District.objects.count() == 3
    assert Team.objects.count() == 3
    assert User.objects.with_role(Role.ADVISOR).count() == 12
    assert User.objects.with_role(Role.TEAM_LEADER).count() == 2
    # Every district has someone on duty every day of the roster, today included.
    assert DutyShift.objects.filter(date="2026-03-02").count() == 3
    printed = out.getvalue()
    assert "herning-demo-2026" in printed
    for username in ("anne", "tl.nord", "sekretaer", "chef", "admin"):
        assert username in printed
    # The demo's system administrator is bounded by the municipality, no superuser.
    assert not User.objects.filter(is_superuser=True).exists()
    admin = User.objects.get(username="admin")
    assert admin.has_role(Role.SYSTEM_ADMINISTRATOR) and admin.municipality.name == "Herning Kommune"


@pytest.mark.django_db
@time_machine.travel("2026-03-02 09:00 +01:00", tick=False)
def test_seed_demo_corrects_a_demo_administrator_seeded_as_superuser():
    call_command("seed_demo", stdout=io.StringIO())
    User.objects.filter(username="admin").update(is_superuser=True, is_staff=True)
    call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.filter(is_superuser=True).exists()


@pytest.mark.django_db
@time_machine.travel("2026-03-02 09:00 +01:00", tick=False)
def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    before = snapshot()
    passwords = dict(User.objects.values_list("username", "password"))
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == before
    assert dict(User.objects.values_list("username", "password")) == passwords


@pytest.mark.django_db
def test_seed_demo_refuses_in_production(settings):
    from django.core.management import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="produktion"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.exists()


def _deploy_errors() -> set[str]:
    from herning.accounts.checks import check_no_demo_data

    return {message.id for message in check_no_demo_data()}


@pytest.mark.django_db
@time_machine.travel("2026-03-02 09:00 +01:00", tick=False)
def test_deploy_check_fails_while_demo_logins_exist():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from herning.accounts.demo import DEMO_OTP_KEY

    assert _deploy_errors() == set()
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert _deploy_errors() == {"herning.E010", "herning.E011"}
    # A real person who happens to be called "anne" is not a demo account; the published key is
    # an error on anyone's device.
    User.objects.filter(email__endswith="@herning.example").update(email="anne@herning.dk")
    assert _deploy_errors() == {"herning.E011"}
    TOTPDevice.objects.filter(key=DEMO_OTP_KEY).delete()
    TOTPDevice.objects.create(user=User.objects.get(username="anne"), name="Telefon", confirmed=True)
    assert _deploy_errors() == set()


@pytest.mark.django_db
def test_deploy_check_runs_with_manage_py_check_deploy():
    from django.core.management.base import SystemCheckError

    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    with pytest.raises(SystemCheckError, match=r"herning\.E010"):
        call_command("check", "--deploy", "--fail-level", "ERROR", stdout=io.StringIO(), stderr=io.StringIO())
