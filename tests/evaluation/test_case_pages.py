"""Point 7's complaints register and point 8's SDQ scores, entered from a case: who may read and
write them, the Danish validation, and the access log."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from cases.models import CaseParticipant, CaseState
from evaluation.models import Complaint, SdqScore
from herning.audit.models import AccessLog
from tests.factories import CaseFactory, ChildFactory, cpr_for
from tests.pages import with_folds

D = datetime.date

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel("2026-01-15 10:00 +01:00", tick=False):
        yield


@pytest.fixture
def case(org):
    child = ChildFactory(
        municipality=org.municipality,
        district=org.district_a,
        cpr=cpr_for(D(2014, 5, 3), 7),
        last_name="Holm",
    )
    case = CaseFactory(team=org.team_a, advisor=org.advisor, child=child, state=CaseState.MEASURES)
    CaseParticipant.objects.create(case=case, user=org.psychologist)
    return case


def complaints_url(case):
    return f"/evaluering/sager/{case.pk}/klager/"


def sdq_url(case):
    return f"/evaluering/sager/{case.pk}/sdq/"


READERS = {"advisor": 200, "team_leader": 200, "psychologist": 200}
OUTSIDERS = ["colleague", "outsider", "other_team_leader", "management", "case_admin", "sysadmin"]


@pytest.mark.parametrize("persona", [*READERS, *OUTSIDERS])
def test_case_pages_are_read_by_those_who_may_read_the_case(org, case, login, persona):
    client = login(getattr(org, persona))
    expected = READERS.get(persona, 404)
    assert client.get(complaints_url(case)).status_code == expected
    assert client.get(sdq_url(case)).status_code == expected


def test_advisor_registers_a_complaint_and_it_counts_for_the_team(org, case, login):
    client = login(org.advisor)
    response = client.post(
        complaints_url(case),
        {"received_on": "2026-01-10", "subject": "decision", "description": "Om afgørelsen"},
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.case, complaint.team, complaint.outcome) == (
        case,
        org.team_a,
        Complaint.Outcome.PENDING,
    )
    assert complaint.history.first().history_user == org.advisor
    assert "Om afgørelsen" in client.get(complaints_url(case)).content.decode()


def test_a_complaint_from_the_future_is_refused_in_danish(org, case, login):
    response = login(org.team_leader).post(
        complaints_url(case), {"received_on": "2026-02-01", "subject": "other"}
    )
    assert response.status_code == 400
    assert "Datoen for modtagelse kan ikke ligge i fremtiden." in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_outcome_of_a_complaint_needs_its_date(org, case, login):
    client = login(org.advisor)
    client.post(complaints_url(case), {"received_on": "2026-01-02", "subject": "decision"})
    complaint = Complaint.objects.get()
    prefix = f"c{complaint.pk}"
    refused = client.post(complaints_url(case), {"complaint": complaint.pk, f"{prefix}-outcome": "rejected"})
    assert refused.status_code == 400
    assert "Angiv, hvornår klagen blev afgjort." in refused.content.decode()
    done = client.post(
        complaints_url(case),
        {"complaint": complaint.pk, f"{prefix}-outcome": "rejected", f"{prefix}-decided_on": "2026-01-12"},
    )
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.outcome, complaint.decided_on) == ("rejected", D(2026, 1, 12))


def test_a_participant_reads_but_does_not_register_complaints(org, case, login):
    client = login(org.psychologist)
    html = client.get(complaints_url(case)).content.decode()
    assert "Registrér en klage" not in html
    assert (
        client.post(complaints_url(case), {"received_on": "2026-01-10", "subject": "decision"}).status_code
        == 403
    )


def test_a_closed_case_takes_no_new_complaint(org, case, login):
    case.state, case.closed_on = CaseState.CLOSED, D(2026, 1, 5)
    case.save()
    client = login(org.advisor)
    assert "Klager registreres af sagens rådgiver" in client.get(complaints_url(case)).content.decode()
    assert (
        client.post(complaints_url(case), {"received_on": "2026-01-10", "subject": "decision"}).status_code
        == 403
    )


def test_reading_the_case_pages_is_logged(org, case, login):
    client = login(org.team_leader)
    client.get(complaints_url(case))
    client.get(sdq_url(case))
    entries = AccessLog.objects.filter(user=org.team_leader, child=case.child).order_by("pk")
    assert [(e.channel, e.purpose, e.case) for e in entries] == [
        ("page", "Klager i sagen", case),
        ("page", "SDQ-scorer", case),
    ]


def test_the_psychologist_on_the_case_enters_sdq_scores(org, case, login):
    client = login(org.psychologist)
    response = client.post(
        sdq_url(case),
        {
            "assessed_on": "2026-01-12",
            "informant": "teacher",
            "total": "14",
            "emotional": "3",
            "conduct": "4",
            "hyperactivity": "5",
            "peer": "2",
            "prosocial": "8",
        },
    )
    assert response.status_code == 302
    score = SdqScore.objects.get()
    assert (score.child, score.case, score.total, score.prosocial) == (case.child, case, 14, 8)
    html = client.get(sdq_url(case)).content.decode()
    assert '<th scope="row">12.01.2026</th>' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "total": "15",
                "emotional": "3",
                "conduct": "4",
                "hyperactivity": "5",
                "peer": "2",
                "prosocial": "8",
            },
            "Den samlede score skal være summen af de fire vanskelighedsskalaer (14)",
        ),
        ({"total": "14", "emotional": "3"}, "Udfyld alle fem delskalaer eller ingen af dem."),
        ({"total": "41"}, "Denne værdi skal være mindre end eller lig 40."),
        (
            {"total": "10", "informant": "child", "assessed_on": "2025-05-02"},
            "Barnet kan selv besvare SDQ fra 11 år.",
        ),
        ({"total": "10", "assessed_on": "2026-02-01"}, "Datoen kan ikke ligge i fremtiden."),
    ],
)
def test_sdq_scores_are_checked_in_danish(org, case, login, data, message):
    form = {"assessed_on": "2026-01-12", "informant": "teacher", **data}
    response = login(org.advisor).post(sdq_url(case), form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SdqScore.objects.exists()


def test_the_same_informant_on_the_same_day_is_one_score(org, case, login):
    client = login(org.advisor)
    form = {"assessed_on": "2026-01-12", "informant": "parent", "total": "10"}
    assert client.post(sdq_url(case), form).status_code == 302
    response = client.post(sdq_url(case), form)
    assert response.status_code == 400
    assert "Der er allerede en SDQ-score fra samme besvarer på den dato." in response.content.decode()


def test_a_childs_scores_over_time_are_drawn_per_informant(org, case, login):
    client = login(org.advisor)
    for day, total in (("2025-01-10", 18), ("2025-06-10", 15), ("2026-01-10", 11)):
        client.post(sdq_url(case), {"assessed_on": day, "informant": "teacher", "total": total})
    html = client.get(sdq_url(case)).content.decode()
    assert 'role="img"' in html and "Samlet vanskelighedsscore over tid" in html
    assert "Lærer eller pædagog, 10.01.2026: 11" in html


def test_the_child_page_leads_to_the_sdq_scores_and_complaints(org, login):
    from django.urls import reverse

    from tests.factories import CaseFactory

    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    html = with_folds(login(org.advisor), reverse("cases:child_detail", args=[case.child.pk]))
    assert reverse("evaluation:case_sdq", args=[case.pk]) in html
    assert reverse("evaluation:case_complaints", args=[case.pk]) in html
