import pytest
from django.core import mail

from tests.factories import CaseFactory


@pytest.fixture
def case(org):
    """An open case in team A with Alice as its advisor."""
    return CaseFactory(team=org.team_a, advisor=org.advisor)


@pytest.fixture
def outbox():
    mail.outbox = []
    return mail.outbox
