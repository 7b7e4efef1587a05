"""What the API promises beyond who may do what: field conventions, the error format and its
language, lost updates, assignment, completing a follow-up, the access log, tokens, filters and
query counts."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Case
from herning.api.models import ApiToken
from herning.audit.models import AccessLog
from tests.api.base import field_errors, results
from tests.factories import HEARD, CaseFactory, ChildFactory, cpr_for, staff
from tests.fixtures import login_with_second_factor
from tests.followups.factories import start_measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(org):
    def _api(user):
        return login_with_second_factor(APIClient(), user)

    return _api


# --- Field conventions -------------------------------------------------------------------------


def test_cpr_is_written_in_full_and_only_ever_read_back_masked(api, org):
    cpr = cpr_for(datetime.date(2014, 2, 3), 5)
    client = api(org.advisor)
    created = client.post(
        "/api/v1/children/",
        {"cpr": cpr, "first_name": "Ida", "last_name": "Lund", "district": org.district_a.pk},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["cpr"] == "030214-••••"
    assert created.json()["birth_date"] == "2014-02-03"
    listed = client.get("/api/v1/children/")
    for response in (created, listed, client.get(f"/api/v1/children/{created.json()['id']}/")):
        assert cpr not in response.content.decode()
        assert cpr[6:] not in response.content.decode()


def test_dates_are_iso_and_measure_types_go_by_code(api, org, with_measure):
    body = api(org.advisor).get(f"/api/v1/measures/{with_measure.measure.pk}/").json()
    assert body["measure_type"] == "family_treatment"
    assert body["legal_basis"] == "family_treatment"
    assert datetime.date.fromisoformat(body["start_date"]) == with_measure.measure.start_date
    assert api(org.advisor).get("/api/v1/measure-types/mst/").json()["ladder_step"] == 2


def test_a_followup_carries_due_date_kind_rule_explanation_status_and_held_on(api, org, with_measure):
    rows = results(api(org.advisor).get("/api/v1/followups/", {"measure": with_measure.measure.pk}))
    first = rows[0]
    assert set(first) >= {"due_date", "kind", "rule", "explanation", "status", "held_on"}
    start = with_measure.measure.start_date
    assert (first["due_date"], first["kind"], first["status"], first["held_on"]) == (
        (start + datetime.timedelta(weeks=4)).isoformat(),
        "municipal",
        "overdue",
        None,
    )
    assert first["rule"] == "Herningmodellen 1.0"
    assert first["explanation"].startswith("Familiebehandling")
    assert {r["kind"] for r in rows} == {"municipal", "statutory"}
    assert {r["rule"] for r in rows if r["kind"] == "statutory"} == {"Barnets Lov § 95"}


# --- Bad input ----------------------------------------------------------------------------------


def test_bad_payload_gets_400_with_danish_field_messages(api, org):
    response = api(org.advisor).post(
        "/api/v1/children/", {"cpr": "12345", "first_name": "", "district": "nord"}, format="json"
    )
    assert response.status_code == 400
    errors = field_errors(response)
    assert errors["cpr"] == ["Et CPR-nummer har 10 cifre, skrevet DDMMÅÅ-LLLL."]
    assert errors["first_name"] == ["Dette felt må ikke være tomt."]
    assert errors["last_name"] == ["Dette felt er påkrævet."]
    assert errors["district"] == ["Angiv et id (et heltal)."]


def test_a_cpr_number_born_in_the_future_gets_400_at_the_field(api, org):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = api(org.advisor).post(
        "/api/v1/children/",
        {"cpr": cpr_for(tomorrow, 3), "first_name": "Ny", "last_name": "Lund", "district": org.district_a.pk},
        format="json",
    )
    assert response.status_code == 400
    (message,) = field_errors(response)["cpr"]
    assert message.startswith("CPR-nummeret angiver en fødselsdato i fremtiden")


def test_bad_payload_follows_accept_language_english(api, org):
    response = api(org.advisor).post(
        "/api/v1/children/", {"first_name": "Ida"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert field_errors(response)["last_name"] == ["This field is required."]


def test_a_services_refusal_is_a_400_with_its_message(api, org, scenario):
    """The service's rule (a case cannot close before it opened), not a form's, answers."""
    client = api(org.advisor)
    url = f"/api/v1/cases/{scenario.case.pk}/"
    response = client.patch(
        url,
        {"state": "closed", "closed_on": "2020-01-01", "closing_reason": "goals_met"},
        format="json",
        HTTP_IF_MATCH=client.get(url)["ETag"],
    )
    assert response.status_code == 400
    assert field_errors(response) == {
        "closed_on": ["Sagen kan ikke lukkes før den blev oprettet (06.01.2025)."]
    }


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('{"case": "x", "measure_type": 7, "start_date": "5/1/2026"}', "application/json"),
        ('{"case": 99999999999999999999, "measure_type": "", "start_date": null}', "application/json"),
        ("case=1", "text/plain"),
    ],
)
def test_garbage_never_reaches_a_500(api, org, scenario, body, content_type):
    response = api(org.advisor).generic("POST", "/api/v1/measures/", body, content_type=content_type)
    assert 400 <= response.status_code < 500


def test_unknown_measure_type_code_is_named(api, org, scenario):
    response = api(org.advisor).post(
        "/api/v1/measures/",
        {
            "case": scenario.case.pk,
            "measure_type": "rumraket",
            "start_date": "2026-01-05",
            "decision_basis": "with_consent",
        },
        format="json",
    )
    assert field_errors(response) == {"measure_type": ["Ukendt kode: rumraket."]}


# --- Lost updates -------------------------------------------------------------------------------


def test_patch_without_if_match_is_428_and_changes_nothing(api, org, scenario):
    response = api(org.advisor).patch(
        f"/api/v1/children/{scenario.child.pk}/", {"address": "Ny vej 1"}, format="json"
    )
    assert response.status_code == 428
    scenario.child.refresh_from_db()
    assert scenario.child.address == ""


def test_patch_from_a_stale_copy_is_412_and_changes_nothing(api, org, scenario):
    url = f"/api/v1/children/{scenario.child.pk}/"
    alice, leader = api(org.advisor), api(org.team_leader)
    etag = alice.get(url)["ETag"]
    assert (
        leader.patch(
            url, {"city": "Herning"}, format="json", HTTP_IF_MATCH=leader.get(url)["ETag"]
        ).status_code
        == 200
    )
    stale = alice.patch(url, {"city": "Sunds"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    scenario.child.refresh_from_db()
    assert scenario.child.city == "Herning"


def test_a_successful_patch_returns_the_new_etag(api, org, scenario):
    url = f"/api/v1/children/{scenario.child.pk}/"
    client = api(org.advisor)
    response = client.patch(url, {"city": "Herning"}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == 200
    assert response["ETag"] == client.get(url)["ETag"]


# --- Assignment ---------------------------------------------------------------------------------


def test_team_leader_assigns_an_advisor_of_the_team(api, org, scenario):
    response = api(org.team_leader).post(
        f"/api/v1/cases/{scenario.case.pk}/assign/", {"advisor": org.colleague.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["advisor"] == org.colleague.pk
    assert Case.objects.get(pk=scenario.case.pk).advisor == org.colleague


def test_assigning_an_advisor_of_another_team_is_refused_with_a_clear_message(api, org, scenario):
    response = api(org.team_leader).post(
        f"/api/v1/cases/{scenario.case.pk}/assign/",
        {"advisor": org.outsider.pk, "override_reason": "Akut"},
        format="json",
    )
    assert response.status_code == 400
    assert field_errors(response) == {"advisor": [f"{org.outsider} er ikke socialrådgiver i Team A."]}


def test_assigning_above_the_cap_is_refused_and_a_written_reason_lets_the_team_leader_override(
    api, org, scenario
):
    from cases.models import CaseloadOverride

    org.team_a.caseload_warning = 1
    org.team_a.caseload_cap = 1
    org.team_a.save()
    CaseFactory(team=org.team_a, advisor=org.colleague)  # the colleague is at the cap
    url = f"/api/v1/cases/{scenario.case.pk}/assign/"
    refused = api(org.team_leader).post(url, {"advisor": org.colleague.pk}, format="json")
    assert refused.status_code == 400
    message = field_errors(refused)["advisor"][0]
    assert str(org.colleague) in message and "1 åbne sager" in message and "loftet i Team A er 1" in message
    assert Case.objects.get(pk=scenario.case.pk).advisor != org.colleague

    allowed = api(org.team_leader).post(
        url,
        {"advisor": org.colleague.pk, "override_reason": "Kender familien fra søskendesagen."},
        format="json",
    )
    assert allowed.status_code == 200
    override = CaseloadOverride.objects.get()
    assert (override.advisor, override.reason) == (org.colleague, "Kender familien fra søskendesagen.")


@pytest.mark.parametrize(("persona", "status"), [("advisor", 403), ("psychologist", 403), ("outsider", 404)])
def test_only_the_team_leader_assigns(api, org, scenario, persona, status):
    response = api(getattr(org, persona)).post(
        f"/api/v1/cases/{scenario.case.pk}/assign/", {"advisor": org.colleague.pk}, format="json"
    )
    assert response.status_code == status


# --- Completing a follow-up -----------------------------------------------------------------------


def _complete_payload(**extra):
    return {
        "held_on": timezone.localdate().isoformat(),
        "form": "meeting",
        "participants": "Forældrene, Familiecenteret, rådgiver",
        "summary": "Familien er kommet godt i gang.",
        "child_conversation_held": True,
        "decision": "continue",
        "cadence_reason": "Stabil familie; halvårlig lovpligtig opfølgning er nok.",
        **extra,
    }


def test_completing_the_overdue_followup_records_it_and_marks_it_done(api, org, with_measure):
    client = api(org.advisor)
    overdue = next(
        r
        for r in results(client.get("/api/v1/followups/", {"measure": with_measure.measure.pk}))
        if r["status"] == "overdue"
    )
    response = client.post(f"/api/v1/followups/{overdue['id']}/complete/", _complete_payload(), format="json")
    assert response.status_code == 201, response.content
    met = response.json()["met"]
    assert overdue["id"] in {m["id"] for m in met}
    assert all(m["status"] == "done" and m["held_on"] == timezone.localdate().isoformat() for m in met)
    again = client.post(f"/api/v1/followups/{overdue['id']}/complete/", _complete_payload(), format="json")
    assert again.status_code == 400
    assert with_measure.case.journal_notes.filter(heading="child_conversation").count() == 1


def test_completing_needs_the_right_to_write_the_case(api, org, with_measure):
    client = api(org.psychologist)
    item = results(client.get("/api/v1/followups/", {"measure": with_measure.measure.pk}))[0]
    response = client.post(f"/api/v1/followups/{item['id']}/complete/", _complete_payload(), format="json")
    assert response.status_code == 403


def test_completing_with_bad_input_names_the_fields(api, org, with_measure):
    client = api(org.advisor)
    item = results(client.get("/api/v1/followups/", {"measure": with_measure.measure.pk}))[0]
    response = client.post(
        f"/api/v1/followups/{item['id']}/complete/",
        _complete_payload(child_conversation_held=False, held_on="2099-01-01"),
        format="json",
    )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"held_on", "no_conversation_reason"}


def test_a_supervisory_visit_by_phone_is_refused_at_its_field(api, org, with_measure):
    # SEL § 148, stk. 3 / Barnets Lov § 156, stk. 5: a supervisory visit is a visit in person.
    client = api(org.advisor)
    item = results(client.get("/api/v1/followups/", {"measure": with_measure.measure.pk}))[0]
    response = client.post(
        f"/api/v1/followups/{item['id']}/complete/",
        _complete_payload(form="phone", supervisory_visit=True),
        format="json",
    )
    assert response.status_code == 400, response.content
    assert set(field_errors(response)) == {"supervisory_visit"}
    assert "pr. telefon eller mail" in field_errors(response)["supervisory_visit"][0]
    assert not with_measure.measure.followups.exists()


# --- The access log ------------------------------------------------------------------------------


def test_reading_a_child_through_the_api_is_logged(api, org, scenario):
    api(org.advisor).get(f"/api/v1/children/{scenario.child.pk}/")
    entry = AccessLog.objects.get()
    assert (entry.user, entry.child, entry.channel) == (org.advisor, scenario.child, "api")
    assert entry.what == f"/api/v1/children/{scenario.child.pk}/"


def test_a_list_logs_each_child_shown_once(api, org, scenario):
    other = CaseFactory(team=org.team_a, advisor=org.advisor)
    api(org.advisor).get("/api/v1/cases/")
    assert sorted(AccessLog.objects.values_list("child_id", flat=True)) == sorted(
        [scenario.child.pk, other.child.pk]
    )


@pytest.mark.parametrize("resource", ["measures", "ladder-movements"])
def test_a_list_read_without_its_cases_rows_logs_each_childs_case_and_municipality(
    api, org, with_measure, resource
):
    """Measures and ladder movements read the log's ids as columns of their own query
    (``AuditedMixin.audit_case_path``), not the case and the child: the entries are the same."""
    ChildFactory()  # so that the other case's id is not its child's
    other = CaseFactory(team=org.team_a, advisor=org.advisor)
    assert other.pk != other.child_id
    start_measure(org, "foster_family", timezone.localdate() - datetime.timedelta(days=20), case=other)
    response = api(org.advisor).get(f"/api/v1/{resource}/")
    assert response.status_code == 200
    entries = set(
        AccessLog.objects.values_list("user_id", "child_id", "case_id", "municipality_id", "channel")
    )
    assert entries == {
        (org.advisor.pk, case.child_id, case.pk, case.child.municipality_id, "api")
        for case in (with_measure.case, other)
    }
    # One record read on its own logs its child and case in the same way.
    before = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first()
    record = response.json()["results"][0]
    assert api(org.advisor).get(f"/api/v1/{resource}/{record['id']}/").status_code == 200
    assert AccessLog.objects.filter(pk__gt=before).get().case_id == record["case"]


def test_reading_the_catalog_logs_nothing(api, org):
    api(org.advisor).get("/api/v1/measure-types/")
    assert not AccessLog.objects.exists()


# --- Tokens ----------------------------------------------------------------------------------------


def _token_client(user, *, read_only):
    _, key = ApiToken.issue(user=user, name="integration", read_only=read_only)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_token_carries_exactly_its_users_access(org, scenario):
    url = f"/api/v1/cases/{scenario.case.pk}/"
    assert _token_client(org.advisor, read_only=True).get(url).status_code == 200
    assert _token_client(org.outsider, read_only=False).get(url).status_code == 404


def test_a_read_only_token_reads_but_cannot_write(org, scenario):
    client = _token_client(org.advisor, read_only=True)
    assert client.get("/api/v1/children/").status_code == 200
    response = client.post(
        "/api/v1/measures/",
        {"case": scenario.case.pk, "measure_type": "mst", "start_date": timezone.localdate().isoformat()},
        format="json",
    )
    assert response.status_code == 403


def test_a_read_write_token_writes_through_the_services(org, scenario):
    client = _token_client(org.advisor, read_only=False)
    response = client.post(
        "/api/v1/measures/",
        {
            "case": scenario.case.pk,
            "measure_type": "mst",
            "start_date": timezone.localdate().isoformat(),
            "decision_basis": "with_consent",
            "hearing_omitted": "age_maturity",
            "hearing_omitted_note": "Barnet er 2 år.",
        },
        format="json",
    )
    assert response.status_code == 201
    case = Case.objects.get(pk=scenario.case.pk)
    assert (case.state, case.current_step.number) == ("measures", 2)
    assert case.movements.get().reason == "first_measure"


# --- Filtering, ordering, pagination, query counts ------------------------------------------------


def test_filters_ordering_and_pagination(api, org):
    cases = [
        CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=datetime.date(2025, 1, d))
        for d in (3, 1, 2)
    ]
    client = api(org.advisor)
    page = client.get("/api/v1/cases/", {"ordering": "opened_on", "page_size": 2}).json()
    assert page["count"] == 3
    assert [c["id"] for c in page["results"]] == [cases[1].pk, cases[2].pk]
    assert page["next"]
    filtered = results(client.get("/api/v1/cases/", {"opened_after": "2025-01-02"}))
    assert {c["id"] for c in filtered} == {cases[0].pk, cases[2].pk}


def test_caseload_shows_open_cases_against_the_cap(api, org):
    for _ in range(3):
        CaseFactory(team=org.team_a, advisor=org.advisor)
    org.team_a.caseload_cap, org.team_a.caseload_warning = 3, 2
    org.team_a.save()
    row = api(org.team_leader).get(f"/api/v1/caseload/{org.advisor.pk}/").json()
    assert (row["open_cases"], row["cap"], row["warning_level"], row["status"]) == (3, 3, 2, "at_cap")
    names = {r["advisor"] for r in results(api(org.team_leader).get("/api/v1/caseload/"))}
    assert names == {org.advisor.pk, org.colleague.pk, org.duty_advisor.pk}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/children/",
        "/api/v1/cases/",
        "/api/v1/measures/",
        "/api/v1/ladder-movements/",
        "/api/v1/plans/",
        "/api/v1/followups/",
        "/api/v1/caseload/",
    ],
)
def test_list_query_counts_do_not_grow_with_the_rows(api, org, url, django_assert_max_num_queries):
    from measures import services as measure_services
    from tests.factories import measure_type

    def add(n):
        for _ in range(n):
            case = CaseFactory(team=org.team_a, advisor=org.advisor)
            measure_services.measure_start(
                hearing=HEARD,
                case=case,
                measure_type=measure_type("foster_family"),
                start_date=timezone.localdate() - datetime.timedelta(days=30),
                decided_by=org.advisor,
            )

    client = api(org.advisor)
    add(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add(4)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_second_municipality_sees_nothing_of_the_first(org, scenario):
    from tests.factories import MunicipalityFactory, TeamFactory

    other = MunicipalityFactory(name="Ikast-Brande", code="756")
    team = TeamFactory(district__municipality=other)
    stranger = staff(username="ikast", municipality=other, roles=[("team_leader", team)])
    client = login_with_second_factor(APIClient(), stranger)
    assert client.get(f"/api/v1/children/{scenario.child.pk}/").status_code == 404
    assert results(client.get("/api/v1/cases/")) == []
    assert json.loads(client.get("/api/v1/caseload/").content)["count"] == 0


@pytest.mark.parametrize("url", ["/api/v1/network-meetings/", "/api/v1/notifications/"])
def test_a_moment_with_an_offset_postgresql_refuses_is_still_answered(api, org, url):
    """Found by schemathesis: ISO 8601 allows -23:16, PostgreSQL only ±15:59."""
    param = "starts_after" if "meetings" in url else "received_after"
    response = api(org.advisor).get(url, {param: "2126-11-30T03:00:34-23:16"})
    assert response.status_code == 200


def test_caseload_gives_each_team_its_own_cap_as_assignment_enforces_it(api, org):
    """An advisor in two teams: each team's row carries that team's cap and band, the cap the
    assignment of a case of that team enforces (not one cap for the advisor)."""
    from django.core.exceptions import ValidationError

    from cases import services as case_services

    both = staff(
        username="dora",
        municipality=org.municipality,
        roles=[("advisor", org.team_a), ("advisor", org.team_b)],
    )
    org.team_a.caseload_cap, org.team_a.caseload_warning = 3, 2
    org.team_a.save()
    org.team_b.caseload_cap, org.team_b.caseload_warning = 5, 4
    org.team_b.save()
    for _ in range(3):
        CaseFactory(team=org.team_a, advisor=both)
    row = api(org.team_leader).get(f"/api/v1/caseload/{both.pk}/").json()
    assert row["open_cases"] == 3
    assert [(t["team"], t["cap"], t["warning_level"], t["status"]) for t in row["teams"]] == [
        (org.team_a.pk, 3, 2, "at_cap"),
        (org.team_b.pk, 5, 4, "ok"),
    ]
    with pytest.raises(ValidationError):
        case_services.case_assign(
            case=CaseFactory(team=org.team_a, advisor=None), advisor=both, assigned_by=org.team_leader
        )
    case_services.case_assign(
        case=CaseFactory(team=org.team_b, advisor=None), advisor=both, assigned_by=org.other_team_leader
    )


def test_caseload_for_one_team_gives_that_teams_cap_at_the_top(api, org, django_assert_max_num_queries):
    """``?team=``: the team's advisors only, and the top-level ``cap``, ``warning_level`` and
    ``status`` are that team's, the cap an assignment of a case of that team enforces (without it
    they are the strictest team's, kept for earlier integrations)."""
    both = staff(
        username="dora",
        municipality=org.municipality,
        roles=[("advisor", org.team_a), ("advisor", org.team_b)],
    )
    org.team_a.caseload_cap, org.team_a.caseload_warning = 3, 2
    org.team_a.save()
    org.team_b.caseload_cap, org.team_b.caseload_warning = 5, 4
    org.team_b.save()
    for _ in range(3):
        CaseFactory(team=org.team_a, advisor=both)
    client = api(org.other_team_leader)
    top = ("open_cases", "cap", "warning_level", "status")
    row = client.get(f"/api/v1/caseload/{both.pk}/", {"team": org.team_b.pk}).json()
    assert tuple(row[k] for k in top) == (3, 5, 4, "ok")
    rows = results(client.get("/api/v1/caseload/", {"team": org.team_b.pk}))
    assert {r["advisor"]: tuple(r[k] for k in top) for r in rows} == {
        both.pk: (3, 5, 4, "ok"),
        org.outsider.pk: (0, 5, 4, "ok"),
    }
    row = api(org.team_leader).get(f"/api/v1/caseload/{both.pk}/", {"team": org.team_a.pk}).json()
    assert tuple(row[k] for k in top) == (3, 3, 2, "at_cap")
    # Without the filter: the strictest team's, as before.
    assert client.get(f"/api/v1/caseload/{both.pk}/").json()["cap"] == 3
    # The filter costs one query (the team), none per row.
    with django_assert_max_num_queries(len(_queries(client, "/api/v1/caseload/")) + 1):
        client.get("/api/v1/caseload/", {"team": org.team_b.pk})


