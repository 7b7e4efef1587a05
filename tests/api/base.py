"""A reusable API test case class, in the spirit of NetBox's ``APIViewTestCases``.

Say, for one resource, what every kind of person gets from list, detail, create, update and
delete, and the class checks all five for each of them:

    class TestChildren(ResourceMatrix):
        url = "/api/v1/children/"
        detail = outcome_for_all(404, advisor=200, team_leader=200)   # GET /children/{id}/
        create = outcome_for_all(403, advisor=201, team_leader=201)   # POST /children/
        update = outcome_for_all(404, advisor=200, team_leader=200)   # PATCH /children/{id}/

        @pytest.fixture
        def objects(self, org): ...          # the record looked at, as ``objects.obj``

        def create_payload(self, objects): ...
        def update_payload(self, objects): ...

* list: 200 for everyone logged in; the record is in the list exactly for those whose detail is 200;
* detail: the status of ``GET`` on the record (200 may read, 404 outside ``visible_to``);
* create and update: the status of ``POST`` and ``PATCH`` (with the ``If-Match`` of the ETag the
  person read, or ``*`` when they could not read it): 201/200 done, 400 refused input,
  403 may read but not change, 404 outside, 405 not offered;
* delete: never offered for a record (keep, don't destroy): 405 for everyone logged in, unless
  ``delete`` says otherwise (configuration such as a webhook is deleted: 204).

A resource reached with a token rather than a session overrides ``api_client`` (the webhooks,
tests/api/test_webhook_api.py).

The anonymous caller gets 401 everywhere. Every outcome map must name every persona of
``tests.fixtures.PERSONAS`` and ``ANONYMOUS``. Requests go with a session logged in past the second
factor (``login_with_second_factor``), the way the browser reaches the API; tokens carry the same
access (tests/api/test_tokens.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from tests.access import ANONYMOUS, EVERYONE, national_operator
from tests.fixtures import PERSONAS, login_with_second_factor

NOT_OFFERED = dict.fromkeys(PERSONAS, 405) | {ANONYMOUS: 401}


def outcome_for_all(status: int, **exceptions: int) -> dict[str, int]:
    """``status`` for everyone logged in, 401 for the anonymous caller, unless given otherwise."""
    expected = dict.fromkeys(PERSONAS, status)
    expected[ANONYMOUS] = 401
    expected.update(exceptions)
    return expected


def client_for(org, persona: str) -> APIClient:
    client = APIClient()
    if persona != ANONYMOUS:
        login_with_second_factor(client, getattr(org, persona))
    return client


def token_client(user) -> APIClient:
    """A read-only API token's client, not a session: a session would end on the days a test
    travels in time."""
    from herning.api.models import ApiToken

    _token, key = ApiToken.issue(user=user, name="sync", read_only=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def results(response) -> list[dict]:
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "errors"}


def problem(response, status: int | None = None) -> dict:
    """The problem object (RFC 9457) of an error answer, after checking its shape: the media type,
    every member, ``status`` equal to the answer's, and each field error's members."""
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    body = response.json()
    assert set(body) >= PROBLEM_KEYS, body
    assert body["status"] == response.status_code
    if status is not None:
        assert response.status_code == status, body
    for error in body["errors"]:
        assert {"field", "in", "code", "message"} <= set(error), error
    return body


def field_errors(response) -> dict[str, list[str]]:
    """The messages of an error answer per field (``non_field_errors`` for the request as a whole),
    the way a form shows them."""
    errors: dict[str, list[str]] = {}
    for error in problem(response)["errors"]:
        errors.setdefault(error["field"] or "non_field_errors", []).append(error["message"])
    return errors


class ResourceMatrix:
    url: str = ""
    detail: Mapping[str, int] = {}
    create: Mapping[str, int] = NOT_OFFERED
    update: Mapping[str, int] = NOT_OFFERED
    # None: DELETE is not offered (405 for everyone logged in).
    delete: Mapping[str, int] | None = None
    lookup = "id"

    def pytest_generate_tests(self, metafunc):
        if "persona" in metafunc.fixturenames:
            metafunc.parametrize("persona", EVERYONE)

    @pytest.fixture
    def objects(self, org) -> SimpleNamespace:
        raise NotImplementedError

    def create_payload(self, objects) -> dict:
        return {}

    def update_payload(self, objects) -> dict:
        return {}

    def detail_url(self, objects) -> str:
        return f"{self.url}{getattr(objects.obj, self.lookup)}/"

    def api_client(self, org, persona: str, objects) -> APIClient:
        """How ``persona`` calls the API: a session past the second factor, by default."""
        return client_for(org, persona)

    def test_matrix_names_every_persona(self):
        for name in ("detail", "create", "update") + (("delete",) if self.delete is not None else ()):
            missing = set(EVERYONE) - set(getattr(self, name))
            assert not missing, f"{type(self).__name__}.{name} does not say what {sorted(missing)} get"

    def test_persona_gets_the_expected_answers(self, persona, org, objects):
        client = self.api_client(org, persona, objects)
        url = self.detail_url(objects)
        key = str(getattr(objects.obj, self.lookup))

        listed = client.get(self.url)
        if persona == ANONYMOUS:
            assert listed.status_code == 401, f"anonymous got {listed.status_code} from the list"
        else:
            assert listed.status_code == 200, f"{persona} got {listed.status_code} from the list"
            keys = {str(row[self.lookup]) for row in results(listed)}
            assert (key in keys) == (self.detail[persona] == 200), (
                f"{persona}: the record is {'' if key in keys else 'not '}in the list"
            )

        read = client.get(url)
        assert read.status_code == self.detail[persona], (
            f"{persona} got {read.status_code} from GET {url}, expected {self.detail[persona]}"
        )
        if read.status_code == 200:
            assert read["ETag"]

        created = client.post(self.url, self.create_payload(objects), format="json")
        assert created.status_code == self.create[persona], (
            f"{persona} got {created.status_code} from POST {self.url}, expected {self.create[persona]}: "
            f"{created.content[:300]!r}"
        )

        etag = read["ETag"] if read.status_code == 200 else "*"
        updated = client.patch(url, self.update_payload(objects), format="json", HTTP_IF_MATCH=etag)
        assert updated.status_code == self.update[persona], (
            f"{persona} got {updated.status_code} from PATCH {url}, expected {self.update[persona]}: "
            f"{updated.content[:300]!r}"
        )

        deleted = client.delete(url)
        expected = self.delete[persona] if self.delete is not None else (401 if persona == ANONYMOUS else 405)
        assert deleted.status_code == expected, f"{persona} got {deleted.status_code} from DELETE {url}"

    def test_the_national_operator_gets_403_on_every_method(self, org, objects):
        """The national operator reads no case contents: not the list (not even empty), not the
        record, and writes nothing (docs/access.md, "The national operator")."""
        client = login_with_second_factor(APIClient(), national_operator())
        url = self.detail_url(objects)
        answers = {
            "list": client.get(self.url),
            "read": client.get(url),
            "create": client.post(self.url, self.create_payload(objects), format="json"),
            "update": client.patch(url, self.update_payload(objects), format="json", HTTP_IF_MATCH="*"),
            "delete": client.delete(url),
        }
        wrong = {name: r.status_code for name, r in answers.items() if r.status_code != 403}
        assert not wrong, f"the national operator got {wrong} from {self.url}"
        for response in answers.values():
            problem(response, 403)
