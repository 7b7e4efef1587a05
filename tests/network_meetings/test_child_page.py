"""The network meetings on the child page: a panel, timeline events, and the investigation's
network-map warning that goes away once a map is attached."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from cases.services import investigation_open
from network_meetings.services import network_map_new_version
from tests.network_meetings.factories import case_for, plan
from tests.pages import with_folds


def test_the_child_page_lists_the_childs_meetings(org, login):
    case = case_for(org)
    meeting = plan(case.child, planned_by=org.advisor)
    html = with_folds(login(org.advisor), reverse("cases:child_detail", args=[case.child.pk]))
    assert 'id="network_meetings"' in html
    assert reverse("network_meetings:detail", args=[meeting.pk]) in html
    assert f"{reverse('network_meetings:create')}?barn={case.child.pk}" in html


def test_the_investigation_warns_until_a_network_map_is_attached(org, login):
    case = case_for(org)
    investigation = investigation_open(case=case, decided_on=timezone.localdate(), decided_by=org.advisor)
    client = login(org.advisor)
    url = reverse("cases:child_detail", args=[case.child.pk])
    warning = "Der er ikke tilknyttet et netværkskort"
    assert warning in with_folds(client, url)

    network_map_new_version(
        child=case.child, by=org.advisor, investigation=investigation, made_with_parents=True
    )
    assert warning not in with_folds(client, url)


def test_the_child_pages_read_of_meetings_gives_every_reader_the_rows_of_the_general_rule(org):
    """``visible_to(user, readable_child=child)`` (the child page's read) skips asking whether the
    child is readable; for every child a person reads it must give the rows of the general rule."""
    from cases.models import CaseState, Child
    from network_meetings.models import NetworkMeeting, Participant
    from tests.factories import CaseFactory
    from tests.fixtures import PERSONAS
    from tests.network_meetings.factories import add, caseless_child

    child = caseless_child(org)
    earlier = CaseFactory(team=org.team_b, advisor=org.outsider, child=child)
    on_earlier = plan(child, planned_by=org.outsider)
    add(on_earlier, function=Participant.Function.HEALTH_VISITOR, user=org.health_visitor)
    earlier.state = CaseState.CLOSED
    earlier.closed_on = timezone.localdate()
    earlier.save()
    without_case = plan(child, planned_by=org.advisor, days_ahead=3)
    CaseFactory(team=org.team_a, advisor=org.advisor, child=child)
    on_case = plan(child, planned_by=org.advisor, days_ahead=5)
    assert without_case.case is None and on_case.case is not None

    def ids(meetings):
        return {m.pk for m in meetings}

    # The rule itself, so the comparison below compares something: each reader their own rows.
    assert ids(NetworkMeeting.objects.visible_to(org.advisor)) == {without_case.pk, on_case.pk}
    assert ids(NetworkMeeting.objects.visible_to(org.outsider)) == {without_case.pk, on_earlier.pk}
    assert ids(NetworkMeeting.objects.visible_to(org.health_visitor)) == {on_earlier.pk}
    compared = 0
    for persona in PERSONAS:
        user = getattr(org, persona)
        for readable in Child.objects.visible_to(user):
            general = ids(NetworkMeeting.objects.visible_to(user).filter(child=readable))
            assert ids(NetworkMeeting.objects.visible_to(user, readable_child=readable)) == general, persona
            compared += 1
    assert compared >= 4
