"""Prepared statements (``DB_PREPARED_STATEMENTS``): the parameters bound on the server, a statement
run often prepared once per connection, and ``__in`` lists as one array (``herning.core.lookups``),
so no list is too long and a longer value never matches a shorter column by being cut."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, Child
from tests.followups.factories import start_measure

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def case(org):
    return start_measure(org, "institution", D(2026, 1, 5)).case


def sql_of(queryset) -> str:
    return queryset.query.get_compiler(using="default").as_sql()[0]


def test_the_suite_runs_with_the_parameters_bound_on_the_server():
    # What production runs on a direct connection; the tests would otherwise miss what it breaks.
    assert connection.features.uses_server_side_binding


def test_a_list_longer_than_a_statement_may_bind_is_one_parameter(case):
    ids = [*range(10_000_000, 10_070_000), case.pk]  # 70,001 values: over PostgreSQL's 65,535
    assert list(Case.objects.filter(pk__in=ids).values_list("pk", flat=True)) == [case.pk]
    assert list(Child.objects.filter(cases__in=ids).values_list("pk", flat=True)) == [case.child_id]


def test_lists_of_any_length_are_one_statement(case):
    one, three = sql_of(Case.objects.filter(pk__in=[1])), sql_of(Case.objects.filter(pk__in=[1, 2, 3]))
    assert one == three
    assert '"cases_case"."id" = ANY(%s::bigint[])' in one or '"cases_case"."id" = ANY(%s::integer[])' in one


def test_a_value_longer_than_the_column_does_not_match_by_being_cut(case):
    # postal_code is varchar(4): a cast to varchar(4)[] would make '74001' into '7400'.
    Child.objects.filter(pk=case.child_id).update(postal_code="7400")
    assert not Child.objects.filter(postal_code__in=["74001"]).exists()
    assert Child.objects.filter(postal_code__in=["74001", "7400"]).get().pk == case.child_id


def test_none_and_empty_lists_mean_what_they_mean_in_sql(case):
    assert Case.objects.filter(pk__in=[None, case.pk]).get() == case
    assert not Case.objects.filter(pk__in=[None]).exists()
    assert Case.objects.exclude(pk__in=[None]).filter(pk=case.pk).exists()
    assert not Case.objects.exclude(pk__in=[case.pk, None]).filter(pk=case.pk).exists()
    with CaptureQueriesContext(connection) as queries:
        assert list(Case.objects.filter(pk__in=[])) == []
    assert len(queries) == 0  # an empty list matches nothing, without asking


def test_foreign_keys_take_instances_and_ids(case):
    assert Case.objects.filter(child__in=[case.child]).get() == case
    assert Case.objects.filter(child_id__in=[str(case.child_id)]).get() == case
    assert Case.objects.filter(child__in=Child.objects.filter(pk=case.child_id)).get() == case


def test_dates_and_transforms(case):
    assert Case.objects.filter(opened_on__in=[case.opened_on]).get() == case
    assert Case.objects.filter(opened_on__year__in=[case.opened_on.year]).get() == case


def test_a_statement_run_often_is_prepared_once_on_the_connection(case):
    query = Case.objects.filter(pk__in=[case.pk, case.pk + 1], state=case.state)
    for _ in range(8):
        assert list(query.all()) == [case]  # .all(): a new evaluation, not the cached rows
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ['%"cases_case"%ANY%']
        )
        prepared = [row[0] for row in cursor.fetchall()]
    assert len(prepared) == 1, prepared


def test_bound_on_the_client_the_list_stays_django_s_in(monkeypatch, case):
    # SQLite, or PgBouncer without prepared statements (DATABASE_POOLED): Django's own IN list.
    monkeypatch.setattr(connection.features, "uses_server_side_binding", False)
    sql = sql_of(Case.objects.filter(pk__in=[1, 2]))
    assert '"cases_case"."id" IN (%s, %s)' in sql


def test_whole_numbers_are_bound_as_the_array_text(case):
    # Without the per-value preparing and adapting of Django's IN and psycopg's list adapter: one
    # text the statement's cast reads. The answer is the same, duplicates and order included.
    params = Case.objects.filter(pk__in=[case.pk, 7, case.pk]).query.get_compiler("default").as_sql()[1]
    assert params[-1] == f"{{{case.pk},7,{case.pk}}}"
    assert list(Case.objects.filter(pk__in=[case.pk, 7, case.pk])) == [case]
    assert list(Case.objects.filter(child_id__in={case.child_id})) == [case]
    assert list(Case.objects.filter(opened_on__year__in=(case.opened_on.year,))) == [case]


def test_values_not_yet_whole_numbers_are_prepared_one_by_one_first(case):
    # A text id and a None go through the field's preparing as before: "12" becomes 12 and None
    # is left out; the prepared ids are then bound as the array text.
    for values in ([str(case.pk)], [None, case.pk]):
        params = Case.objects.filter(pk__in=values).query.get_compiler("default").as_sql()[1]
        assert params[-1] == f"{{{case.pk}}}"
        assert list(Case.objects.filter(pk__in=values)) == [case]
    # Text for a text column stays a list the driver quotes.
    params = Child.objects.filter(postal_code__in=["7400"]).query.get_compiler("default").as_sql()[1]
    assert params[-1] == ["7400"]


def test_a_whole_number_out_of_the_columns_range_fails_as_before(case):
    from django.db import DataError, transaction

    with pytest.raises(DataError), transaction.atomic():
        list(Case.objects.filter(pk__in=[case.pk, 2**70]))
