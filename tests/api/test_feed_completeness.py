"""What enters the change feed beyond the history's signal (docs/api.md, "Changes"): the writes that
bypass the history write their rows themselves (the list of them is checked by
``tests/herning/test_feed_bypass_writes.py``), and a deleted record is in the feed as ``deleted``
for a token that could read it, never for one that could not."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from cases.erasure import erase_child
from cases.models import CaseState
from herning.api import feed
from herning.api.models import ApiToken, ChangeEvent
from measures.models import LadderMovement
from tests.factories import CaseFactory, Role, staff
from tests.followups.factories import start_measure

pytestmark = pytest.mark.django_db

REASON = "Kassation efter arkivplanen, j.nr. 27.00.00-A26-1-26"


def _new_rows(before: int) -> set[tuple[str, str, str]]:
    return set(ChangeEvent.objects.order_by("id")[before:].values_list("resource", "object_id", "kind"))


# Writes that bypass the history -----------------------------------------------------------------


def test_the_stored_next_followup_date_is_in_the_feed(org):
    from measures.services import next_followup_due_clear, next_followup_due_set

    measure = start_measure(org, "foster_family", timezone.localdate() - datetime.timedelta(days=10))
    before = ChangeEvent.objects.count()
    next_followup_due_set(due={measure.pk: timezone.localdate() + datetime.timedelta(days=3)})
    assert _new_rows(before) == {("measure", str(measure.pk), "updated")}
    before = ChangeEvent.objects.count()
    assert next_followup_due_clear(first=measure.pk, last=measure.pk, keep=[]) >= 1
    assert ("measure", str(measure.pk), "updated") in _new_rows(before)
    before = ChangeEvent.objects.count()
    assert (
        next_followup_due_clear(first=measure.pk, last=measure.pk, keep=[]) == 0
    )  # nothing cleared, nothing in the feed
    assert _new_rows(before) == set()


def test_follow_ups_held_elsewhere_move_their_measure(org):
    from followups.bulk import HeldElsewhere, followups_record_held_elsewhere

    measure = start_measure(org, "foster_family", timezone.localdate() - datetime.timedelta(days=40))
    before = ChangeEvent.objects.count()
    followups_record_held_elsewhere(
        records=[
            HeldElsewhere(
                measure=measure, held_on=timezone.localdate() - datetime.timedelta(days=5), source="DUBU"
            )
        ],
        recorded_by=org.advisor,
    )
    assert ("measure", str(measure.pk), "updated") in _new_rows(before)


# Deletions ------------------------------------------------------------------------------------


def _token(org, name: str, team) -> tuple[APIClient, object]:
    user = staff(
        username=name, municipality=org.municipality, roles=[(Role.TEAM_LEADER, team)], is_service_user=True
    )
    _token, key = ApiToken.issue(user=user, name=name, read_only=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client, user


def _feed(client) -> set[tuple[str, str, str]]:
    seen, cursor = set(), ""
    while True:
        body = client.get("/api/v1/changes/", {"after": cursor}).json()
        seen |= {(e["resource"], e["id"], e["kind"]) for e in body["results"]}
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return seen


def test_a_deletion_keeps_its_case_for_the_feed_to_decide_by(org):
    measure = start_measure(org, "foster_family", timezone.localdate() - datetime.timedelta(days=10))
    movement = LadderMovement.objects.get(case=measure.case)
    movement_id = movement.pk
    movement.delete()
    row = ChangeEvent.objects.get(resource="ladder-movement", object_id=str(movement_id), kind="deleted")
    assert (row.case_id, row.readers) == (measure.case_id, [])
    events = [row]
    assert feed.visible_deletions(org.team_leader, events) == {row.id}
    assert feed.visible_deletions(org.other_team_leader, events) == set()
    # A record is never read to decide a deletion: its own (gone) row is not asked.
    assert feed.visible_ids(org.team_leader, events) == set()


@pytest.mark.django_db(transaction=True)
def test_a_deleted_record_is_in_the_feed_for_a_token_that_could_read_it_only(org, shipped_data):
    reader, _user = _token(org, "feed-a", org.team_a)
    outsider, _other = _token(org, "feed-b", org.team_b)
    measure = start_measure(org, "foster_family", timezone.localdate() - datetime.timedelta(days=10))
    movement = LadderMovement.objects.get(case=measure.case)
    gone = ("ladder-movement", str(movement.pk), "deleted")
    movement.delete()
    assert gone in _feed(reader)
    assert not {e for e in _feed(outsider) if e[0] in ("ladder-movement", "case", "measure")}


@pytest.mark.django_db(transaction=True)
def test_an_erased_child_is_in_the_feed_for_its_readers_and_for_no_one_else(org, shipped_data):
    reader, user = _token(org, "feed-a", org.team_a)
    outsider, _other = _token(org, "feed-b", org.team_b)
    with time_machine.travel("2019-02-01 10:00 +01:00", tick=False):
        case = CaseFactory(
            team=org.team_a,
            advisor=org.advisor,
            state=CaseState.CLOSED,
            opened_on=datetime.date(2019, 2, 1),
            closed_on=datetime.date(2020, 6, 30),
        )
    child_id, case_id = str(case.child.pk), str(case.pk)
    erase_child(child=case.child, reason=REASON, by=org.sysadmin, today=datetime.date(2026, 1, 1))
    rows = ChangeEvent.objects.filter(kind="deleted", resource__in=["child", "case"])
    assert {(r.resource, r.object_id, tuple(r.readers)) for r in rows} == {
        ("child", child_id, (user.pk,)),
        ("case", case_id, (user.pk,)),
    }
    assert {("child", child_id, "deleted"), ("case", case_id, "deleted")} <= _feed(reader)
    assert _feed(outsider) == set()
