"""The caseload cap (issue 5, point 1): an assignment that would take an advisor above the team's
cap is refused with a message naming the advisor, the load and the cap; the team leader may go
above it with a written reason, which is recorded with history."""

from __future__ import annotations

import contextlib
import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from cases import caseload, services
from cases.models import CaseloadOverride, CaseState
from tests.dashboards.factories import give_cases
from tests.dashboards.team_page import team_overview_page
from tests.factories import CaseFactory


@pytest.fixture
def new_case(org):
    return CaseFactory(team=org.team_a, advisor=None, state=CaseState.NOTIFICATION)


def test_the_default_cap_is_25_with_a_warning_from_20(org):
    assert (org.team_a.caseload_cap, org.team_a.caseload_warning) == (25, 20)


def test_an_advisor_with_24_cases_gets_the_25th(org, new_case):
    give_cases(org.advisor, org.team_a, 24)
    case = services.case_assign(case=new_case, advisor=org.advisor, assigned_by=org.team_leader)
    assert case.advisor == org.advisor
    assert caseload.open_case_count(org.advisor) == 25
    assert not CaseloadOverride.objects.exists()


@pytest.mark.parametrize("load", [25, 26])
def test_an_advisor_at_or_above_the_cap_is_refused_with_who_how_many_and_the_cap(org, new_case, load):
    give_cases(org.advisor, org.team_a, load)
    with pytest.raises(ValidationError) as refused:
        services.case_assign(case=new_case, advisor=org.advisor, assigned_by=org.team_leader)
    message = refused.value.message_dict["advisor"][0]
    assert "Alice" in message and f"{load} åbne sager" in message and "loftet i Team A er 25" in message
    new_case.refresh_from_db()
    assert new_case.advisor is None and new_case.state == CaseState.NOTIFICATION
    assert caseload.open_case_count(org.advisor) == load


@pytest.mark.parametrize("load", [25, 26])
def test_the_team_leader_goes_above_the_cap_with_a_written_reason(org, new_case, load):
    give_cases(org.advisor, org.team_a, load)
    services.case_assign(
        case=new_case,
        advisor=org.advisor,
        assigned_by=org.team_leader,
        override_reason="  Søskende til et barn i Alices sag; Alice kender familien.  ",
    )
    assert caseload.open_case_count(org.advisor) == load + 1
    override = CaseloadOverride.objects.get()
    assert (override.case, override.advisor, override.team, override.decided_by) == (
        new_case,
        org.advisor,
        org.team_a,
        org.team_leader,
    )
    assert (override.load, override.cap) == (load, 25)
    assert override.reason == "Søskende til et barn i Alices sag; Alice kender familien."
    assert override.history.get().history_user == org.team_leader


def test_a_reason_of_only_spaces_is_no_reason(org, new_case):
    give_cases(org.advisor, org.team_a, 25)
    with pytest.raises(ValidationError) as refused:
        services.case_assign(
            case=new_case, advisor=org.advisor, assigned_by=org.team_leader, override_reason="   "
        )
    assert "advisor" in refused.value.message_dict
    assert not CaseloadOverride.objects.exists()


def test_only_the_team_leader_of_the_cases_team_may_go_above_the_cap(org, new_case):
    """A case's advisor opening a case for themselves above the cap cannot override it."""
    give_cases(org.advisor, org.team_a, 25)
    with pytest.raises(ValidationError) as refused:
        services.case_assign(
            case=new_case, advisor=org.advisor, assigned_by=org.other_team_leader, override_reason="Travlt"
        )
    assert "Kun teamlederen for Team A" in refused.value.message_dict["override_reason"][0]
    with pytest.raises(ValidationError):
        services.case_assign(
            case=new_case, advisor=org.advisor, assigned_by=org.advisor, override_reason="Travlt"
        )
    assert not CaseloadOverride.objects.exists()


def test_a_reason_under_the_cap_records_no_override(org, new_case):
    services.case_assign(
        case=new_case, advisor=org.advisor, assigned_by=org.team_leader, override_reason="Unødvendig"
    )
    assert not CaseloadOverride.objects.exists()


def test_the_load_counts_open_cases_only_and_in_every_team(org, new_case):
    give_cases(org.advisor, org.team_a, 23)
    CaseFactory(team=org.team_a, advisor=org.advisor, state=CaseState.CLOSED, closed_on=new_case.opened_on)
    other = CaseFactory(team=org.team_a, advisor=None)
    other.team = org.team_b  # a case of another team the advisor is responsible for (made directly)
    other.district = org.district_b
    other.advisor = org.advisor
    other.save()
    assert caseload.open_case_count(org.advisor) == 24
    services.case_assign(case=new_case, advisor=org.advisor, assigned_by=org.team_leader)
    with pytest.raises(ValidationError):
        services.case_assign(
            case=CaseFactory(team=org.team_a), advisor=org.advisor, assigned_by=org.team_leader
        )


def test_assigning_a_case_to_its_own_advisor_again_is_not_counted_twice(org):
    cases = give_cases(org.advisor, org.team_a, 26)
    services.case_assign(case=cases[0], advisor=org.advisor, assigned_by=org.team_leader)
    assert not CaseloadOverride.objects.exists()


