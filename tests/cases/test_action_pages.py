"""The pages that change a child or a case: who may use them, what they save, and that bad input
gets a Danish message and loses nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseState, Child, Goal, JournalNote, Plan, Relation
from herning.audit.models import AccessLog
from measures.models import LadderMovement, Measure
from measures.services import measure_start
from tests.factories import HEARD, CaseFactory, cpr_for, measure_type
from tests.pages import with_folds

D = datetime.date


def test_finding_a_child_by_cpr_goes_by_post_and_logs_the_hit(org, case, login):
    client = login(org.advisor)
    response = client.post(reverse("cases:find_child"), {"cpr": case.child.formatted_cpr})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:child_detail", args=[case.child_id])
    assert case.child.cpr not in response["Location"]
    search = AccessLog.objects.get(channel=AccessLog.Channel.SEARCH)
    assert (search.user, search.child) == (org.advisor, case.child)


def test_a_cpr_number_in_the_query_string_is_refused_and_finds_nothing(org, case, login):
    # A CPR number in an address would land in proxies' and browsers' logs (docs/access.md).
    response = login(org.advisor).get(reverse("cases:find_child"), {"cpr": case.child.cpr})
    assert response.status_code == 400
    assert not AccessLog.objects.exists()


def test_a_child_of_another_team_is_not_found_and_nothing_is_revealed(org, login):
    other = CaseFactory(team=org.team_b, advisor=org.outsider)
    response = login(org.advisor).post(reverse("cases:find_child"), {"cpr": other.child.cpr})
    assert response.status_code == 200
    page = response.content.decode()
    assert "ikke noget barn med dette CPR-nummer" in page
    assert other.child.first_name not in page
    assert not AccessLog.objects.exists()


def test_a_malformed_cpr_number_is_explained_in_danish(org, login):
    page = login(org.advisor).post(reverse("cases:find_child"), {"cpr": "3102174321"}).content.decode()
    assert "gyldig dato" in page


def test_searching_by_name_opens_the_case_list_without_the_name_in_the_address(org, login):
    client = login(org.advisor)
    CaseFactory(team=org.team_a, advisor=org.advisor, child__first_name="Idaline")
    CaseFactory(team=org.team_a, advisor=org.advisor, child__first_name="Bo")
    page = client.get(reverse("cases:find_child")).content.decode()
    assert f'<form method="post" action="{reverse("cases:case_list")}" role="search">' in page
    response = client.post(reverse("cases:case_list"), {"q": "Idaline", "state": "all"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_list")
    page = client.get(response["Location"]).content.decode()
    assert "Idaline" in page and ">Bo " not in page


def test_a_cpr_number_with_a_birth_date_in_the_future_is_refused_at_the_field(org, login):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = login(org.advisor).post(
        reverse("cases:child_create"),
        child_form(cpr=cpr_for(tomorrow, 3), school_district=org.school_a.pk),
    )
    assert response.status_code == 200
    assert "fødselsdato i fremtiden" in str(response.context["form"].errors["cpr"])
    assert not Child.objects.exists()


def child_form(**extra):
    return {
        "cpr": "070717-4321",
        "first_name": "Ida",
        "last_name": "Holm",
        "school_district": "",
        "district": "",
        "case-opened_on": timezone.localdate().isoformat(),
        **extra,
    }


def test_an_advisor_registers_a_child_and_becomes_the_advisor_of_its_new_case(org, login):
    response = login(org.advisor).post(
        reverse("cases:child_create"), child_form(school_district=org.school_a.pk)
    )
    child = Child.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:child_detail", args=[child.pk])
    case = child.cases.get()
    assert (child.district, case.advisor, case.team, case.state) == (
        org.district_a,
        org.advisor,
        org.team_a,
        CaseState.CLARIFICATION,
    )


def test_registering_a_child_says_what_is_wrong_and_keeps_what_was_typed(org, login):
    response = login(org.advisor).post(
        reverse("cases:child_create"), child_form(cpr="310217-4321", first_name="Kåre")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ret de markerede felter" in page
    assert "gyldig dato" in page
    assert "Vælg barnets distrikt eller skoledistrikt" in page
    assert 'value="Kåre"' in page
    assert not Child.objects.exists()


def test_a_child_already_registered_is_not_registered_twice(org, case, login):
    page = (
        login(org.advisor)
        .post(reverse("cases:child_create"), child_form(cpr=case.child.cpr, district=org.district_a.pk))
        .content.decode()
    )
    assert "allerede registreret" in page
    assert Child.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"), [("advisor", 200), ("team_leader", 200), ("case_admin", 403), ("management", 403)]
)
def test_who_may_register_a_child(org, login, persona, status):
    assert login(getattr(org, persona)).get(reverse("cases:child_create")).status_code == status


# Changing a case of Alice's: she and her team leader may; a reader may not (403); others do
# not see the case at all (404).
WRITERS = {
    "advisor": 302,
    "team_leader": 302,
    "colleague": 404,
    "outsider": 404,
    "other_team_leader": 404,
    "management": 404,
}


@pytest.mark.parametrize(("persona", "status"), WRITERS.items())
def test_who_may_write_in_the_journal(org, case, login, persona, status):
    response = login(getattr(org, persona)).post(
        reverse("cases:journal_add", args=[case.pk]),
        {
            "heading": JournalNote.Heading.CHILD_CONVERSATION,
            "occurred_on": case.opened_on.isoformat(),
            "text": "Samtale",
        },
    )
    assert response.status_code == status
    assert JournalNote.objects.filter(case=case).count() == (1 if status == 302 else 0)


def test_a_participant_reads_but_does_not_write(org, case, login):
    services.case_participant_add(case=case, user=org.psychologist, added_by=org.advisor)
    client = login(org.psychologist)
    assert client.get(reverse("cases:journal_add", args=[case.pk])).status_code == 403
    assert client.get(reverse("measures:measure_start", args=[case.pk])).status_code == 403


def test_a_journal_note_is_added_in_place_with_htmx(org, case, login):
    response = login(org.advisor).post(
        reverse("cases:journal_add", args=[case.pk]),
        {
            "heading": JournalNote.Heading.PHONE_CALL,
            "occurred_on": case.opened_on.isoformat(),
            "text": "Ringede til far",
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="journal-panel">')
    assert "Ringede til far" in body and "Notatet er gemt" in body


def test_an_empty_journal_note_is_refused_in_danish_in_place(org, case, login):
    response = login(org.advisor).post(
        reverse("cases:journal_add", args=[case.pk]), {"heading": "", "text": ""}, HTTP_HX_REQUEST="true"
    )
    assert "Dette felt er påkrævet" in response.content.decode()
    assert not JournalNote.objects.exists()


def test_correcting_a_note_shows_who_and_why_on_the_child_page(org, case, login):
    note = services.journal_add(
        case=case, heading=JournalNote.Heading.NOTE, text="Forkert", written_by=org.advisor
    )
    client = login(org.advisor)
    response = client.post(
        reverse("cases:journal_correct", args=[note.pk]),
        {
            "heading": note.heading,
            "occurred_on": note.occurred_on.isoformat(),
            "text": "Rigtigt",
            "correction_reason": "Slåfejl",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Rigtigt" in page and "Slåfejl" in page and "Rettet af" in page


def test_closing_a_case_with_a_running_measure_says_why_not(org, case, login):
    measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("mst"),
        start_date=case.opened_on,
        decided_by=org.advisor,
    )
    response = login(org.advisor).post(
        reverse("cases:case_close", args=[case.pk]),
        {"closed_on": case.opened_on.isoformat(), "closing_reason": Case.ClosingReason.GOALS_MET},
    )
    assert response.status_code == 200
    assert "Afslut dem, før sagen lukkes" in response.content.decode()
    case.refresh_from_db()
    assert case.is_open


def test_a_closed_case_is_read_only_for_everybody(org, case, login):
    services.case_close(case=case, closed_on=case.opened_on, closing_reason="no_need", closed_by=org.advisor)
    client = login(org.team_leader)
    page = with_folds(client, reverse("cases:case_detail", args=[case.pk]))
    assert "Sagen er lukket og kan kun læses" in page
    assert client.get(reverse("cases:journal_add", args=[case.pk])).status_code == 403
    assert client.get(reverse("cases:case_state", args=[case.pk])).status_code == 403


def test_starting_and_ending_a_measure_through_the_pages_moves_the_case(org, case, login):
    client = login(org.advisor)
    start = case.opened_on - datetime.timedelta(days=40)
    response = client.post(
        reverse("measures:measure_start", args=[case.pk]),
        {
            "measure_type": measure_type("foster_family").pk,
            "provider": "Plejefamilien Holm",
            "start_date": start.isoformat(),
            "decision_basis": Measure.DecisionBasis.WITH_CONSENT,
            "movement_reason": "",
            "hearing_on": start.isoformat(),
            "hearing_note": "Barnet vil gerne bo hos plejefamilien.",
        },
    )
    assert response.status_code == 302
    measure = Measure.objects.get(case=case)
    assert Plan.objects.get(case=case).due_on is not None
    response = client.post(
        reverse("measures:measure_end", args=[measure.pk]),
        {
            "end_date": (start + datetime.timedelta(days=10)).isoformat(),
            "ending_reason": Measure.EndingReason.BREAKDOWN,
        },
    )
    assert response.status_code == 302
    reasons = list(LadderMovement.objects.filter(case=case).values_list("reason", flat=True))
    assert reasons == [LadderMovement.Reason.FIRST_MEASURE, LadderMovement.Reason.PLACEMENT_FAILED]
    page = with_folds(client, reverse("cases:case_detail", args=[case.pk]))
    assert "Sammenbrud" in page and "Anbringelsen fungerede ikke" in page


def test_a_measure_ending_before_it_started_is_refused_in_danish(org, case, login):
    measure = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("mst"),
        start_date=case.opened_on,
        decided_by=org.advisor,
    )
    response = login(org.advisor).post(
        reverse("measures:measure_end", args=[measure.pk]),
        {"end_date": (case.opened_on - datetime.timedelta(days=1)).isoformat(), "ending_reason": "planned"},
    )
    assert "Slutdatoen kan ikke ligge før startdatoen" in response.content.decode()


def test_changing_a_measure_through_its_page(org, case, login):
    measure = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("institution"),
        start_date=case.opened_on - datetime.timedelta(days=90),
        decided_by=org.advisor,
    )
    response = login(org.advisor).post(
        reverse("measures:measure_change", args=[measure.pk]),
        {
            "change_date": case.opened_on.isoformat(),
            "new_measure_type": measure_type("foster_family").pk,
            "decision_basis": Measure.DecisionBasis.WITH_CONSENT,
            "ending_reason": Measure.EndingReason.CHILDS_WISH,
            "hearing_omitted": Measure.HearingOmitted.CHILD_DECLINED,
            "hearing_omitted_note": "Barnet ønskede ikke at tale om skiftet.",
        },
    )
    assert response.status_code == 302
    assert LadderMovement.objects.filter(case=case).last().reason == LadderMovement.Reason.CHILDS_WISH


def test_an_outsider_cannot_reach_a_measure_by_its_id(org, case, login):
    measure = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("mst"),
        start_date=case.opened_on,
        decided_by=org.advisor,
    )
    client = login(org.outsider)
    assert client.get(reverse("measures:measure_end", args=[measure.pk])).status_code == 404
    assert client.get(reverse("measures:measure_change", args=[measure.pk])).status_code == 404


def goal_rows(prefix="goals", rows=(), total=None, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(total if total is not None else len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def test_writing_and_revising_the_plan_through_the_pages(org, case, login):
    client = login(org.advisor)
    made = case.opened_on.isoformat()
    goal = {
        "what": "Skolegang",
        "who": "Ida og skolen",
        "how_measured": "Fravær under 5 %",
        "by_when": "2030-01-01",
        "status": Goal.Status.NOT_STARTED,
    }
    incomplete = {
        "what": "Fritid",
        "who": "",
        "how_measured": "",
        "by_when": "",
        "status": Goal.Status.NOT_STARTED,
    }
    response = client.post(
        reverse("cases:plan_create", args=[case.pk]),
        {
            "kind": Plan.Kind.CHILD_PLAN,
            "made_on": made,
            "purpose": "Trivsel",
            **goal_rows(rows=[goal, incomplete]),
        },
    )
    assert "Dette felt er påkrævet" in response.content.decode()
    assert not Plan.objects.exists()

    response = client.post(
        reverse("cases:plan_create", args=[case.pk]),
        {"kind": Plan.Kind.CHILD_PLAN, "made_on": made, "purpose": "Trivsel", **goal_rows(rows=[goal])},
    )
    assert response.status_code == 302
    plan = Plan.objects.get()
    first_goal = plan.goals.get()
    revised = {**goal, "carried_from": str(first_goal.pk), "keep": "on", "status": Goal.Status.PARTLY_MET}
    response = client.post(
        reverse("cases:plan_revise", args=[plan.pk]),
        {"kind": plan.kind, "made_on": made, "purpose": "Trivsel", **goal_rows(rows=[revised], initial=1)},
    )
    assert response.status_code == 302
    second = Plan.objects.get(version=2)
    assert second.goals.get().carried_from == first_goal
    response = client.post(
        reverse("cases:goal_status", args=[second.goals.get().pk]),
        {"status": Goal.Status.MET, "note": "Flot"},
    )
    assert response.status_code == 302
    assert second.goals.get().status == Goal.Status.MET


def test_the_team_leader_assigns_from_the_case_and_an_advisor_may_not(org, login):
    case = CaseFactory(team=org.team_a, advisor=None, state=CaseState.NOTIFICATION)
    assert login(org.advisor).get(reverse("cases:case_assign", args=[case.pk])).status_code == 404
    response = login(org.team_leader).post(
        reverse("cases:case_assign", args=[case.pk]), {"advisor": org.colleague.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.advisor == org.colleague


def test_the_state_page_refuses_aftercare_for_a_child(org, login):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, child__cpr=cpr_for(D(2015, 1, 1), 4))
    response = login(org.advisor).post(
        reverse("cases:case_state", args=[case.pk]), {"state": CaseState.AFTERCARE}
    )
    assert "Efterværn gives til unge mellem 18 og 22 år" in response.content.decode()


def test_investigation_pages_warn_until_a_network_map_is_attached(org, case, login):
    client = login(org.advisor)
    assert (
        client.post(
            reverse("cases:investigation_open", args=[case.pk]), {"decided_on": case.opened_on.isoformat()}
        ).status_code
        == 302
    )
    page = with_folds(client, reverse("cases:case_detail", args=[case.pk]))
    assert "Der er ikke tilknyttet et netværkskort" in page
    investigation = case.investigations.get()
    response = client.post(
        reverse("cases:investigation_complete", args=[investigation.pk]),
        {"completed_on": case.opened_on.isoformat(), "conclusion": "Ingen foranstaltning"},
    )
    assert response.status_code == 302


def test_relations_are_added_corrected_and_marked_former(org, case, login):
    client = login(org.advisor)
    response = client.post(
        reverse("cases:relation_add", args=[case.child_id]),
        {
            "kind": Relation.Kind.MOTHER,
            "name": "Mette",
            "has_custody": "on",
            "phone": "20202020",
            "email": "",
        },
    )
    assert response.status_code == 302
    relation = Relation.objects.get()
    assert relation.has_custody
    assert client.post(reverse("cases:relation_update", args=[relation.pk]), {"end": "1"}).status_code == 302
    relation.refresh_from_db()
    assert not relation.is_active
    assert login(org.outsider).get(reverse("cases:relation_update", args=[relation.pk])).status_code == 404


def test_participants_are_added_and_removed_by_the_advisor(org, case, login):
    client = login(org.advisor)
    assert (
        client.post(
            reverse("cases:participant_add", args=[case.pk]),
            {"user": org.health_visitor.pk, "note": "Sundhedspleje"},
        ).status_code
        == 302
    )
    participant = case.case_participants.get()
    assert client.post(reverse("cases:participant_remove", args=[case.pk, participant.pk])).status_code == 302
    assert not case.case_participants.exists()


def test_a_new_case_for_a_child_whose_case_is_closed(org, case, login):
    services.case_close(case=case, closed_on=case.opened_on, closing_reason="no_need", closed_by=org.advisor)
    client = login(org.advisor)
    response = client.post(
        reverse("cases:case_open", args=[case.child_id]), {"opened_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    assert case.child.cases.open().get().advisor == org.advisor
    assert client.get(reverse("cases:case_open", args=[case.child_id])).status_code == 403


def test_a_goal_left_out_of_a_revision_stays_only_in_the_earlier_version(org, case, login):
    plan = services.plan_create(
        case=case,
        kind=Plan.Kind.CHILD_PLAN,
        made_on=case.opened_on,
        goals=[
            services.GoalData(what=w, who="Ida", how_measured="Ses i skolen", by_when=D(2030, 1, 1))
            for w in ("Skole", "Fritid")
        ],
        created_by=org.advisor,
    )
    school, leisure = plan.goals.order_by("order")
    rows = [
        {
            "carried_from": str(school.pk),
            "keep": "on",
            "what": "Skole",
            "who": "Ida",
            "how_measured": "Ses i skolen",
            "by_when": "2030-01-01",
            "status": "in_progress",
        },
        {
            "carried_from": str(leisure.pk),
            "what": "",
            "who": "",
            "how_measured": "",
            "by_when": "",
            "status": "not_started",
        },
    ]
    response = login(org.advisor).post(
        reverse("cases:plan_revise", args=[plan.pk]),
        {
            "kind": plan.kind,
            "made_on": case.opened_on.isoformat(),
            "purpose": "",
            **goal_rows(rows=rows, initial=2),
        },
    )
    assert response.status_code == 302
    assert [g.what for g in Plan.objects.get(version=2).goals.all()] == ["Skole"]
    assert plan.goals.count() == 2
