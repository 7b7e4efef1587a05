"""Schemathesis against a live test server: every operation of the OpenAPI schema, with generated
input, must answer without a server error and with a response the schema describes.

The server is pytest-django's ``live_server`` with the shipped catalog and rules, the fixed test
people and a case with a measure, a plan, a notification and a network meeting; requests carry a
read-write token of the team leader. Writes are exercised, not stopped at the preconditions:
every ``PATCH`` carries ``If-Match: *`` and every ``POST`` a new ``Idempotency-Key`` (the headers
the schema asks for). Every error must be a problem object (``application/problem+json``, the
schema's ``Problem``). The number of examples per operation is bounded (``EXAMPLES``) so the whole
run stays within a couple of minutes on two cores.
"""

from __future__ import annotations

import datetime
import uuid

import hypothesis
import pytest
import schemathesis
from django.utils import timezone
from schemathesis.checks import not_a_server_error, response_schema_conformance

from cases import services as case_services
from cases.models import Notification
from herning.api.models import ApiToken
from measures import services as measure_services
from network_meetings import services as meeting_services
from tests.factories import HEARD, CaseFactory, measure_type

EXAMPLES = 20


@pytest.fixture
def demo_case(shipped_data, org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=datetime.date(2025, 1, 6))
    today = timezone.localdate()
    measure_services.measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("foster_family"),
        start_date=today - datetime.timedelta(days=60),
        decided_by=org.advisor,
    )
    case_services.plan_create(
        case=case,
        kind="barnets_plan",
        made_on=today,
        goals=[case_services.GoalData("Trives i skolen", "Plejefamilien", "Samtaler", today)],
        created_by=org.advisor,
    )
    case_services.notification_register(
        child=case.child,
        received_at=timezone.now() - datetime.timedelta(hours=3),
        notifier_kind=Notification.NotifierKind.PRIVATE,
        concern="Bekymring.",
        registered_by=org.case_admin,
    )
    starts = timezone.now() + datetime.timedelta(days=7)
    meeting_services.meeting_plan(
        child=case.child,
        planned_by=org.advisor,
        kind="network",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="Skolen",
        purpose="Samle de voksne.",
        reason="Fravær.",
        initiator_name="Lærer",
        initiator_function="Lærer",
        contact_name="Lærer",
        contact_phone="12345678",
    )
    return case


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_response_outside_the_schema(live_server, demo_case, org):
    _token, key = ApiToken.issue(user=org.team_leader, name="schemathesis", read_only=False)
    headers = {"Authorization": f"Bearer {key}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json", headers=headers)
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        failures += _exercise(operation, live_server.url, headers, schemathesis.GenerationMode.POSITIVE)
        # Input that breaks the schema on purpose: refused with a 4xx, never a server error.
        failures += _exercise(operation, live_server.url, headers, schemathesis.GenerationMode.NEGATIVE)
    assert operations >= 40
    assert not failures, "\n\n".join(failures)


def write_headers(method: str) -> dict:
    """What lets a write through to the view: any version of the record for an update, a fresh
    retry key for each create or action."""
    if method.upper() == "PATCH":
        return {"If-Match": "*"}
    if method.upper() == "POST":
        return {"Idempotency-Key": str(uuid.uuid4())}
    return {}


def _exercise(operation, base_url: str, headers: dict, mode) -> list[str]:
    """Run ``operation`` with up to ``EXAMPLES`` generated requests; the failures, described."""
    checks = [not_a_server_error, response_schema_conformance]
    if mode == schemathesis.GenerationMode.NEGATIVE:
        checks = [not_a_server_error]

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def exercise(case):
        response = case.call(base_url=base_url, headers=headers | write_headers(case.method))
        case.validate_response(response, checks=checks)
        if response.status_code >= 400:
            content_type = {name.lower(): value for name, value in response.headers.items()}["content-type"]
            content_type = content_type[0] if isinstance(content_type, list) else content_type
            assert content_type == "application/problem+json", response.text[:500]
            assert response.json()["status"] == response.status_code

    try:
        exercise()
    except (Exception, BaseExceptionGroup) as error:  # every operation is tried; all are reported
        return [f"{operation.label} ({mode.value}): {str(error)[:1500]}"]
    return []
