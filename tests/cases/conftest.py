import pytest
from django.core import mail

from cases.models import CaseParticipant
from tests.factories import CaseFactory


@pytest.fixture
def case(org):
    """An open case in team A with Alice as its advisor."""
    return CaseFactory(team=org.team_a, advisor=org.advisor)


@pytest.fixture
def outbox():
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def two_teams_cases(org):
    """Six cases of teams A and B (two of the advisor's, a colleague's, one without an advisor, and
    two of the outsider's in team B), a professional added to one of each team."""
    made = [CaseFactory(team=org.team_a, advisor=org.advisor) for _ in range(2)]
    made += [CaseFactory(team=org.team_a, advisor=org.colleague), CaseFactory(team=org.team_a, advisor=None)]
    made += [CaseFactory(team=org.team_b, advisor=org.outsider) for _ in range(2)]
    # A professional added to one case of each team reads those two only.
    for case in (made[0], made[4]):
        CaseParticipant.objects.create(case=case, user=org.psychologist, note="psykolog")
    return made
