"""The team leader's overview (issue 5, point 4): per advisor the load against cap and warning,
overdue and coming deadlines, days since the last follow-up; the ladder per advisor; movements in
the period; children in institutions against the 8-month target; exceptions to approve; overrides
of the cap; filters by district and period; charts each with a table."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from cases import caseload
from cases import services as case_services
from cases.models import CaseloadOverride
from dashboards import selectors
from dashboards.models import StepDownTarget
from followups import services as followup_services
from followups.models import ExceptionKind
from measures.models import Measure
from measures.services import Hearing, measure_change, measure_start
from tests.access import AccessMatrix, outcome_for_all
from tests.dashboards.conftest import fill_the_day
from tests.dashboards.factories import give_cases
from tests.dashboards.team_page import section_urls, team_overview_page
from tests.factories import HEARD, CaseFactory, DistrictFactory, Role, TeamFactory, measure_type, staff
from tests.followups.factories import hold, start_measure

URL = "/team/"


class TestTeamPage(AccessMatrix):
    url = URL
    expected = outcome_for_all(403, team_leader=200, other_team_leader=200, anonymous=302)


class TestTeamSection(AccessMatrix):
    """A section below the first screen is decided like the page: team leaders only."""

    url = URL + "afsnit/opfoelgning/"
    expected = outcome_for_all(403, team_leader=200, other_team_leader=200, anonymous=302)


def overview(org, user=None, *, days=90, teams=None):
    user = user or org.team_leader
    now = timezone.now()
    return selectors.team_overview(
        user,
        teams=teams or user.teams_for(Role.TEAM_LEADER),
        window=selectors.Window(days=days, end=timezone.localdate(now)),
        now=now,
    )


def row_of(data, advisor):
    return next(r for r in data.advisors if r.advisor == advisor)


def test_each_advisor_against_the_cap_and_the_warning_level(org, login):
    give_cases(org.advisor, org.team_a, 25)
    give_cases(org.colleague, org.team_a, 20)
    give_cases(org.duty_advisor, org.team_a, 3)
    data = overview(org)
    assert {(r.advisor, r.load.open_cases, r.load.level) for r in data.advisors} == {
        (org.advisor, 25, "at_cap"),
        (org.colleague, 20, "warning"),
        (org.duty_advisor, 3, "under"),
    }
    assert [str(r.advisor) for r in data.advisors] == sorted(str(r.advisor) for r in data.advisors)
    page = team_overview_page(login(org.team_leader))
    assert "Loftet nået" in page and "Advarselsniveau nået" in page and "Under advarselsniveau" in page
    assert page.count('role="img"') == 3  # three charts, each with its table
    assert "Loft 25" in page and "Advarsel 20" in page


def test_the_other_team_leader_sees_nothing_of_team_a(org, day, login):
    give_cases(org.advisor, org.team_a, 3)
    page = team_overview_page(login(org.other_team_leader))
    assert "Alice" not in page and day["measure"].case.child.full_name not in page


def test_deadlines_per_advisor_and_days_since_the_last_follow_up(org, day):
    data = overview(org)
    alice = row_of(data, org.advisor)
    assert alice.due.overdue >= 1 and alice.due.week + alice.due.later >= 1
    measure = day["measure"]
    (recency,) = next(r for r in data.recency.listed if r.case.pk == measure.case_id).measures
    assert recency.last_followup is None and recency.days == 60
    hold(measure, timezone.localdate() - datetime.timedelta(days=10), by=org.advisor)
    (recency,) = next(r for r in overview(org).recency.listed if r.case.pk == measure.case_id).measures
    assert recency.last_followup == timezone.localdate() - datetime.timedelta(days=10) and recency.days == 10


def test_the_ladder_per_advisor_and_for_the_team(org):
    today = timezone.localdate()
    start_measure(org, "family_treatment", today, advisor=org.advisor)
    start_measure(org, "institution", today, advisor=org.colleague)
    CaseFactory(team=org.team_a, advisor=None)
    data = overview(org)
    keys = data.step_keys
    assert row_of(data, org.advisor).step_counts[keys.index(2)] == 1
    assert row_of(data, org.colleague).step_counts[keys.index(6)] == 1
    assert data.unassigned_step_counts[keys.index(None)] == 1
    assert data.step_totals[keys.index(2)] == 1 and data.step_totals[keys.index(None)] == 1


def test_movements_down_and_up_in_the_period(org):
    today = timezone.localdate()
    old = start_measure(org, "institution", today - datetime.timedelta(days=200), advisor=org.advisor)
    measure_change(
        hearing=HEARD,
        measure=old,
        change_date=today - datetime.timedelta(days=20),
        ending_reason=Measure.EndingReason.GOALS_MET,
        new_measure_type=measure_type("foster_family"),
        decided_by=org.team_leader,
    )
    home = start_measure(org, "family_treatment", today - datetime.timedelta(days=40), advisor=org.advisor)
    measure_change(
        hearing=HEARD,
        measure=home,
        change_date=today - datetime.timedelta(days=10),
        ending_reason=Measure.EndingReason.OTHER,
        new_measure_type=measure_type("own_room"),
        decided_by=org.team_leader,
    )
    data = overview(org)
    alice = next(r for r in data.movement_rows if r.advisor == org.advisor)
    assert (alice.down, alice.up, alice.first) == (1, 1, 1)  # the institution's start is 200 days ago
    assert data.movements[(org.team_a.pk, org.advisor.pk)] == (1, 1, 1)
    alice = next(r for r in overview(org, days=365).movement_rows if r.advisor == org.advisor)
    assert (alice.down, alice.up, alice.first) == (1, 1, 2)


def test_institution_placements_against_the_eight_month_target(org, login):
    today = timezone.localdate()
    long_ago = start_measure(org, "institution", today - relativedelta(months=9), advisor=org.advisor)
    recent = start_measure(org, "institution", today - relativedelta(months=2), advisor=org.colleague)
    data = overview(org)
    assert (data.placements.total, data.placements.beyond_target) == (2, 1)
    assert [(p.case.pk, p.months, p.beyond_target) for p in data.placements.listed] == [
        (long_ago.case_id, 9, True),
        (recent.case_id, 2, False),
    ]
    # The rows name the child and the advisor without reading the case records.
    assert data.placements.listed[0].case.child_name == long_ago.case.child.full_name
    assert data.placements.listed[1].case.advisor == org.colleague
    page = team_overview_page(login(org.team_leader))
    assert (
        "Målet: 80 % af de institutionsanbragte børn er i et mindre indgribende tilbud inden 8 måneder"
        in page
    )
    assert "8 måneder eller mere" in page and "Under 8 måneder" in page
    assert "2 børn er på et institutionstrin nu, heraf 1 i 8 måneder eller mere." in page


def test_the_cohort_counts_who_stepped_down_within_the_target(org):
    today = timezone.localdate()
    entered = today - relativedelta(months=12)
    down = start_measure(org, "institution", entered, advisor=org.advisor)
    measure_change(
        hearing=HEARD,
        measure=down,
        change_date=entered + relativedelta(months=5),
        ending_reason=Measure.EndingReason.GOALS_MET,
        new_measure_type=measure_type("foster_family"),
        decided_by=org.team_leader,
    )
    late = start_measure(org, "institution", entered, advisor=org.advisor)
    measure_change(
        hearing=HEARD,
        measure=late,
        change_date=entered + relativedelta(months=10),
        ending_reason=Measure.EndingReason.GOALS_MET,
        new_measure_type=measure_type("foster_family"),
        decided_by=org.team_leader,
    )
    start_measure(org, "institution", entered, advisor=org.colleague)
    start_measure(org, "institution", today - relativedelta(months=3), advisor=org.colleague)  # too recent
    cohort = overview(org).cohort
    assert (cohort.entered, cohort.stepped_down) == (3, 1)
    assert round(cohort.share) == 33
    assert cohort.end == today - relativedelta(months=8)


def test_a_municipalitys_own_target_replaces_the_default(org):
    StepDownTarget.objects.create(municipality=org.municipality, name="Herning", share=75, months=6)
    start_measure(org, "institution", timezone.localdate() - relativedelta(months=7), advisor=org.advisor)
    data = overview(org)
    assert data.target.months == 6 and data.placements.listed[0].beyond_target
    assert data.placements.beyond_target == 1


def test_exceptions_waiting_and_overrides_of_the_cap(org, login):
    today = timezone.localdate()
    measure = start_measure(org, "boarding_school", today - datetime.timedelta(days=30), advisor=org.advisor)
    followup_services.exception_request(
        measure=measure, kind=ExceptionKind.BOARDING_SCHOOL, reason="Langt væk", requested_by=org.advisor
    )
    give_cases(org.colleague, org.team_a, 25)
    case_services.case_assign(
        case=CaseFactory(team=org.team_a),
        advisor=org.colleague,
        assigned_by=org.team_leader,
        override_reason="Kender familien",
    )
    old = case_services.case_assign(
        case=CaseFactory(team=org.team_a),
        advisor=org.colleague,
        assigned_by=org.team_leader,
        override_reason="Gammel begrundelse",
    )
    CaseloadOverride.objects.filter(case=old).update(decided_at=timezone.now() - datetime.timedelta(days=120))
    client = login(org.team_leader)
    page = team_overview_page(client)
    assert "Efterskoleophold efter § 52" in page and reverse("followups:exceptions") in page
    assert "Kender familien" in page and "Gammel begrundelse" not in page
    assert "<strong>1</strong> tilsidesættelser af loftet" in page
    # The period chosen on the first screen is the sections' period too.
    longer = team_overview_page(client, "?period=180")
    assert "Gammel begrundelse" in longer and "<strong>2</strong> tilsidesættelser af loftet" in longer
    assert "Kender familien" not in team_overview_page(login(org.other_team_leader))


def test_a_leader_of_two_districts_filters_by_district(org, login):
    leader = staff(
        username="tl_ab",
        municipality=org.municipality,
        roles=[(Role.TEAM_LEADER, org.team_a), (Role.TEAM_LEADER, org.team_b)],
    )
    give_cases(org.advisor, org.team_a, 2)
    give_cases(org.outsider, org.team_b, 2)
    client = login(leader)
    both = client.get(URL).content.decode()
    assert "Alice" in both and "Charlie" in both
    only_b = client.get(f"{URL}?district={org.district_b.pk}").content.decode()
    assert "Charlie" in only_b and "Alice" not in only_b
    elsewhere = DistrictFactory(municipality=org.municipality, name="Distrikt C")
    TeamFactory(district=elsewhere)
    refused = client.get(f"{URL}?district={elsewhere.pk}")
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Alice" in html and "Charlie" in html  # an unknown district falls back to all, with the error
    assert "Marker en gyldig valgmulighed" in html


# The first screen's reads: the request's own (the session and the person), the teams' advisors
# and their loads, the cases per step, the deadlines per person (the advisors' own work wherever it
# lies, and the teams' unassigned ones), the recency of every measure (for each advisor's longest),
# the ladder, the unread reminders of the page's header, the cases awaiting an advisor, the requests
# waiting (their ids, and the exceptions' records as there are some) and the overrides in the period
# (a count). It names no child, so it logs nothing.
TEAM_QUERIES = 15
# Each section's reads: the request's own, what the section shows, and the access log of the
# children it names (their ids, and one insert for them all). The movements name no child; the
# placements read the ladder, the target and the cohort too.
SECTION_QUERIES = {
    "bevaegelser": 5,
    "institution": 10,
    "uden-partshoering": 5,
    "opfoelgning": 8,
    "overskredne": 7,
    "anmodninger": 7,
    "loftet": 6,
}


def _requests_and_overrides(org, advisor):
    """What the sections list beside the day's work, for ``advisor``: a measure started without the
    child's hearing, a request for an exception from the rule and an override of the cap."""
    measure_start(
        hearing=Hearing.not_held(Measure.HearingOmitted.URGENT, "Akut anbringelse om natten."),
        case=CaseFactory(team=org.team_a, advisor=advisor),
        measure_type=measure_type("family_treatment"),
        start_date=timezone.localdate() - datetime.timedelta(days=2),
        decided_by=advisor,
    )
    measure = start_measure(
        org, "boarding_school", timezone.localdate() - datetime.timedelta(days=30), advisor=advisor
    )
    followup_services.exception_request(
        measure=measure, kind=ExceptionKind.BOARDING_SCHOOL, reason="Langt væk", requested_by=advisor
    )
    give_cases(advisor, org.team_a, 25 - caseload.open_case_counts([advisor.pk])[advisor.pk])
    case_services.case_assign(
        case=CaseFactory(team=org.team_a),
        advisor=advisor,
        assigned_by=org.team_leader,
        override_reason="Kender familien",
    )


