"""Two-factor login: enrolment with a server-drawn QR code, the code step, backup codes, and what
the requirement does and does not stop; login throttling; idle sessions."""

from __future__ import annotations

import datetime
import io
import re

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from herning.accounts.models import BackupCode, BackupCodeDevice
from herning.accounts.services import backup_codes_left
from tests.factories import TEST_PASSWORD
from tests.herning.otp import app_device, current_code


def password_login(client, user, *, password=TEST_PASSWORD, next_url=""):
    data = {"username": user.username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data, follow=True)


def test_first_login_leads_to_enrolment_with_a_qr_code_drawn_on_the_server(client, org):
    response = password_login(client, org.advisor)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:otp_setup"))
    html = response.content.decode()
    assert '<svg class="qr-code" role="img"' in html
    assert "<path d=" in html
    assert "http" not in html.split('<svg class="qr-code"')[1].split("</svg>")[0].replace(
        "http://www.w3.org/2000/svg", ""
    ), "the QR code must not load anything from elsewhere"
    device = TOTPDevice.objects.get(user=org.advisor)
    assert not device.confirmed
    # A reload shows the same secret, so a half-done scan still works.
    client.get(reverse("accounts:otp_setup"))
    assert TOTPDevice.objects.get(user=org.advisor).key == device.key


def test_until_the_second_factor_no_page_opens(client, org):
    password_login(client, org.advisor)
    for url in ("/min-dag/", "/", "/admin/", "/adgangslog/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:otp_setup"))


def test_enrolment_confirms_the_app_and_shows_backup_codes_once(client, org):
    with time_machine.travel("2026-05-04 10:00 +02:00", tick=False) as clock:
        password_login(client, org.advisor, next_url="/min-dag/")
        device = TOTPDevice.objects.get(user=org.advisor)
        wrong = client.post(reverse("accounts:otp_setup"), {"code": "000000"})
        assert "Koden passer ikke" in wrong.content.decode()
        clock.shift(5)  # django-otp makes the person wait a moment after a wrong code
        response = client.post(
            reverse("accounts:otp_setup"), {"code": current_code(device), "next": "/min-dag/"}
        )
        assert response.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        page = client.get(response["Location"])
        codes = re.findall(
            r"<li><code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code></li>", page.content.decode()
        )
        assert len(codes) == 10
        assert backup_codes_left(org.advisor) == 10
        stored = " ".join(
            BackupCode.objects.filter(device__user=org.advisor).values_list("code_hash", flat=True)
        )
        assert not any(code in stored or code.replace("-", "") in stored for code in codes)
        # Shown once: the page does not show them again.
        assert not re.findall(r"<li><code>", client.get(reverse("accounts:backup_codes")).content.decode())
        assert client.get("/min-dag/").status_code == 200


def test_next_login_asks_for_the_code_and_accepts_the_apps_current_one(client, org):
    with time_machine.travel("2026-05-04 10:00 +02:00", tick=False) as clock:
        device = app_device(org.advisor)
        response = password_login(client, org.advisor, next_url="/min-dag/")
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:otp_verify"))
        wrong = client.post(reverse("accounts:otp_verify"), {"code": "123456", "next": "/min-dag/"})
        assert wrong.status_code == 200
        assert "Koden er forkert" in wrong.content.decode()
        assert client.get("/min-dag/").status_code == 302
        clock.shift(5)  # django-otp makes the person wait a moment after a wrong code
        right = client.post(
            reverse("accounts:otp_verify"), {"code": current_code(device), "next": "/min-dag/"}
        )
        assert right["Location"] == "/min-dag/"
        assert client.get("/min-dag/").status_code == 200


def test_a_backup_code_works_once(client, org):
    from herning.accounts.services import new_backup_codes

    app_device(org.advisor)
    code = new_backup_codes(user=org.advisor)[0]
    password_login(client, org.advisor)
    response = client.post(reverse("accounts:otp_verify"), {"code": code}, follow=True)
    assert "Du har 9 tilbage" in response.content.decode()
    client.post(reverse("accounts:logout"))
    other = Client()
    password_login(other, org.advisor)
    again = other.post(reverse("accounts:otp_verify"), {"code": code})
    assert again.status_code == 200 and "Koden er forkert" in again.content.decode()


