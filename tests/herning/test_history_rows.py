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

Every writing matrix must leave history. Many form matrices post data their form refuses (they test
who may post, not a whole form): for each of those ``VALID_WRITES`` says how to make a write that is
accepted. The form is read from its page the way a browser sends it (``tests.edges.forms``), every
field filled in sensibly, plus the values the entry adds; it is posted as the first person the
matrix lets write, and must be done (a redirect). ``WRITES_NO_HISTORY`` names the few matrices that
write no history at all, each with the reason (a search, a session, a cookie, django-otp's devices).

The rule for what a write must leave: every record it changed has exactly one new history row
(``KNOWN_DOUBLE_SAVES`` apart), each with the acting person as ``history_user``. A write may
legitimately touch several models (opening a case also starts its first ladder step, closing a
case ends its measures); ``VALID_WRITES`` names the primary model, the one the endpoint is about,
and that model must have exactly one new row by the actor, the others the rule above.
"""

from __future__ import annotations

import datetime
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
from django.test import Client, TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from tests.access import ANONYMOUS, AccessMatrix, body_kwargs, persona_user
from tests.api.base import ResourceMatrix
from tests.api.conftest import scenario, with_measure, with_plan  # noqa: F401  (the API matrices' fixtures)
from tests.edges.forms import filled, form_posting_to
from tests.factories import HEARD, CaseFactory, cpr_for
from tests.fixtures import login_with_second_factor
from tests.herning.test_every_url_covered import _import_test_modules, _matrix_classes, _uses_own_urls

WROTE = {200, 201, 204, 302}
# A person the matrix lets write may be refused for the data (400): the endpoint still writes.
MAY_WRITE = WROTE | {400}

# (matrix, model label) → why that write saves the record twice. Empty: the last two (a meeting
# saved again to make its planner the chair; a DUBU import's new case saved again when its
# measures moved it) are one save each now. An entry here is a known defect with its reason.
KNOWN_DOUBLE_SAVES: dict[tuple[str, str], str] = {}

# Writing matrices that answer a redirect (a form done) and still leave no history row, each with the
# reason. A form matrix whose writers get 200 posts data the form refuses (it tests who may post, not
# a whole form): its replay still fails on a double save or a missing actor, but may write nothing.
_NOT_STAFF = (
    "the admin sends everyone but the system administrator to its login (302); his 200 is a form refused"
)
WRITES_NO_HISTORY: dict[str, str] = {
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
    "tests.cases.test_access_matrix.TestFindChildByCpr": "a search: it redirects to the child found, writes nothing",
    "tests.api.test_access_matrix.TestChildLookup": "a search by CPR in the body: it answers the child, writes nothing",
    "tests.herning.test_access_matrix.TestAccessLogSearchByPost": (
        "a search of the access log: it reads; the log is the record of reads and keeps no history"
    ),
    "tests.herning.test_access_matrix.TestCitizenExportByPost": (
        "an export of the access log for a citizen: it reads and writes an access-log entry, "
        "the record of reads, which keeps no history"
    ),
    "tests.cases.test_access_matrix.TestCaseListFilterPosted": (
        "the case list's filter is kept in the session, no record"
    ),
    **dict.fromkeys(
        (
            "tests.api.test_token_page.TestTokenIssue",
            "tests.api.test_token_page.TestTokenRotate",
            "tests.api.test_token_page.TestTokenRevoke",
        ),
        "API tokens keep no history table: each issue, rotation and revocation is an audit event "
        "(who, for whom, when; tests/api/test_token_page.py)",
    ),
    "tests.api.test_webhook_api.TestWebhooksByToken": (
        "webhooks are a token's configuration and keep no history table, as tokens: each one made, "
        "changed, given a new secret or deleted is an audit event (tests/api/test_webhook_api.py)"
    ),
}
DONE = {201, 204, 302}


@dataclass(frozen=True)
class ValidWrite:
    """How to make an accepted write through a form matrix whose own data the form refuses."""

    model: str  # the primary model: the record the endpoint is about
    # Values beyond the form's own sensible ones: ``values(objects, org)``.
    values: Callable[[Any, Any], dict] | None = None
    # The page holding the form, when it is not the matrix's URL: ``page(objects)``.
    page: Callable[[Any], str] | None = None
    # Who writes, when not the first person (by name) the matrix lets write.
    persona: str | None = None
    # An API action: the JSON body ``json(objects, org)`` is posted instead of a page's form.
    json: Callable[[Any, Any], dict] | None = None
    api_format: str = "json"  # or "multipart", for an upload
    # A page that answers the done write with its result (200) rather than a redirect.
    shows_result: bool = False
    # Records the write needs that the matrix's objects lack: ``prepare(objects, org)``, run first.
    prepare: Callable[[Any, Any], None] | None = None


def _m(module: str, name: str) -> str:
    return f"tests.{module}.test_access_matrix.{name}"


def _new_cpr(n: int) -> str:
    return cpr_for(datetime.date(2016, 5, 1) + datetime.timedelta(days=n), n)


def _dubu_file() -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.dubu.conftest import csv_bytes, row

    return {
        "file": SimpleUploadedFile("dubu.csv", csv_bytes([row()]), content_type="text/csv"),
        "dry_run": "",
    }


def _someone_on_the_map(objects, org) -> None:
    from network_meetings import services
    from network_meetings.models import NetworkMapPerson

    network_map = services.network_map_new_version(child=objects.meeting.child, by=org.advisor)
    objects.from_map = services.network_map_person_add(
        network_map=network_map,
        by=org.advisor,
        name="Karin Dahl",
        kind=NetworkMapPerson.Kind.FAMILY,
        relation="Moster",
        significance="resource",
    )


def _minutes_of_a_meeting_begun(objects, org) -> None:
    from network_meetings import services
    from network_meetings.models import NetworkMeeting

    services.minutes_save(
        meeting=objects.meeting, by=org.advisor, concerns="Fravær.", working="Sport.", want_to_see="Skole."
    )
    # The meeting began an hour ago: the minutes may be sent once it has begun.
    NetworkMeeting.objects.for_system().filter(pk=objects.meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1), ends_at=timezone.now()
    )


def _map_page(objects) -> str:
    return f"/netvaerksmoeder/netvaerkskort/barn/{objects.child.pk}/"


def _approve_exception(objects, org) -> None:
    from followups.services import exception_decide

    exception_decide(exception=objects.exception, approve=True, decided_by=org.team_leader, reason="Stabil.")


def _days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def _heard(objects, org) -> dict:
    """The child heard before the measure starts or changes (measures.forms.HearingFields), and the
    decision's basis (no default): the form's first choice for the reason not heard is cleared."""
    return {
        "hearing_on": _days(-1),
        "hearing_note": HEARD.note,
        "hearing_journal_note": "",
        "hearing_omitted": "",
        "hearing_omitted_note": "",
        "plan_exception": "",
        "decision_basis": "with_consent",
    }


_CASE, _MEASURES, _FOLLOWUPS, _MEETINGS = (
    "cases.Case",
    "measures.Measure",
    "followups.FollowUp",
    ("network_meetings.NetworkMeeting"),
)
VALID_WRITES: dict[str, ValidWrite] = {
    # The child and the case.
    _m("cases", "TestChildCreate"): ValidWrite("cases.Child", lambda o, org: {"cpr": _new_cpr(31)}),
    _m("cases", "TestChildUpdate"): ValidWrite("cases.Child", lambda o, org: {"address": "Skolegade 2"}),
    _m("cases", "TestRelationAdd"): ValidWrite("cases.Relation"),
    _m("cases", "TestRelationUpdate"): ValidWrite("cases.Relation"),
    _m("cases", "TestIntakeRegistration"): ValidWrite(
        "cases.Notification",
        lambda o, org: {
            "cpr": _new_cpr(32),
            "district": str(org.district_a.pk),
            "received_date": _days(-1),
            "register": "1",
        },
    ),
    _m("cases", "TestNotificationReceipt"): ValidWrite("cases.Notification"),
    _m("cases", "TestNotificationAssess"): ValidWrite("cases.Notification"),
    _m("cases", "TestCaseOpen"): ValidWrite(_CASE),
    _m("cases", "TestCaseAssign"): ValidWrite(_CASE),
    _m("cases", "TestCaseState"): ValidWrite(_CASE),
    _m("cases", "TestCaseClose"): ValidWrite(_CASE),
    _m("cases", "TestCaseTransfer"): ValidWrite("cases.CaseTransfer"),
    _m("cases", "TestHandoverRecord"): ValidWrite("cases.CaseTransfer"),
    _m("cases", "TestParticipantAdd"): ValidWrite("cases.CaseParticipant"),
    _m("cases", "TestInvestigationOpen"): ValidWrite("cases.Investigation"),
    _m("cases", "TestInvestigationComplete"): ValidWrite("cases.Investigation"),
    _m("cases", "TestInvestigationInterim"): ValidWrite("cases.Investigation"),
    _m("cases", "TestInvestigationAwareOn"): ValidWrite("cases.Investigation"),
    _m("cases", "TestNotificationScreening"): ValidWrite("cases.Notification"),
    _m("cases", "TestNotificationFeedback"): ValidWrite("cases.Notification"),
    _m("cases", "TestPlanCreate"): ValidWrite("cases.Plan"),
    _m("cases", "TestPlanRevise"): ValidWrite("cases.Plan"),
    _m("cases", "TestGoalStatus"): ValidWrite("cases.Goal"),
    _m("cases", "TestJournalAdd"): ValidWrite("cases.JournalNote", page=lambda o: f"/sager/{o.case.pk}/"),
    _m("cases", "TestJournalCorrect"): ValidWrite(
        "cases.JournalNote", lambda o, org: {"text": "Rettet: mødet blev holdt i skolen."}
    ),
    # Measures and follow-ups.
    _m("measures", "TestMeasureStart"): ValidWrite(_MEASURES, _heard),
    _m("measures", "TestMeasureChange"): ValidWrite(_MEASURES, _heard),
    _m("measures", "TestMeasureEnd"): ValidWrite(_MEASURES),
    _m("followups", "TestFollowUpRecord"): ValidWrite(
        _FOLLOWUPS, lambda o, org: {"child_conversation": "yes", "decision": "continue", "next_agreed_on": ""}
    ),
    # A placement far away (more than 50 km) of a young person (15-22).
    _m("followups", "TestExceptionRequest"): ValidWrite(
        "followups.FollowUpException", lambda o, org: {"distance_km": "80", "youth_age": "16"}
    ),
    _m("followups", "TestLaterDateDecide"): ValidWrite(
        _FOLLOWUPS, page=lambda o: "/opfoelgning/undtagelser/", persona="team_leader"
    ),
    _m("followups", "TestExceptionDecide"): ValidWrite(
        "followups.FollowUpException", page=lambda o: "/opfoelgning/undtagelser/"
    ),
    # A choice that is not one is refused at the field; the form as a browser sends it saves one.
    _m("followups", "TestReminderSettingsRefused"): ValidWrite("followups.ReminderSettings"),
    _m("followups", "TestExceptionRevoke"): ValidWrite(
        "followups.FollowUpException",
        page=lambda o: f"/opfoelgning/indsats/{o.exception.measure_id}/",
        prepare=_approve_exception,
    ),
    # Network meetings.
    _m("network_meetings", "TestMeetingCreate"): ValidWrite(
        _MEETINGS,
        lambda o, org: {
            "child": str(CaseFactory(team=org.team_a, advisor=org.advisor).child_id),
            "slot": "",
            "start_time": "13:00",
            "end_time": "14:00",
            "day": _days(3),
        },
    ),
    _m("network_meetings", "TestMeetingEdit"): ValidWrite(_MEETINGS),
    _m("network_meetings", "TestMeetingCancel"): ValidWrite(_MEETINGS),
    _m("network_meetings", "TestFollowUpMeeting"): ValidWrite(
        _MEETINGS, lambda o, org: {"start_time": "13:00", "end_time": "14:00", "day": _days(30)}
    ),
    _m("network_meetings", "TestParticipantAdd"): ValidWrite(
        "network_meetings.Participant", lambda o, org: {"user": "", "name": "Lise Lærer", "email": ""}
    ),
    _m("network_meetings", "TestParticipantEdit"): ValidWrite("network_meetings.Participant"),
    _m("network_meetings", "TestParticipantStatus"): ValidWrite(
        "network_meetings.Participant", page=lambda o: f"/netvaerksmoeder/{o.meeting.pk}/deltagere/"
    ),
    _m("network_meetings", "TestConsent"): ValidWrite("network_meetings.Consent"),
    _m("network_meetings", "TestParticipantsFromMap"): ValidWrite(
        "network_meetings.Participant",
        lambda o, org: {"people": str(o.from_map.pk)},
        page=lambda o: f"/netvaerksmoeder/{o.meeting.pk}/deltagere/",
        prepare=_someone_on_the_map,
    ),
    _m("network_meetings", "TestMinutesSend"): ValidWrite(
        "network_meetings.Minutes",
        page=lambda o: f"/netvaerksmoeder/{o.meeting.pk}/referat/",
        prepare=_minutes_of_a_meeting_begun,
    ),
    _m("network_meetings", "TestAgreementAdd"): ValidWrite(
        "network_meetings.Agreement", page=lambda o: f"/netvaerksmoeder/{o.meeting.pk}/referat/"
    ),
    # Tomorrow: the form's day is today, and 10:00 today has passed for a run after ten.
    _m("network_meetings", "TestSlotOffer"): ValidWrite(
        "network_meetings.MeetingSlot",
        lambda o, org: {
            "day": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            "start_time": "10:00",
            "end_time": "11:00",
        },
    ),
    _m("network_meetings", "TestNetworkMapEdit"): ValidWrite("network_meetings.NetworkMap", page=_map_page),
    _m("network_meetings", "TestNetworkMapNewVersion"): ValidWrite(
        "network_meetings.NetworkMap", page=lambda o: f"/netvaerksmoeder/netvaerkskort/barn/{o.child.pk}/"
    ),
    _m("network_meetings", "TestNetworkMapPersonAdd"): ValidWrite(
        "network_meetings.NetworkMapPerson", page=_map_page
    ),
    _m("network_meetings", "TestNetworkMapPersonEdit"): ValidWrite("network_meetings.NetworkMapPerson"),
    # Evaluation.
    # Four difficulty scales of 3 each (the form's sensible number): the total is their sum.
    _m("evaluation", "TestCaseSdqRecorded"): ValidWrite(
        "evaluation.SdqScore", lambda o, org: {"total": "12"}
    ),
    _m("evaluation", "TestCaseComplaintRegistered"): ValidWrite("evaluation.Complaint"),
    # DUBU: a team leader imports one row (a child, its case and the row's record).
    _m("dubu", "TestImportWithoutAFile"): ValidWrite(
        "dubu.DubuCase", lambda o, org: _dubu_file(), persona="team_leader", shows_result=True
    ),
    _m("api", "TestDubuImportWithoutAFile"): ValidWrite(
        "dubu.DubuCase", json=lambda o, org: _dubu_file(), api_format="multipart", persona="team_leader"
    ),
    # API actions.
    _m("api", "TestCaseAssign"): ValidWrite(
        _CASE, json=lambda o, org: {"advisor": org.colleague.pk}, persona="team_leader"
    ),
    _m("api", "TestMeasureChange"): ValidWrite(
        _MEASURES,
        json=lambda o, org: {
            "change_date": _days(0),
            "new_measure_type": "mst",
            "ending_reason": "changed_measure",
            "hearing_on": _days(-1),
            "hearing_note": HEARD.note,
            "decision_basis": "with_consent",
        },
    ),
    _m("api", "TestInvestigationAwareOn"): ValidWrite(
        "cases.Investigation",
        json=lambda o, org: {"aware_on": o.investigation.decided_on.isoformat(), "reason": "Rettet dato."},
    ),
    _m("api", "TestInvestigationInterimAssessment"): ValidWrite(
        "cases.Investigation", json=lambda o, org: {"assessed_on": _days(0), "text": "Afventer PPR."}
    ),
    _m("api", "TestFollowUpLaterDate"): ValidWrite(
        _FOLLOWUPS,
        json=lambda o, org: {"decision": "approve", "reason": "Familien har brug for ro."},
        persona="team_leader",
    ),
    _m("api", "TestPlanRevise"): ValidWrite(
        "cases.Plan",
        json=lambda o, org: {
            "made_on": _days(0),
            "goals": [
                {"what": "Går i skole", "who": "Barnet", "how_measured": "Fravær", "by_when": _days(90)}
            ],
        },
    ),
    _m("api", "TestFollowUpComplete"): ValidWrite(
        _FOLLOWUPS,
        json=lambda o, org: {
            "held_on": _days(0),
            "form": "meeting",
            "participants": "Forældrene, rådgiver",
            "summary": "Familien er kommet godt i gang.",
            "child_conversation_held": True,
            "decision": "continue",
            "cadence_reason": "Stabil familie.",
        },
    ),
    # The admin: the system administrator adds a team.
    _m("herning", "TestAdminTeamAdd"): ValidWrite("organisation.Team", persona="sysadmin"),
}


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


def silence(wrote: bool, *, matrix: str) -> list[str]:
    """A writing matrix that left no history row (its own request, and the ``VALID_WRITES`` one)
    must say why in ``WRITES_NO_HISTORY`` (and leave it once it writes)."""
    if not wrote and matrix not in WRITES_NO_HISTORY:
        return [
            "no history row at all: give the matrix a write that is accepted in VALID_WRITES, "
            "or say why it writes none in WRITES_NO_HISTORY"
        ]
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


def _refusal(html: str) -> str:
    """The part of a refused form's page that says why (the first error message)."""
    for marker in ("form-error-message", "alert-error", "alert-warning", "Fejl"):
        if marker in html:
            return html.split(marker, 1)[1][:600]
    return html[-600:]


class _FormHistory:
    """Mixed into a copy of each writing ``AccessMatrix``: replays its request as each writer."""

    def test_each_changed_record_gets_one_history_row_by_the_actor(self, org, objects):
        url = self._resolve("url", objects)
        data = self._resolve("data", objects)
        wrong, seen, wrote = [], set(), False
        for persona, status in sorted(self.expected.items()):
            if persona == ANONYMOUS or status not in WROTE:
                continue
            actor = persona_user(org, persona)
            client = Client()
            login_with_second_factor(client, actor)
            response, rows = replay(
                getattr(client, self.method), url, data or {}, **body_kwargs(url, self.method)
            )
            assert response.status_code == status, f"{persona}: {response.status_code} from {url}"
            wrong += [f"{persona}: {p}" for p in problems_in(rows, actor=actor, matrix=self._matrix)]
            seen |= doubled(rows)
            wrote |= bool(rows)
        if self._matrix in VALID_WRITES:
            rows, problems = self._valid_write(org, objects, url)
            wrong += problems
            seen |= doubled(rows)
            wrote |= bool(rows)
        wrong += fixed_double_saves(seen, matrix=self._matrix)
        wrong += silence(wrote, matrix=self._matrix)
        assert not wrong, f"{self.method.upper()} {url}:\n  " + "\n  ".join(wrong)

    def _valid_write(self, org, objects, url):
        """The ``VALID_WRITES`` write of this matrix: its rows, and what is wrong with them."""
        spec = VALID_WRITES[self._matrix]
        persona = spec.persona or next(
            p for p, s in sorted(self.expected.items()) if p != ANONYMOUS and s in MAY_WRITE
        )
        actor = persona_user(org, persona)
        if spec.prepare:
            spec.prepare(objects, org)
        if spec.json:
            client = login_with_second_factor(APIClient(), actor)
            response, rows = replay(client.post, url, spec.json(objects, org), format=spec.api_format)
            return rows, self._judge(spec, persona, actor, response, rows, done=DONE | {200})
        client = login_with_second_factor(Client(), actor)
        page = spec.page(objects) if spec.page else url
        shown = client.get(page)
        assert shown.status_code == 200, f"{persona}: {shown.status_code} from {page}"
        form = form_posting_to(shown.content.decode(), url, page)
        data = filled(form, timezone.localdate().isoformat())
        data.update(spec.values(objects, org) if spec.values else {})
        response, rows = replay(client.post, url, data)
        done = DONE | {200} if spec.shows_result else DONE
        return rows, self._judge(spec, persona, actor, response, rows, done=done)

    def _judge(self, spec, persona, actor, response, rows, *, done=DONE) -> list[str]:
        """A page's form is done with a redirect (a 200 shows it again, refused); an API action
        may answer 200."""
        if response.status_code not in done:
            error = re.sub(r"<[^>]+>|\s+", " ", _refusal(response.content.decode(errors="replace")))
            return [f"{persona} valid write: {response.status_code}, not done: {error}"]
        problems = [
            f"{persona} valid write: {p}" for p in problems_in(rows, actor=actor, matrix=self._matrix)
        ]
        # Each changed record has one row (problems_in); the primary model must be among them.
        if not any(r.model == spec.model for r in rows):
            problems.append(f"{persona} valid write: no history row of {spec.model}")
        return problems


class _ApiHistory:
    """Mixed into a copy of each writing ``ResourceMatrix``: replays its create and update."""

    def test_each_changed_record_gets_one_history_row_by_the_actor(self, org, objects):
        url = self.detail_url(objects)
        wrong, seen, wrote = [], set(), False
        for persona in sorted(set(self.create) | set(self.update)):
            if persona == ANONYMOUS:
                continue
            actor = getattr(org, persona)
            client = self.api_client(org, persona, objects)
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
            s in MAY_WRITE for p, s in cls.expected.items() if p != ANONYMOUS
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
    assert not set(VALID_WRITES) - names
    assert not set(VALID_WRITES) & set(WRITES_NO_HISTORY)


def test_a_write_without_a_row_must_say_why():
    assert silence(False, matrix="tests.x.TestNew") != []
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


def test_a_known_double_save_that_is_gone_is_reported(monkeypatch):
    matrix, model = "tests.x.TestOld", "cases.Case"
    monkeypatch.setitem(KNOWN_DOUBLE_SAVES, (matrix, model), "saved twice")
    assert fixed_double_saves({model}, matrix=matrix) == []
    assert fixed_double_saves(set(), matrix=matrix) == [
        f"{model} is saved once now: delete its entry in KNOWN_DOUBLE_SAVES"
    ]
