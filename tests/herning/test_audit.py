"""The access log: searching it, the citizen export, the nightly purge; the export helper; erasure
after the retention period; keep, don't destroy."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import get_resolver
from django.utils import timezone

from cases.erasure import ErasureRefused, erase_child
from cases.models import Case, CaseParticipant, CaseState, Child, JournalNote
from herning.audit.exports import Table, build_export, export_response
from herning.audit.models import AccessLog, AuditEvent
from herning.audit.services import access_log_deletable, log_child_read, log_reads, purge_expired_access_log
from herning.celery import beat_schedule
from herning.core.privacy import ContentDeletionRefused, deletion_permitted
from tests.factories import CaseFactory, ChildFactory

pytestmark = pytest.mark.django_db
SEARCH_QUERIES = 7


def look(user, child, *, at=None, channel="page", purpose="Sagsbehandling", case=None):
    # An entry cannot be moved in time afterwards (the log is append-only): travel to ``at``.
    with time_machine.travel(at or timezone.now(), tick=False):
        log_child_read(
            user=user, child=child, channel=channel, purpose=purpose, case=case, what="Barnets side"
        )
    return AccessLog.objects.latest("pk")


@pytest.fixture
def looked_at(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    other = CaseFactory(team=org.team_b, advisor=org.outsider)
    look(org.advisor, case.child, case=case, at=timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 15)))
    look(
        org.team_leader,
        case.child,
        at=timezone.make_aware(datetime.datetime(2026, 3, 5, 14, 0)),
        channel="export",
    )
    look(org.outsider, other.child, at=timezone.make_aware(datetime.datetime(2026, 3, 6, 11, 0)))
    return case


# --- Search -------------------------------------------------------------------------------------


def test_search_by_cpr_goes_by_post_and_finds_that_childs_entries(login, org, looked_at):
    client = login(org.data_protection)
    response = client.post("/adgangslog/", {"cpr": looked_at.child.formatted_cpr})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<tr>") == 3  # header and two entries
    results = html.split('id="resultater"')[1]
    assert looked_at.child.masked_cpr in results
    assert looked_at.child.cpr not in results and looked_at.child.formatted_cpr not in results
    assert str(org.advisor) in html  # the data-protection staff see who looked


def test_search_by_staff_member_period_and_channel(login, org, looked_at):
    client = login(org.data_protection)
    by_user = client.post("/adgangslog/", {"staff": org.outsider.pk}).content.decode()
    assert by_user.count("<tr>") == 2
    by_period = client.post("/adgangslog/", {"start": "2026-03-03", "end": "2026-03-05"}).content.decode()
    assert by_period.count("<tr>") == 2
    by_channel = client.post("/adgangslog/", {"channel": "export"}).content.decode()
    assert by_channel.count("<tr>") == 2


def test_a_search_with_no_criterion_or_a_bad_cpr_says_what_is_wrong(login, org, looked_at):
    client = login(org.data_protection)
    assert "mindst ét søgekriterium" in client.post("/adgangslog/", {}).content.decode()
    assert "10 cifre" in client.post("/adgangslog/", {"cpr": "12345"}).content.decode()
    assert (
        "før startdatoen"
        in client.post("/adgangslog/", {"start": "2026-03-05", "end": "2026-03-01"}).content.decode()
    )


def test_searching_the_log_is_itself_logged_once_per_child_shown(login, org, looked_at):
    login(org.data_protection).post("/adgangslog/", {"start": "2026-03-01"})
    own = AccessLog.objects.filter(user=org.data_protection)
    assert own.count() == 2
    assert set(own.values_list("channel", flat=True)) == {"search"}


def test_the_log_of_another_municipality_is_not_found(login, org, looked_at):
    from tests.factories import MunicipalityFactory, staff
    from tests.factories import Role as R

    elsewhere = staff(
        username="dpo2", municipality=MunicipalityFactory(code="661"), roles=[(R.DATA_PROTECTION, None)]
    )
    html = login(elsewhere).post("/adgangslog/", {"cpr": looked_at.child.formatted_cpr}).content.decode()
    assert "Ingen opslag matcher" in html


# --- The citizen export ----------------------------------------------------------------------------


def citizen_export(client, child, fmt, **period):
    return client.post("/adgangslog/indsigt/", {"cpr": child.formatted_cpr, "fmt": fmt, **period})


def test_the_citizen_export_lists_dates_channels_and_purposes_without_staff_names(login, org, looked_at):
    response = citizen_export(login(org.data_protection), looked_at.child, "csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    assert looked_at.child.cpr not in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Dato", "Klokken", "Kanal", "Formål", "Hvad blev læst", "Sag nr."]
    assert rows[1] == ["02.03.2026", "09:15", "Side", "Sagsbehandling", "Barnets side", str(looked_at.pk)]
    assert rows[2][:3] == ["05.03.2026", "14:00", "Udtræk"]
    for person in (org.advisor, org.team_leader):
        assert person.first_name not in text and person.username not in text and person.last_name not in text


def test_the_citizen_export_as_pdf(login, org, looked_at):
    response = citizen_export(login(org.data_protection), looked_at.child, "pdf", start="2026-03-01")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_exporting_the_log_is_itself_logged(login, org, looked_at):
    citizen_export(login(org.data_protection), looked_at.child, "csv")
    entry = AccessLog.objects.get(user=org.data_protection)
    assert (entry.child, entry.channel) == (looked_at.child, "export")
    assert "Indsigtsanmodning" in entry.purpose


def test_the_citizen_export_for_a_child_nobody_looked_at_says_so(login, org):
    from herning.audit.views import citizen_table

    response = login(org.data_protection).post("/adgangslog/indsigt/", {"cpr": "010203-4006", "fmt": "csv"})
    assert response.content.decode("utf-8-sig").splitlines() == [
        "Dato;Klokken;Kanal;Formål;Hvad blev læst;Sag nr."
    ]
    assert not AccessLog.objects.exists()
    table = citizen_table([], cpr="0102034006", start=None, end=None)
    assert "Der er ikke registreret opslag i perioden." in table.notes
    assert "010203-••••" in table.notes[0] and "4006" not in table.notes[0]


# --- The one writer --------------------------------------------------------------------------------


def test_log_reads_writes_one_entry_per_child_shown_in_one_statement(org, django_assert_num_queries):
    first = CaseFactory(team=org.team_a, advisor=org.advisor)
    second = CaseFactory(team=org.team_a, advisor=org.advisor)
    shown = [(first.child, first), (second.child, second), (first.child, None), second.child]
    with django_assert_num_queries(1):
        written = log_reads(
            user=org.advisor, shown=shown, channel="page", purpose="Sagsbehandling 0102034006"
        )
    assert written == 2
    entries = {e.child_id: e for e in AccessLog.objects.all()}
    assert set(entries) == {first.child_id, second.child_id}
    # The first case met is kept; the CPR number in the purpose is masked.
    assert entries[first.child_id].case_id == first.pk and "4006" not in entries[first.child_id].purpose
    with django_assert_num_queries(0):
        assert log_reads(user=org.advisor, shown=[], channel="page", purpose="Sagsbehandling") == 0


def test_an_entrys_keys_are_checked_by_django_not_by_constraints_in_the_database(org):
    """Every page that shows a child writes entries, and constraints made PostgreSQL check each
    entry's four keys with a locking read of its parents at commit (AccessLog's comment). Without
    them, Django's PROTECT still refuses to delete what an entry names."""
    from django.db.models import ProtectedError

    constraints = connection.introspection.get_constraints(connection.cursor(), AccessLog._meta.db_table)
    assert [name for name, c in constraints.items() if c["foreign_key"]] == []
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    entry = look(org.advisor, case.child, case=case)
    for target in (case.child, case, org.advisor, org.municipality):
        with pytest.raises(ProtectedError) as refused, transaction.atomic(), deletion_permitted():
            type(target).objects.filter(pk=target.pk).delete()
        assert entry in refused.value.protected_objects
    assert AccessLog.objects.filter(child=case.child, case=case).count() == 1


