"""Reads compiled once per process (``herning.core.statements``): each call reads its own rows."""

from __future__ import annotations

import datetime

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client
from django.urls import reverse

from cases import services as case_services
from cases.models import Case, JournalNote, Plan
from cases.selectors import JOURNAL_PAGE_SIZE, _journal_page, _visible_case, journal_of
from herning.api.viewsets import _one_record
from herning.core.statements import KeptStatementError, _Shape, kept, kept_reads
from herning.organisation.models import Role, RoleAssignment
from measures.models import Measure
from tests.api.base import token_client
from tests.factories import CaseFactory
from tests.followups.factories import start_measure
from tests.pages import with_folds

pytestmark = pytest.mark.django_db


def _notes(case, advisor, texts, *, start=datetime.date(2026, 3, 1)):
    for i, text in enumerate(texts):
        case_services.journal_add(
            case=case,
            heading=JournalNote.Heading.NOTE,
            text=text,
            occurred_on=start + datetime.timedelta(days=i),
            written_by=advisor,
        )


@pytest.fixture
def compiled(monkeypatch):
    """The statements the ORM compiled, in order."""
    seen = []
    original = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        sql, params = original(self, *args, **kwargs)
        seen.append(sql)
        return sql, params

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    return seen


def _orm_page(case, offset):
    return list(
        JournalNote.objects.for_system()
        .filter(case=case)
        .select_related("written_by", "corrected_by")
        .order_by("-occurred_on", "-written_at", "-pk")[offset : offset + JOURNAL_PAGE_SIZE]
    )


def test_each_case_reads_its_own_notes_from_one_compiled_statement(org, compiled):
    first = CaseFactory(team=org.team_a, advisor=org.advisor)
    second = CaseFactory(team=org.team_a, advisor=org.advisor)
    _notes(first, org.advisor, [f"første {i}" for i in range(12)])
    _notes(second, org.colleague, ["anden a", "anden b"])
    _journal_page.shapes.clear()

    # The first read learns the shape (the probe's statement and the real one); later ones
    # compile nothing of their own, yet each reads its own case's rows.
    assert [n.pk for n in _journal_page(case_id=first.pk, offset=0, limit=JOURNAL_PAGE_SIZE)] == [
        n.pk for n in _orm_page(first, 0)
    ]
    expected = {case.pk: _orm_page(case, 0) for case in (first, second)}
    compiled.clear()
    for case in (second, first, second):
        notes = list(_journal_page(case_id=case.pk, offset=0, limit=JOURNAL_PAGE_SIZE))
        assert [n.pk for n in notes] == [n.pk for n in expected[case.pk]]
        assert {n.case_id for n in notes} == {case.pk}
        # The joined rows are read as the ORM reads them: the writer without another query.
        assert [n.written_by.username for n in notes] == [n.written_by.username for n in expected[case.pk]]
        assert all(n.corrected_by is None for n in notes)
    assert not compiled

    # Another page is another shape (its offset is written into the statement), learnt once.
    page_two = list(_journal_page(case_id=first.pk, offset=JOURNAL_PAGE_SIZE, limit=JOURNAL_PAGE_SIZE))
    assert [n.text for n in page_two] == ["første 1", "første 0"]
    assert len(_journal_page.shapes) == 2


