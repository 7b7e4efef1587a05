"""The change feed (``GET /api/v1/changes/``, herning.api.feed): written with the change in one
transaction, only what the caller may read, a cursor that never skips nor repeats (also across
concurrent writers on PostgreSQL), ``updated_at``/``updated_after`` on the resources, and unknown
query parameters refused (docs/api.md, "Changes")."""

from __future__ import annotations

import datetime
import random
import threading
import time

import pytest
import time_machine
from django.db import connection, connections, transaction
from rest_framework.test import APIClient

from herning.api import feed
from herning.api.models import ApiToken, ChangeEvent
from tests.api.base import problem
from tests.factories import CaseFactory, ChildFactory, Role, staff
from tests.fixtures import make_org

pytestmark = pytest.mark.django_db

# The feed serves a change once its transaction has ended: a test that reads it through the API
# commits its writes (the usual test transaction would hold them back until the end).
committed = pytest.mark.django_db(transaction=True)


@pytest.fixture
def service_user(org):
    return staff(
        username="feed-integration",
        municipality=org.municipality,
        roles=[(Role.TEAM_LEADER, org.team_a)],
        is_service_user=True,
    )


@pytest.fixture
def api(service_user):
    _token, key = ApiToken.issue(user=service_user, name="feed", read_only=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _case(org, team):
    child = ChildFactory(municipality=org.municipality, district=team.district)
    return CaseFactory(child=child, municipality=org.municipality, district=team.district, team=team)


def _all(api, after="", **params):
    seen, cursor = [], after
    while True:
        body = api.get("/api/v1/changes/", {"after": cursor, **params}).json()
        seen += body["results"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return seen, cursor


def test_a_write_is_in_the_feed_with_the_records_that_show_it(org):
    case = _case(org, org.team_a)
    rows = set(ChangeEvent.objects.values_list("resource", "object_id", "kind"))
    assert ("case", str(case.pk), "created") in rows
    assert ("child", str(case.child.pk), "created") in rows
    before = ChangeEvent.objects.count()
    case.child.first_name = "Ida"
    case.child.save()
    new = set(ChangeEvent.objects.order_by("id")[before:].values_list("resource", "object_id", "kind"))
    # The case shows its child's name: its updated_at moves too.
    assert new == {("child", str(case.child.pk), "updated"), ("case", str(case.pk), "updated")}


def test_a_write_that_does_not_commit_leaves_no_change(org):
    case = _case(org, org.team_a)
    before = ChangeEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        case.child.first_name = "Ida"
        case.child.save()
        raise RuntimeError
    assert ChangeEvent.objects.count() == before


@committed
def test_the_feed_shows_only_records_the_token_reads_in_order_without_repeats(org, api):
    mine = [_case(org, org.team_a) for _ in range(3)]
    _case(org, org.team_b)  # another team's: not the team leader of team A's to read
    seen, cursor = _all(api, limit=2)
    case_ids = [e["id"] for e in seen if e["resource"] == "case"]
    assert sorted(case_ids) == sorted(str(c.pk) for c in mine)
    assert len({e["cursor"] for e in seen}) == len(seen)
    assert set(seen[0]) == {"cursor", "resource", "id", "kind", "occurred_at"}
    # Nothing new: the same cursor back, nothing repeated.
    body = api.get("/api/v1/changes/", {"after": cursor}).json()
    assert (body["results"], body["next_cursor"], body["has_more"]) == ([], cursor, False)
    mine[0].child.last_name = "Lund"
    mine[0].child.save()
    later, _ = _all(api, after=cursor)
    assert {(e["resource"], e["id"]) for e in later} == {
        ("child", str(mine[0].child.pk)),
        ("case", str(mine[0].pk)),
    }


@committed
def test_the_feed_filters_by_resource(org, api):
    _case(org, org.team_a)
    seen, _ = _all(api, resource="child")
    assert seen and {e["resource"] for e in seen} == {"child"}


@committed
@pytest.mark.parametrize(
    ("params", "field"),
    [({"after": "not-a-cursor"}, "after"), ({"limit": "0"}, "limit"), ({"since": "x"}, "since")],
)
def test_the_feed_refuses_what_it_does_not_know(api, params, field):
    body = problem(api.get("/api/v1/changes/", params), 400)
    assert [(e["field"], e["in"]) for e in body["errors"]] == [(field, "query")]


@committed
def test_reading_the_feed_is_not_a_look_at_a_child(org, api):
    from herning.audit.models import AccessLog

    _case(org, org.team_a)
    _all(api)
    assert not AccessLog.objects.exists()


def test_updated_at_moves_with_what_is_shown_inside_and_updated_after_filters(org, api):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        old, moved = _case(org, org.team_a), _case(org, org.team_a)
    with time_machine.travel(datetime.datetime(2026, 3, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        moved.child.first_name = "Ida"
        moved.child.save()
    answer = api.get(f"/api/v1/cases/{moved.pk}/").json()
    assert answer["updated_at"].startswith("2026-03-05T")
    assert api.get(f"/api/v1/cases/{old.pk}/").json()["updated_at"].startswith("2026-03-02T")
    listed = api.get("/api/v1/cases/", {"updated_after": "2026-03-03T00:00:00+01:00"}).json()["results"]
    assert [c["id"] for c in listed] == [moved.pk]
    children = api.get("/api/v1/children/", {"updated_after": "2026-03-03T00:00:00Z"}).json()["results"]
    assert [c["id"] for c in children] == [moved.child.pk]


@pytest.mark.parametrize(
    "url", ["/api/v1/cases/", "/api/v1/children/", "/api/v1/measures/", "/api/v1/plans/"]
)
def test_a_list_refuses_an_unknown_filter_or_ordering_parameter(api, url):
    body = problem(api.get(url, {"stat": "measures"}), 400)
    assert [(e["field"], e["in"]) for e in body["errors"]] == [("stat", "query")]
    # The message names what the list takes, so the client sees the right spelling.
    assert "updated_after" in body["errors"][0]["message"]
    assert "page_size" in body["errors"][0]["message"]
    assert "format" not in body["errors"][0]["message"]
    for wrong in ("yesterday", "0001-01-01T00:00:00+01:00"):
        assert problem(api.get(url, {"updated_after": wrong}), 400)["errors"][0]["field"] == "updated_after"
    assert api.get(url, {"updated_after": "2026-01-01T00:00:00Z", "page_size": 5}).status_code == 200


def test_a_record_read_by_its_id_is_the_record_whatever_list_parameters_come_with_it(api, org):
    """A list's filters and ordering apply to lists: read by its id, a record is answered as it
    is (the schema offers them on lists only), with its updated_at as in the list."""
    case = _case(org, org.team_a)
    plain = api.get(f"/api/v1/cases/{case.pk}/")
    assert plain.status_code == 200 and plain.json()["updated_at"] is not None
    listed = api.get("/api/v1/cases/").json()["results"]
    assert [c["updated_at"] for c in listed if c["id"] == case.pk] == [plain.json()["updated_at"]]
    # A filter the open case does not pass, an ordering, a moment after its last change.
    for params in (
        {"state": "closed"},
        {"ordering": "-opened_on"},
        {"updated_after": "2999-01-01T00:00:00Z"},
    ):
        answer = api.get(f"/api/v1/cases/{case.pk}/", params)
        assert (answer.status_code, answer.json()) == (200, plain.json()), params
    # The same filter on the list leaves the case out.
    assert case.pk not in [c["id"] for c in api.get("/api/v1/cases/", {"state": "closed"}).json()["results"]]


# Concurrency on PostgreSQL ------------------------------------------------------------------------


def _read_all(position=(0, 0)):
    """Every settled row after ``position``, as the feed pages through them."""
    seen = []
    while True:
        batch = list(feed.settled_after(position)[:50])
        if not batch:
            return seen, position
        seen += [row.id for row in batch]
        position = (batch[-1].txid or 0, batch[-1].id)


def _write(rows: int, before_commit=None):
    with transaction.atomic():
        ids = [
            ChangeEvent.objects.create(resource="case", object_id="1", kind="updated").id for _ in range(rows)
        ]
        if before_commit:
            before_commit()
    return ids


@pytest.mark.slow
@pytest.mark.skipif(connection.vendor != "postgresql", reason="transaction ids are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_the_cursor_never_skips_a_row_committed_after_a_later_one():
    """A takes an id, B takes a later one and commits first, a reader reads, A commits: the
    reader must not have moved past A's row. Many rounds."""
    for _round in range(20):
        a_inserted, b_committed, read_done = threading.Event(), threading.Event(), threading.Event()
        written: list[int] = []

        def slow_a(a_inserted=a_inserted, read_done=read_done, written=written):
            def wait():
                a_inserted.set()
                read_done.wait(10)

            written.extend(_write(1, before_commit=wait))
            connections.close_all()

        def fast_b(a_inserted=a_inserted, b_committed=b_committed, written=written):
            a_inserted.wait(10)
            written.extend(_write(1))
            b_committed.set()
            connections.close_all()

        start = feed.decode_cursor(feed.head())
        threads = [threading.Thread(target=slow_a), threading.Thread(target=fast_b)]
        for thread in threads:
            thread.start()
        b_committed.wait(10)
        early, position = _read_all(start)
        read_done.set()
        for thread in threads:
            thread.join(10)
        late, _ = _read_all(position)
        assert early == []  # B's row waits for A's: A could still commit a row before it
        assert sorted(early + late) == sorted(written)


@pytest.mark.slow
@pytest.mark.skipif(connection.vendor != "postgresql", reason="transaction ids are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_reader_among_concurrent_writers_sees_every_row_once():
    writers, rounds = 4, 15
    barrier = threading.Barrier(writers)
    written: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()
    seen: list[int] = []

    def writer(seed):
        rng = random.Random(seed)
        for _ in range(rounds):
            barrier.wait(10)
            ids = _write(rng.randint(1, 3), before_commit=lambda: time.sleep(rng.random() / 100))
            with lock:
                written.extend(ids)
        connections.close_all()

    def reader():
        position = (0, 0)
        while not stop.is_set():
            rows, position = _read_all(position)
            seen.extend(rows)
        rows, position = _read_all(position)
        seen.extend(rows)
        connections.close_all()

    reading = threading.Thread(target=reader)
    reading.start()
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    stop.set()
    reading.join(60)
    assert len(seen) == len(set(seen))  # never twice
    assert sorted(seen) == sorted(written)  # never skipped


@committed
def test_a_cursor_from_another_municipality_shows_nothing_of_ours(org, api):
    other = make_org(name="Ikast-Brande", code="756", prefix="ib_")
    _case(other, other.team_a)
    seen, _ = _all(api)
    assert seen == []


@pytest.mark.parametrize("url", ["/api/v1/followups/", "/api/v1/caseload/", "/api/v1/ladder-movements/"])
def test_lists_without_the_feed_refuse_unknown_parameters_too(api, url):
    body = problem(api.get(url, {"orderby": "id"}), 400)
    assert [(e["field"], e["in"]) for e in body["errors"]] == [("orderby", "query")]
    assert api.get(url, {"page_size": 5}).status_code == 200