# --- Retention and the purge ----------------------------------------------------------------------


def test_the_purge_deletes_only_entries_older_than_the_retention_and_records_itself(org, settings):
    settings.HERNING = {**settings.HERNING, "ACCESS_LOG_RETENTION_DAYS": 365}
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    now = timezone.make_aware(datetime.datetime(2026, 6, 1, 3, 15))
    old = look(org.advisor, case.child, at=now - datetime.timedelta(days=366))
    kept = look(org.advisor, case.child, at=now - datetime.timedelta(days=364))
    event = purge_expired_access_log(now=now)
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert event.kind == AuditEvent.Kind.ACCESS_LOG_PURGE and event.actor is None
    assert event.details["deleted"] == 1 and event.details["retention_days"] == 365
    # Running it again deletes nothing more and still leaves its trace.
    assert purge_expired_access_log(now=now).details["deleted"] == 0
    assert AuditEvent.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_change_or_delete_an_entry(org):
    """Append-only in the database: neither an ORM update nor a delete (guard of the code lifted,
    as a slip in code or a shell could) gets past the trigger, nor raw SQL."""
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    entry = look(org.advisor, case.child)
    for attempt in (
        lambda: AccessLog.objects.for_system().filter(pk=entry.pk).update(purpose="Ingenting"),
        lambda: AccessLog.objects.for_system().filter(pk=entry.pk).delete(),
        lambda: connection.cursor().execute("DELETE FROM audit_accesslog"),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), deletion_permitted():
            attempt()
    assert AccessLog.objects.get(pk=entry.pk).purpose == "Sagsbehandling"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_only_deletion_is_let_through_for_the_purge_and_only_inside_its_block(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    entry = look(org.advisor, case.child)
    with transaction.atomic():
        # Not even the purge may rewrite an entry.
        with access_log_deletable(), pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AccessLog.objects.for_system().filter(pk=entry.pk).update(purpose="Ingenting")
        # The block is over: the same transaction may delete no more.
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), deletion_permitted():
            AccessLog.objects.for_system().filter(pk=entry.pk).delete()
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_the_purge_runs_every_night_from_the_schedule():
    entry = beat_schedule()["purge-access-log"]
    assert entry["task"] == "herning.audit.tasks.purge_access_log"
    assert entry["schedule"].hour == {3}


