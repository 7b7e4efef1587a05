"""Importing a DUBU file: what it creates, dry run, idempotence, all-or-nothing, the error report,
skipping bad rows, updates, file formats and the code table."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from cases.models import Case, Child, JournalNote, Plan
from dubu.importer import import_file
from dubu.models import CodeMapping, DubuCase, ImportRun, MappingProfile
from followups.models import Deadline, FollowUp
from measures.models import LadderMovement, Measure
from tests.dubu.conftest import HEADER, csv_bytes, row
from tests.factories import cpr_for, measure_type

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0), tick=False):
        yield


def run(user, content, **kwargs):
    return import_file(content=content, file_name="dubu.csv", user=user, **kwargs).as_dict()


def two_cases():
    return [
        row(last_followup="15-12-2025"),
        row(offer="Kontaktperson", start="01-10-2025", provider="Hedebocentret"),
        row(
            case_id="D-1002",
            cpr=cpr_for(datetime.date(2011, 6, 7), 8),
            first="Noah",
            last="Berg",
            advisor="bob",
            service="Anbringelse",
            offer="Plejefamilie",
            start="01-02-2024",
            end="",
            provider="Familien Hansen",
        ),
    ]


def test_import_creates_children_cases_measures_and_followups(org, leader):
    report = run(leader, csv_bytes(two_cases()))
    assert report["committed"] and not report["errors"]
    assert (report["rows"], report["created_rows"]) == (3, 3)
    assert report["created"] == {"children": 2, "cases": 2, "links": 2, "measures": 3, "followups": 1}
    ida = Child.objects.get(first_name="Ida")
    assert (ida.birth_date, ida.district) == (datetime.date(2014, 2, 3), org.district_a)
    case = Case.objects.get(child=ida)
    assert (case.advisor, case.team, case.state, case.current_step.number) == (
        org.advisor,
        org.team_a,
        "measures",
        2,
    )
    assert DubuCase.objects.get(dubu_case_id="D-1001").case == case
    # Opened and moved to its measures' step by the same import: one change, one history row,
    # saying where the import left the case (not a second row that reads as a later change).
    [opened] = case.history.all()
    assert (opened.history_type, opened.history_user, opened.state, opened.current_step_id) == (
        "+",
        leader,
        "measures",
        case.current_step_id,
    )
    assert sorted(m.measure_type.code for m in case.measures.all()) == ["contact_person", "family_treatment"]
    movement = case.movements.get()
    assert (movement.date, movement.from_step, movement.to_step.number, movement.reason) == (
        datetime.date(2025, 9, 1),
        None,
        2,
        "first_measure",
    )
    followup = FollowUp.objects.get()
    assert (followup.held_on, followup.child_conversation_held) == (datetime.date(2025, 12, 15), False)
    assert JournalNote.objects.get(case=case).heading == "follow_up"
    noah_case = Case.objects.get(child__first_name="Noah")
    assert noah_case.current_step.number == 5
    assert Plan.objects.get(case=noah_case).due_on == datetime.date(2024, 5, 1)
    # The deadline table knows the new measures (the reminders read it).
    assert Deadline.objects.filter(case=case, kind="followup", is_open=True).exists()


def test_dry_run_reports_what_would_happen_and_writes_nothing(org, leader):
    report = run(leader, csv_bytes(two_cases()), dry_run=True)
    assert (report["dry_run"], report["committed"]) == (True, False)
    assert report["created"] == {"children": 2, "cases": 2, "links": 2, "measures": 3, "followups": 1}
    assert report["created_rows"] == 3
    assert not Child.objects.exists() and not Measure.objects.exists() and not DubuCase.objects.exists()
    assert ImportRun.objects.get().dry_run


def test_importing_the_same_file_twice_changes_nothing_the_second_time(org, leader):
    content = csv_bytes(two_cases())
    run(leader, content)
    counts = [m.objects.count() for m in (Child, Case, Measure, FollowUp, LadderMovement, JournalNote)]
    history = Case.history.count()
    second = run(leader, content)
    assert (second["unchanged_rows"], second["created_rows"], second["updated_rows"]) == (3, 0, 0)
    assert second["created"] == dict.fromkeys(("children", "cases", "links", "measures", "followups"), 0)
    assert [
        m.objects.count() for m in (Child, Case, Measure, FollowUp, LadderMovement, JournalNote)
    ] == counts
    assert Case.history.count() == history


def test_every_bad_row_is_reported_and_nothing_is_written(org, leader):
    rows = [
        *two_cases(),
        row(case_id="D-2", cpr="12345", start="31-02-2025"),
        row(
            case_id="D-3", cpr=cpr_for(datetime.date(2013, 1, 1), 2), district="Atlantis", service="Rumrejse"
        ),
        row(case_id="D-4", cpr=cpr_for(datetime.date(2013, 1, 2), 3), advisor="nemo", end="01-01-2020"),
    ]
    report = run(leader, csv_bytes(rows))
    assert not report["committed"]
    assert report["bad_rows"] == 3
    got = {(e["row"], e["column"]) for e in report["errors"]}
    assert got == {
        (5, "CPR-nummer"),
        (5, "Startdato"),
        (6, "Distrikt"),
        (6, "Ydelse"),
        (7, "Sagsbehandler"),
        (7, "Slutdato"),
    }
    messages = {(e["row"], e["column"]): e["message"] for e in report["errors"]}
    assert messages[(6, "Distrikt")] == "Ukendt distrikt »Atlantis«."
    assert messages[(6, "Ydelse")] == "»Rumrejse / Familiebehandling« findes ikke i kodetabellen."
    assert messages[(5, "Startdato")].startswith("Ugyldig dato »31-02-2025«")
    assert not Child.objects.exists() and not DubuCase.objects.exists()


def test_skipping_bad_rows_imports_the_good_ones(org, leader):
    rows = [*two_cases(), row(case_id="D-3", cpr=cpr_for(datetime.date(2013, 1, 1), 2), district="Atlantis")]
    report = run(leader, csv_bytes(rows), skip_bad_rows=True)
    assert report["committed"]
    assert (report["created_rows"], report["bad_rows"]) == (3, 1)
    assert Child.objects.count() == 2
    assert [e["row"] for e in report["errors"]] == [5]


def test_a_refusal_while_writing_undoes_the_whole_import(org, leader):
    """A service that refuses a row during the writes (here ``case_assign``: Charlie does not
    advise in team A) rolls back everything, the new child of another row included."""
    run(leader, csv_bytes(two_cases()))
    rows = two_cases()
    rows[0][4] = rows[1][4] = "charlie"
    rows.append(row(case_id="D-9", cpr=cpr_for(datetime.date(2010, 5, 5), 9), first="Ny"))
    report = run(leader, csv_bytes(rows))
    assert not report["committed"]
    assert report["errors"] == [
        {"row": 2, "column": "Sagsbehandler", "message": f"{org.outsider} er ikke socialrådgiver i Team A."}
    ]
    assert not Child.objects.filter(first_name="Ny").exists()
    assert Case.objects.get(child__first_name="Ida").advisor == org.advisor
    skipped = run(leader, csv_bytes(rows), skip_bad_rows=True)
    assert skipped["committed"] and Child.objects.filter(first_name="Ny").exists()


def test_names_of_a_child_on_a_closed_case_are_not_changed(org, leader):
    run(leader, csv_bytes(two_cases()))
    Case.objects.filter(child__first_name="Ida").update(state="closed", closed_on=TODAY)
    rows = two_cases()
    rows[0][2] = rows[1][2] = "Idamaria"
    report = run(leader, csv_bytes(rows))
    assert [e["column"] for e in report["errors"]] == ["Fornavn"]


def test_changes_go_through_the_services(org, leader):
    run(leader, csv_bytes(two_cases()))
    rows = two_cases()
    rows[0][4] = rows[1][4] = "bob"  # another advisor
    rows[0][11] = "Familiecenteret Nord"  # provider
    rows[0][12] = "20-02-2026"  # a newer follow-up
    rows[1][10] = "28-02-2026"  # the contact person ended
    report = run(leader, csv_bytes(rows))
    assert report["committed"], report["errors"]
    assert report["updated"] == {"children": 0, "cases": 1, "measures": 2}
    assert report["created"]["followups"] == 1
    assert (report["updated_rows"], report["unchanged_rows"]) == (2, 1)
    case = Case.objects.get(child__first_name="Ida")
    assert case.advisor == org.colleague
    family, contact = case.measures.order_by("start_date")
    assert family.provider == "Familiecenteret Nord"
    assert (contact.actual_end, contact.ending_reason) == (datetime.date(2026, 2, 28), "other")
    assert FollowUp.objects.filter(measure=family).count() == 2


def test_an_end_date_changed_in_dubu_after_ours_is_a_row_error(org, leader):
    rows = two_cases()
    rows[1][10] = "01-01-2026"
    run(leader, csv_bytes(rows))
    rows[1][10] = "15-01-2026"
    report = run(leader, csv_bytes(rows))
    assert report["errors"][0]["column"] == "Slutdato"


def test_new_cases_go_only_to_teams_the_importer_leads(org):
    rows = [row(district="Distrikt B", advisor="charlie")]
    report = run(org.team_leader, csv_bytes(rows))
    assert report["errors"][0]["message"] == "Du er ikke teamleder for Team B og kan ikke oprette sager der."
    assert run(org.other_team_leader, csv_bytes(rows))["committed"]


def test_only_team_leaders_import(org):
    with pytest.raises(PermissionDenied):
        run(org.advisor, csv_bytes(two_cases()))


def test_the_caseload_cap_refuses_a_row_above_it(org, leader):
    org.team_a.caseload_cap, org.team_a.caseload_warning = 2, 1
    org.team_a.save()
    rows = [
        row(
            case_id=f"D-{n}",
            cpr=cpr_for(datetime.date(2012, 1, n), n),
            service="",
            offer="",
            start="",
            provider="",
        )
        for n in (1, 2, 3)
    ]
    report = run(leader, csv_bytes(rows))
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(4, "Sagsbehandler")]
    assert "loftet i Team A er 2" in report["errors"][0]["message"]
    assert run(leader, csv_bytes(rows), skip_bad_rows=True)["created"]["cases"] == 2


def test_rows_of_one_case_must_agree_on_the_child(org, leader):
    rows = two_cases()
    rows[1][3] = "Lund-Hansen"
    report = run(leader, csv_bytes(rows))
    assert report["errors"] == [
        {"row": 3, "column": "Efternavn", "message": "Afviger fra række 2 for samme DUBU-sag."}
    ]


def test_the_report_never_holds_a_cpr_number(org, leader):
    cpr = cpr_for(datetime.date(2014, 2, 3), 5)
    rows = [row(cpr=cpr, start=cpr[:6] + "-" + cpr[6:])]
    report = run(leader, csv_bytes(rows))
    text = str(report) + str(ImportRun.objects.get().report)
    assert cpr not in text and cpr[6:] not in text


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8"), (",", "utf-8"), (";", "utf-8-sig"), (";", "cp1252"), (",", "cp1252")],
)
def test_csv_in_every_dialect_reads_the_same(org, leader, delimiter, encoding):
    rows = two_cases()
    rows[2][3] = "Bærentsen"  # a Danish letter, as cp1252 writes it
    report = run(leader, csv_bytes(rows, delimiter=delimiter, encoding=encoding), dry_run=True)
    assert not report["errors"]
    assert report["created"]["measures"] == 3


def test_xlsx_is_read_with_dates_as_cells(org, leader):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for values in two_cases():
        values[9] = datetime.datetime.strptime(values[9], "%d-%m-%Y")
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    report = import_file(content=out.getvalue(), file_name="dubu.xlsx", user=leader).as_dict()
    assert report["committed"], report["errors"]
    assert Measure.objects.filter(start_date=datetime.date(2025, 9, 1)).exists()


def test_an_unreadable_file_or_a_missing_column_is_reported(org, leader):
    report = run(leader, b"\x81\x8d\x8f\x90\x9d")
    assert report["errors"][0]["row"] == 0
    header = [h for h in HEADER if h != "Distrikt"]
    report = run(leader, csv_bytes([], header=header))
    assert report["errors"] == [{"row": 1, "column": "Distrikt", "message": "Kolonnen mangler i filen."}]


def test_the_most_specific_line_of_the_code_table_wins_and_codes_are_read_too(org, leader):
    profile = MappingProfile.default()
    CodeMapping.objects.create(
        profile=profile,
        service="Forebyggende foranstaltning",
        offer="Familiebehandling",
        legal_basis="SEL § 52, stk. 3, nr. 3",
        measure_type=measure_type("mst"),
    )
    rows = [
        row(legal="SEL § 52, stk. 3, nr. 3"),
        row(offer="", start="01-10-2025"),
        row(service="respite_care", offer="", start="01-11-2025"),
    ]
    run(leader, csv_bytes(rows))
    assert list(Measure.objects.order_by("start_date").values_list("measure_type__code", flat=True)) == [
        "mst",
        "preventive",
        "respite_care",
    ]


def test_aftercare_rows_by_either_name_map_to_the_aftercare_types(org, leader):
    """Extracts name aftercare "Ungestøtte" (Barnets Lov §§ 114-116) or, from before 2024,
    "Efterværn"; both reach the catalog's aftercare types instead of a row error."""
    young = cpr_for(datetime.date(2007, 1, 5), 3)
    rows = [
        row(
            cpr=young,
            service="Ungestøtte",
            offer="Opretholdt døgnophold",
            start="01-02-2025",
            end="31-10-2025",
        ),
        row(cpr=young, service="Efterværn", offer="Kontaktperson", start="01-11-2025"),
        row(cpr=young, service="Ungestøtte", offer="Udslusning", start="01-12-2025"),
    ]
    report = run(leader, csv_bytes(rows))
    assert report["committed"] and not report["errors"], report["errors"]
    assert list(Measure.objects.order_by("start_date").values_list("measure_type__code", flat=True)) == [
        "aftercare_residential",
        "aftercare_contact_person",
        "aftercare_other",
    ]