def test_the_next_address_cannot_send_the_person_elsewhere(client, org):
    device = app_device(org.advisor)
    password_login(client, org.advisor)
    response = client.post(
        reverse("accounts:otp_verify"), {"code": current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/min-dag/"


def test_a_session_api_request_without_the_second_factor_gets_json_not_a_page(client, org):
    password_login(client, org.advisor)
    from django.http import HttpResponse
    from django.test import override_settings
    from django.urls import path

    class urls:
        urlpatterns = [path("api/ping/", lambda request: HttpResponse("pong"))]

    with override_settings(ROOT_URLCONF=urls):
        response = client.get("/api/ping/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert (response.json()["code"], response.json()["status"]) == ("two_factor_required", 403)


def test_a_request_without_a_session_is_left_to_the_api_to_authenticate(client):
    # Token clients carry no session: the two-factor middleware lets them through to DRF, which
    # authenticates them (and the project's permission classes refuse the anonymous).
    from django.http import HttpResponse
    from django.test import override_settings
    from django.urls import path

    class urls:
        urlpatterns = [path("api/ping/", lambda request: HttpResponse("pong"))]

    with override_settings(ROOT_URLCONF=urls):
        assert client.get("/api/ping/").content == b"pong"


def test_new_backup_codes_replace_the_old(login, org):
    from herning.accounts.services import new_backup_codes

    old = new_backup_codes(user=org.advisor)
    client = login(org.advisor)
    client.post(reverse("accounts:backup_codes"))
    new = re.findall(
        r"<li><code>([^<]+)</code></li>", client.get(reverse("accounts:backup_codes")).content.decode()
    )
    assert len(new) == 10 and not set(new) & set(old)
    device = BackupCodeDevice.objects.get(user=org.advisor)
    assert device.verify_token(new[0])
    assert not device.verify_token(old[0])


# --- Throttling ------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_user_name_out_for_a_while(client, org, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert password_login(client, org.advisor, password="wrong").status_code == 200
    locked = client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    assert locked.status_code == 429
    assert "For mange forsøg" in locked.content.decode()
    # Even the right password is refused during the lockout.
    refused = client.post(reverse("accounts:login"), {"username": "alice", "password": TEST_PASSWORD})
    assert refused.status_code == 429
    assert not refused.wsgi_request.user.is_authenticated
    # Another person at the same address is not locked out.
    assert password_login(Client(), org.colleague).redirect_chain


def test_the_lockout_ends_after_the_cool_off(client, org, settings):
    with time_machine.travel("2026-05-04 10:00 +02:00", tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            password_login(client, org.advisor, password="wrong")
        assert password_login(client, org.advisor).status_code == 429
        traveller.shift(settings.AXES_COOLOFF_TIME * 3600 + 60)
        response = password_login(client, org.advisor)
        assert response.status_code == 200
        assert response.wsgi_request.user == org.advisor


# --- Idle sessions ------------------------------------------------------------------------------


def test_a_session_ends_after_the_idle_time_and_lives_on_while_used(login, org, settings):
    with time_machine.travel("2026-05-04 10:00 +02:00", tick=False) as traveller:
        client = login(org.advisor)
        idle = settings.SESSION_COOKIE_AGE
        traveller.shift(idle - 60)
        assert client.get("/min-dag/").status_code == 200
        traveller.shift(idle - 60)  # still within the idle time of the last request
        assert client.get("/min-dag/").status_code == 200
        traveller.shift(idle + 60)
        response = client.get("/min-dag/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_burst_of_requests_writes_the_session_once_a_minute_at_most(login, org, settings):
    from django.contrib.sessions.models import Session

    with time_machine.travel("2026-05-04 10:00 +02:00", tick=False) as traveller:
        client = login(org.advisor)
        key = client.session.session_key

        def expires():
            return Session.objects.get(session_key=key).expire_date

        at_login = expires()
        traveller.shift(30)
        assert client.get("/min-dag/").status_code == 200
        assert expires() == at_login  # half a minute after the login: not written
        traveller.shift(30)
        assert client.get("/min-dag/").status_code == 200
        renewed = expires()
        assert renewed == at_login + datetime.timedelta(seconds=60)  # a minute: renewed
        traveller.shift(59)
        assert client.get("/min-dag/").status_code == 200
        assert expires() == renewed
        # The idle time counts from that renewal: a session used a minute ago but not renewed since
        # ends no later than the idle time after its last renewal.
        traveller.shift(settings.SESSION_COOKIE_AGE - 59)
        assert client.get("/min-dag/").status_code == 302


# --- Demo ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_users_get_the_published_key_and_demo_otp_prints_the_current_code():
    call_command("seed_demo", stdout=io.StringIO())
    device = TOTPDevice.objects.get(user__username="anne", name="Demo")
    out = io.StringIO()
    with time_machine.travel("2026-05-04 10:00:10 +02:00", tick=False):
        call_command("demo_otp", "anne", stdout=out)
        expected = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    assert out.getvalue().strip() == f"{expected:06d}"
    with pytest.raises(CommandError, match="ingen demo-app"):
        call_command("demo_otp", "nobody", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_demo_logs_in_with_the_printed_code(client):
    call_command("seed_demo", stdout=io.StringIO())
    response = client.post(
        reverse("accounts:login"), {"username": "anne", "password": "herning-demo-2026"}, follow=True
    )
    out = io.StringIO()
    call_command("demo_otp", "anne", stdout=out)
    response = client.post(response.redirect_chain[-1][0], {"code": out.getvalue().strip()}, follow=True)
    assert response.redirect_chain[-1][0] == "/min-dag/"


def test_outside_production_a_demo_user_sees_the_current_demo_code(client, org):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from herning.accounts.demo import DEMO_DEVICE_NAME, DEMO_OTP_KEY, demo_code_for
    from tests.factories import TEST_PASSWORD

    TOTPDevice.objects.create(user=org.advisor, name=DEMO_DEVICE_NAME, key=DEMO_OTP_KEY, confirmed=True)
    client.post("/log-ind/", {"username": org.advisor.username, "password": TEST_PASSWORD})
    html = client.get("/to-faktor/").content.decode()
    assert demo_code_for(org.advisor) in html


def test_a_real_device_gets_no_demo_hint(client, org):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import TEST_PASSWORD

    TOTPDevice.objects.create(user=org.advisor, name="Telefon", confirmed=True)
    client.post("/log-ind/", {"username": org.advisor.username, "password": TEST_PASSWORD})
    assert "demonøgle" not in client.get("/to-faktor/").content.decode()


# --- Backup codes are kept hashed; the session after the second factor -------------------------


def test_a_backup_code_is_read_however_it_is_typed(client, org):
    from herning.accounts.services import new_backup_codes

    app_device(org.advisor)
    code = new_backup_codes(user=org.advisor)[3]
    password_login(client, org.advisor)
    response = client.post(reverse("accounts:otp_verify"), {"code": f" {code.upper().replace('-', ' ')} "})
    assert response.status_code == 302
    assert backup_codes_left(org.advisor) == 9


def test_plain_backup_codes_from_before_are_hashed_and_still_work_once(org):
    import importlib

    from django.apps import apps
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    static = StaticDevice.objects.create(user=org.advisor, name="Reservekoder", confirmed=True)
    StaticToken.objects.bulk_create(StaticToken(device=static, token=t) for t in ("0a1b2c3d", "4e5f6a7b"))
    migration = importlib.import_module("herning.accounts.migrations.0002_hash_existing_backup_codes")
    migration.hash_plain_codes(apps, None)
    assert not StaticToken.objects.exists() and not StaticDevice.objects.exists()
    device = BackupCodeDevice.objects.get(user=org.advisor)
    hashes = list(device.codes.values_list("code_hash", flat=True))
    assert len(hashes) == 2 and all(h.startswith("pbkdf2_sha256$") and "0a1b2c3d" not in h for h in hashes)
    assert device.verify_token("0A1B-2C3D")
    assert backup_codes_left(org.advisor) == 1


def test_the_session_gets_a_new_key_when_the_second_factor_is_given(client, org):
    from django.contrib.sessions.backends.db import SessionStore

    device = app_device(org.advisor)
    password_login(client, org.advisor)
    half_logged_in = client.session.session_key
    response = client.post(reverse("accounts:otp_verify"), {"code": current_code(device)})
    assert response.status_code == 302
    assert client.session.session_key != half_logged_in
    assert not SessionStore().exists(half_logged_in)
    assert client.get("/min-dag/").status_code == 200


def test_the_session_gets_a_new_key_when_the_app_is_set_up(client, org):
    password_login(client, org.advisor)
    half_logged_in = client.session.session_key
    device = TOTPDevice.objects.get(user=org.advisor)
    response = client.post(reverse("accounts:otp_setup"), {"code": current_code(device)})
    assert response.status_code == 302
    assert client.session.session_key != half_logged_in


# --- Absolute session lifetime ------------------------------------------------------------------


def test_a_login_lasts_at_most_the_working_day_even_while_in_use(login, org, settings):
    settings.SESSION_MAX_HOURS = 10
    with time_machine.travel("2026-05-04 08:00 +02:00", tick=False) as traveller:
        client = login(org.advisor)
        for _ in range(10 * 3 - 1):  # a request every twenty minutes: never idle
            traveller.shift(20 * 60)
            assert client.get("/min-dag/").status_code == 200
        traveller.shift(20 * 60)  # 18:00, ten hours after the login
        response = client.get("/min-dag/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        page = client.get(response["Location"])
        assert "et login højst varer 10 timer" in page.content.decode()
        # A new login starts a new day.
        client = login(org.advisor)
        assert client.get("/min-dag/").status_code == 200


def test_a_session_from_before_the_lifetime_rule_is_ended(login, org):
    from herning.accounts.session_lifetime import LOGGED_IN_AT_SESSION_KEY

    client = login(org.advisor)
    session = client.session
    del session[LOGGED_IN_AT_SESSION_KEY]
    session.save()
    assert client.get("/min-dag/").status_code == 302


def test_app_codes_do_not_slow_down_the_backup_codes(client, org):
    from herning.accounts.services import new_backup_codes

    with time_machine.travel("2026-05-04 10:00 +02:00", tick=False) as clock:
        device = app_device(org.advisor)
        code = new_backup_codes(user=org.advisor)[0]
        for _ in range(3):  # many days of logging in with the app, one wrong code each time
            password_login(client, org.advisor)
            client.post(reverse("accounts:otp_verify"), {"code": "000000"})
            clock.shift(60)
            assert (
                client.post(reverse("accounts:otp_verify"), {"code": current_code(device)}).status_code == 302
            )
            client.post(reverse("accounts:logout"))
            clock.shift(60)
        password_login(client, org.advisor)
        assert client.post(reverse("accounts:otp_verify"), {"code": code}).status_code == 302
        assert BackupCodeDevice.objects.get(user=org.advisor).throttling_failure_count == 0


# --- The code step on a phone (issue 20 point 7) ------------------------------------------------


def _html_tag(html: str, element_id: str) -> str:
    return re.search(rf'<input[^>]*id="{element_id}"[^>]*>', html).group(0)


def test_the_code_step_shows_no_menu_and_no_reminders_until_the_code_is_accepted(client, org):
    """Half signed in (password given, code not yet), the page shows the way out and nothing else:
    no main menu, no menu button or drawer, no reminder bell with children's deadlines."""
    from herning.accounts.services import new_backup_codes

    app_device(org.advisor)
    backup = new_backup_codes(user=org.advisor)[0]
    password_login(client, org.advisor)
    html = client.get(reverse("accounts:otp_verify")).content.decode()
    assert "Kode fra din app" in html and "Log ud" in html
    for menu_part in (
        'class="navigation-menu"',
        "mobile-drawer",
        "js-menu-open",
        'href="/min-dag/"',
        "Påmindelser",
    ):
        assert menu_part not in html, menu_part
    # A wrong code keeps the page as it was: still no menu.
    wrong = client.post(reverse("accounts:otp_verify"), {"code": "000000"}).content.decode()
    assert "Koden er forkert" in wrong and "mobile-drawer" not in wrong and 'href="/min-dag/"' not in wrong

    # (The app device now waits a moment after the wrong code; the backup codes are a device of their own.)
    assert client.post(reverse("accounts:otp_verify"), {"backup_code": backup}).status_code == 302
    day = client.get("/min-dag/").content.decode()
    assert 'class="navigation-menu"' in day and 'id="mobile-menu"' in day and 'href="/min-dag/"' in day
    assert 'aria-controls="mobile-menu"' in day and 'aria-expanded="false"' in day


def test_the_app_code_field_brings_up_the_numeric_keyboard_and_the_backup_code_has_its_own(client, org):
    app_device(org.advisor)
    password_login(client, org.advisor)
    html = client.get(reverse("accounts:otp_verify")).content.decode()
    code = _html_tag(html, "id_code")
    assert 'inputmode="numeric"' in code and 'autocomplete="one-time-code"' in code
    assert 'pattern="[0-9]*"' in code and 'name="code"' in code
    # A backup code has letters, which the numeric keyboard cannot type: a field of its own.
    backup = _html_tag(html, "id_backup_code")
    assert 'name="backup_code"' in backup and "inputmode" not in backup


def test_a_wrong_backup_code_is_told_at_its_own_field(client, org):
    from herning.accounts.services import new_backup_codes

    app_device(org.advisor)
    new_backup_codes(user=org.advisor)
    password_login(client, org.advisor)
    wrong = client.post(reverse("accounts:otp_verify"), {"backup_code": "abcd-efgh-jkmn"})
    html = wrong.content.decode()
    assert wrong.status_code == 200 and "Koden er forkert" in html
    # The error stands at the backup code's field, whose section stays open; nothing is used up.
    assert "aria-describedby=" in _html_tag(html, "id_backup_code")
    assert '<details class="details mt-5" open>' in html
    assert backup_codes_left(org.advisor) == 10


# --- The person, their roles and their app: one read a request --------------------------------


def _statements(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, [q["sql"] for q in queries.captured_queries]


def test_a_page_reads_the_person_with_their_roles_and_apps_in_one_statement(login, org):
    client = login(org.advisor)
    response, statements = _statements(client, "/min-dag/")
    assert response.status_code == 200
    person = [s for s in statements if s.startswith("SELECT") and 'FROM "organisation_user"' in s]
    assert len(person) == 1 and '"otp_totp_totpdevice"' in person[0]
    assert '"organisation_roleassignment"' in person[0]
    # Neither the app the session was verified with nor the roles are read again on their own.
    assert not [s for s in statements if s.startswith('SELECT "otp_totp_totpdevice"')]
    assert not [s for s in statements if s.startswith('SELECT "organisation_roleassignment"')]


@pytest.mark.parametrize("change", ["deleted", "unconfirmed", "another_persons"])
def test_a_session_whose_app_is_gone_is_verified_no_longer_and_forgets_it(login, org, change):
    from django_otp import DEVICE_ID_SESSION_KEY

    client = login(org.advisor)
    assert client.get("/min-dag/").status_code == 200
    device = TOTPDevice.objects.get(user=org.advisor, confirmed=True)
    if change == "deleted":
        device.delete()
    elif change == "unconfirmed":
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    else:
        TOTPDevice.objects.filter(pk=device.pk).update(user=org.colleague)
    response = client.get("/min-dag/")
    assert response.status_code == 302
    # No confirmed app left: the person is sent to set one up, as django-otp's own check would.
    assert response["Location"].startswith(reverse("accounts:otp_setup"))
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_the_roles_read_with_the_person_are_those_read_on_their_own(org, django_assert_num_queries):
    from herning.organisation.models import Role, RoleAssignment, User

    other_team = org.team_b
    RoleAssignment.objects.get_or_create(user=org.advisor, role=Role.TEAM_LEADER, team=other_team)
    RoleAssignment.objects.get_or_create(user=org.advisor, role=Role.MANAGEMENT, team=None)

    def fields(record):
        # Every column, in its own type (the roles come back as JSON and are turned back).
        return record and {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}

    def described(person):
        return [
            (a.pk, a.role, a.team_id, fields(a), fields(a.team), a.team and fields(a.team.district))
            for a in person.role_assignments_cached
        ]

    with django_assert_num_queries(1):
        person = User.objects.signed_in().get(pk=org.advisor.pk)
        read_with = described(person)
        assert person.municipality == org.advisor.municipality
        assert person.led_team_ids() == frozenset({other_team.pk})
    assert read_with == described(User.objects.get(pk=org.advisor.pk))
    assert {role for _pk, role, *_details in read_with} == {
        Role.ADVISOR,
        Role.TEAM_LEADER,
        Role.MANAGEMENT,
    }
