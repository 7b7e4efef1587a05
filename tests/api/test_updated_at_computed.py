"""``updated_at`` and ``updated_after`` on the resources that are no record of the change feed: the
follow-ups (a measure's schedule, computed), the caseload (counts) and the DUBU import runs
(docs/api.md, "Changes"). Each moves on a change of what it shows and not on another change; the
filter has the same answers as on every resource. Times are travelled to days after now, since the
rules and the catalog were loaded (and their history written) when the test database was made."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from cases import services as case_services
from dubu import jobs
from dubu.models import ImportRun, MappingProfile
from followups.schedule_changes import start_of
from tests.api.base import problem, results, token_client
from tests.factories import CaseFactory
from tests.followups.factories import hold, start_measure

pytestmark = pytest.mark.django_db


# Today at 9 (UTC), read once: inside a travel ``timezone.now()`` is the travelled moment.
TODAY = datetime.datetime.now(datetime.UTC).replace(hour=9, minute=0, second=0, microsecond=0)


def _at(days: int) -> datetime.datetime:
    """A whole moment ``days`` after today, past anything the database holds."""
    return TODAY + datetime.timedelta(days=days)


def _travel(days: int):
    return time_machine.travel(_at(days), tick=False)


def _moment(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


def _after(days: int) -> str:
    return _at(days).isoformat()


# Follow-ups -----------------------------------------------------------------------------------


def _followups(client, **params) -> list[dict]:
    return results(client.get("/api/v1/followups/", params))


def test_a_followup_moves_with_its_measure_and_not_with_another_change(org):
    with _travel(10):
        today = timezone.localdate()
        moved = start_measure(org, "foster_family", today - datetime.timedelta(days=10))
        kept = start_measure(org, "foster_family", today - datetime.timedelta(days=10))
    client = token_client(org.advisor)
    with _travel(11):
        # Not what a follow-up is computed from: the child's name, another case's measure.
        moved.case.child.first_name = "Ida"
        moved.case.child.save()
        items = _followups(client, measure=moved.pk, status="upcoming")
    assert items and {_moment(i["updated_at"]) for i in items} == {_at(10)}
    with _travel(12):
        hold(moved, timezone.localdate(), by=org.advisor)
    with _travel(13):
        mine = _followups(client, measure=moved.pk)
        listed = _followups(client, updated_after=_after(11))
        theirs = _followups(client, measure=kept.pk, status="upcoming")
    assert {_moment(i["updated_at"]) for i in mine} == {_at(12)}
    assert {i["measure"] for i in listed} == {moved.pk}
    assert {_moment(i["updated_at"]) for i in theirs} == {_at(10)}


def test_a_followup_moves_with_an_approved_exception_and_with_the_clock(org):
    from followups import services as followup_services

    with _travel(10):
        measure = start_measure(org, "foster_family", timezone.localdate() - datetime.timedelta(days=10))
    client = token_client(org.advisor)
    with _travel(11):
        first = _followups(client, measure=measure.pk, status="upcoming")[0]
    due = datetime.date.fromisoformat(first["due_date"])
    # The day after its due date it is overdue, from the start of that day: the clock moved it.
    days = (due - TODAY.date()).days + 2
    with _travel(days):
        late = next(i for i in _followups(client, measure=measure.pk) if i["id"] == first["id"])
    assert late["status"] == "overdue"
    assert _moment(late["updated_at"]) == start_of(due + datetime.timedelta(days=1))
    assert _moment(first["updated_at"]) == _at(10)
    with _travel(days + 1):
        asked = followup_services.exception_request(
            measure=measure, kind="childhood_foster", reason="Barndomsanbringelse.", requested_by=org.advisor
        )
        followup_services.exception_decide(
            exception=asked, approve=True, decided_by=org.team_leader, reason="Aftalt."
        )
    with _travel(days + 2):
        items = _followups(client, measure=measure.pk, status="upcoming")
    assert {_moment(i["updated_at"]) for i in items} == {_at(days + 1)}


@pytest.mark.parametrize("url", ["/api/v1/followups/", "/api/v1/caseload/", "/api/v1/dubu/imports/"])
def test_updated_after_is_refused_as_on_every_resource(org, url):
    client = token_client(org.team_leader)
    for wrong in ("yesterday", "0001-01-01T00:00:00+01:00"):
        assert (
            problem(client.get(url, {"updated_after": wrong}), 400)["errors"][0]["field"] == "updated_after"
        )
    assert client.get(url, {"updated_after": "2026-01-01T00:00:00Z", "page_size": 5}).status_code == 200


# Caseload -------------------------------------------------------------------------------------


def _loads(client, **params) -> dict[int, dict]:
    return {row["advisor"]: row for row in results(client.get("/api/v1/caseload/", params))}


def test_a_caseload_row_moves_when_its_count_does_and_not_with_another_change(org):
    with _travel(10):
        given = CaseFactory(team=org.team_a, advisor=org.advisor)
        CaseFactory(team=org.team_a, advisor=org.advisor)
    client = token_client(org.team_leader)
    with _travel(11):
        # A change of the advisor's case that leaves the count as it was, and another's new case.
        given.closing_reason = ""
        given.opened_on = given.opened_on - datetime.timedelta(days=1)
        given.save()
        CaseFactory(team=org.team_a, advisor=org.duty_advisor)
    with _travel(12):
        rows = _loads(client)
    assert _moment(rows[org.advisor.pk]["updated_at"]) == _at(10)
    assert _moment(rows[org.duty_advisor.pk]["updated_at"]) == _at(11)
    with _travel(13):
        case_services.case_assign(case=given, advisor=org.colleague, assigned_by=org.team_leader)
    with _travel(14):
        rows = _loads(client)
        listed = _loads(client, updated_after=_after(12))
        one = client.get(f"/api/v1/caseload/{org.advisor.pk}/").json()
    # The case left Alice's count and entered Bob's: both rows moved.
    assert (rows[org.advisor.pk]["open_cases"], rows[org.colleague.pk]["open_cases"]) == (1, 1)
    assert set(listed) == {org.advisor.pk, org.colleague.pk}
    assert _moment(one["updated_at"]) == _at(13)


def test_a_caseload_row_moves_with_the_teams_cap(org):
    client = token_client(org.team_leader)
    with _travel(10):
        org.team_a.caseload_cap = 30
        org.team_a.save()
    with _travel(11):
        rows = _loads(client, updated_after=_after(9))
    assert {_moment(r["updated_at"]) for r in rows.values()} == {_at(10)}


# DUBU import runs -----------------------------------------------------------------------------


def _run(org) -> ImportRun:
    run = ImportRun.objects.create(
        user=org.team_leader,
        municipality=org.municipality,
        profile=MappingProfile.default(),
        file_name="dubu.csv",
        state=ImportRun.State.QUEUED,
        progress=0,
    )
    run.teams.set(org.team_leader.led_team_ids())
    return run


def test_an_import_run_moves_with_its_own_change_only(org):
    with _travel(10):
        moved, kept = _run(org), _run(org)
    client = token_client(org.team_leader)
    with _travel(11):
        # The worker's job: its state by update(), then its end and report (no file: it fails).
        assert jobs.run_import_job(moved.pk) == ImportRun.State.FAILED
    with _travel(12):
        runs = {r["id"]: r for r in results(client.get("/api/v1/dubu/imports/"))}
        listed = results(client.get("/api/v1/dubu/imports/", {"updated_after": _after(10)}))
        one = client.get(f"/api/v1/dubu/imports/{moved.pk}/").json()
    assert _moment(runs[kept.pk]["updated_at"]) == _at(10)
    assert _moment(one["updated_at"]) == _at(11)
    assert [r["id"] for r in listed] == [moved.pk]


@pytest.mark.django_db(transaction=True)
def test_the_progress_writer_moves_the_run(org, shipped_data):
    """The writer sends its own SQL on its own connection (the page follows it while the import's
    transaction runs): committed here, so that connection sees the run."""
    with _travel(10):
        run = _run(org)
    with _travel(11):
        writer = jobs._ProgressWriter(run.pk)
        writer(40)
        writer.close()
    run.refresh_from_db()
    assert (run.progress, run.updated_at) == (40, _at(11))


# Query counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/followups/", "/api/v1/caseload/", "/api/v1/dubu/imports/"])
def test_the_lists_with_updated_after_cost_the_same_for_one_row_or_many(
    org, url, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for _ in range(n):
            start_measure(org, "foster_family", timezone.localdate() - datetime.timedelta(days=30))
            _run(org)

    client = token_client(org.team_leader)
    params = {"updated_after": "2020-01-01T00:00:00Z"}
    add(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url, params).status_code == 200
    add(4)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(results(client.get(url, params))) >= 2


def test_a_records_latest_history_is_its_latest_row_whatever_order_they_were_written_in(org):
    """``feed.latest_history`` (the API's fallback ``updated_at`` and the caseload's parts) is the
    latest moment among the record's own history rows, not the last row written, and nothing for
    a record with no rows; other records' rows do not count."""
    from cases.models import Case, CaseState
    from herning.api import feed

    case, other = CaseFactory(team=org.team_a, advisor=org.advisor), CaseFactory(team=org.team_a)
    history = Case.history.model.objects
    for days in (5, 9, 2):  # the latest moment is written second
        history.create(**{**_history_fields(case), "history_date": _at(days), "history_type": "~"})
    history.create(**{**_history_fields(other), "history_date": _at(30), "history_type": "~"})
    # Written in bulk, as an import may: no history row at all.
    unrecorded = Case.objects.bulk_create(
        [
            Case(
                **{
                    **_history_fields(other),
                    "id": None,
                    "state": CaseState.CLOSED,
                    "closed_on": other.opened_on,
                }
            )
        ]
    )[0]
    rows = Case.objects.for_system().annotate(latest=feed.latest_history_of(Case))
    found = dict(rows.filter(pk__in=[case.pk, other.pk, unrecorded.pk]).values_list("pk", "latest"))
    assert found == {case.pk: _at(9), other.pk: _at(30), unrecorded.pk: None}


def _history_fields(case) -> dict:
    """The case's own fields as a history row holds them."""
    return {f.attname: getattr(case, f.attname) for f in case._meta.concrete_fields}


def test_the_shared_updated_at_expression_is_left_as_it_was_by_every_query_that_takes_it(org):
    """``feed.updated_at_of`` is built once per process (functools.cache) and shared by every read;
    a query copies it, so the SQL it gives is the same however many queries took it before, and
    each of two resources of one model gets its own."""
    from cases.models import Case
    from herning.api import feed

    expression = feed.updated_at_of("case", Case)
    assert feed.updated_at_of("case", Case) is expression
    first = str(Case.objects.annotate(api_updated_at=expression).query)
    CaseFactory(team=org.team_a, advisor=org.advisor)
    for _ in range(3):
        list(
            Case.objects.filter(team=org.team_a).annotate(api_updated_at=expression).values("api_updated_at")
        )
        list(Case.objects.annotate(api_updated_at=expression).filter(api_updated_at__isnull=False)[:1])
    assert str(Case.objects.annotate(api_updated_at=expression).query) == first
    assert feed.updated_at_of("caseload", Case) is not expression
