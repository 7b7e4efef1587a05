"""Conditional requests (issue 18, point 1): ``If-Match`` really prevents lost updates, and the
preconditions follow RFC 9110 (a list of ETags, ``*``, strong comparison for ``If-Match``, weak
for ``If-None-Match`` with 304 on reads); every item of a list carries its ``etag``."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cases.api import ChildViewSet
from cases.models import Child
from tests.api.base import results
from tests.fixtures import login_with_second_factor

ROUNDS = 20


def client_for(user) -> APIClient:
    return login_with_second_factor(APIClient(), user)


def child_url(scenario) -> str:
    return f"/api/v1/children/{scenario.child.pk}/"


# --- Two writers with the same ETag at the same moment ----------------------------------------


def test_two_patches_with_the_same_etag_at_the_same_moment_one_wins_one_is_412(
    org, scenario, transactional_db, monkeypatch
):
    """Alice and the team leader read the child, then both PATCH it from that copy at once, each on
    their own PostgreSQL connection. The one that takes the row lock first pauses before writing
    until the other has reached the same point (or half a second has passed): when the other
    compared its ETag with what it read before the lock, it would reach that point too, pass, and
    overwrite the first one's change. With the comparison made on the record re-read under the
    lock, the second sees the first one's change and answers 412, every round."""
    url = child_url(scenario)
    writers = {"alice": client_for(org.advisor), "leader": client_for(org.team_leader)}
    write = ChildViewSet.service_update
    rounds = []

    for n in range(ROUNDS):
        start = threading.Barrier(2, timeout=10)
        about_to_write = threading.Barrier(2)

        def write_after_the_other(self, child, data, about_to_write=about_to_write):
            # With the lock the other request waits for this one, and never comes: go on alone.
            with contextlib.suppress(threading.BrokenBarrierError):
                about_to_write.wait(timeout=0.5)
            return write(self, child, data)

        monkeypatch.setattr(ChildViewSet, "service_update", write_after_the_other)
        etag = writers["alice"].get(url)["ETag"]
        outcomes = {}

        def patch(name, n=n, etag=etag, outcomes=outcomes, start=start):
            try:
                start.wait()
                response = writers[name].patch(
                    url, {"city": f"{name} {n}"}, format="json", HTTP_IF_MATCH=etag
                )
                outcomes[name] = response.status_code
            finally:
                connection.close()

        threads = [threading.Thread(target=patch, args=(name,)) for name in writers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        winners = [name for name, status in outcomes.items() if status == 200]
        city = Child.objects.get(pk=scenario.child.pk).city
        rounds.append((sorted(outcomes.values()), len(winners) == 1 and city == f"{winners[0]} {n}"))

    assert rounds == [([200, 412], True)] * ROUNDS


# --- If-Match: a list, *, weak tags -----------------------------------------------------------


@pytest.mark.django_db
class TestIfMatch:
    def patch(self, org, scenario, if_match, city="Sunds"):
        return client_for(org.advisor).patch(
            child_url(scenario), {"city": city}, format="json", HTTP_IF_MATCH=if_match
        )

    def city(self, scenario):
        return Child.objects.get(pk=scenario.child.pk).city

    def current(self, org, scenario):
        return client_for(org.advisor).get(child_url(scenario))["ETag"]

    def test_a_list_of_etags_matches_when_one_of_them_is_current(self, org, scenario):
        etag = self.current(org, scenario)
        response = self.patch(org, scenario, f'"0123456789abcdef", {etag} , "fedcba9876543210"')
        assert response.status_code == 200
        assert self.city(scenario) == "Sunds"

    def test_a_list_of_old_etags_is_412_and_changes_nothing(self, org, scenario):
        response = self.patch(org, scenario, '"0123456789abcdef", "fedcba9876543210"')
        assert response.status_code == 412
        assert self.city(scenario) == scenario.child.city

    def test_a_star_matches_the_existing_record(self, org, scenario):
        assert self.patch(org, scenario, "*").status_code == 200
        assert self.city(scenario) == "Sunds"

    def test_a_star_on_a_record_outside_ones_reach_is_still_404(self, org, scenario):
        response = client_for(org.outsider).patch(
            child_url(scenario), {"city": "Sunds"}, format="json", HTTP_IF_MATCH="*"
        )
        assert response.status_code == 404

    def test_a_weak_etag_never_matches_an_update(self, org, scenario):
        """If-Match compares strongly (RFC 9110, 13.1.1): W/ with the current value is no match."""
        weak = "W/" + self.current(org, scenario)
        response = self.patch(org, scenario, weak)
        assert response.status_code == 412
        assert self.city(scenario) == scenario.child.city

    def test_an_unquoted_etag_is_no_etag(self, org, scenario):
        response = self.patch(org, scenario, self.current(org, scenario).strip('"'))
        assert response.status_code == 412
        assert self.city(scenario) == scenario.child.city

    def test_if_none_match_star_on_an_update_of_an_existing_record_is_412(self, org, scenario):
        response = client_for(org.advisor).patch(
            child_url(scenario),
            {"city": "Sunds"},
            format="json",
            HTTP_IF_MATCH=self.current(org, scenario),
            HTTP_IF_NONE_MATCH="*",
        )
        assert response.status_code == 412
        assert self.city(scenario) == scenario.child.city

    def test_a_read_whose_if_match_no_longer_matches_is_412(self, org, scenario):
        response = client_for(org.advisor).get(child_url(scenario), HTTP_IF_MATCH='"0123456789abcdef"')
        assert response.status_code == 412


# --- If-None-Match on reads -------------------------------------------------------------------


@pytest.mark.django_db
class TestIfNoneMatch:
    @pytest.mark.parametrize("method", ["get", "head"])
    def test_a_read_with_the_current_etag_is_304_with_the_etag_and_no_body(self, org, scenario, method):
        client = client_for(org.advisor)
        etag = client.get(child_url(scenario))["ETag"]
        response = getattr(client, method)(child_url(scenario), HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304
        assert response["ETag"] == etag
        assert response.content == b""

    @pytest.mark.parametrize(
        "if_none_match",
        ['"0123456789abcdef", {etag}', "W/{etag}", "*"],
        ids=["in-a-list", "weak", "star"],
    )
    def test_a_list_a_weak_tag_and_a_star_match_a_read(self, org, scenario, if_none_match):
        """If-None-Match compares weakly (RFC 9110, 13.1.2)."""
        client = client_for(org.advisor)
        etag = client.get(child_url(scenario))["ETag"]
        response = client.get(child_url(scenario), HTTP_IF_NONE_MATCH=if_none_match.format(etag=etag))
        assert response.status_code == 304

    def test_a_read_after_a_change_is_200_with_the_new_etag(self, org, scenario):
        client = client_for(org.advisor)
        old = client.get(child_url(scenario))["ETag"]
        client.patch(child_url(scenario), {"city": "Sunds"}, format="json", HTTP_IF_MATCH=old)
        response = client.get(child_url(scenario), HTTP_IF_NONE_MATCH=old)
        assert response.status_code == 200
        assert response.json()["city"] == "Sunds"
        assert response["ETag"] != old

    def test_a_record_outside_ones_reach_is_404_whatever_the_etag(self, org, scenario):
        response = client_for(org.outsider).get(child_url(scenario), HTTP_IF_NONE_MATCH="*")
        assert response.status_code == 404


# --- Lists carry each item's etag -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "lookup"),
    [
        ("/api/v1/children/", "id"),
        ("/api/v1/cases/", "id"),
        ("/api/v1/measures/", "id"),
        ("/api/v1/measure-types/", "code"),
        ("/api/v1/plans/", "id"),
        ("/api/v1/goals/", "id"),
        ("/api/v1/followups/", "id"),
        ("/api/v1/caseload/", "advisor"),
    ],
)
def test_every_item_of_a_list_carries_the_etag_its_detail_answers_with(
    org, with_measure, with_plan, url, lookup
):
    client = client_for(org.advisor)
    items = results(client.get(url))
    assert items
    for item in items:
        detail = client.get(f"{url}{item[lookup]}/")
        assert detail.status_code == 200
        assert item["etag"] == detail["ETag"]
        assert {k: v for k, v in item.items() if k != "etag"} == detail.json()
