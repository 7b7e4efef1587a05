"""Reusable access-matrix tests, in the spirit of NetBox's ``ViewTestCases``.

Say what each kind of person gets from a URL, and the class asserts it for every one of them:

    from tests.access import ANONYMOUS, AccessMatrix

    class TestChildPage(AccessMatrix):
        # A string, or a function of the ``objects`` fixture below.
        url = lambda objects: f"/boern/{objects.child.pk}/"
        expected = {
            ANONYMOUS: 302,
            "advisor": 200, "colleague": 404, "outsider": 404, "team_leader": 200,
            "other_team_leader": 404, "duty_advisor": 404, "case_admin": 404,
            "psychologist": 404, "health_visitor": 404, "management": 404,
            "sysadmin": 404, "data_protection": 404,
        }

        @pytest.fixture
        def objects(self, org):
            case = CaseFactory(team=org.team_a, advisor=org.advisor)
            return SimpleNamespace(case=case, child=case.child)

``expected`` must name every persona of ``tests.fixtures.PERSONAS`` and ``ANONYMOUS``: a new view
cannot forget anyone. The national operator (``NATIONAL_OPERATOR``) is asked too and expected to
get 403 unless ``expected`` says otherwise. ``method = "post"`` and ``data`` (a dict, or a function of ``objects``)
test a form or an endpoint; ``objects`` defaults to nothing. A 302 for the anonymous visitor is
checked to lead to the login page. For one-off checks inside another test use
``assert_access(client_for, url, expected)``.

Status codes: 200 (may read), 302 (anonymous: to login), 403 (a page for another role),
404 (a record outside ``visible_to``), 405 (method not allowed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.fixtures import PERSONAS, login_with_second_factor

ANONYMOUS = "anonymous"
EVERYONE = (ANONYMOUS, *PERSONAS)
# The installation's national operator (docs/access.md, "The national operator"): no municipality,
# no role, the shared configuration in the admin and nothing else. Every matrix asks them too and
# expects 403 unless it says otherwise (``expected[NATIONAL_OPERATOR]``).
NATIONAL_OPERATOR = "national_operator"


def national_operator():
    """The national operator, as ``manage.py grant_national_operator --create`` makes one."""
    from herning.organisation.models import User

    user, _created = User.objects.get_or_create(username="drift", defaults={"is_national_operator": True})
    return user


def outcome_for_all(status: int, **exceptions: int) -> dict[str, int]:
    """``status`` for everyone logged in, 302 for the anonymous visitor, unless given otherwise."""
    expected = dict.fromkeys(PERSONAS, status)
    expected[ANONYMOUS] = 302
    expected.update(exceptions)
    return expected


def body_kwargs(url: str, method: str) -> dict:
    """The API takes JSON bodies only (a form body is a 415): its writes are sent as JSON, but the
    DUBU upload, which is multipart."""
    if url.startswith("/api/") and not url.startswith("/api/v1/dubu/") and method in ("post", "patch"):
        return {"content_type": "application/json"}
    return {}


def persona_user(org, persona: str):
    """The user a persona's name stands for (the national operator is not one of ``org``'s)."""
    return national_operator() if persona == NATIONAL_OPERATOR else getattr(org, persona)


def request_as(client: Client, org, persona: str, url: str, *, method: str = "get", data=None):
    if persona != ANONYMOUS:
        login_with_second_factor(client, persona_user(org, persona))
    return getattr(client, method)(url, data or {}, **body_kwargs(url, method))


def check_outcome(response, persona: str, status: int, url: str) -> None:
    assert response.status_code == status, (
        f"{persona} got {response.status_code} from {url}, expected {status}"
    )
    if status == 302 and persona == ANONYMOUS:
        location = urlsplit(response["Location"]).path
        assert location in {reverse("accounts:login"), reverse("admin:login")}, (
            f"the anonymous visitor was sent to {location}, not to a login page"
        )


def assert_access(org, url: str, expected: Mapping[str, int], *, method: str = "get", data=None) -> None:
    """Asserts ``expected`` (persona → status) for ``url``, each persona with a fresh client."""
    for persona, status in expected.items():
        response = request_as(Client(), org, persona, url, method=method, data=data)
        check_outcome(response, persona, status, url)


class AccessMatrix:
    """Subclass with ``url`` and ``expected`` (see the module docstring).

    One test asks the URL as every persona in turn and reports every wrong answer at once. The
    world (``org`` and ``objects``) is built once for them all; each persona's request runs in a
    savepoint that is rolled back, so a write that one persona may make is not seen by the next.
    """

    url: str | Callable = ""
    expected: Mapping[str, int] = {}
    method = "get"
    data: dict | Callable | None = None
    # The URL pattern's name, for tests/herning/test_every_url_covered.py, when the URL cannot be
    # told from ``url`` called with stand-in objects (an id that is not a number).
    url_name: str | None = None

    @pytest.fixture
    def objects(self, org):
        return None

    @classmethod
    def _resolve(cls, name: str, objects):
        # Read from the class, so a plain ``url = lambda objects: ...`` works without staticmethod.
        value = getattr(cls, name)
        return value(objects) if callable(value) else value

    def test_every_persona_gets_the_expected_answer(self, org, objects):
        url = self._resolve("url", objects)
        data = self._resolve("data", objects)
        wrong = []
        for persona, status in sorted(({NATIONAL_OPERATOR: 403} | dict(self.expected)).items()):
            with transaction.atomic():
                response = request_as(Client(), org, persona, url, method=self.method, data=data)
                transaction.set_rollback(True)
            try:
                check_outcome(response, persona, status, url)
            except AssertionError as error:
                wrong.append(str(error).split("\n")[0])
        assert not wrong, f"{self.method.upper()} {url}:\n  " + "\n  ".join(wrong)

    def test_matrix_names_every_persona(self):
        missing = set(EVERYONE) - set(self.expected)
        assert not missing, f"{type(self).__name__}.expected does not say what {sorted(missing)} get"
