"""The one trigger of deadline recomputation (``cases.obligations``): after the commit, once per
transaction, never after a rollback; and the follow-ups app reaches network meetings only through
the registry."""

from __future__ import annotations

import ast
import datetime
from pathlib import Path

import pytest
from django.db import transaction

from cases import obligations
from followups import deadlines
from followups.models import Deadline, DeadlineKind
from measures import bulk as measure_bulk
from measures.models import MeasureType
from measures.services import measure_update
from tests.factories import CaseFactory
from tests.followups.factories import start_measure

D = datetime.date


@pytest.fixture
def committed(monkeypatch, shipped_data):
    """Real commits and the real trigger (the suite otherwise recomputes at each change), with
    every recomputation recorded."""
    monkeypatch.setattr(obligations, "EAGER", False)
    calls = []
    real = deadlines.recompute

    def recording(changes, today=None):
        calls.append({key: set(ids) for key, ids in changes.items()})
        return real(changes, today)

    monkeypatch.setattr(obligations, "_writer", [recording])
    return calls


def _open_rows(measure_ids):
    return Deadline.objects.filter(
        kind=DeadlineKind.FOLLOWUP, source_id__in=measure_ids, is_open=True
    ).count()


def test_a_service_recomputes_once_after_the_commit_not_before(org, committed):
    measure = start_measure(org, "preventive", D(2026, 1, 5))
    committed.clear()
    with transaction.atomic():
        measure_update(measure=measure, updated_by=org.advisor, provider="Familiecentret")
        measure_update(measure=measure, updated_by=org.advisor, provider="Familiecentret Syd")
        assert committed == []  # nothing while the transaction is open
    assert committed == [{"measure": {measure.pk}}]
    assert _open_rows([measure.pk]) == 1


def test_nothing_is_recomputed_when_the_transaction_rolls_back(org, committed):
    measure = start_measure(org, "preventive", D(2026, 1, 5))
    committed.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        measure_update(measure=measure, updated_by=org.advisor, provider="Familiecentret")
        raise RuntimeError("the page failed after the write")
    assert committed == []
    # The next transaction starts clean: the rolled-back change is not carried into it.
    with transaction.atomic():
        obligations.changed("plan", [12345])
    assert committed == [{"plan": {12345}}]


def test_a_rolled_back_savepoint_takes_its_changes_with_it(org, committed):
    measure = start_measure(org, "preventive", D(2026, 1, 5))
    committed.clear()
    with transaction.atomic():
        try:
            with transaction.atomic():
                obligations.changed("measure", [measure.pk])
                raise RuntimeError
        except RuntimeError:
            pass
        obligations.changed("plan", [12345])
    assert committed == [{"plan": {12345}}]


def test_the_first_start_of_a_measure_makes_its_deadlines_after_the_commit(org, committed):
    measure = start_measure(org, "preventive", D(2026, 1, 5))
    assert committed and all(call.get("measure") == {measure.pk} for call in committed if "measure" in call)
    assert _open_rows([measure.pk]) == 1


def test_a_bulk_start_recomputes_all_its_measures_at_once(org, committed):
    cases = [CaseFactory(team=org.team_a, advisor=org.advisor) for _ in range(3)]
    measure_type = MeasureType.objects.get(code="preventive")
    specs = [
        measure_bulk.NewMeasure(case=case, measure_type=measure_type, start_date=D(2026, 1, 5))
        for case in cases
    ]
    committed.clear()
    with transaction.atomic():
        created = measure_bulk.measures_start(measures=specs, decided_by=org.advisor)
    assert len(committed) == 1
    assert committed[0]["measure"] == {m.pk for m in created}
    assert _open_rows([m.pk for m in created]) == 3


def test_a_bulk_start_that_rolls_back_recomputes_nothing(org, committed):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    measure_type = MeasureType.objects.get(code="preventive")
    committed.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        measure_bulk.measures_start(
            measures=[
                measure_bulk.NewMeasure(case=case, measure_type=measure_type, start_date=D(2026, 1, 5))
            ],
            decided_by=org.advisor,
        )
        raise RuntimeError
    assert committed == []
    assert not Deadline.objects.filter(kind=DeadlineKind.FOLLOWUP).exists()


def test_a_batch_outside_a_transaction_recomputes_once_at_its_end(org, committed):
    first = start_measure(org, "preventive", D(2026, 1, 5))
    second = start_measure(org, "preventive", D(2026, 1, 6))
    committed.clear()
    with obligations.batch():
        measure_update(measure=first, updated_by=org.advisor, provider="A")
        measure_update(measure=second, updated_by=org.advisor, provider="B")
        assert committed == []
    assert committed == [{"measure": {first.pk, second.pk}}]


def test_a_change_outside_any_transaction_recomputes_at_once(org, committed):
    measure = start_measure(org, "preventive", D(2026, 1, 5))
    committed.clear()
    obligations.changed("measure", [measure.pk, None])
    assert committed == [{"measure": {measure.pk}}]


def test_a_failing_recomputation_is_logged_and_leaves_the_write_committed(
    org, committed, monkeypatch, caplog
):
    measure = start_measure(org, "preventive", D(2026, 1, 5))

    def broken(changes, today=None):
        raise RuntimeError("the table is locked")

    monkeypatch.setattr(obligations, "_writer", [broken])
    with transaction.atomic():
        measure_update(measure=measure, updated_by=org.advisor, provider="Familiecentret")
    measure.refresh_from_db()
    assert measure.provider == "Familiecentret"
    assert "nightly full sweep repairs them" in caplog.text


def test_the_dubu_import_recomputes_once_after_its_commit(org, committed):
    """The import writes cases, measures and follow-ups in one transaction; the deadlines of all
    of them are recomputed once, after it commits."""
    from dubu.importer import import_file
    from measures.models import Measure
    from tests.faults.test_import_connection_lost import ROWS, dubu_file

    committed.clear()
    report = import_file(content=dubu_file(), file_name="dubu.csv", user=org.team_leader)
    assert report.committed and not report.errors
    measures = set(Measure.objects.values_list("pk", flat=True))
    assert len(measures) == ROWS
    assert len(committed) == 1
    assert committed[0]["measure"] == measures
    assert _open_rows(measures) == ROWS


def test_a_dry_run_import_recomputes_nothing(org, committed):
    from dubu.importer import import_file
    from tests.faults.test_import_connection_lost import dubu_file

    committed.clear()
    report = import_file(content=dubu_file(), file_name="dubu.csv", user=org.team_leader, dry_run=True)
    assert not report.committed
    assert committed == []
    assert not Deadline.objects.exists()


def test_every_trigger_key_reaches_a_source():
    """The keys the services announce are the model names of the records deadlines come from."""
    keys = {key for source in obligations.sources().values() for key in source.triggers}
    assert {"measure", "investigation", "notification", "plan", "agreement", "casetransfer"} <= keys
    kinds = {kind for source in obligations.sources().values() for kind in source.kinds}
    assert kinds == set(DeadlineKind.values)


def test_the_followups_app_imports_nothing_from_network_meetings():
    root = Path(__file__).resolve().parents[2] / "followups"
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.relative_to(root.parent)}: {n}"
                for n in names
                if n.split(".")[0] == "network_meetings"
            ]
    assert offenders == []
