"""Login, logout and password reset in Danish; each role lands on its own page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import TEST_PASSWORD
from tests.herning.otp import app_device, current_code

LANDING = {
    "advisor": "/min-dag/",
    "colleague": "/min-dag/",
    "outsider": "/min-dag/",
    "team_leader": "/team/",
    "other_team_leader": "/team/",
    "duty_advisor": "/min-dag/",  # also an advisor: the advisor's day comes first
    "case_admin": "/underretninger/",
    "psychologist": "/mine-sager/",
    "health_visitor": "/mine-sager/",
    "management": "/ledelse/",
    "sysadmin": "/admin/",
}


def test_login_page_is_danish(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="da">' in html
    assert "Log ind" in html and "Brugernavn" in html and "Adgangskode" in html
    assert 'class="skipnav" href="#main-content"' in html
    assert '<main id="main-content"' in html


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", sorted(LANDING))
def test_each_role_logs_in_and_lands_on_its_own_page(client, org, persona):
    user = getattr(org, persona)
    device = app_device(user)
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:otp_verify"))
    response = client.post(response.redirect_chain[-1][0], {"code": current_code(device)}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == LANDING[persona]
    assert response.wsgi_request.user == user


def test_wrong_password_is_refused_in_danish(client, org):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "korrekt brugernavn og adgangskode" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_a_role_page_is_refused_to_other_roles(login, org):
    client = login(org.advisor)
    assert client.get("/team/").status_code == 403
    assert client.get("/min-dag/").status_code == 200


def test_the_start_pages_are_built_not_placeholders(login, org):
    html = login(org.advisor).get("/min-dag/").content.decode()
    assert "Kommer i en senere version" not in html
    assert "Du er ansvarlig for 0 åbne sager" in html
    html = login(org.team_leader).get("/team/").content.decode()
    assert "Kommer i en senere version" not in html
    assert "Sagstal og frister pr. rådgiver" in html


def test_menu_shows_only_the_roles_pages(login, org):
    html = login(org.team_leader).get("/team/").content.decode()
    assert 'aria-label="Hovedmenu"' in html
    assert "Teamoverblik" in html
    assert "Min dag" not in html


def test_logout_ends_the_session(login, org):
    client = login(org.advisor)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get("/min-dag/").status_code == 302


def test_password_reset_by_email_in_danish(client, org):
    response = client.post(reverse("accounts:password_reset"), {"email": org.advisor.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Ny adgangskode til Herning"
    assert "Vælg den her" in message.body
    link = re.search(r"https?://[^/]+(/nulstil/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "a-brand-new-long-passphrase"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        follow=True,
    )
    assert "Adgangskoden er skiftet" in done.content.decode()
    org.advisor.refresh_from_db()
    assert org.advisor.check_password(new_password)
    # The new password is an audit event: the person set it themselves.
    from herning.audit.models import AuditEvent

    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PASSWORD_CHANGE)
    assert (event.actor, event.subject, event.municipality) == (org.advisor, org.advisor, org.municipality)


def test_password_reset_does_not_reveal_unknown_addresses(client, org):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_pages_stay_danish_for_an_english_browser(client):
    response = client.get(reverse("accounts:login"), headers={"accept-language": "en"})
    assert '<html lang="da">' in response.content.decode()


def test_english_is_chosen_with_the_language_switcher(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/log-ind/"}, follow=True)
    assert '<html lang="en">' in response.content.decode()


# --- Lockout behind the reverse proxy (herning.accounts.throttling) ----------------------------

PROXY = "10.0.0.2"  # the reverse proxy: every request reaches the app from it
OFFICE, HOME, ELSEWHERE = "198.51.100.10", "203.0.113.20", "192.0.2.30"
behind_one_proxy = pytest.mark.usefixtures("one_proxy")


@pytest.fixture
def one_proxy(settings):
    settings.HERNING_PROXY_COUNT = 1


def attempt(username, password, *, address, forwarded=None):
    """A login through the proxy for a client at ``address``; ``forwarded`` is what the client
    itself put in X-Forwarded-For (the proxy appends the address it saw)."""
    from django.test import Client

    header = f"{forwarded}, {address}" if forwarded else address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header).post(
        reverse("accounts:login"), {"username": username, "password": password}
    )


def logs_in(response) -> bool:
    # A right password is answered by a redirect onwards (to the second factor); a wrong one by the
    # form again (200), a lockout by 429.
    return response.status_code == 302 and not response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "10.0.0.2", "6.6.6.6", "10.0.0.2"),  # no proxy trusted: the header is the client's own
        (1, "10.0.0.2", "6.6.6.6, 198.51.100.10", "198.51.100.10"),  # spoofed entry on the left
        (1, "10.0.0.2", "198.51.100.10", "198.51.100.10"),
        (2, "10.0.0.2", "6.6.6.6, 198.51.100.10, 10.0.0.1", "198.51.100.10"),
        (2, "10.0.0.2", "198.51.100.10", "198.51.100.10"),  # came in past the outer proxy
        (1, "10.0.0.2", "", "10.0.0.2"),  # reached the app directly
        (1, "10.0.0.2", "6.6.6.6, not-an-address", "10.0.0.2"),
        (1, "10.0.0.2", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_is_counted_from_the_right_of_x_forwarded_for(
    rf, settings, proxies, remote, forwarded, expected
):
    from herning.accounts.throttling import client_ip

    settings.HERNING_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@behind_one_proxy
def test_failures_from_one_address_lock_the_user_there_but_not_from_another_address(org, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(org.advisor.username, "wrong", address=HOME)
    assert attempt(org.advisor.username, TEST_PASSWORD, address=HOME).status_code == 429
    assert logs_in(attempt(org.advisor.username, TEST_PASSWORD, address=OFFICE))
    # Another person at the locked address is not locked out either.
    assert logs_in(attempt(org.colleague.username, TEST_PASSWORD, address=HOME))


@behind_one_proxy
def test_an_entry_the_client_adds_to_x_forwarded_for_does_not_change_its_address(org, settings):
    from axes.models import AccessAttempt

    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(org.advisor.username, "wrong", address=HOME, forwarded=f"6.6.6.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HOME}
    refused = attempt(org.advisor.username, TEST_PASSWORD, address=HOME, forwarded=OFFICE)
    assert refused.status_code == 429


@behind_one_proxy
def test_many_user_names_from_one_address_lock_that_address(org, settings):
    names = iter(f"guess{n}" for n in range(100))
    below_pair_limit = settings.AXES_FAILURE_LIMIT - 1
    failures = 0
    while failures < settings.HERNING_LOGIN_ADDRESS_FAILURE_LIMIT - below_pair_limit:
        name = next(names)
        for _ in range(below_pair_limit):
            attempt(name, "Sommer2026!", address=ELSEWHERE)
        failures += below_pair_limit
    # Not yet at the limit: a person there still logs in.
    assert logs_in(attempt(org.colleague.username, TEST_PASSWORD, address=ELSEWHERE))
    for _ in range(settings.HERNING_LOGIN_ADDRESS_FAILURE_LIMIT - failures):
        attempt(next(names), "Sommer2026!", address=ELSEWHERE)
    locked = attempt(org.advisor.username, TEST_PASSWORD, address=ELSEWHERE)
    assert locked.status_code == 429
    assert "For mange forsøg" in locked.content.decode()
    assert logs_in(attempt(org.advisor.username, TEST_PASSWORD, address=OFFICE))


@behind_one_proxy
def test_a_user_name_tried_from_many_addresses_is_locked_only_past_the_higher_limit_and_never_at_the_office(
    org, settings
):
    assert logs_in(attempt(org.advisor.username, TEST_PASSWORD, address=OFFICE))
    per_address = settings.AXES_FAILURE_LIMIT - 1
    limit = settings.HERNING_LOGIN_USER_FAILURE_LIMIT
    addresses = iter(f"192.0.2.{n}" for n in range(100, 200))
    for _ in range((limit - 1) // per_address):
        address = next(addresses)
        for _ in range(per_address):
            attempt(org.advisor.username, "wrong", address=address)
    for _ in range((limit - 1) % per_address):
        attempt(org.advisor.username, "wrong", address=next(addresses))
    # One below the user name's limit: still open from a new address.
    assert logs_in(attempt(org.advisor.username, TEST_PASSWORD, address=HOME))
    attempt(org.advisor.username, "wrong", address=next(addresses))  # now at the limit
    assert attempt(org.advisor.username, TEST_PASSWORD, address=ELSEWHERE).status_code == 429
    # Where the person logged in before (the office, and HOME just now), the guessing elsewhere
    # cannot lock them out.
    assert logs_in(attempt(org.advisor.username, TEST_PASSWORD, address=OFFICE))
    assert logs_in(attempt(org.advisor.username, TEST_PASSWORD, address=HOME))


@behind_one_proxy
def test_every_lockout_ends_one_cool_off_after_its_last_counted_failure(org, settings):
    import time_machine

    cool_off = settings.AXES_COOLOFF_TIME * 3600
    with time_machine.travel("2026-05-04 10:00 +02:00", tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt(org.advisor.username, "wrong", address=HOME)
        for n in range(settings.HERNING_LOGIN_ADDRESS_FAILURE_LIMIT):
            attempt(f"guess{n}", "wrong", address=ELSEWHERE)
        clock.shift(cool_off / 2)
        # Trying on during the lockout is refused and does not make it longer.
        assert attempt(org.advisor.username, "wrong", address=HOME).status_code == 429
        assert attempt(org.advisor.username, TEST_PASSWORD, address=ELSEWHERE).status_code == 429
        clock.shift(cool_off / 2 - 60)
        assert attempt(org.advisor.username, TEST_PASSWORD, address=HOME).status_code == 429
        clock.shift(120)
        assert logs_in(attempt(org.advisor.username, TEST_PASSWORD, address=HOME))
        assert logs_in(attempt(org.colleague.username, TEST_PASSWORD, address=ELSEWHERE))
