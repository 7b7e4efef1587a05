"""Every error of the API is one problem object (RFC 9457, ``application/problem+json``): a stable
``code``, the title and detail in the request's language, the refused fields in ``errors``,
whatever answered it (DRF, a service, the preconditions, the retry keys, a middleware, a URL that
names nothing) and whatever the client asked for in ``Accept``."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from cases.models import CaseState
from herning.api.models import ApiToken
from tests.api.base import problem
from tests.fixtures import login_with_second_factor

pytestmark = pytest.mark.django_db


def _session(user) -> APIClient:
    return login_with_second_factor(APIClient(), user)


def _token(user, *, read_only=False) -> APIClient:
    _, key = ApiToken.issue(user=user, name="problems", read_only=read_only)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_validation_error_names_each_field_with_its_code_and_pointer(org):
    response = _session(org.advisor).post(
        "/api/v1/children/", {"cpr": "12", "first_name": "Ida"}, format="json", HTTP_ACCEPT_LANGUAGE="da"
    )
    body = problem(response, 400)
    assert (body["type"], body["title"], body["code"]) == ("about:blank", "Ugyldig anmodning", "invalid")
    by_field = {error["field"]: error for error in body["errors"]}
    assert by_field["last_name"] == {
        "field": "last_name",
        "in": "body",
        "pointer": "#/last_name",
        "code": "required",
        "message": "Dette felt er påkrævet.",
    }
    assert by_field["cpr"]["pointer"] == "#/cpr"
    assert by_field["cpr"]["message"] == "Et CPR-nummer har 10 cifre, skrevet DDMMÅÅ-LLLL."
    assert body["detail"] == f"Anmodningen har {len(body['errors'])} fejl; se errors."


def test_the_messages_follow_accept_language(org):
    response = _session(org.advisor).post(
        "/api/v1/children/", {"first_name": "Ida"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    by_field = {error["field"]: error for error in problem(response, 400)["errors"]}
    assert by_field["last_name"]["message"] == "This field is required."
    assert response["Content-Language"] == "en"


def test_a_nested_field_is_pointed_at_by_its_path(org, scenario):
    response = _session(org.advisor).post(
        "/api/v1/plans/",
        {"case": scenario.case.pk, "kind": "barnets_plan", "made_on": "2026-03-02", "goals": [{"what": "x"}]},
        format="json",
    )
    body = problem(response, 400)
    pointers = {error["pointer"] for error in body["errors"]}
    assert "#/goals/0/who" in pointers, body["errors"]
    assert {error["field"] for error in body["errors"]} >= {"goals.0.who"}


def test_a_query_parameter_error_is_in_query(org):
    response = _session(org.advisor).get("/api/v1/followups/", {"until": "9999-12-31"})
    (error,) = problem(response, 400)["errors"]
    assert (error["field"], error["in"]) == ("until", "query")
    assert "pointer" not in error


@pytest.mark.parametrize(
    "accept", ["application/json", "text/html", "application/json, application/problem+json", "*/*"]
)
def test_the_problem_comes_whatever_accept_asks_for(org, accept):
    response = _session(org.advisor).get("/api/v1/cases/999999/", HTTP_ACCEPT=accept)
    body = problem(response, 404)
    assert body["code"] == "not_found"


def test_a_type_the_api_cannot_give_is_406_as_a_problem(org):
    response = _session(org.advisor).get("/api/v1/cases/", HTTP_ACCEPT="application/xml")
    assert problem(response, 406)["code"] == "not_acceptable"


def test_a_refusal_is_403_with_the_rules_reason(org, scenario):
    client = _session(org.advisor)
    response = client.post(
        f"/api/v1/cases/{scenario.case.pk}/assign/", {"advisor": org.colleague.pk}, format="json"
    )
    body = problem(response, 403)
    assert body["code"] == "permission_denied"
    assert body["detail"] == "Kun teamlederen for sagens team kan fordele sagen."


def test_401_without_credentials_and_with_a_bad_token():
    assert problem(APIClient().get("/api/v1/cases/"), 401)["code"] == "not_authenticated"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer nonsense")
    assert problem(client.get("/api/v1/cases/"), 401)["code"] == "authentication_failed"


def test_a_read_only_token_writing_is_403(org, scenario):
    response = _token(org.advisor, read_only=True).post("/api/v1/children/", {}, format="json")
    assert problem(response, 403)["code"] == "permission_denied"


def test_a_session_without_the_second_factor_is_403_two_factor_required(org):
    client = APIClient()
    client.force_login(org.advisor)
    assert problem(client.get("/api/v1/cases/"), 403)["code"] == "two_factor_required"


def test_an_address_that_names_nothing_under_api_is_a_problem_404(org):
    body = problem(_session(org.advisor).get("/api/v1/rumraketter/"), 404)
    assert body["code"] == "not_found"


def test_delete_and_put_are_405(org, scenario):
    client = _session(org.advisor)
    url = f"/api/v1/cases/{scenario.case.pk}/"
    assert problem(client.delete(url), 405)["code"] == "method_not_allowed"
    assert problem(client.put(url, {}, format="json"), 405)["code"] == "method_not_allowed"


def test_a_body_that_is_not_json_is_415_and_bad_json_400(org, scenario):
    client = _session(org.advisor)
    response = client.post("/api/v1/children/", {"first_name": "Ida"}, format="multipart")
    assert problem(response, 415)["code"] == "unsupported_media_type"
    response = client.post("/api/v1/children/", "{nope", content_type="application/json")
    assert problem(response, 400)["code"] == "parse_error"


def test_preconditions_are_428_and_412(org, scenario):
    client = _session(org.advisor)
    url = f"/api/v1/cases/{scenario.case.pk}/"
    body = {"state": CaseState.MEASURES}
    assert problem(client.patch(url, body, format="json"), 428)["code"] == "precondition_required"
    response = client.patch(url, body, format="json", HTTP_IF_MATCH='"stale"')
    assert problem(response, 412)["code"] == "precondition_failed"


def test_a_cpr_number_in_the_address_is_a_problem_400(org, ida_cpr="0302141234"):
    response = _session(org.advisor).get("/api/v1/children/", {"q": ida_cpr})
    body = problem(response, 400)
    assert body["code"] == "cpr_in_query_string"
    assert ida_cpr not in response.content.decode()


def test_throttled_is_429_with_retry_after(org, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "rate", "1/minute", raising=False)
    client = _token(org.advisor)
    try:
        client.get("/api/v1/measure-types/")
        response = client.get("/api/v1/measure-types/")
        assert problem(response, 429)["code"] == "throttled"
        assert int(response["Retry-After"]) > 0
    finally:
        cache.delete(f"throttle_user_{org.advisor.pk}")


def _documented_problem() -> tuple[str, dict, dict]:
    """The request and the answer docs/api.md shows under "Errors" (the first ``http`` and ``json``
    blocks of that section)."""
    import json
    import re
    from pathlib import Path

    text = Path(__file__).resolve().parents[2].joinpath("docs", "api.md").read_text()
    section = text.split("## Errors", 1)[1]
    request = re.search(r"```http\n(POST \S+)\n.*?\n\n(\{.*?\})\n```", section, re.S)
    answer = re.search(r"```json\n(\{.*?\})\n```", section, re.S)
    return request.group(1).split()[1], json.loads(request.group(2)), json.loads(answer.group(1))


def test_the_example_in_the_documentation_is_what_the_api_answers(org):
    path, body, documented = _documented_problem()
    response = _session(org.advisor).post(path, body, format="json", HTTP_ACCEPT_LANGUAGE="da")
    assert problem(response) == documented


def test_a_meeting_in_the_year_30_is_a_field_error_not_an_unreadable_moment(org, scenario):
    """Found by schemathesis once POSTs were let through: the moment was stored and read back
    with Copenhagen's local mean time (``+00:50:20``), which is no RFC 3339 date-time."""
    body = {
        "child": scenario.child.pk,
        "kind": "network",
        "starts_at": "0030-10-25T16:51:20Z",
        "ends_at": "2000-01-01T00:00:04Z",
        "place": "Skolen",
        "purpose": "Samle de voksne.",
        "reason": "Fravær.",
        "initiator_name": "Lærer",
        "initiator_function": "Lærer",
        "contact_name": "Lærer",
        "contact_phone": "12345678",
    }
    response = _session(org.advisor).post("/api/v1/network-meetings/", body, format="json")
    (error,) = problem(response, 400)["errors"]
    assert (error["field"], error["code"]) == ("starts_at", "out_of_bounds")