def test_the_journal_page_reads_the_same_notes_as_the_orm(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    _notes(case, org.advisor, [f"n {i}" for i in range(23)])
    for number, offset in ((1, 0), (2, 10), (3, 20), ("x", 0), (9, 20)):
        page = journal_of(case, number)
        assert [n.pk for n in page] == [n.pk for n in _orm_page(case, offset)]
        assert page.paginator.count == 23 and page.paginator.num_pages == 3


def test_none_a_rewritten_value_and_a_flag_each_take_a_path_that_reads_the_right_rows(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    _notes(case, org.advisor, ["Skolen ringede", "Mødet med mor"])
    note = JournalNote.objects.for_system().get(text="Mødet med mor")
    note.corrected_by = org.team_leader
    note.save()

    @kept(bound=("corrected_by", "text"))
    def notes(*, corrected_by, text, newest_first):
        rows = JournalNote.objects.for_system().filter(corrected_by=corrected_by, text__icontains=text)
        return rows.order_by("-occurred_on" if newest_first else "occurred_on")

    def texts(**values):
        return [n.text for n in notes(**values)]

    # ``None`` compiles to IS NULL: a shape of its own.
    assert texts(corrected_by=None, text="skolen", newest_first=True) == ["Skolen ringede"]
    assert texts(corrected_by=org.team_leader.pk, text="mor", newest_first=True) == ["Mødet med mor"]
    # A contains lookup writes the value into a pattern, so the probe is not found in its place:
    # never kept, and every call is the ORM's own.
    assert len(notes.shapes) == 2 and not any(isinstance(s, _Shape) for s in notes.shapes.values())
    assert texts(corrected_by=None, text="ringede", newest_first=True) == ["Skolen ringede"]
    assert texts(corrected_by=None, text="mor", newest_first=True) == []


def test_values_rows_are_kept_with_their_columns_names(org, compiled):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    other = CaseFactory(team=org.team_a, advisor=org.advisor)
    _notes(case, org.advisor, ["Skolen ringede", "Mødet med mor"])
    _notes(other, org.advisor, ["Anden sag"])

    @kept(bound=("case_id",))
    def texts(*, case_id, how):
        rows = JournalNote.objects.for_system().filter(case_id=case_id).order_by("text")
        if how == "flat":
            return rows.values_list("text", flat=True)
        if how == "tuples":
            return rows.values_list("case_id", "text")
        if how == "named":
            return rows.values_list("case_id", "text", named=True)
        return rows.values("text", "case_id")

    for how in ("flat", "tuples", "named", "dicts"):
        texts(case_id=other.pk, how=how)  # learns the shape
    compiled.clear()
    for _round in range(2):
        assert list(texts(case_id=case.pk, how="flat")) == ["Mødet med mor", "Skolen ringede"]
        assert list(texts(case_id=case.pk, how="tuples")) == [
            (case.pk, "Mødet med mor"),
            (case.pk, "Skolen ringede"),
        ]
        assert [(r.case_id, r.text) for r in texts(case_id=other.pk, how="named")] == [
            (other.pk, "Anden sag")
        ]
        assert list(texts(case_id=other.pk, how="dicts")) == [{"text": "Anden sag", "case_id": other.pk}]
    assert compiled == []
    assert all(isinstance(s, _Shape) for s in texts.shapes.values()) and len(texts.shapes) == 4


def test_a_list_of_ids_is_bound_whatever_its_length_and_an_empty_one_is_a_shape_of_its_own(org, compiled):
    cases = [CaseFactory(team=org.team_a, advisor=org.advisor) for _ in range(4)]
    for n, case in enumerate(cases):
        _notes(case, org.advisor, [f"sag {n}"])

    @kept(bound=("case_ids",))
    def notes(*, case_ids):
        rows = JournalNote.objects.for_system().filter(case_id__in=case_ids).order_by("text")
        return rows.values_list("text", flat=True)

    def expect(ids):
        return sorted(f"sag {n}" for n, case in enumerate(cases) if case.pk in ids)

    first = [cases[0].pk, cases[2].pk]
    assert list(notes(case_ids=first)) == expect(first)
    compiled.clear()
    for ids in ([cases[1].pk], [c.pk for c in cases], [cases[3].pk, cases[3].pk], [cases[0].pk, 10**9]):
        assert list(notes(case_ids=ids)) == expect(ids), ids
    # A set and a tuple are shapes of their own, learnt once each.
    assert list(notes(case_ids={cases[1].pk, cases[2].pk})) == expect({cases[1].pk, cases[2].pk})
    assert list(notes(case_ids=(cases[0].pk,))) == expect({cases[0].pk})
    assert len(compiled) == 4  # the set's and the tuple's probe and real statements
    compiled.clear()
    assert list(notes(case_ids={cases[3].pk})) == expect({cases[3].pk})
    assert compiled == []
    # Nothing to read: the ORM answers without asking, and the shape of a list with ids is kept.
    assert list(notes(case_ids=[])) == []
    assert list(notes(case_ids=[cases[2].pk])) == expect({cases[2].pk})
    # Not ids but cases: the ORM's own path, with the right rows.
    assert list(notes(case_ids=[cases[1]])) == ["sag 1"]
    kept_shapes = [s for s in notes.shapes.values() if isinstance(s, _Shape)]
    assert len(kept_shapes) == 3


def test_a_function_that_leaves_out_an_empty_list_keeps_a_shape_for_it(org):
    cases = [CaseFactory(team=org.team_a, advisor=org.advisor) for _ in range(2)]
    _notes(cases[0], org.advisor, ["a"])
    _notes(cases[1], org.advisor, ["b"])

    @kept(bound=("first", "second"))
    def texts(*, first, second):
        parts = [
            JournalNote.objects.for_system().filter(case_id__in=ids).values_list("text", flat=True)
            for ids in (first, second)
            if ids
        ]
        return parts[0].union(*parts[1:], all=True).order_by("text")

    ids = [cases[0].pk], [cases[1].pk]
    assert list(texts(first=ids[0], second=ids[1])) == ["a", "b"]
    # The first call with an empty ``second`` learns a statement of one part; it spoils neither.
    assert list(texts(first=ids[1], second=[])) == ["b"]
    assert list(texts(first=ids[0], second=[])) == ["a"]
    assert list(texts(first=ids[1], second=ids[0])) == ["a", "b"]
    assert len(texts.shapes) == 2 and all(isinstance(s, _Shape) for s in texts.shapes.values())


def test_a_kept_read_refuses_to_become_another_statement(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    _notes(case, org.advisor, ["a", "b"])

    @kept(bound=("case_id",))
    def notes(*, case_id):
        return JournalNote.objects.for_system().filter(case_id=case_id).order_by("text")

    assert [n.text for n in notes(case_id=case.pk)] == ["a", "b"]
    kept_read = notes(case_id=case.pk)
    # Each of these would compile the probe's statement with more to it: refused, not misread.
    for become in (
        lambda rows: rows.filter(text="a"),
        lambda rows: rows.count(),
        lambda rows: rows[:1],
        lambda rows: rows.exists(),
        lambda rows: rows.values("text"),
    ):
        with pytest.raises(KeptStatementError):
            become(kept_read)
    assert [n.text for n in kept_read] == ["a", "b"]


def test_a_bound_value_of_another_kind_takes_the_orms_path(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    _notes(case, org.advisor, ["a"])
    _journal_page.shapes.clear()
    # A case instead of its id: not a value the statement binds, so the ORM compiles it.
    assert [n.text for n in _journal_page(case_id=case, offset=0, limit=JOURNAL_PAGE_SIZE)] == ["a"]
    assert not _journal_page.shapes


def test_case_pages_read_in_turn_each_show_their_own_case_through_kept_reads(org, login):
    today = datetime.date.today()
    foster = start_measure(org, "foster_family", today - datetime.timedelta(days=30))
    contact = start_measure(
        org, "contact_person", today - datetime.timedelta(days=300), advisor=org.colleague
    )
    _notes(foster.case, org.advisor, ["Plejefamilien ringede"], start=today - datetime.timedelta(days=5))
    _notes(contact.case, org.colleague, ["Kontaktpersonen skrev"], start=today - datetime.timedelta(days=5))
    pages = {foster.case: login(org.advisor), contact.case: login(org.colleague, client=Client())}
    own = {foster.case: (foster, "Plejefamilien ringede"), contact.case: (contact, "Kontaktpersonen skrev")}
    for read in kept_reads():
        read.shapes.clear()

    for case in (foster.case, contact.case, foster.case, contact.case):
        html = with_folds(pages[case], reverse("cases:case_detail", args=[case.pk]))
        for other, (measure, note) in own.items():
            assert (measure.measure_type.name in html) == (other == case), (case, measure)
            assert (note in html) == (other == case), (case, note)

    # Each read of one case on the page is kept: compiled once, bound to each case in turn.
    kept_on_the_page = {
        read.__name__
        for read in kept_reads()
        if read.shapes and all(isinstance(shape, _Shape) for shape in read.shapes.values())
    }
    assert {
        "_journal_page",
        "_goals_due_by",
        "_active_measures_of_case",
        "_open_deadlines_of_case",
        "_requested_exceptions_of_case",
        "_requested_later_dates_of_case",
        "_movements_of_case",
    } <= kept_on_the_page


def test_every_kept_read_is_kept_where_the_product_reads_it(org, login):
    """Each kept read of the product, served by the pages and the API that use it, is kept: its
    shape learnt and no shape it took refused. A kept read that fell back to the ORM would still be
    right, only slow; this keeps the speed from going away unnoticed."""
    today = datetime.date.today()
    measure = start_measure(org, "foster_family", today - datetime.timedelta(days=30))
    for read in kept_reads():
        read.shapes.clear()

    advisor = login(org.advisor)
    for url in (
        reverse("cases:case_detail", args=[measure.case_id]),
        reverse("start:my_day"),
        reverse("followups:measure_schedule", args=[measure.pk]),
        # The case list as the benchmark asks it: a name searched in a team, every state.
        f"{reverse('cases:case_list')}?q={measure.case.child.first_name}&team={org.team_a.pk}&state=all",
    ):
        with_folds(advisor, url)
    assert login(org.team_leader, client=Client()).get(reverse("start:team")).status_code == 200
    api = token_client(org.advisor)
    for url in (
        "/api/v1/cases/",
        f"/api/v1/cases/{measure.case_id}/",
        f"/api/v1/measures/{measure.pk}/",
        "/api/v1/measures/?page_size=10",
        "/api/v1/followups/",
        "/api/v1/followups/?status=overdue&status=due",
    ):
        assert api.get(url).status_code == 200

    ours = [read for read in kept_reads() if not read.__module__.startswith("tests.")]
    assert {read.__name__: bool(read.shapes) for read in ours} == {read.__name__: True for read in ours}
    refused = {read.__name__ for read in ours if not all(isinstance(s, _Shape) for s in read.shapes.values())}
    assert not refused


def test_a_case_read_kept_for_one_person_opens_nothing_to_another_and_a_new_role_counts_at_once(org, login):
    case = start_measure(org, "foster_family", datetime.date.today() - datetime.timedelta(days=30)).case
    _notes(case, org.advisor, ["Kun for team A"], start=datetime.date.today() - datetime.timedelta(days=2))
    for read in kept_reads():
        read.shapes.clear()
    page = reverse("cases:case_detail", args=[case.pk])
    fold = reverse("cases:panel_section", args=[case.pk, "measures"])
    alice, charlie = login(org.advisor), login(org.outsider, client=Client())

    def answers(client):
        return client.get(page).status_code, client.get(fold, headers={"HX-Request": "true"}).status_code

    # Alice's reads are kept first; Charlie, an advisor of team B, is refused through his own.
    assert answers(alice) == (200, 200)
    assert answers(charlie) == (404, 404)
    assert answers(alice) == (200, 200)
    # Made team A's leader, he reads it at his next request: another person, another statement.
    RoleAssignment.objects.create(user=org.outsider, role=Role.TEAM_LEADER, team=org.team_a)
    assert answers(charlie) == (200, 200)
    assert "Kun for team A" in with_folds(charlie, page)
    # And without it again, not.
    RoleAssignment.objects.filter(user=org.outsider, role=Role.TEAM_LEADER).delete()
    assert answers(charlie) == (404, 404)
    # Each person has a statement of their own, and they share the description of its columns.
    people = [shape for shape in _visible_case.shapes.values() if isinstance(shape, _Shape)]
    assert len(people) == 3
    assert len({(shape.sql, repr(shape.params)) for shape in people}) == 3
    assert all(shape.columns is people[0].columns for shape in people)


def test_a_value_beyond_its_columns_range_reads_nothing_and_spoils_no_shape(org, login):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    Plan.objects.create(
        case=case, kind="barnets_plan", version=1, due_on=datetime.date(2026, 12, 1), created_by=org.advisor
    )

    @kept(bound=("case_id", "version"))
    def plans(*, case_id, version):
        return Plan.objects.for_system().filter(case_id=case_id, version=version)

    # Beyond the version column's range (an int): the ORM answers nothing without asking, and
    # the shape is learnt from the next call instead of being refused for every one.
    assert list(plans(case_id=case.pk, version=2**40)) == []
    assert not plans.shapes
    assert [p.version for p in plans(case_id=case.pk, version=1)] == [1]
    assert [p.version for p in plans(case_id=case.pk, version=1)] == [1]
    assert all(isinstance(s, _Shape) for s in plans.shapes.values()) and len(plans.shapes) == 1
    # Beyond a bigint (a case's address can ask for any number): the ORM's path, nothing read.
    assert list(plans(case_id=10**20, version=1)) == []
    assert login(org.advisor).get(reverse("cases:case_detail", args=[10**20])).status_code == 404


def _measures_in_two_teams(org, *, team_a_days, team_b_days):
    """A foster family measure started ``team_a_days`` ago each, on cases of Alice in team A, and a
    contact person started ``team_b_days`` ago on a case of the outsider in team B."""
    today = datetime.date.today()
    for days in team_a_days:
        start_measure(org, "foster_family", today - datetime.timedelta(days=days))
    start_measure(
        org,
        "contact_person",
        today - datetime.timedelta(days=team_b_days),
        case=CaseFactory(team=org.team_b, advisor=org.outsider),
    )


@pytest.mark.parametrize("resource", ["cases", "measures"])
def test_an_api_list_kept_per_person_answers_each_person_as_the_orm_would(org, resource, monkeypatch):
    """A list asked for with no parameter but its page reads its page and count through
    statements kept per person (``AuditedMixin.kept_list_key``): read in turn by people of two
    teams and a team leader, page by page, each answer is the one the ORM's own path gives."""
    from cases.api import CaseViewSet
    from measures.api import MeasureViewSet
    from tests.api.base import results

    _measures_in_two_teams(org, team_a_days=(10, 40, 90), team_b_days=20)
    people = ("advisor", "outsider", "team_leader", "other_team_leader", "management")
    clients = {p: token_client(getattr(org, p)) for p in people}
    queries = [{}, {"page_size": 2}, {"page_size": 2, "page": 2}, {"page_size": 2, "page": 9}]

    model = {"cases": Case, "measures": Measure}[resource]
    # Every record, one nobody has, a key that is no number and one beyond a bigint.
    records = [*model.objects.values_list("pk", flat=True), 10**6, "x1", 10**20]

    def answers():
        lists = {
            (person, str(query)): (lambda r: (r.status_code, r.json()))(
                clients[person].get(f"/api/v1/{resource}/", query)
            )
            for _round in range(2)
            for person in people
            for query in queries
        }
        # One record at a time (``AuditedMixin.get_object``): each person's own statement.
        one = {
            (person, record): (lambda r: (r.status_code, r.json()))(
                clients[person].get(f"/api/v1/{resource}/{record}/")
            )
            for _round in range(2)
            for person in people
            for record in records
        }
        return lists, one

    kept_answers, kept_records = answers()
    assert _one_record.shapes and all(isinstance(s, _Shape) for s in _one_record.shapes.values())
    for view in (CaseViewSet, MeasureViewSet):
        monkeypatch.setattr(view, "kept_list_key", None)
    assert (kept_answers, kept_records) == answers()
    mine = kept_answers[("advisor", "{}")][1]
    assert mine["count"] == 3 and len(results(clients["advisor"].get(f"/api/v1/{resource}/"))) == 3
    assert kept_answers[("outsider", "{}")][1]["count"] == 1
    assert kept_answers[("advisor", str({"page_size": 2, "page": 9}))][0] == 404
    # Each reads their own records and no other: the outsider one, the advisor three, nobody more.
    read = {p: sum(kept_records[(p, r)][0] == 200 for r in records) for p in ("advisor", "outsider")}
    assert read == {"advisor": 3, "outsider": 1}
    assert {kept_records[("advisor", r)][0] for r in records[-3:]} == {404}


def test_the_team_overview_kept_per_person_and_teams_gives_each_leader_their_own_figures(org):
    """The overview's counts are kept per person and choice of teams (``dashboards.selectors``,
    ``followups.selectors``): read in turn by the leaders of two teams, each gets the figures a
    statement learnt from their own values gives (each learnt afresh, checked against the ORM's)."""
    from django.utils import timezone

    from dashboards.selectors import Window, team_overview
    from herning.organisation.models import Team

    today = timezone.localdate()
    _measures_in_two_teams(org, team_a_days=(10, 60, 200), team_b_days=100)
    CaseFactory(team=org.team_b, advisor=None)
    leaders = {org.team_leader: org.team_a, org.other_team_leader: org.team_b}

    def figures(user):
        teams = list(Team.objects.filter(pk=leaders[user].pk))
        o = team_overview(user, teams=teams, window=Window(90, today), now=timezone.now())
        rows = [(r.advisor.pk, r.load.open_cases, r.due, r.step_counts) for r in o.advisors]
        return (rows, o.unassigned_steps, o.unassigned_deadlines, o.overdue_total, o.awaiting_advisor,
                o.override_count, [e.pk for e in o.exceptions], o.recency.longest, o.steps)  # fmt: skip

    fresh = {}
    for user in leaders:
        for read in kept_reads():
            read.shapes.clear()
        fresh[user] = figures(user)
    for _round in range(2):
        for user in leaders:
            assert figures(user) == fresh[user], user
    # Each leader's own: the other team's advisor is not among the rows, and team B has one waiting.
    assert {r[0] for r in fresh[org.team_leader][0]} >= {org.advisor.pk}
    assert org.outsider.pk not in {r[0] for r in fresh[org.team_leader][0]}
    assert fresh[org.other_team_leader][4] == 1 and fresh[org.team_leader][4] == 0
    assert sum(s for r in fresh[org.team_leader][0] for s in r[3]) == 3
