"""Export, then import the export: nothing changes (CSV and XLSX, DUBU's cases and our own)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, Child
from dubu import exporter
from dubu.importer import import_file
from dubu.models import MappingProfile
from followups.models import FollowUp
from herning.audit.models import AccessLog
from measures import services as measure_services
from measures.models import LadderMovement, Measure
from tests.dubu.conftest import csv_bytes, row
from tests.factories import HEARD, CaseFactory, measure_type

pytestmark = pytest.mark.django_db


def _our_own_case(org):
    """A case made on the pages (no DUBU id), with a running and an ended measure."""
    case = CaseFactory(team=org.team_a, advisor=org.colleague, opened_on=datetime.date(2025, 1, 6))
    today = timezone.localdate()
    measure_services.measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("institution"),
        start_date=today - datetime.timedelta(days=200),
        decided_by=org.team_leader,
        provider="Opholdsstedet Engly",
    )
    ended = measure_services.measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("respite_care"),
        start_date=today - datetime.timedelta(days=300),
        decided_by=org.team_leader,
    )
    measure_services.measure_end(
        measure=ended,
        end_date=today - datetime.timedelta(days=100),
        ending_reason="planned",
        ended_by=org.team_leader,
    )
    return case


def _counts():
    return [m.objects.count() for m in (Child, Case, Measure, FollowUp, LadderMovement)]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(org, file_format):
    leader = org.team_leader
    import_file(
        content=csv_bytes([row(last_followup="15-12-2025"), row(offer="Aflastning", start="01-10-2025")]),
        file_name="dubu.csv",
        user=leader,
    )
    CaseFactory(team=org.team_a, advisor=org.advisor)  # a case without measures
    _our_own_case(org)
    profile = MappingProfile.default()
    make = exporter.export_xlsx if file_format == "xlsx" else exporter.export_csv
    content = make(user=leader, profile=profile)
    before, history = _counts(), Case.history.count()
    report = import_file(content=content, file_name=f"udtraek.{file_format}", user=leader).as_dict()
    assert not report["errors"]
    assert report["rows"] == 5
    assert report["unchanged_rows"] == 5
    assert report["created"] == dict.fromkeys(("children", "cases", "links", "measures", "followups"), 0)
    assert report["updated"] == dict.fromkeys(("children", "cases", "measures"), 0)
    assert _counts() == before
    assert Case.history.count() == history


def test_export_writes_the_profile_columns_dubu_ids_and_our_own(org):
    leader = org.team_leader
    import_file(content=csv_bytes([row()]), file_name="dubu.csv", user=leader)
    own = _our_own_case(org)
    text = exporter.export_csv(user=leader, profile=MappingProfile.default()).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("DUBU sags-id;CPR-nummer;Fornavn;Efternavn;Sagsbehandler;Distrikt;Ydelse")
    assert any(line.startswith("D-1001;030214-") for line in lines)
    assert any(line.startswith(f"H{own.pk};") and ";Anbringelse;Døgninstitution;" in line for line in lines)
    assert AccessLog.objects.filter(channel="export", user=leader).count() == 2


def test_export_holds_only_the_cases_the_person_may_read(org):
    CaseFactory(team=org.team_b, advisor=org.outsider)
    mine = CaseFactory(team=org.team_a, advisor=org.advisor)
    text = exporter.export_csv(user=org.team_leader, profile=MappingProfile.default()).decode("utf-8-sig")
    assert [line.split(";")[0] for line in text.splitlines()[1:]] == [f"H{mine.pk}"]


def test_plan_of_an_imported_case_survives_the_round_trip(org):
    """Work done on the pages after an import (a plan) is not touched by importing an export."""
    leader = org.team_leader
    import_file(content=csv_bytes([row()]), file_name="dubu.csv", user=leader)
    case = Case.objects.get()
    case_services.plan_create(
        case=case,
        kind="barnets_plan",
        made_on=timezone.localdate(),
        goals=[case_services.GoalData("Mål", "Alle", "Samtaler", timezone.localdate())],
        created_by=leader,
    )
    content = exporter.export_csv(user=leader, profile=MappingProfile.default())
    assert import_file(content=content, file_name="x.csv", user=leader).as_dict()["unchanged_rows"] == 1
    assert case.plans.count() == 1
