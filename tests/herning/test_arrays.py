"""Column-array writes (``herning.core.arrays``): the rows the ORM would write, the defaults it
would give, a conflict left out and counted as not written, and the SQLite path through the ORM."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection

from followups.models import Deadline, DeadlineKind, Reminder
from herning.core import arrays
from tests.followups.factories import start_measure

pytestmark = pytest.mark.django_db

D = datetime.date
COLUMNS = ("deadline", "due_on", "recipient", "kind", "created_at", "next_attempt_at", "email_state")


@pytest.fixture
def deadline(org):
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        measure = start_measure(org, "institution", D(2026, 1, 5))
    return Deadline.objects.get(kind=DeadlineKind.FOLLOWUP, source_id=measure.pk)


@pytest.fixture(params=["postgresql", "orm"])
def path(request, monkeypatch):
    if request.param == "orm":
        monkeypatch.setattr(arrays, "supported", lambda: False)
    else:
        assert connection.vendor == "postgresql"
    return request.param


def values(row: Reminder) -> dict:
    return {f.attname: getattr(row, f.attname) for f in Reminder._meta.concrete_fields if not f.primary_key}


def test_inserted_rows_are_what_the_orm_writes(org, deadline, path):
    moment = datetime.datetime(2026, 1, 12, 7, 0, tzinfo=datetime.UTC)
    by_orm = Reminder.objects.create(
        deadline=deadline,
        due_on=D(2026, 1, 19),
        recipient=org.advisor,
        kind="before_7",
        created_at=moment,
        next_attempt_at=moment,
        email_state=Reminder.EmailState.DIGEST,
    )
    written = arrays.insert(
        Reminder,
        COLUMNS,
        [(deadline.pk, D(2026, 1, 19), org.advisor.pk, "before_3", moment, moment, "digest")],
    )
    assert written == 1
    row = Reminder.objects.exclude(pk=by_orm.pk).get()
    assert values(row) == {**values(by_orm), "kind": "before_3"}
    # The defaults of the fields not given: no attempts, no error, not read, in no digest.
    assert (row.email_attempts, row.email_error, row.read_at, row.digest_id) == (0, "", None, None)


def test_a_row_already_there_is_left_out_and_not_counted(org, deadline):
    moment = datetime.datetime(2026, 1, 12, 7, 0, tzinfo=datetime.UTC)
    row = (deadline.pk, D(2026, 1, 19), org.advisor.pk, "before_7", moment, moment, "pending")
    other = (deadline.pk, D(2026, 1, 19), org.team_leader.pk, "before_7", moment, moment, "pending")
    assert arrays.insert(Reminder, COLUMNS, [row], ignore_conflicts=True) == 1
    assert arrays.insert(Reminder, COLUMNS, [row, other], ignore_conflicts=True) == 1
    assert Reminder.objects.count() == 2
    with pytest.raises(Exception, match="reminder_once_per_deadline_date_kind"):
        arrays.insert(Reminder, COLUMNS, [row])


def test_update_sets_each_row_its_own_value_and_nothing_else(org, deadline, path):
    other = Deadline.objects.create(
        kind=DeadlineKind.HANDOVER,
        source_id=10**9,
        municipality=deadline.municipality,
        case=deadline.case,
        due_on=D(2026, 2, 1),
        due_at=datetime.datetime(2026, 2, 1, 23, tzinfo=datetime.UTC),
        rule="r",
        explanation="e",
        explanation_en="e",
        next_check_at=datetime.datetime(2026, 1, 20, 7, tzinfo=datetime.UTC),
    )
    first = datetime.datetime(2026, 1, 12, 7, 0, tzinfo=datetime.UTC)
    before = Deadline.objects.values_list("pk", "due_on", "fingerprint", "updated_at").order_by("pk")
    before = list(before)
    checks = dict(Deadline.objects.values_list("pk", "next_check_at"))
    assert len(checks) > 2 and checks[deadline.pk] != first and checks[other.pk] is not None
    assert arrays.update(Deadline, "next_check_at", {deadline.pk: first, other.pk: None}) == 2
    assert dict(Deadline.objects.values_list("pk", "next_check_at")) == {
        **checks,
        deadline.pk: first,
        other.pk: None,
    }
    assert (
        list(Deadline.objects.values_list("pk", "due_on", "fingerprint", "updated_at").order_by("pk"))
        == before
    )
    assert arrays.update(Deadline, "next_check_at", {}) == 0


def test_update_rows_sets_several_fields_of_each_row(org, deadline, path):
    due_at = datetime.datetime(2026, 2, 2, 22, 59, tzinfo=datetime.UTC)
    untouched = Deadline.objects.exclude(pk=deadline.pk).values_list("pk", "due_on", "rule", "is_open")
    untouched = sorted(untouched)
    assert (
        arrays.update_rows(
            Deadline,
            ["due_on", "due_at", "rule", "is_open", "responsible_id"],
            {deadline.pk: (D(2026, 2, 2), due_at, "Herningmodellen 2.0", False, None)},
        )
        == 1
    )
    deadline.refresh_from_db()
    assert (deadline.due_on, deadline.due_at, deadline.rule, deadline.is_open, deadline.responsible_id) == (
        D(2026, 2, 2),
        due_at,
        "Herningmodellen 2.0",
        False,
        None,
    )
    assert sorted(
        Deadline.objects.exclude(pk=deadline.pk).values_list("pk", "due_on", "rule", "is_open")
    ) == (untouched)


def test_a_json_column_is_written_as_the_orm_reads_it(org, deadline, path):
    """``Deadline.details``: a dict with text, a list and booleans, None (SQL NULL) and a dict
    with a quote in its text, by update and by insert."""
    details = {"purpose": 'skriftlig "status"', "allowed_forms": ["document"], "written_status": True}
    other = Deadline.objects.exclude(pk=deadline.pk).first()
    assert arrays.update_rows(Deadline, ["details"], {deadline.pk: (details,), other.pk: (None,)}) == 2
    assert dict(Deadline.objects.filter(pk__in=[deadline.pk, other.pk]).values_list("pk", "details")) == {
        deadline.pk: details,
        other.pk: None,
    }
    assert Deadline.objects.filter(details__written_status=True).get() == deadline
    row = {f: getattr(deadline, f) for f in ("municipality_id", "due_on", "due_at", "rule", "updated_at")}
    written = arrays.insert(
        Deadline,
        ["kind", "source_id", *row, "explanation", "explanation_en", "details"],
        [
            (DeadlineKind.HANDOVER, 10**9, *row.values(), "e", "e", {"allowed_forms": []}),
            (DeadlineKind.HANDOVER, 10**9 + 1, *row.values(), "e", "e", None),
        ],
    )
    assert written == 2
    assert dict(Deadline.objects.filter(source_id__gte=10**9).values_list("source_id", "details")) == {
        10**9: {"allowed_forms": []},
        10**9 + 1: None,
    }


def test_an_upsert_updates_the_row_its_key_finds_and_inserts_the_others(db, path):
    from followups.models import DeadlineInput

    DeadlineInput.objects.create(
        source="measure", record_id=1, inputs="old", outputs="old", computed_on=D(2026, 1, 1)
    )
    DeadlineInput.objects.create(
        source="placement_plan", record_id=1, inputs="other", outputs="other", computed_on=D(2026, 1, 1)
    )
    fields = ("source", "record_id", "inputs", "outputs", "computed_on")
    rows = [("measure", 1, "new", "new-out", D(2026, 2, 1)), ("measure", 2, "two", "two-out", D(2026, 2, 1))]
    assert arrays.insert(DeadlineInput, fields, rows, update_conflicts=("source", "record_id")) == 2
    stored = {
        (s, r): (i, o, c) for s, r, i, o, c in DeadlineInput.objects.values_list(*fields).order_by("pk")
    }
    assert stored == {
        ("measure", 1): ("new", "new-out", D(2026, 2, 1)),
        ("measure", 2): ("two", "two-out", D(2026, 2, 1)),
        # Another key of the same constraint is not touched.
        ("placement_plan", 1): ("other", "other", D(2026, 1, 1)),
    }


def test_whole_numbers_are_bound_as_array_text_and_other_values_as_the_list():
    assert arrays.bound([3, 1, 2]) == "{3,1,2}"
    assert arrays.bound([3, None, -2]) == "{3,NULL,-2}"
    assert arrays.bound([10**20]) == "{100000000000000000000}"
    # A bool is not a whole number here (str(True) is "True"); text, dates and empty lists are
    # left to the driver, which quotes and escapes them.
    for values in ([True, 1], ["1", 2], [datetime.date(2026, 1, 1)], [], [None]):
        assert arrays.bound(values) is values


def test_a_column_named_as_an_sql_keyword_is_written_and_updated(db):
    """A goal's ``order``: unquoted, PostgreSQL reads it as ORDER BY and refuses the statement."""
    from cases.models import Goal

    history = Goal.history.model  # its keys hold no constraint: no plan needs to exist
    now = datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC)
    names = (
        "id",
        "plan_id",
        "what",
        "who",
        "how_measured",
        "by_when",
        "order",
        "history_date",
        "history_type",
    )
    row = (1, 1, "Går i skole", "Barnet", "Fremmøde", datetime.date(2026, 6, 1), 3, now, "+")
    assert arrays.insert(history, names, [row]) == 1
    row = history.objects.get()
    assert row.order == 3
    assert arrays.update(history, "order", {row.pk: 4}) == 1
    assert history.objects.get().order == 4