def _queries(client, url, **params) -> list:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return captured.captured_queries


@pytest.mark.parametrize("team", ["x", "999999", "other"])
def test_caseload_for_a_team_outside_the_municipality_is_a_400_on_the_field(api, org, team):
    from tests.factories import MunicipalityFactory, TeamFactory

    if team == "other":
        team = TeamFactory(district__municipality=MunicipalityFactory(name="Ikast-Brande", code="756")).pk
    response = api(org.team_leader).get("/api/v1/caseload/", {"team": team})
    assert response.status_code == 400
    assert field_errors(response) == {"team": ["Vælg et team i din kommune."]}


@pytest.mark.parametrize("body", [{}, {"closing_note": "x"}])
def test_a_patch_without_the_field_it_is_about_is_a_field_error_not_a_500(
    api, org, scenario, with_plan, body
):
    """PATCH makes every field optional: a case's update is about its state, a goal's about its
    status; a body without it is a 400 at that field (it was a 500)."""
    client = api(org.advisor)
    case_url = f"/api/v1/cases/{scenario.case.pk}/"
    response = client.patch(case_url, body, format="json", HTTP_IF_MATCH=client.get(case_url)["ETag"])
    assert response.status_code == 400 and set(field_errors(response)) == {"state"}
    goal = scenario.plan.goals.first()
    goal_url = f"/api/v1/goals/{goal.pk}/"
    response = client.patch(goal_url, {}, format="json", HTTP_IF_MATCH=client.get(goal_url)["ETag"])
    assert response.status_code == 400 and set(field_errors(response)) == {"status"}


def test_starting_a_measure_identical_to_a_running_one_answers_400_and_writes_nothing(org, scenario):
    client = _token_client(org.advisor, read_only=False)
    body = {
        "case": scenario.case.pk,
        "measure_type": "mst",
        "start_date": timezone.localdate().isoformat(),
        "decision_basis": "with_consent",
        "hearing_omitted": "age_maturity",
        "hearing_omitted_note": "Barnet er 2 år.",
    }
    assert client.post("/api/v1/measures/", body, format="json").status_code == 201
    again = client.post("/api/v1/measures/", body, format="json")
    assert again.status_code == 400
    assert list(field_errors(again)) == ["start_date"]
    assert scenario.case.measures.count() == 1
