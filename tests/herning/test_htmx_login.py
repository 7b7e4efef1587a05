"""A part of a page asked for by HTMX after the login has ended, or before the second factor,
sends the whole page to the login and back to the page the person was on, not the login form into
the part (``herning.accounts.middleware.HtmxLoginRedirectMiddleware``)."""

from __future__ import annotations

from urllib.parse import urlencode

import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import CaseFactory
from tests.herning.test_two_factor import password_login

SECTION = "/team/afsnit/opfoelgning/"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/team/?period=30"}


def _login_with_next(page: str, name: str = "accounts:login") -> str:
    return f"{reverse(name)}?{urlencode({'next': page}, safe='/')}"


def test_without_a_login_the_whole_page_goes_to_the_login_and_back_to_itself(client):
    answer = client.get(SECTION, **HTMX)
    assert answer.status_code == 200 and answer.content == b""
    assert answer["HX-Redirect"] == _login_with_next("/team/?period=30")
    assert "HX-Request" in answer["Vary"]
    # The same address asked for as a page of its own is sent to the login as before.
    plain = client.get(SECTION)
    assert plain.status_code == 302 and plain["Location"] == _login_with_next(SECTION)


def test_a_login_that_has_ended_sends_the_case_page_to_the_login_from_a_fold(login, org, settings):
    settings.SESSION_MAX_HOURS = 10
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    fold = f"/sager/{case.pk}/afsnit/measures/"
    page = f"http://testserver/sager/{case.pk}/"
    with time_machine.travel("2026-05-04 08:00 +02:00", tick=False) as traveller:
        client = login(org.advisor)
        opened = client.get(fold, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page)
        assert opened.status_code == 200 and "HX-Redirect" not in opened
        traveller.shift(10 * 3600)
        ended = client.get(fold, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page)
    assert ended.status_code == 200 and ended["HX-Redirect"] == _login_with_next(f"/sager/{case.pk}/")


def test_before_the_second_factor_the_whole_page_goes_to_the_code(org):
    client = Client()
    password_login(client, org.team_leader)
    answer = client.get(SECTION, **HTMX)
    code_pages = {reverse("accounts:otp_setup"), reverse("accounts:otp_verify")}
    target, query = answer["HX-Redirect"].split("?")
    assert target in code_pages and query == urlencode({"next": "/team/?period=30"}, safe="/")


def test_a_current_page_on_another_site_is_not_where_the_login_returns(client):
    answer = client.get(
        SECTION, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://elsewhere.example/team/"
    )
    assert answer["HX-Redirect"] == _login_with_next(SECTION)


def test_other_redirects_and_refusals_of_a_part_are_left_alone(login, org):
    # A person of another role is refused the part, as the page: no redirect to the login.
    assert login(org.advisor).get(SECTION, **HTMX).status_code == 403
    # A redirect elsewhere than the login (a decision without JavaScript returns to its page) stays.
    client = login(org.team_leader)
    answer = client.get("/team/afsnit/opfoelgning", **HTMX)  # the slash appended: a redirect
    assert answer.status_code == 301 and "HX-Redirect" not in answer
