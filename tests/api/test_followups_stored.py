"""``/api/v1/followups/`` without ``measure`` or ``case`` reads the stored deadlines (issue 22: reads
come from what is stored): the next due date of each chain of every measure the person may read,
each item the same as the schedule computed for its measure says (``?measure=`` and the detail),
and ``updated_after`` giving the same answers as the ``updated_at`` it shows."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from followups import deadlines, engine
from followups import services as followup_services
from followups.models import Deadline
from measures.models import MeasureType
from tests.api.base import field_errors, results, token_client
from tests.followups.factories import hold, start_measure

pytestmark = pytest.mark.django_db


def _computed(client, measure) -> list[dict]:
    return results(client.get("/api/v1/followups/", {"measure": measure.pk}))


def _at_written_status(org, client):
    """A family treatment whose next municipal follow-up is the provider's written status (its
    purpose, the form ``document``, no child conversation): the ones before it held on their days."""
    today = timezone.localdate()
    measure = start_measure(org, "family_treatment", today - datetime.timedelta(days=215))
    for _ in range(5):
        late = [i for i in _computed(client, measure) if i["status"] in ("overdue", "due")]
        if not late:
            break
        hold(measure, datetime.date.fromisoformat(late[0]["due_date"]), by=org.advisor)
    return measure


def test_the_list_reads_the_stored_rows_and_says_what_the_schedule_says(org, monkeypatch):
    client = token_client(org.advisor)
    written = _at_written_status(org, client)
    other = start_measure(org, "foster_family", timezone.localdate() - datetime.timedelta(days=30))
    # The first one not held of each chain of each measure, as its computed schedule gives it.
    first = {}
    for measure in (written, other):
        for item in _computed(client, measure):
            if item["status"] != "done":
                first.setdefault((item["measure"], item["chain"]), item)
    assert len(first) >= 4

    def no_schedule(*args, **kwargs):
        raise AssertionError("the list computed a schedule")

    monkeypatch.setattr(engine, "schedule", no_schedule)
    listed = results(client.get("/api/v1/followups/"))
    chains = [engine.FOLLOWUP, engine.LEGAL_FOLLOWUP, engine.SUPERVISION]
    assert listed == sorted(
        first.values(), key=lambda i: (i["due_date"], i["measure"], chains.index(i["chain"]))
    )
    status = next(i for i in listed if i["measure"] == written.pk and i["chain"] == engine.FOLLOWUP)
    assert status["written_status"] is True
    assert status["allowed_forms"] == ["document"]
    assert status["child_conversation_required"] is False
    assert status["purpose"] == "skriftlig status fra Familiecenteret"


def test_rows_written_anew_by_copy_say_the_same(org):
    client = token_client(org.advisor)
    measure = _at_written_status(org, client)
    before = results(client.get("/api/v1/followups/"))
    # Written anew (COPY on PostgreSQL) rather than moved (column arrays), as by a first sweep.
    Deadline.objects.for_system().filter(source_id=measure.pk).delete()
    deadlines.sync("measure", [measure.pk])
    assert results(client.get("/api/v1/followups/")) == before
    assert Deadline.objects.for_system().get(source_id=measure.pk, kind=engine.FOLLOWUP).details == {
        "purpose": "skriftlig status fra Familiecenteret",
        "purpose_en": Deadline.objects.for_system()
        .get(source_id=measure.pk, kind=engine.FOLLOWUP)
        .details["purpose_en"],
        "allowed_forms": ["document"],
        "child_conversation_required": False,
        "written_status": True,
    }


def test_held_followups_are_listed_for_one_measure_or_case_only(org):
    client = token_client(org.advisor)
    measure = _at_written_status(org, client)
    response = client.get("/api/v1/followups/", {"status": "done"})
    assert response.status_code == 400
    assert field_errors(response) == {
        "status": [
            "Holdte opfølgninger vises for én indsats eller én sag ad gangen: angiv measure eller case."
        ]
    }
    done = results(client.get("/api/v1/followups/", {"status": "done", "case": measure.case_id}))
    assert done and {i["status"] for i in done} == {"done"}


def test_another_persons_measures_are_not_listed(org):
    theirs = start_measure(org, "foster_family", timezone.localdate() - datetime.timedelta(days=30))
    assert results(token_client(org.advisor).get("/api/v1/followups/"))
    assert results(token_client(org.other_team_leader).get("/api/v1/followups/")) == []
    assert Deadline.objects.for_system().filter(source_id=theirs.pk, is_open=True).exists()


# updated_after ------------------------------------------------------------------------------------

TODAY = datetime.datetime.now(datetime.UTC).replace(hour=9, minute=0, second=0, microsecond=0)


def _at(days: float) -> datetime.datetime:
    return TODAY + datetime.timedelta(days=days)


def test_updated_after_answers_as_the_updated_at_the_list_shows(org):
    """Each of what a follow-up is computed from, and the clock, moves it; the filter finds exactly
    the items whose ``updated_at`` is after the moment asked, for moments before, between and after
    the changes, at midnight and at noon."""
    with time_machine.travel(_at(10), tick=False):
        today = timezone.localdate()
        held = start_measure(org, "foster_family", today - datetime.timedelta(days=10))
        excepted = start_measure(org, "foster_family", today - datetime.timedelta(days=10))
        typed = start_measure(org, "preventive", today - datetime.timedelta(days=10))
        late = start_measure(org, "family_treatment", today - datetime.timedelta(days=27))
    client = token_client(org.advisor)
    with time_machine.travel(_at(12), tick=False):
        hold(held, timezone.localdate(), by=org.advisor)
    with time_machine.travel(_at(13), tick=False):
        asked = followup_services.exception_request(
            measure=excepted, kind="childhood_foster", reason="Barndomsanbringelse.", requested_by=org.advisor
        )
        followup_services.exception_decide(
            exception=asked, approve=True, decided_by=org.team_leader, reason="Aftalt."
        )
    with time_machine.travel(_at(14), tick=False):
        kind = MeasureType.objects.get(pk=typed.measure_type_id)
        kind.name_en = "Preventive measure (renamed)"
        kind.save()
    with time_machine.travel(_at(16), tick=False):
        every = results(client.get("/api/v1/followups/", {"page_size": 500}))
        assert {i["measure"] for i in every} >= {held.pk, excepted.pk, typed.pk, late.pk}
        # The family treatment's first follow-up (4 weeks) fell due on day 11: overdue since day 12.
        assert any(i["measure"] == late.pk and i["status"] == "overdue" for i in every)
        moments = [_at(d) for d in (9, 10.5, 11, 11.5, 12, 12.5, 13.5, 14.5, 15, 15.5)]
        for moment in moments:
            expected = {i["id"] for i in every if datetime.datetime.fromisoformat(i["updated_at"]) > moment}
            found = results(
                client.get("/api/v1/followups/", {"page_size": 500, "updated_after": moment.isoformat()})
            )
            assert {i["id"] for i in found} == expected, moment
        # Not every moment gave everything or nothing: the filter was put to the test.
        sizes = {
            len(results(client.get("/api/v1/followups/", {"page_size": 500, "updated_after": m.isoformat()})))
            for m in moments
        }
        assert len(sizes) >= 4


def test_the_list_reads_a_fixed_number_of_statements_and_the_rules_history_not_at_all(org):
    """The page's rows, then a fixed set of reads for them; the rules' last change comes with the
    rules kept in memory (``followups.rules``), not from their history on every request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = token_client(org.advisor)
    for _ in range(3):
        start_measure(org, "foster_family", timezone.localdate() - datetime.timedelta(days=30))
    assert results(client.get("/api/v1/followups/"))  # the rules read into memory
    with CaptureQueriesContext(connection) as seen:
        assert len(results(client.get("/api/v1/followups/"))) >= 3
    statements = [q["sql"] for q in seen.captured_queries]
    assert not [s for s in statements if "historicalrule" in s]
    # The token with its person's roles; the rules' stamps; the count and the page's deadlines; the
    # measures; the follow-ups held and the later dates; the three histories' change times, in one
    # statement (``schedule_changes._latest_changes``); the access log.
    assert len(statements) == 9, "\n".join(statements)
    histories = ("historicalfollowupexception", "historicalinvestigation", "historicalmeasuretype")
    reading = [s for s in statements if any(h in s for h in histories)]
    assert len(reading) == 1 and all(h in reading[0] for h in histories), reading