def _busy(org):
    for advisor in (org.advisor, org.colleague, org.duty_advisor):
        fill_the_day(org, advisor=advisor)
        give_cases(advisor, org.team_a, 5)
    start_measure(org, "institution", timezone.localdate() - relativedelta(months=11), advisor=org.colleague)
    _requests_and_overrides(org, org.colleague)


def test_the_overview_costs_the_same_queries_for_a_small_or_a_busy_team(
    org, login, django_assert_num_queries
):
    client = login(org.team_leader)
    fill_the_day(org)
    _requests_and_overrides(org, org.advisor)
    urls = section_urls(client.get(URL).content.decode())
    assert [u.split("/")[3] for u in urls] == list(selectors.TEAM_SECTIONS)

    def measure():
        with django_assert_num_queries(TEAM_QUERIES):
            assert client.get(URL).status_code == 200
        for key, url in zip(selectors.TEAM_SECTIONS, urls, strict=True):
            with django_assert_num_queries(SECTION_QUERIES[key]):
                assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200

    measure()
    _busy(org)
    measure()


@pytest.mark.parametrize("period", ["30", "365", "bad"])
def test_the_filters_never_fail(org, login, period):
    assert login(org.team_leader).get(f"{URL}?period={period}&district=x").status_code == 200


def test_a_case_whose_advisor_left_the_team_names_that_advisor_in_the_lists(org, login):
    """The overview names its advisors from the load rows it already read; an advisor who is no
    longer on the team (still named on a case) is read in one more query, and named all the same."""
    today = timezone.localdate()
    gone = staff(username="dora", municipality=org.municipality, roles=[], first_name="Dora", last_name="Dam")
    measure = start_measure(org, "institution", today - relativedelta(months=3), advisor=org.advisor)
    measure.case.advisor = gone
    measure.case.save(update_fields=["advisor"])
    data = overview(org)
    assert next(r for r in data.recency.listed if r.case.pk == measure.case_id).case.advisor == gone
    assert next(p for p in data.placements.listed if p.case.pk == measure.case_id).case.advisor == gone
    page = team_overview_page(login(org.team_leader))
    assert page.count("Dora Dam") >= 2  # in the placements and the follow-up recency (and her deadlines)


