"""Every write leaves exactly one history row per changed record, by the person who acted.

django-simple-history is the product's record of who changed what (docs/access.md): a change that
leaves no row is invisible, one that leaves two rows (a double save) reads as two changes, and a
row without the acting person (``history_user``) cannot be traced to anyone.

The write endpoints are not listed by hand here: every access matrix that writes (an
``AccessMatrix`` with ``method = "post"``, a ``ResourceMatrix`` that offers create or update, see
tests/access.py and tests/api/base.py) already says who may write and holds a request that does.
Each is replayed here for every person it lets write, with the ``transaction.on_commit`` work run
as after a real commit (the deadlines recomputed after a write write rows too), and the history
rows it left are counted per record.

``KNOWN_DOUBLE_SAVES`` names the records a write saves twice today, each with the reason; the
test fails when one of them is fixed (delete the entry then) or a new one appears.
``WRITES_NO_HISTORY`` names the matrices whose request is done (a redirect) yet writes no history
row, each with the reason. A form matrix whose writers get 200 posts data its form refuses (it
tests who may post, not a whole form); its replay fails on a double save or a missing actor but
may write nothing.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.test import Client, TestCase
from rest_framework.test import APIClient

from tests.access import ANONYMOUS, AccessMatrix
from tests.api.base import ResourceMatrix
from tests.api.conftest import scenario, with_measure, with_plan  # noqa: F401  (the API matrices' fixtures)
from tests.fixtures import login_with_second_factor
from tests.herning.test_every_url_covered import _import_test_modules, _matrix_classes, _uses_own_urls

WROTE = {200, 201, 204, 302}

# (matrix, model label) → why that write saves the record twice today. Other parts of issue 16
# move these writes into the owning app's one service; the entry goes when the double save does.
_OPEN_THEN_ASSIGN = (
    "cases.services.case_open saves the new case, then hands it to case_assign (the one place a "
    "case gets its advisor), which saves it again when the person opening it is an advisor"
)
KNOWN_DOUBLE_SAVES: dict[tuple[str, str], str] = {
    ("tests.api.test_resources.TestCases", "cases.Case"): _OPEN_THEN_ASSIGN,
    ("tests.api.test_resources.TestChildren", "cases.Case"): _OPEN_THEN_ASSIGN,
    ("tests.api.test_resources.TestNetworkMeetings", "network_meetings.NetworkMeeting"): (
        "network_meetings.services.meeting_plan saves the meeting, adds the planner as a participant "
        "and then saves the meeting again to make that participant its chair"
    ),
}

# Writing matrices that answer a redirect (a form done) and still leave no history row, each with the
# reason. A form matrix whose writers get 200 posts data the form refuses (it tests who may post, not
# a whole form): its replay still fails on a double save or a missing actor, but may write nothing.
_NO_DATA = "the matrix posts no form data; the view refuses with a message and redirects back"
_NOT_STAFF = (
    "the admin sends everyone but the system administrator to its login (302); his 200 is a form refused"
)
WRITES_NO_HISTORY: dict[str, str] = {
    "tests.herning.test_access_matrix.TestAdminTeamAdd": _NOT_STAFF,
    "tests.herning.test_access_matrix.TestAdminTeamsAction": _NOT_STAFF,
    "tests.herning.test_access_matrix.TestLanguageSwitch": "the language is kept in a cookie, no record",
    "tests.herning.test_access_matrix.TestLogout": "logging out ends the session, no record",
    "tests.herning.test_access_matrix.TestSecondFactorSetupPostedOnceVerified": (
        "a person already verified is sent on; the device is django-otp's, not a case record"
    ),
    "tests.herning.test_access_matrix.TestNewBackupCodes": "backup codes are django-otp's devices, not case records",
    "tests.herning.test_access_matrix.TestSecondFactorCodeOnceVerified": "a person already verified is sent on",
    "tests.followups.test_access_matrix.TestRemindersMarkedRead": (
        "marking reminders read stamps the outbox rows, which keep no history (the sweep writes them)"
    ),
    "tests.network_meetings.test_access_matrix.TestMinutesSend": _NO_DATA,
    "tests.network_meetings.test_access_matrix.TestParticipantStatus": _NO_DATA,
    "tests.network_meetings.test_access_matrix.TestParticipantsFromMap": (
        "the matrix's network map has no one to add; the view says so and redirects back"
    ),
    "tests.followups.test_access_matrix.TestExceptionRevoke": _NO_DATA,
    "tests.cases.test_access_matrix.TestFindChildByCpr": "a search: it redirects to the child found, writes nothing",
    "tests.cases.test_access_matrix.TestCaseListFilterPosted": (
        "the case list's filter is kept in the session, no record"
    ),
}
DONE = {201, 204, 302}


@dataclass(frozen=True)
class Written:
    model: str
    pk: object
    user_id: int | None


def _historical_models() -> list[type]:
    return [m for m in apps.get_models() if hasattr(m, "instance_type") and hasattr(m, "history_user")]


def _high_water() -> dict[type, int]:
    return {
        h: (h.objects.order_by("-history_id").values_list("history_id", flat=True).first() or 0)
        for h in _historical_models()
    }


def _rows_since(marks: dict[type, int]) -> list[Written]:
    rows = []
    for historical, mark in marks.items():
        pk_name = historical.instance_type._meta.pk.attname
        label = historical.instance_type._meta.label
        for pk, user_id in historical.objects.filter(history_id__gt=mark).values_list(
            pk_name, "history_user_id"
        ):
            rows.append(Written(label, pk, user_id))
    return rows


def problems_in(rows: list[Written], *, actor, matrix: str) -> list[str]:
    """What is wrong with the history ``rows`` one request by ``actor`` left."""
    found = []
    counts = Counter((row.model, row.pk) for row in rows)
    for (model, pk), count in sorted(counts.items(), key=str):
        if count > 1 and (matrix, model) not in KNOWN_DOUBLE_SAVES:
            found.append(f"{model} {pk}: {count} history rows (a double save)")
    for row in rows:
        if row.user_id != actor.pk:
            found.append(f"{row.model} {row.pk}: history_user is {row.user_id}, not the actor {actor.pk}")
    return found


def doubled(rows: list[Written]) -> set[str]:
    """The models of which one request (``rows``) saved a record more than once."""
    return {model for (model, _), count in Counter((r.model, r.pk) for r in rows).items() if count > 1}


def fixed_double_saves(seen: set[str], *, matrix: str) -> list[str]:
    """The ``KNOWN_DOUBLE_SAVES`` of ``matrix`` that none of its requests showed (``seen``)."""
    return [
        f"{model} is saved once now: delete its entry in KNOWN_DOUBLE_SAVES"
        for known, model in KNOWN_DOUBLE_SAVES
        if known == matrix and model not in seen
    ]


def silence(wrote: bool, *, matrix: str, done: bool = True) -> list[str]:
    """A writing matrix whose request was done (``done``: a redirect, a 201) but left no history row
    must say why in ``WRITES_NO_HISTORY`` (and leave it once it writes)."""
    if done and not wrote and matrix not in WRITES_NO_HISTORY:
        return ["no history row at all: a write that leaves none, or say why in WRITES_NO_HISTORY"]
    if wrote and matrix in WRITES_NO_HISTORY:
        return ["it writes history rows now: delete its entry in WRITES_NO_HISTORY"]
    return []


def replay(send, *args, **kwargs):
    """The response to ``send(*args, **kwargs)`` and the history rows it left, its after-commit
    work included; everything it wrote is rolled back after."""
    with transaction.atomic():
        marks = _high_water()
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = send(*args, **kwargs)
        rows = _rows_since(marks)
        transaction.set_rollback(True)
    return response, rows


class _FormHistory:
    """Mixed into a copy of each writing ``AccessMatrix``: replays its request as each writer."""

    def test_each_changed_record_gets_one_history_row_by_the_actor(self, org, objects):
        url = self._resolve("url", objects)
        data = self._resolve("data", objects)
        wrong, seen, wrote = [], set(), False
        for persona, status in sorted(self.expected.items()):
            if persona == ANONYMOUS or status not in WROTE:
                continue
            actor = getattr(org, persona)
            client = Client()
            login_with_second_factor(client, actor)
            response, rows = replay(getattr(client, self.method), url, data or {})
            assert response.status_code == status, f"{persona}: {response.status_code} from {url}"
            wrong += [f"{persona}: {p}" for p in problems_in(rows, actor=actor, matrix=self._matrix)]
            seen |= doubled(rows)
            wrote |= bool(rows)
        wrong += fixed_double_saves(seen, matrix=self._matrix)
        done = any(s in DONE for p, s in self.expected.items() if p != ANONYMOUS)
        wrong += silence(wrote, matrix=self._matrix, done=done)
        assert not wrong, f"{self.method.upper()} {url}:\n  " + "\n  ".join(wrong)


class _ApiHistory:
    """Mixed into a copy of each writing ``ResourceMatrix``: replays its create and update."""

    def test_each_changed_record_gets_one_history_row_by_the_actor(self, org, objects):
        url = self.detail_url(objects)
        wrong, seen, wrote = [], set(), False
        for persona in sorted(set(self.create) | set(self.update)):
            if persona == ANONYMOUS:
                continue
            actor = getattr(org, persona)
            client = APIClient()
            login_with_second_factor(client, actor)
            if self.create[persona] in WROTE:
                payload = self.create_payload(objects)
                response, rows = replay(client.post, self.url, payload, format="json")
                assert response.status_code == self.create[persona], f"{persona}: POST {self.url}"
                wrong += [f"{persona} POST: {p}" for p in problems_in(rows, actor=actor, matrix=self._matrix)]
                seen |= doubled(rows)
                wrote |= bool(rows)
            if self.update[persona] in WROTE:
                payload = self.update_payload(objects)
                etag = client.get(url)["ETag"]
                response, rows = replay(client.patch, url, payload, format="json", HTTP_IF_MATCH=etag)
                assert response.status_code == self.update[persona], f"{persona}: PATCH {url}"
                wrong += [
                    f"{persona} PATCH: {p}" for p in problems_in(rows, actor=actor, matrix=self._matrix)
                ]
                seen |= doubled(rows)
                wrote |= bool(rows)
        wrong += fixed_double_saves(seen, matrix=self._matrix)
        wrong += silence(wrote, matrix=self._matrix)
        assert not wrong, "\n  ".join(wrong)


def _writing_matrices():
    _import_test_modules()
    for cls in _matrix_classes(AccessMatrix):
        if cls.method.lower() == "get" or not cls.url or _uses_own_urls(cls):
            continue
        if cls.__module__ == __name__ or not any(
            s in WROTE for p, s in cls.expected.items() if p != ANONYMOUS
        ):
            continue
        yield cls, _FormHistory
    for cls in _matrix_classes(ResourceMatrix):
        if not cls.url or cls.__module__ == __name__:
            continue
        if any(s in WROTE for s in cls.create.values()) or any(s in WROTE for s in cls.update.values()):
            yield cls, _ApiHistory


def _copies() -> dict[str, type]:
    """A copy of each writing matrix with only the history test: its own tests run where it lives."""
    copies = {}
    for cls, mixin in _writing_matrices():
        name = "TestHistoryOf_" + cls.__module__.removeprefix("tests.").replace(".", "_") + "_" + cls.__name__
        assert name not in copies, f"two writing matrices would share the name {name}"
        inherited = {n: None for n in dir(cls) if n.startswith("test_")}
        copies[name] = type(
            name,
            (mixin, cls),
            {
                **inherited,
                "_matrix": f"{cls.__module__}.{cls.__qualname__}",
                "test_each_changed_record_gets_one_history_row_by_the_actor": mixin.test_each_changed_record_gets_one_history_row_by_the_actor,
                "__module__": __name__,
            },
        )
    return copies


vars(sys.modules[__name__]).update(_copies())


def test_every_known_exception_names_a_writing_matrix():
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls, _ in _writing_matrices()}
    assert not {matrix for matrix, _ in KNOWN_DOUBLE_SAVES} - names
    assert not set(WRITES_NO_HISTORY) - names


def test_a_write_done_without_a_row_must_say_why():
    assert silence(False, matrix="tests.x.TestNew") != []
    assert silence(False, matrix="tests.x.TestNew", done=False) == []
    assert silence(True, matrix="tests.x.TestNew") == []
    known = next(iter(WRITES_NO_HISTORY))
    assert silence(False, matrix=known) == []
    assert silence(True, matrix=known) == [
        "it writes history rows now: delete its entry in WRITES_NO_HISTORY"
    ]


def test_a_double_save_and_a_missing_actor_are_found():
    class Someone:
        pk = 7

    rows = [Written("cases.Case", 1, 7), Written("cases.Case", 1, 7), Written("cases.Goal", 2, None)]
    assert problems_in(rows, actor=Someone, matrix="none") == [
        "cases.Case 1: 2 history rows (a double save)",
        "cases.Goal 2: history_user is None, not the actor 7",
    ]
    assert doubled(rows) == {"cases.Case"}


def test_a_known_double_save_that_is_gone_is_reported():
    matrix, model = next(iter(KNOWN_DOUBLE_SAVES))
    assert fixed_double_saves({model}, matrix=matrix) == []
    assert fixed_double_saves(set(), matrix=matrix) == [
        f"{model} is saved once now: delete its entry in KNOWN_DOUBLE_SAVES"
    ]