def test_the_purge_task_through_a_real_worker(celery_worker_real, org):
    from herning.audit.tasks import purge_access_log

    assert purge_access_log.delay().get(timeout=30) == 0
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS_LOG_PURGE).exists()


def test_the_retention_comes_from_the_environment_and_refuses_too_short_a_period():
    from tests.herning.test_settings import GOOD_PRODUCTION, load_settings

    assert load_settings({**GOOD_PRODUCTION, "HERNING_ACCESS_LOG_RETENTION_DAYS": "730"}).returncode == 0
    result = load_settings({**GOOD_PRODUCTION, "HERNING_ACCESS_LOG_RETENTION_DAYS": "30"})
    assert result.returncode != 0 and "at least 183" in result.stderr


# --- The export helper ----------------------------------------------------------------------------


def export_request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_an_export_logs_one_entry_per_child_in_it(org, fmt):
    cases = [CaseFactory(team=org.team_a, advisor=org.advisor) for _ in range(3)]
    table = Table(title="Mine sager", header=["Barn"], rows=[[c.child.full_name] for c in cases])
    response = export_response(
        request=export_request(org.advisor),
        table=table,
        fmt=fmt,
        filename="mine-sager",
        children=[c.child for c in cases],
        purpose="Overblik",
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="mine-sager.{fmt}"'
    entries = AccessLog.objects.filter(user=org.advisor, channel="export")
    assert sorted(entries.values_list("child", flat=True)) == sorted(c.child.pk for c in cases)


def test_an_export_with_a_child_the_person_may_not_read_is_refused_and_logs_nothing(org):
    from django.http import Http404

    mine = CaseFactory(team=org.team_a, advisor=org.advisor)
    theirs = CaseFactory(team=org.team_b, advisor=org.outsider)
    with pytest.raises(Http404):
        export_response(
            request=export_request(org.advisor),
            table=Table(title="x", header=["Barn"], rows=[]),
            fmt="csv",
            filename="x",
            children=[mine.child, theirs.child],
            purpose="Overblik",
        )
    assert not AccessLog.objects.exists()


def test_spreadsheet_formulas_in_free_text_are_defused():
    table = Table(title="x", header=["Tekst"], rows=[['=HYPERLINK("http://evil")'], ["+1"], ["ok"]])
    text = build_export(table, fmt="csv", filename="x").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1" in text
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(build_export(table, fmt="xlsx", filename="x").content)).active
    assert sheet["A2"].value.startswith("'=")