def test_a_row_given_twice_in_one_file_creates_one_measure(org, leader):
    rows = two_cases()
    report = run(leader, csv_bytes([*rows, rows[1]]))
    assert report["committed"] and not report["errors"]
    # The repeated row finds the measure its earlier twin makes, as a second import would.
    assert (report["rows"], report["created_rows"], report["unchanged_rows"]) == (4, 3, 1)
    assert report["created"]["measures"] == 3
    assert (
        Measure.objects.filter(case__child__first_name="Ida", measure_type__code="contact_person").count()
        == 1
    )


def test_a_row_given_twice_for_an_existing_measure_changes_it_once(org, leader):
    run(leader, csv_bytes(two_cases()))
    rows = two_cases()
    rows[1][11] = "Hedebocentret Syd"  # a new provider, in two identical rows
    history = Measure.history.count()
    report = run(leader, csv_bytes([*rows, rows[1]]))
    assert report["committed"] and not report["errors"]
    assert (report["updated_rows"], report["unchanged_rows"]) == (1, 3)
    assert report["updated"]["measures"] == 1
    assert Measure.history.count() == history + 1


def test_a_repeated_row_that_says_something_else_is_a_row_error(org, leader):
    rows = two_cases()
    other = list(rows[1])
    other[11] = "Et andet sted"
    report = run(leader, csv_bytes([*rows, other]))
    assert not report["committed"]
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(5, "Startdato")]
    assert "række 3" in report["errors"][0]["message"]
    assert not Measure.objects.exists()
