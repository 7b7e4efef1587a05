"""The write rules of complaints and SDQ scores are the services' own (issue 16): a person the
rule refuses gets ``Refused`` with its reason from the service itself, and nothing is written; the
pages only translate it (``test_access_matrix.py``)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.models import CaseParticipant, CaseState
from cases.permissions import Action, Refused
from evaluation import services
from evaluation.models import Complaint, SdqScore
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    CaseParticipant.objects.create(case=case, user=org.psychologist)
    return case


def _complaint(case, by, **extra):
    return services.complaint_register(
        case=case,
        received_on=timezone.localdate(),
        subject=Complaint.Subject.DECISION,
        recorded_by=by,
        **extra,
    )


def _sdq(case, by, **extra):
    return services.sdq_record(
        case=case,
        informant=SdqScore.Informant.TEACHER,
        assessed_on=timezone.localdate(),
        total=12,
        recorded_by=by,
        **extra,
    )


def test_a_complaint_is_registered_and_decided_by_those_who_write_the_case(org, case):
    for who in (org.colleague, org.psychologist, org.outsider, org.management):
        with pytest.raises(Refused) as refused:
            _complaint(case, who)
        assert refused.value.action == Action.RECORD_COMPLAINT
        assert str(refused.value) == "Kun sagens rådgiver og teamlederen kan registrere klager i en åben sag."
    assert not Complaint.objects.for_system().exists()
    complaint = _complaint(case, org.advisor)
    with pytest.raises(Refused):
        services.complaint_decide(
            complaint=complaint,
            outcome=Complaint.Outcome.UPHELD,
            decided_on=timezone.localdate(),
            decided_by=org.colleague,
        )
    assert Complaint.objects.for_system().get().outcome == Complaint.Outcome.PENDING
    services.complaint_decide(
        complaint=complaint,
        outcome=Complaint.Outcome.UPHELD,
        decided_on=timezone.localdate(),
        decided_by=org.team_leader,
    )
    assert Complaint.objects.for_system().get().outcome == Complaint.Outcome.UPHELD


def test_sdq_scores_are_recorded_by_the_case_writers_and_the_professionals_added(org, case):
    for who in (org.colleague, org.health_visitor, org.outsider):
        with pytest.raises(Refused) as refused:
            _sdq(case, who)
        assert refused.value.action == Action.RECORD_SCORES
    assert not SdqScore.objects.for_system().exists()
    _sdq(case, org.psychologist)
    assert SdqScore.objects.for_system().count() == 1


def test_a_closed_case_gets_no_new_complaints_or_scores_except_the_demos_made_up_past(org, case):
    case.state, case.closed_on = CaseState.CLOSED, timezone.localdate()
    case.save()
    with pytest.raises(Refused):
        _complaint(case, org.advisor)
    with pytest.raises(Refused):
        _sdq(case, org.advisor)
    _complaint(case, org.advisor, as_system=True)
    _sdq(case, org.advisor, as_system=True)
    assert (Complaint.objects.for_system().count(), SdqScore.objects.for_system().count()) == (1, 1)
