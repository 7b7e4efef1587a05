"""The network meetings on the child page: a panel, timeline events, and the investigation's
network-map warning that goes away once a map is attached."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from cases.services import investigation_open
from network_meetings.services import network_map_new_version
from tests.network_meetings.factories import case_for, plan


def test_the_child_page_lists_the_childs_meetings(org, login):
    case = case_for(org)
    meeting = plan(case.child, planned_by=org.advisor)
    html = login(org.advisor).get(reverse("cases:child_detail", args=[case.child.pk])).content.decode()
    assert 'id="network_meetings"' in html
    assert reverse("network_meetings:detail", args=[meeting.pk]) in html
    assert f"{reverse('network_meetings:create')}?barn={case.child.pk}" in html


def test_the_investigation_warns_until_a_network_map_is_attached(org, login):
    case = case_for(org)
    investigation = investigation_open(case=case, decided_on=timezone.localdate(), decided_by=org.advisor)
    client = login(org.advisor)
    url = reverse("cases:child_detail", args=[case.child.pk])
    warning = "Der er ikke tilknyttet et netværkskort"
    assert warning in client.get(url).content.decode()

    network_map_new_version(
        child=case.child, by=org.advisor, investigation=investigation, made_with_parents=True
    )
    assert warning not in client.get(url).content.decode()