def test_the_overview_logs_each_child_it_names_with_the_case_it_shows(org, day, login):
    """Each section's access log is written from the case ids it shows, read as values
    (``cases.selectors.children_of_cases``): one entry per child, with its case and its
    municipality, under the section's address; the first screen names no child and logs none; the
    other team's leader's overview logs none of team A's children."""
    from herning.audit.models import AccessLog

    case = day["measure"].case
    client = login(org.team_leader)
    client.get(URL)
    assert not AccessLog.objects.for_system().filter(user=org.team_leader).exists()
    team_overview_page(client)
    entries = AccessLog.objects.for_system().filter(user=org.team_leader, what=URL + "afsnit/opfoelgning/")
    assert (case.child_id, case.pk, case.child.municipality_id) in {
        (e.child_id, e.case_id, e.municipality_id) for e in entries
    }
    assert entries.count() == len({e.child_id for e in entries})
    team_overview_page(login(org.other_team_leader))
    assert not AccessLog.objects.for_system().filter(user=org.other_team_leader, child=case.child).exists()


def test_a_child_named_only_in_the_overdue_list_is_logged(org, login):
    """A case with an overdue investigation and no measure is named by the list of overdue
    deadlines alone (not by the recency, the placements or the requests): its section logs it."""
    from herning.audit.models import AccessLog

    today = timezone.localdate()
    inquiry = CaseFactory(
        team=org.team_a, advisor=org.advisor, opened_on=today - datetime.timedelta(days=150)
    )
    case_services.investigation_open(
        case=inquiry, decided_on=today - datetime.timedelta(days=140), decided_by=org.advisor
    )
    page = team_overview_page(login(org.team_leader))
    assert inquiry.child.full_name in page
    logged = AccessLog.objects.for_system().filter(user=org.team_leader, child=inquiry.child)
    assert list(logged.values_list("case_id", "what")) == [(inquiry.pk, URL + "afsnit/overskredne/")]


