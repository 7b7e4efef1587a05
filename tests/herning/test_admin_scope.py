"""The system administrator is bounded by the municipality (issue 19, point 1; docs/access.md,
"The admin"): nobody is a superuser, and an administrator of one municipality can neither list,
change, reset nor issue a token for a user of another, by admin URL or by id."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from herning.accounts.backends import StaffModelBackend
from herning.api.models import ApiToken
from herning.audit.models import AuditEvent
from herning.organisation.admin_scope import ScopedAdmin, ScopedInline
from herning.organisation.models import User
from tests.factories import TEST_PASSWORD, Role, staff
from tests.fixtures import make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbour(org):
    """Ikast-Brande, on the same installation, with a service user and a token of its own."""
    other = make_org(name="Ikast-Brande Kommune", code="760", prefix="ib_")
    other.service_user = staff(
        username="ib_integration", municipality=other.municipality, roles=[], is_service_user=True
    )
    other.token, _ = ApiToken.issue(user=other.service_user, name="Ikast-Brandes udtræk", read_only=True)
    other.device = TOTPDevice.objects.create(user=other.advisor, name="app", confirmed=True)
    return other


def _option_values(html: str, name: str) -> set[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return {value for value in re.findall(r'<option value="([^"]*)"', select) if value}


def test_nobody_in_the_fixtures_or_the_demo_is_a_superuser(org):
    assert not User.objects.filter(is_superuser=True).exists()


def test_a_superuser_without_the_role_is_not_let_into_the_admin(client, org):
    from tests.fixtures import login_with_second_factor

    root = staff(username="root", municipality=org.municipality, roles=[], is_superuser=True, is_staff=True)
    login_with_second_factor(client, root)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_every_admin_is_scoped_to_the_municipality():
    """A model added to the admin must say how it belongs to a municipality (or that it is the
    installation's shared configuration): an unscoped admin would list every municipality's rows."""
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, ScopedAdmin), model._meta.label
        for inline in model_admin.inlines:
            assert issubclass(inline, ScopedInline), f"{model._meta.label}: {inline.__name__}"


@pytest.mark.parametrize(
    ("url_name", "names"),
    [
        ("admin:organisation_user_changelist", lambda o: [o.advisor.username, o.sysadmin.username]),
        ("admin:api_apitoken_changelist", lambda o: [o.token.name]),
        ("admin:otp_totp_totpdevice_changelist", lambda o: [o.advisor.username]),
        ("admin:organisation_municipality_changelist", lambda o: [o.municipality.name]),
    ],
)
def test_the_lists_hold_the_own_municipality_only(login, org, neighbour, url_name, names):
    TOTPDevice.objects.create(user=org.advisor, name="app", confirmed=True)
    html = login(org.sysadmin).get(reverse(url_name)).content.decode()
    for name in names(neighbour):
        assert name not in html
    assert org.municipality.name in html or url_name != "admin:organisation_municipality_changelist"


def test_the_user_list_counts_and_filters_the_own_municipality_only(login, org, neighbour):
    html = login(org.sysadmin).get(reverse("admin:organisation_user_changelist")).content.decode()
    own = User.objects.filter(municipality=org.municipality).count()
    assert f"{own} medarbejdere" in html
    # The team filter names the own teams, not the neighbour's.
    assert f"role_assignments__team__id__exact={org.team_a.pk}" in html
    assert f"role_assignments__team__id__exact={neighbour.team_a.pk}" not in html


def _neighbour_urls(n):
    return [
        reverse("admin:organisation_user_change", args=[n.advisor.pk]),
        reverse("admin:auth_user_password_change", args=[n.advisor.pk]),
        reverse("admin:organisation_user_history", args=[n.advisor.pk]),
        reverse("admin:organisation_team_change", args=[n.team_a.pk]),
        reverse("admin:organisation_team_history", args=[n.team_a.pk]),
        reverse("admin:organisation_district_change", args=[n.district_a.pk]),
        reverse("admin:organisation_municipality_change", args=[n.municipality.pk]),
        reverse("admin:api_apitoken_change", args=[n.token.pk]),
        reverse("admin:otp_totp_totpdevice_change", args=[n.device.pk]),
        reverse("admin:otp_totp_totpdevice_delete", args=[n.device.pk]),
    ]


def test_another_municipalitys_records_are_not_found_by_id(login, org, neighbour):
    client = login(org.sysadmin)
    for url in _neighbour_urls(neighbour):
        assert client.get(url).status_code in (403, 404), url


def test_the_own_municipalitys_records_open(login, org, neighbour):
    client = login(neighbour.sysadmin)
    for url in _neighbour_urls(neighbour):
        assert client.get(url).status_code == 200, url


def test_another_municipalitys_password_cannot_be_set_nor_device_reset_by_id(login, org, neighbour):
    client = login(org.sysadmin)
    password = "en-helt-ny-og-lang-adgangskode"
    response = client.post(
        reverse("admin:auth_user_password_change", args=[neighbour.advisor.pk]),
        {"password1": password, "password2": password, "usable_password": "true"},
    )
    assert response.status_code == 404
    neighbour.advisor.refresh_from_db()
    assert not neighbour.advisor.check_password(password)
    response = client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[neighbour.device.pk]), {"post": "yes"}
    )
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(pk=neighbour.device.pk).exists()
    assert not AuditEvent.objects.exists()


def test_an_action_on_another_municipalitys_ids_touches_nothing(login, org, neighbour):
    response = login(org.sysadmin).post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [neighbour.token.pk]},
    )
    assert response.status_code in (200, 302)
    neighbour.token.refresh_from_db()
    assert neighbour.token.revoked_at is None


def test_a_token_cannot_be_issued_in_the_admin_for_another_municipalitys_user(login, org, neighbour):
    client = login(org.sysadmin)
    own_service = staff(username="integration", municipality=org.municipality, roles=[], is_service_user=True)
    add = reverse("admin:api_apitoken_add")
    # Only the own municipality's service users are offered: no person, no neighbour.
    assert _option_values(client.get(add).content.decode(), "user") == {str(own_service.pk)}
    for user in (neighbour.service_user, org.advisor):
        response = client.post(add, {"user": user.pk, "name": "Udtræk", "scope": "read"})
        assert response.status_code == 200  # the form again, with the error at the field
    assert (
        not ApiToken.objects.filter(user__in=[org.advisor, neighbour.service_user])
        .exclude(pk=neighbour.token.pk)
        .exists()
    )


def test_a_token_issued_in_the_admin_is_shown_once_and_recorded(login, org):
    client = login(org.sysadmin)
    service = staff(username="integration", municipality=org.municipality, roles=[], is_service_user=True)
    response = client.post(
        reverse("admin:api_apitoken_add"),
        {
            "user": service.pk,
            "name": "Statistik",
            "scope": "read",
            "expires_at_0": "2099-01-01",
            "expires_at_1": "00:00",
        },
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=service)
    assert token.issued_by == org.sysadmin and token.expires_at is not None
    message = next(str(m) for m in response.context["messages"] if "vises ikke igen" in str(m))
    key = re.search(r"Tokenet er (\S+)", message).group(1)
    assert token.prefix == key[:8]
    assert key not in client.get(reverse("admin:api_apitoken_change", args=[token.pk])).content.decode()
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.TOKEN_ISSUE, actor=org.sysadmin, subject=service
    ).exists()


def test_the_choices_of_a_form_are_the_own_municipalitys(login, org, neighbour):
    client = login(org.sysadmin)
    team_form = client.get(reverse("admin:organisation_team_add")).content.decode()
    assert _option_values(team_form, "district") == {str(org.district_a.pk), str(org.district_b.pk)}
    user_form = client.get(reverse("admin:organisation_user_add")).content.decode()
    assert _option_values(user_form, "municipality") == {str(org.municipality.pk)}


def test_a_team_cannot_be_made_in_another_municipalitys_district(login, org, neighbour):
    response = login(org.sysadmin).post(
        reverse("admin:organisation_team_add"),
        {"district": neighbour.district_a.pk, "name": "Snigteam", "caseload_cap": 25, "caseload_warning": 20},
    )
    assert response.status_code == 200
    assert not neighbour.district_a.teams.filter(name="Snigteam").exists()


def test_the_user_form_offers_no_superuser_nor_permissions(login, org):
    html = (
        login(org.sysadmin)
        .get(reverse("admin:organisation_user_change", args=[org.advisor.pk]))
        .content.decode()
    )
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert f'name="{field}"' not in html
    assert 'name="is_service_user"' not in html  # set when the user is made, never after


def test_a_person_cannot_be_turned_into_a_service_user(login, org):
    client = login(org.sysadmin)
    url = reverse("admin:organisation_user_change", args=[org.advisor.pk])
    form = client.get(url).context["adminform"].form
    data = {
        **{k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)},
        "username": org.advisor.username,
        "municipality": org.municipality.pk,
        "is_active": "on",
        "is_service_user": "on",
        "role_assignments-TOTAL_FORMS": "0",
        "role_assignments-INITIAL_FORMS": "0",
    }
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data["first_name"] = "Alice Ændret"
    assert client.post(url, data).status_code == 302  # saved: the rest of the form was taken
    org.advisor.refresh_from_db()
    assert org.advisor.first_name == "Alice Ændret"
    assert not org.advisor.is_service_user


def test_a_service_user_never_logs_in(client, org):
    service = staff(username="integration", municipality=org.municipality, roles=[], is_service_user=True)
    backend = StaffModelBackend()
    assert backend.authenticate(None, username=service.username, password=TEST_PASSWORD) is None
    assert backend.get_user(service.pk) is None  # nor keeps a session
    assert backend.authenticate(None, username=org.advisor.username, password=TEST_PASSWORD) == org.advisor
    response = client.post(
        reverse("accounts:login"), {"username": service.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_password_set_in_the_admin_is_an_audit_event(login, org):
    client = login(org.sysadmin)
    password = "en-helt-ny-og-lang-adgangskode"
    response = client.post(
        reverse("admin:auth_user_password_change", args=[org.advisor.pk]),
        {"password1": password, "password2": password, "usable_password": "true"},
    )
    assert response.status_code == 302
    org.advisor.refresh_from_db()
    assert org.advisor.check_password(password)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PASSWORD_CHANGE)
    assert (event.actor, event.subject, event.municipality) == (org.sysadmin, org.advisor, org.municipality)
    # A refused form changes nothing and records nothing.
    client.post(
        reverse("admin:auth_user_password_change", args=[org.advisor.pk]),
        {"password1": "kort", "password2": "kort", "usable_password": "true"},
    )
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_CHANGE).count() == 1


def test_a_device_reset_is_an_audit_event(login, org):
    device = TOTPDevice.objects.create(user=org.advisor, name="app", confirmed=True)
    response = login(org.sysadmin).post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DEVICE_RESET)
    assert (event.actor, event.subject, event.municipality) == (org.sysadmin, org.advisor, org.municipality)


def test_the_audit_events_shown_are_the_own_municipalitys_and_the_installations(login, org, neighbour):
    from herning.audit.services import purge_expired_access_log, record_access_event

    purge = purge_expired_access_log()
    own = record_access_event(
        kind=AuditEvent.Kind.DEVICE_RESET, actor=org.sysadmin, subject=org.advisor, reason="x"
    )
    theirs = record_access_event(
        kind=AuditEvent.Kind.DEVICE_RESET, actor=neighbour.sysadmin, subject=neighbour.advisor, reason="y"
    )
    client = login(org.sysadmin)
    html = client.get(reverse("admin:audit_auditevent_changelist")).content.decode()
    for event in (purge, own):
        assert reverse("admin:audit_auditevent_change", args=[event.pk]) in html
    assert reverse("admin:audit_auditevent_change", args=[theirs.pk]) not in html
    assert client.get(reverse("admin:audit_auditevent_change", args=[theirs.pk])).status_code == 404


def test_the_installations_own_admins_are_not_in_the_admin():
    from axes.models import AccessAttempt
    from django.contrib.auth.models import Group
    from django_celery_beat.models import PeriodicTask

    for model in (Group, PeriodicTask, AccessAttempt):
        assert not admin.site.is_registered(model)


def test_roles_in_another_municipalitys_team_are_refused(login, org, neighbour):
    from herning.organisation.models import RoleAssignment

    client = login(org.sysadmin)
    url = reverse("admin:organisation_user_change", args=[org.advisor.pk])
    client.get(url)
    # The team autocomplete searches the own municipality's teams only.
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "organisation", "model_name": "roleassignment", "field_name": "team", "term": "Team"},
    )
    ids = {int(r["id"]) for r in response.json()["results"]}
    assert ids == {org.team_a.pk, org.team_b.pk}
    assert not RoleAssignment.objects.filter(
        user=org.advisor, team__district__municipality=neighbour.municipality
    ).exists()


def test_a_system_administrator_of_another_role_sees_nothing(login, org, neighbour):
    # The neighbour's advisor is not let in, nor any other role of the own municipality.
    for person in (neighbour.advisor, org.management, org.data_protection):
        from django.test import Client

        from tests.fixtures import login_with_second_factor

        client = login_with_second_factor(Client(), person)
        assert client.get(reverse("admin:organisation_user_changelist")).status_code == 302


def test_the_role_is_checked_not_the_staff_flag(login, org):
    staff(
        username="oldstaff", municipality=org.municipality, roles=[(Role.ADVISOR, org.team_a)], is_staff=True
    )
    from django.test import Client

    from tests.fixtures import login_with_second_factor

    client = login_with_second_factor(Client(), User.objects.get(username="oldstaff"))
    assert client.get(reverse("admin:index")).status_code == 302
