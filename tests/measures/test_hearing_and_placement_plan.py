"""Issue 17, points 6 and 7: a placement asks for the child's plan revised for it (Barnets Lov
§ 91, stk. 2), and the child is heard before a measure starts (Barnets Lov § 5, stk. 3;
forvaltningsloven § 19), with no legal basis chosen beforehand."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services as case_services
from cases.models import JournalNote, Plan
from cases.services import GoalData
from followups.models import Deadline, DeadlineKind
from measures.models import Measure
from measures.services import Hearing, measure_change, measure_start
from tests.api.base import field_errors
from tests.dashboards.team_page import team_overview_page
from tests.factories import HEARD, CaseFactory, measure_type
from tests.fixtures import login_with_second_factor
from tests.pages import with_folds

D = datetime.date
pytestmark = pytest.mark.django_db
TODAY = "2026-03-02 10:00 +01:00"


def _goal() -> list[GoalData]:
    return [
        GoalData(
            what="Trives i plejefamilien", who="Barnet", how_measured="Samtaler", by_when=D(2026, 12, 31)
        )
    ]


def _case_with_plan(org, made_on: datetime.date = datetime.date(2026, 1, 5)):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 1, 2))
    plan = case_services.plan_create(
        case=case, kind=Plan.Kind.CHILD_PLAN, made_on=made_on, goals=_goal(), created_by=org.advisor
    )
    return case, plan


def _placement_plan(measure) -> Deadline | None:
    return Deadline.objects.filter(kind=DeadlineKind.PLACEMENT_PLAN, source_id=measure.pk).first()


# --- Point 6: a plan for each placement --------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_a_placement_on_a_case_with_a_plan_gets_a_plan_deadline_kept_by_a_revision(org):
    case, plan = _case_with_plan(org)
    measure = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("foster_family"),
        start_date=D(2026, 2, 1),
        decided_by=org.advisor,
    )
    deadline = _placement_plan(measure)
    assert deadline is not None and deadline.is_open
    assert (deadline.due_on, deadline.rule, deadline.statutory) == (
        D(2026, 5, 1),
        "Barnets Lov § 91, stk. 2",
        True,
    )
    assert (deadline.responsible, deadline.team) == (org.advisor, org.team_a)
    assert "barnets plan skal revideres" in deadline.explanation
    # The old plan version made before the placement does not keep it; a revision on or after does.
    case_services.plan_revise(plan=plan, made_on=D(2026, 2, 20), goals=_goal(), revised_by=org.advisor)
    assert not _placement_plan(measure).is_open


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_a_placement_plan_deadline_shows_on_my_day(org, login):
    case, _plan = _case_with_plan(org)
    measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("own_room"),
        start_date=D(2026, 1, 20),
        decided_by=org.advisor,
    )
    page = login(org.advisor).get("/min-dag/").content.decode()
    assert "barnets plan skal revideres" in page


@time_machine.travel(TODAY, tick=False)
def test_a_measure_that_is_no_placement_asks_for_no_plan_revision(org):
    case, _plan = _case_with_plan(org)
    measure = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("mst"),
        start_date=D(2026, 2, 1),
        decided_by=org.advisor,
    )
    assert _placement_plan(measure) is None


@time_machine.travel(TODAY, tick=False)
def test_a_placement_without_consent_is_refused_without_a_plan_before_the_decision(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 1, 2))
    start = {
        "hearing": HEARD,
        "case": case,
        "measure_type": measure_type("institution"),
        "start_date": D(2026, 2, 1),
        "decision_basis": Measure.DecisionBasis.WITHOUT_CONSENT,
        "decided_by": org.advisor,
    }
    with pytest.raises(ValidationError) as refused:
        measure_start(**start)
    assert "Barnets Lov § 91, stk. 2" in refused.value.message_dict["plan_exception"][0]
    assert not Measure.objects.filter(case=case).exists()
    # The law's exception, recorded: the decision could not wait (a provisional decision).
    measure = measure_start(**start, plan_exception="Foreløbig afgørelse, Barnets Lov § 143.")
    assert measure.plan_exception == "Foreløbig afgørelse, Barnets Lov § 143."
    # The plan is then due within the 3 months of Barnets Lov § 91, stk. 2, 2. pkt.
    plan = Plan.objects.get(case=case)
    assert (plan.due_on, plan.made_on) == (D(2026, 5, 1), None)
    assert Deadline.objects.get(kind=DeadlineKind.PLAN, source_id=plan.pk).is_open


@time_machine.travel(TODAY, tick=False)
def test_a_placement_without_consent_with_the_plan_before_it_starts_and_owes_nothing(org):
    case, _plan = _case_with_plan(org, made_on=D(2026, 1, 25))
    measure = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("institution"),
        start_date=D(2026, 2, 1),
        decision_basis=Measure.DecisionBasis.WITHOUT_CONSENT,
        decided_by=org.advisor,
    )
    assert measure.plan_exception == ""
    assert _placement_plan(measure) is None


# --- Point 7: the child is heard first --------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_a_measure_without_the_childs_hearing_or_a_reason_is_refused(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 1, 2))
    start = {
        "case": case,
        "measure_type": measure_type("mst"),
        "start_date": D(2026, 2, 1),
        "decided_by": org.advisor,
    }
    with pytest.raises(ValidationError) as refused:
        measure_start(**start)
    assert "hearing_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as late:
        measure_start(**start, hearing=Hearing.held(D(2026, 2, 2), "Barnet er enigt."))
    assert "før indsatsen begynder" in late.value.message_dict["hearing_on"][0]
    with pytest.raises(ValidationError) as unexplained:
        measure_start(**start, hearing=Hearing.not_held(Measure.HearingOmitted.URGENT, ""))
    assert "hearing_omitted_note" in unexplained.value.message_dict
    assert not Measure.objects.filter(case=case).exists()
    heard = measure_start(**start, hearing=Hearing.held(D(2026, 1, 28), "Barnet er enigt."))
    assert (heard.hearing_on, heard.child_heard) == (D(2026, 1, 28), True)


@time_machine.travel(TODAY, tick=False)
def test_a_change_to_another_measure_also_asks_for_the_hearing(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 1, 2))
    old = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("mst"),
        start_date=D(2026, 1, 5),
        decided_by=org.advisor,
    )
    change = {
        "measure": old,
        "change_date": D(2026, 2, 1),
        "ending_reason": Measure.EndingReason.CHANGED_MEASURE,
        "new_measure_type": measure_type("family_treatment"),
        "decided_by": org.advisor,
    }
    with pytest.raises(ValidationError):
        measure_change(**change)
    new = measure_change(
        **change, hearing=Hearing.not_held(Measure.HearingOmitted.AGE_MATURITY, "Barnet er 1 år.")
    )
    assert (new.hearing_omitted, new.child_heard) == (Measure.HearingOmitted.AGE_MATURITY, False)


@time_machine.travel(TODAY, tick=False)
def test_the_hearing_may_be_the_journal_note_headed_so(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 1, 2))
    other = case_services.journal_add(
        case=case,
        heading=JournalNote.Heading.PHONE_CALL,
        text="Opkald.",
        written_by=org.advisor,
        occurred_on=D(2026, 1, 20),
    )
    note = case_services.journal_add(
        case=case,
        heading=JournalNote.Heading.HEARING_CHILD,
        text="Barnet vil gerne have familiebehandling.",
        written_by=org.advisor,
        occurred_on=D(2026, 1, 21),
    )
    start = {
        "case": case,
        "measure_type": measure_type("mst"),
        "start_date": D(2026, 2, 1),
        "decided_by": org.advisor,
    }
    with pytest.raises(ValidationError) as refused:
        measure_start(**start, hearing=Hearing(journal_note=other))
    assert "hearing_journal_note" in refused.value.message_dict
    measure = measure_start(**start, hearing=Hearing(journal_note=note))
    assert (measure.hearing_journal_note, measure.hearing_on) == (note, D(2026, 1, 21))


@time_machine.travel(TODAY, tick=False)
def test_the_start_page_asks_for_the_hearing_and_chooses_no_legal_basis(org, login):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 1, 2))
    client = login(org.advisor)
    url = reverse("measures:measure_start", args=[case.pk])
    page = client.get(url).content.decode()
    assert 'value="with_consent" selected' not in page and 'value="with_consent"' in page
    assert 'name="hearing_on"' in page and 'name="hearing_omitted"' in page
    response = client.post(url, {"measure_type": measure_type("mst").pk, "start_date": "2026-02-01"})
    form = response.context["form"]
    assert "Vælg, om afgørelsen træffes med eller uden samtykke." in form.errors["decision_basis"]
    response = client.post(
        url,
        {
            "measure_type": measure_type("mst").pk,
            "start_date": "2026-02-01",
            "decision_basis": "with_consent",
        },
    )
    assert response.status_code == 200
    assert "Barnet skal høres" in response.context["form"].errors["hearing_on"][0]
    assert not Measure.objects.filter(case=case).exists()
    response = client.post(
        url,
        {
            "measure_type": measure_type("mst").pk,
            "start_date": "2026-02-01",
            "decision_basis": "with_consent",
            "hearing_on": "2026-01-30",
            "hearing_note": "Barnet vil gerne.",
        },
    )
    assert response.status_code == 302
    assert Measure.objects.get(case=case).hearing_note == "Barnet vil gerne."
    page = with_folds(client, reverse("cases:case_detail", args=[case.pk]))
    assert "Barnet hørt 30.01.2026" in page


@time_machine.travel(TODAY, tick=False)
def test_the_change_page_chooses_no_legal_basis(org, login):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 1, 2))
    old = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("mst"),
        start_date=D(2026, 1, 5),
        decided_by=org.advisor,
    )
    client = login(org.advisor)
    url = reverse("measures:measure_change", args=[old.pk])
    assert 'value="with_consent" selected' not in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "change_date": "2026-02-01",
            "new_measure_type": measure_type("family_treatment").pk,
            "ending_reason": "changed_measure",
        },
    )
    assert "decision_basis" in response.context["form"].errors


@time_machine.travel(TODAY, tick=False)
def test_the_api_requires_the_legal_basis_and_the_hearing(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 1, 2))
    client = login_with_second_factor(APIClient(), org.advisor)
    body = {"case": case.pk, "measure_type": "mst", "start_date": "2026-02-01"}
    response = client.post("/api/v1/measures/", body, format="json")
    assert response.status_code == 400
    assert field_errors(response)["decision_basis"] == [
        "Vælg, om afgørelsen træffes med eller uden samtykke."
    ]
    response = client.post("/api/v1/measures/", {**body, "decision_basis": "with_consent"}, format="json")
    assert response.status_code == 400
    assert "Barnet skal høres" in field_errors(response)["hearing_on"][0]
    response = client.post(
        "/api/v1/measures/",
        {**body, "decision_basis": "with_consent", "hearing_on": "2026-01-29", "hearing_note": "Enig."},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["hearing_on"] == "2026-01-29"


@time_machine.travel(TODAY, tick=False)
def test_the_team_overview_lists_the_measures_started_without_the_childs_hearing(org, login):
    heard_case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 1, 2))
    unheard_case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 1, 2))
    measure_start(
        hearing=HEARD,
        case=heard_case,
        measure_type=measure_type("mst"),
        start_date=D(2026, 2, 1),
        decided_by=org.advisor,
    )
    measure_start(
        hearing=Hearing.not_held(Measure.HearingOmitted.URGENT, "Akut anbringelse om natten."),
        case=unheard_case,
        measure_type=measure_type("family_treatment"),
        start_date=D(2026, 2, 2),
        decided_by=org.advisor,
    )
    page = team_overview_page(login(org.team_leader))
    table = page[page.index('id="unheard-measures"') :]
    table = table[: table.index("</table>")]
    assert unheard_case.child.full_name in table and "Akut anbringelse om natten." in table
    assert heard_case.child.full_name not in table


@time_machine.travel(TODAY, tick=False)
def test_the_start_page_refuses_a_measure_identical_to_a_running_one_at_its_start_date(org, login):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 1, 2))
    client = login(org.advisor)
    url = reverse("measures:measure_start", args=[case.pk])
    body = {
        "measure_type": measure_type("mst").pk,
        "start_date": "2026-02-01",
        "decision_basis": "with_consent",
        "hearing_on": "2026-01-30",
        "hearing_note": "Barnet vil gerne.",
    }
    assert client.post(url, body).status_code == 302
    response = client.post(url, body)  # the button pressed twice
    assert response.status_code == 200
    assert "igangværende indsats" in response.context["form"].errors["start_date"][0]
    assert Measure.objects.filter(case=case).count() == 1