def test_an_export_file_name_never_carries_a_cpr_number():
    with pytest.raises(ValueError):
        build_export(Table(title="x", header=[], rows=[]), fmt="csv", filename="barn-0102034006")


# --- Keep, don't destroy ---------------------------------------------------------------------------


def test_no_page_or_endpoint_deletes():
    from django.views.generic.edit import DeletionMixin

    from herning.api.webhook_api import WebhookViewSet

    # The views that delete, each with its reason: none deletes a record of a child or a case.
    deleting = {
        WebhookViewSet: "a webhook is an integration's own configuration, not a record: deleted, "
        "and an audit event keeps that it was there (docs/api.md, 'Webhooks')",
    }
    offenders = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                if "admin" not in str(pattern.pattern):
                    walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            view = pattern.callback
            view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
            if view_class in deleting:
                continue
            actions = getattr(view, "actions", None) or {}
            if (view_class and issubclass(view_class, DeletionMixin)) or "destroy" in actions.values():
                offenders.append(prefix + str(pattern.pattern))
            if (
                view_class
                and "delete" in getattr(view_class, "http_method_names", [])
                and hasattr(view_class, "delete")
            ):
                offenders.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns)
    assert offenders == []


def test_a_child_and_a_case_cannot_be_deleted_from_code(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    # Each attempt in its own savepoint: a refused delete spoils the transaction it runs in.
    with pytest.raises(ContentDeletionRefused), transaction.atomic():
        case.delete()
    with pytest.raises(ContentDeletionRefused), transaction.atomic():
        # A child with no case, so no protected reference stands in the way first.
        ChildFactory(municipality=org.municipality, district=org.district_a).delete()
    with pytest.raises(ContentDeletionRefused), transaction.atomic():
        case.history.all().delete()
    assert Case.objects.filter(pk=case.pk).exists()


def test_taking_a_participant_off_a_case_leaves_the_row_in_its_history(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    participant = CaseParticipant.objects.create(case=case, user=org.psychologist, note="PPR")
    pk = participant.pk
    participant.delete()
    assert CaseParticipant.history.filter(id=pk, history_type="-").get().note == "PPR"


def test_a_closed_case_is_read_only(org):
    from cases.permissions import can_edit_case

    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    assert can_edit_case(org.advisor, case)
    case.state, case.closed_on = CaseState.CLOSED, timezone.localdate()
    assert not can_edit_case(org.advisor, case) and not can_edit_case(org.team_leader, case)


# --- Erasure after the retention period -------------------------------------------------------------


REASON = "Kassation efter arkivplanen, j.nr. 27.00.00-A26-1-26"


@pytest.fixture
def closed_long_ago(org):
    with time_machine.travel("2019-02-01 10:00 +01:00", tick=False):
        case = CaseFactory(
            team=org.team_a,
            advisor=org.advisor,
            state=CaseState.CLOSED,
            opened_on=datetime.date(2019, 2, 1),
            closed_on=datetime.date(2020, 6, 30),
        )
        JournalNote.objects.create(case=case, heading="note", text="Notat", written_by=org.advisor)
        CaseParticipant.objects.create(case=case, user=org.psychologist)
        look(org.advisor, case.child, case=case)
    return case


def test_erasure_deletes_everything_that_leads_to_the_child_and_records_it(org, closed_long_ago):
    kept = CaseFactory(team=org.team_a, advisor=org.advisor)
    look(org.advisor, kept.child)
    child_id = closed_long_ago.child.pk
    event = erase_child(
        child=closed_long_ago.child, reason=REASON, by=org.sysadmin, today=datetime.date(2026, 1, 1)
    )
    assert not Child.objects.filter(pk=child_id).exists()
    assert not Case.objects.filter(child_id=child_id).exists()
    assert not JournalNote.objects.filter(case_id=closed_long_ago.pk).exists()
    assert not AccessLog.objects.filter(child_id=child_id).exists()
    assert not Child.history.filter(id=child_id).exists()
    assert not Case.history.filter(id=closed_long_ago.pk).exists()
    assert not JournalNote.history.filter(case_id=closed_long_ago.pk).exists()
    assert not CaseParticipant.history.filter(case_id=closed_long_ago.pk).exists()
    # Another child is untouched.
    assert (
        Child.objects.filter(pk=kept.child.pk).exists()
        and AccessLog.objects.filter(child=kept.child).exists()
    )
    assert (event.kind, event.actor, event.reason) == (AuditEvent.Kind.ERASURE, org.sysadmin, REASON)
    assert event.details["child_id"] == child_id and event.details["deleted"]["cases.Case"] == 1
    assert closed_long_ago.child.cpr not in str(event.details)


def test_erasure_is_refused_before_the_end_of_the_retention_period(org, closed_long_ago):
    with pytest.raises(ErasureRefused, match="2025-06-30"):
        erase_child(
            child=closed_long_ago.child, reason=REASON, by=org.sysadmin, today=datetime.date(2025, 6, 29)
        )


def test_erasure_is_refused_while_a_case_is_open(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    with pytest.raises(ErasureRefused, match="open case"):
        erase_child(child=case.child, reason=REASON, by=org.sysadmin, today=datetime.date(2099, 1, 1))


def test_erasure_needs_a_reason_and_a_system_administrator(org, closed_long_ago):
    with pytest.raises(ErasureRefused, match="reason"):
        erase_child(
            child=closed_long_ago.child, reason="fordi", by=org.sysadmin, today=datetime.date(2026, 1, 1)
        )
    with pytest.raises(ErasureRefused, match="system administrator"):
        erase_child(
            child=closed_long_ago.child, reason=REASON, by=org.team_leader, today=datetime.date(2026, 1, 1)
        )
    assert Child.objects.filter(pk=closed_long_ago.child.pk).exists()
    assert not AuditEvent.objects.exists()


def test_the_erase_command_shows_first_and_erases_only_when_confirmed(org, closed_long_ago):
    child_id = closed_long_ago.child.pk
    out = io.StringIO()
    call_command("erase_child", child_id, reason=REASON, by="sysadm", stdout=out)
    assert "Intet er slettet" in out.getvalue() and "cases.Case: 1" in out.getvalue()
    assert Child.objects.filter(pk=child_id).exists()
    with pytest.raises(CommandError, match="reason"):
        call_command("erase_child", child_id, reason="kort", by="sysadm", confirm=True, stdout=io.StringIO())
    call_command("erase_child", child_id, reason=REASON, by="sysadm", confirm=True, stdout=io.StringIO())
    assert not Child.objects.filter(pk=child_id).exists()


@pytest.mark.parametrize("rows", [2, 20])
def test_the_search_results_take_the_same_number_of_queries_however_many_rows(
    login, org, django_assert_num_queries, rows
):
    client = login(org.data_protection)
    for _ in range(rows):
        case = CaseFactory(team=org.team_a, advisor=org.advisor)
        look(org.advisor, case.child, case=case)
    # Session, user with the municipality, device, roles, count, entries, the log's own insert and
    # the staff list for the form (the session is written at most once a minute): the same for 2
    # rows as for 20.
    with django_assert_num_queries(SEARCH_QUERIES):
        assert client.post("/adgangslog/", {"channel": "page"}).status_code == 200