def test_moving_a_case_between_advisors_checks_the_receivers_load(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    give_cases(org.colleague, org.team_a, 25)
    with pytest.raises(ValidationError) as refused:
        services.case_assign(case=case, advisor=org.colleague, assigned_by=org.team_leader)
    assert "Bob" in refused.value.message_dict["advisor"][0]


def test_a_team_with_its_own_cap(org, new_case):
    org.team_a.caseload_cap, org.team_a.caseload_warning = 15, 12
    org.team_a.save()
    give_cases(org.advisor, org.team_a, 15)
    with pytest.raises(ValidationError) as refused:
        services.case_assign(case=new_case, advisor=org.advisor, assigned_by=org.team_leader)
    assert "loftet i Team A er 15" in refused.value.message_dict["advisor"][0]


def test_opening_a_case_for_an_advisor_at_the_cap_is_refused(org):
    """An advisor opening a case for themselves is told that only the team leader may go above."""
    give_cases(org.advisor, org.team_a, 25)
    child = CaseFactory(team=org.team_a, state=CaseState.CLOSED, closed_on=datetime.date(2025, 1, 1)).child
    with pytest.raises(ValidationError) as refused:
        services.case_open(child=child, opened_by=org.advisor, advisor=org.advisor)
    assert "kun teamlederen kan gå over loftet" in refused.value.message_dict["advisor"][0]


def test_the_team_leader_is_told_to_write_a_reason(org, new_case):
    give_cases(org.advisor, org.team_a, 25)
    with pytest.raises(ValidationError) as refused:
        services.case_assign(case=new_case, advisor=org.advisor, assigned_by=org.team_leader)
    assert "skriv en begrundelse for at gå over loftet" in refused.value.message_dict["advisor"][0]


# --- The page ---------------------------------------------------------------------------------


def test_the_assign_page_shows_the_refusal_on_the_advisor_field_and_keeps_the_case(org, new_case, login):
    give_cases(org.colleague, org.team_a, 25)
    client = login(org.team_leader)
    url = reverse("cases:case_assign", args=[new_case.pk])
    page = client.get(url).content.decode()
    assert "Bob" in page and "(25 af 25 sager)" in page and "Begrundelse for at gå over loftet" in page
    # The band is named beside the count, before the cap refuses.
    assert "(25 af 25 sager) – ved loftet" in page
    response = client.post(url, {"advisor": org.colleague.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bob" in html and "har allerede 25 åbne sager" in html and "loftet i Team A er 25" in html
    new_case.refresh_from_db()
    assert new_case.advisor is None


def test_the_team_leader_overrides_from_the_page_and_the_override_is_on_the_team_overview(
    org, new_case, login
):
    give_cases(org.colleague, org.team_a, 25)
    client = login(org.team_leader)
    response = client.post(
        reverse("cases:case_assign", args=[new_case.pk]),
        {"advisor": org.colleague.pk, "override_reason": "Bob kender familien fra en tidligere sag."},
    )
    assert response.status_code == 302
    new_case.refresh_from_db()
    assert new_case.advisor == org.colleague
    page = team_overview_page(client)
    assert "Bob kender familien fra en tidligere sag." in page


# --- Two assignments at the same moment -------------------------------------------------------


def test_two_assignments_at_the_same_moment_cannot_both_slip_under_the_cap(
    org, transactional_db, monkeypatch
):
    """Two transactions on two PostgreSQL connections assign a case each to an advisor with 24
    cases. Each pauses after counting until the other has counted too (or a second has passed):
    without the lock on the advisor both would count 24 and both would pass. With it, the second
    waits for the first to commit, counts 25 and is refused."""
    give_cases(org.advisor, org.team_a, 24)
    cases = [CaseFactory(team=org.team_a, advisor=None) for _ in range(2)]
    start = threading.Barrier(2, timeout=10)
    counted = threading.Barrier(2)
    count = caseload.open_case_count

    def count_then_wait(advisor):
        n = count(advisor)
        # With the lock the other transaction waits for this one, and never comes: go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            counted.wait(timeout=1)
        return n

    monkeypatch.setattr(caseload, "open_case_count", count_then_wait)
    outcomes = {}

    def assign(case):
        try:
            start.wait()
            services.case_assign(case=case, advisor=org.advisor, assigned_by=org.team_leader)
            outcomes[case.pk] = "assigned"
        except ValidationError as error:
            outcomes[case.pk] = error.message_dict["advisor"][0]
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(o == "assigned" for o in outcomes.values()) == [False, True]
    refusal = next(o for o in outcomes.values() if o != "assigned")
    assert "25 åbne sager" in refusal
    assert caseload.open_case_count(org.advisor) == 25


def test_the_assign_page_marks_an_advisor_near_the_cap(org, new_case, login):
    give_cases(org.colleague, org.team_a, org.team_a.caseload_warning)
    page = login(org.team_leader).get(reverse("cases:case_assign", args=[new_case.pk])).content.decode()
    load = org.team_a.caseload_warning
    assert f"({load} af {org.team_a.caseload_cap} sager) – tæt på loftet" in page
