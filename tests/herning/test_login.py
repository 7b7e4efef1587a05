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