def test_the_first_screen_names_no_child_and_links_every_section(org, day, login):
    client = login(org.team_leader)
    page = client.get(URL).content.decode()
    assert day["measure"].case.child.full_name not in page
    for key in selectors.TEAM_SECTIONS:
        assert f'<h2 id="{key}">' in page  # the figures' links (#overskredne, …) land on it
        assert f'href="/team/afsnit/{key}/"' in page  # opened on its own without JavaScript
    assert client.get(URL + "afsnit/sagstal/").status_code == 404
    assert client.get(URL + "afsnit/ukendt/").status_code == 404


def test_a_section_without_htmx_is_a_page_of_its_own_with_the_filters(org, day, login):
    client = login(org.team_leader)
    page = client.get(URL + "afsnit/opfoelgning/?period=30").content.decode()
    assert "<h1>Dage siden sidste opfølgning</h1>" in page and "<html" in page
    assert day["measure"].case.child.full_name in page
    assert 'href="/team/?period=30" class="back-link"' in page
    part = client.get(URL + "afsnit/opfoelgning/?period=30", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in part and day["measure"].case.child.full_name in part


def test_a_request_decided_from_its_section_returns_to_the_overview_with_its_filters(org, login):
    today = timezone.localdate()
    measure = start_measure(org, "boarding_school", today - datetime.timedelta(days=30), advisor=org.advisor)
    followup_services.exception_request(
        measure=measure, kind=ExceptionKind.BOARDING_SCHOOL, reason="Langt væk", requested_by=org.advisor
    )
    part = login(org.team_leader).get(URL + "afsnit/anmodninger/?period=30", HTTP_HX_REQUEST="true")
    assert '<input type="hidden" name="next" value="/team/?period=30">' in part.content.decode()