def test_the_list_is_each_persons_own_on_each_day_and_page_by_page(org):
    """The list's page and count are statements compiled once per person (``herning.core.
    statements``): read in turn by people of two teams, each sees only their own, page by page, and
    a status filter counts on the day it is asked, not the day its statement was compiled."""
    from tests.factories import CaseFactory

    today = timezone.localdate()
    ours = [start_measure(org, "foster_family", today - datetime.timedelta(days=d)) for d in (3, 13, 40, 75)]
    theirs = start_measure(
        org,
        "contact_person",
        today - datetime.timedelta(days=60),
        case=CaseFactory(team=org.team_b, advisor=org.outsider),
    )
    people = {
        p: token_client(getattr(org, p)) for p in ("advisor", "outsider", "team_leader", "other_team_leader")
    }
    own = {
        "advisor": {m.pk for m in ours},
        "outsider": {theirs.pk},
        "team_leader": {m.pk for m in ours},
        "other_team_leader": {theirs.pk},
    }
    now = datetime.datetime.now(datetime.UTC)
    for day in (0, 1, 15, 16):
        with time_machine.travel(now + datetime.timedelta(days=day), tick=False):
            for _round in range(2):
                for person, client in people.items():
                    listed = results(client.get("/api/v1/followups/", {"until": "2030-01-01"}))
                    assert {i["measure"] for i in listed} == own[person], (day, person)
                    # Page by page: the same items, and the count of all of them on each page.
                    paged, page = [], 1
                    while True:
                        answer = client.get(
                            "/api/v1/followups/", {"until": "2030-01-01", "page_size": 3, "page": page}
                        )
                        assert answer.json()["count"] == len(listed)
                        paged += answer.json()["results"]
                        if not answer.json()["next"]:
                            break
                        page += 1
                    assert paged == listed
                    # Counted on this day: each status filter gives the items of that status.
                    for status in ("overdue", "due", "upcoming"):
                        filtered = results(
                            client.get("/api/v1/followups/", {"until": "2030-01-01", "status": status})
                        )
                        assert filtered == [i for i in listed if i["status"] == status], (day, person, status)
            statuses = {
                i["status"]
                for i in results(people["advisor"].get("/api/v1/followups/", {"until": "2030-01-01"}))
            }
            if day == 16:
                assert "overdue" in statuses
