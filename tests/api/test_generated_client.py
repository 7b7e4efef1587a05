"""The schema makes a working client: openapi-python-client generates one from ``/api/schema/`` of
a live server, and an advisor's day runs through it: list the cases, start a measure (with an
``Idempotency-Key``), complete its overdue follow-up, read the caseload. A refusal comes back as
the schema's ``Problem``, with the refused field."""

from __future__ import annotations

import datetime
import importlib
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from herning.api.models import ApiToken
from tests.factories import CaseFactory

GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture
def generated_client(live_server, tmp_path, monkeypatch, org):
    _, key = ApiToken.issue(user=org.advisor, name="generated-client", read_only=False)
    request = urllib.request.Request(  # noqa: S310 (the test's own live server)
        f"{live_server.url}/api/schema/?format=json", headers={"Authorization": f"Bearer {key}"}
    )
    schema = tmp_path / "schema.json"
    with urllib.request.urlopen(request) as answer:  # noqa: S310 (the test's own live server)
        schema.write_bytes(answer.read())
    config = tmp_path / "config.yaml"
    # No formatting afterwards: the generated code is imported, not read.
    config.write_text("post_hooks: []\n")
    subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(schema),
            "--output-path",
            str(tmp_path / "herning_client"),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        check=True,
        capture_output=True,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    package = importlib.import_module("herning_client")
    yield (
        package,
        package.AuthenticatedClient(base_url=live_server.url, token=key, raise_on_unexpected_status=True),
    )
    for name in [
        name for name in sys.modules if name == "herning_client" or name.startswith("herning_client.")
    ]:
        del sys.modules[name]


@pytest.mark.slow
def test_a_generated_client_runs_the_advisors_flow(generated_client, shipped_data, org):
    _package, client = generated_client
    api = importlib.import_module("herning_client.api.v1")
    models = importlib.import_module("herning_client.models")
    for name in (
        "v1_cases_list",
        "v1_measures_create",
        "v1_followups_list",
        "v1_followups_complete_create",
        "v1_caseload_list",
    ):
        importlib.import_module(f"herning_client.api.v1.{name}")
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=datetime.date(2025, 1, 6))
    today = timezone.localdate()

    cases = api.v1_cases_list.sync(client=client, ordering=[models.V1CasesListOrderingItem("-opened_on")])
    assert case.pk in [row.id for row in cases.results]

    refused = api.v1_measures_create.sync(
        client=client,
        body=models.MeasureCreateRequest(
            case=case.pk,
            measure_type="rumraket",
            start_date=today,
            decision_basis=models.DecisionBasisEnum("with_consent"),
        ),
        idempotency_key=str(uuid.uuid4()),
    )
    assert isinstance(refused, models.Problem)
    assert (refused.status, refused.code) == (400, "invalid")
    assert "measure_type" in [error.field for error in refused.errors]

    measure = api.v1_measures_create.sync(
        client=client,
        body=models.MeasureCreateRequest(
            case=case.pk,
            measure_type="family_treatment",
            start_date=today - datetime.timedelta(days=40),
            decision_basis=models.DecisionBasisEnum("with_consent"),
            hearing_omitted=models.HearingOmittedEnum("age_maturity"),
            hearing_omitted_note="Barnet er 2 år.",
            provider="Familiecenteret",
        ),
        idempotency_key=str(uuid.uuid4()),
    )
    assert isinstance(measure, models.Measure), measure

    followups = api.v1_followups_list.sync(client=client, measure=measure.id)
    overdue = next(row for row in followups.results if row.status == "overdue")
    completed = api.v1_followups_complete_create.sync(
        client=client,
        id=overdue.id,
        body=models.CompleteRequest(
            held_on=today,
            form=models.FormEnum("meeting"),
            participants="Forældrene, Familiecenteret, rådgiver",
            summary="Familien er kommet godt i gang.",
            child_conversation_held=True,
            decision=models.CompleteDecisionEnum("continue"),
            cadence_reason="Stabil familie; halvårlig lovpligtig opfølgning er nok.",
        ),
        idempotency_key=str(uuid.uuid4()),
    )
    assert isinstance(completed, models.Completed), completed
    assert overdue.id in [row.id for row in completed.met]

    caseload = api.v1_caseload_list.sync(client=client)
    (mine,) = [row for row in caseload.results if row.advisor == org.advisor.pk]
    assert mine.open_cases >= 1
