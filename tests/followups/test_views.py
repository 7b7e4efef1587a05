"""The follow-up pages for each kind of user: the advisor, a colleague, the outsider of another team
(404), the team leader, the other team's leader and management."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import JournalNote
from followups import services, sweep
from followups.models import CalendarToken, ExceptionKind, FollowUp, FollowUpException, Reminder
from herning.audit.models import AccessLog
from tests.followups.factories import plan_with_goals, start_measure

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-03-10 10:00 +01:00", tick=False):
        yield


@pytest.fixture
def measure(org):
    return start_measure(org, "institution", D(2026, 1, 5))


def status_for(login, user, url, method="get", data=None):
    client = login(user)
    return getattr(client, method)(url, data or {}).status_code


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("advisor", 200),
        ("team_leader", 200),
        ("colleague", 404),
        ("outsider", 404),
        ("other_team_leader", 404),
        ("psychologist", 404),
        ("management", 404),
        ("sysadmin", 404),
    ],
)
def test_measure_schedule_page_per_persona(login, org, measure, persona, expected):
    url = reverse("followups:measure_schedule", args=[measure.pk])
    assert status_for(login, getattr(org, persona), url) == expected


def test_measure_schedule_shows_both_chains_explains_and_logs_the_read(login, org, measure):
    html = login(org.advisor).get(reverse("followups:measure_schedule", args=[measure.pk])).content.decode()
    assert "Kommunens regel" in html and "Lovens minimum" in html
    assert "første opfølgning efter 2 uger, derefter hver 6. uge" in html
    assert "Barnets Lov § 95, stk. 2" in html
    assert "Barnets Lov § 156, stk. 5" in html
    assert "Overskredet" in html  # 19 Jan passed without a follow-up
    assert "Binder først" in html
    # Side by side: the municipal rule's next date (overdue since 19 January) and the law's.
    assert "Næste efter kommunens regel</dt>\n    <dd>19. januar 2026" in html
    assert "Næste efter loven</dt>\n    <dd>5. april 2026 (Barnets Lov § 95)" in html
    assert measure.case.child.cpr not in html
    log = AccessLog.objects.get()
    assert (log.user, log.child, log.case, log.channel) == (
        org.advisor,
        measure.case.child,
        measure.case,
        "page",
    )


def test_the_schedule_rows_show_each_date_its_status_and_what_it_asks_in_both_languages(login, org, measure):
    """The rows are drawn in Python (``schedule_rows``): one per due date, the one binding first
    marked, the law's provision under a statutory date, the texts in the page's language."""
    from followups import selectors

    items = selectors.schedule_for_measure(measure, D(2026, 3, 10)).schedule.items
    client = login(org.advisor)
    url = reverse("followups:measure_schedule", args=[measure.pk])
    html = client.get(url).content.decode()
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    assert len(rows) == len(items) > 3
    first = [row for row in rows if row.startswith(' class="binds-first"')]
    assert len(first) == 1 and "<strong>Binder først</strong>" in first[0]
    assert 'badge badge-error">Overskredet</span>' in first[0]
    assert '<td class="nowrap">19.01.2026</td>' in first[0]
    statutory = [row for row in rows if "<td>Lovpligtig<br>" in row]
    assert statutory and all('<span class="muted">Barnets Lov §' in row for row in statutory)
    assert "Besøg på anbringelsesstedet med børnesamtale" in html  # an institution's supervision visits
    client.post(reverse("set_language"), {"language": "en"})
    text = client.get(url).content.decode()
    assert 'lang="en"' in text
    # The template's own texts as ``{% translate %}`` put them, the apostrophe unescaped.
    assert "<td>The municipality's rule</td>" in text and "<strong>Binds first</strong>" in text
    assert "Kommunens regel</td>" not in text


def test_anonymous_visitors_are_sent_to_login(client, measure):
    response = client.get(reverse("followups:measure_schedule", args=[measure.pk]))
    assert response.status_code == 302 and "/log-ind/" in response["Location"]


def test_a_colleague_who_may_read_the_team_cases_may_not_record(login, org, measure):
    org.team_a.shares_cases = True
    org.team_a.save()
    assert status_for(login, org.colleague, reverse("followups:measure_schedule", args=[measure.pk])) == 200
    assert status_for(login, org.colleague, reverse("followups:record", args=[measure.pk])) == 403


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("advisor", 200), ("team_leader", 200), ("colleague", 404), ("outsider", 404), ("management", 404)],
)
def test_record_page_per_persona(login, org, measure, persona, expected):
    assert (
        status_for(login, getattr(org, persona), reverse("followups:record", args=[measure.pk])) == expected
    )


def _post_data(**extra):
    data = {
        "held_on": "2026-03-09",
        "form": "meeting",
        "participants": "Barnet, pædagog",
        "child_conversation": "yes",
        "summary": "God udvikling.",
        "decision": "continue",
        "cadence_reason": "Trives; halvårligt er nok.",
        "nye-TOTAL_FORMS": "2",
        "nye-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_recording_a_follow_up_through_the_page(login, org, measure):
    plan, (goal,) = plan_with_goals(measure.case, by=org.advisor)
    client = login(org.advisor)
    url = reverse("followups:record", args=[measure.pk])
    page = client.get(url).content.decode()
    assert goal.what in page
    response = client.post(
        url,
        _post_data(
            **{
                f"goal_{goal.pk}_status": "in_progress",
                f"goal_{goal.pk}_note": "Bedre fremmøde",
                "nye-0-what": "Deltager i fritidsaktivitet",
                "nye-0-who": "Barnet",
                "nye-0-how_measured": "En gang om ugen",
                "nye-0-by_when": "2026-06-30",
            }
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("followups:measure_schedule", args=[measure.pk])
    followup = FollowUp.objects.get()
    assert followup.journal_note.heading == JournalNote.Heading.CHILD_CONVERSATION
    goal.refresh_from_db()
    assert goal.status == "in_progress"
    assert plan.goals.count() == 2


def test_bad_input_gets_clear_danish_errors_and_keeps_what_was_typed(login, org, measure):
    plan_with_goals(measure.case, by=org.advisor)
    client = login(org.advisor)
    response = client.post(
        reverse("followups:record", args=[measure.pk]),
        _post_data(
            child_conversation="no",
            summary="Mit referat",
            next_agreed_on="2026-12-24",
            **{"nye-0-what": "Halvt mål"},
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Skriv, hvorfor der ikke blev holdt en børnesamtale." in html
    assert "Et nyt mål skal have alle fire felter udfyldt" in html
    assert "Mit referat" in html
    assert not FollowUp.objects.exists()
    # Form fine, but the service's rule: a later date than the rule needs a reason.
    goal = measure.case.plans.get().goals.get()
    response = client.post(
        reverse("followups:record", args=[measure.pk]),
        _post_data(next_agreed_on="2026-12-24", **{f"goal_{goal.pk}_status": "in_progress"}),
    )
    assert response.status_code == 200
    assert "Reglen kræver næste opfølgning senest" in response.content.decode()
    assert not FollowUp.objects.exists()


def test_exception_request_and_approval_through_the_pages(login, org, measure):
    client = login(org.advisor)
    url = reverse("followups:exception_request", args=[measure.pk])
    assert "Ungeanbringelse langt væk" in client.get(url).content.decode()
    # The far-away exception rests on the distance and the young person's age, each at its field.
    missing = client.post(url, {"kind": "far_away", "reason": "Anbragt 140 km væk", "distance_km": "40"})
    assert missing.status_code == 200
    assert "mere end 50 km væk" in missing.content.decode()
    assert "Angiv den unges alder." in missing.content.decode()
    assert not FollowUpException.objects.exists()
    data = {"kind": "far_away", "reason": "Anbragt 140 km væk", "distance_km": "140", "youth_age": "16"}
    assert client.post(url, data).status_code == 302
    exc = FollowUpException.objects.get()
    assert exc.state == FollowUpException.State.REQUESTED

    assert status_for(login, org.advisor, reverse("followups:exceptions")) == 403
    assert status_for(login, org.management, reverse("followups:exceptions")) == 403
    # The other team's leader sees no request of this team and cannot reach it.
    assert (
        "Anbragt 140 km væk"
        not in login(org.other_team_leader).get(reverse("followups:exceptions")).content.decode()
    )
    decide = reverse("followups:exception_decide", args=[exc.pk])
    data = {f"e{exc.pk}-decision": "approve", f"e{exc.pk}-decision_reason": "Telefon er fint"}
    assert status_for(login, org.other_team_leader, decide, "post", data) == 404

    leader = login(org.team_leader)
    assert "Anbragt 140 km væk" in leader.get(reverse("followups:exceptions")).content.decode()
    missing_reason = leader.post(decide, {f"e{exc.pk}-decision": "approve"})
    assert missing_reason.status_code == 400
    assert leader.post(decide, data).status_code == 302
    exc.refresh_from_db()
    assert (exc.state, exc.decided_by) == (FollowUpException.State.APPROVED, org.team_leader)
    schedule = leader.get(reverse("followups:measure_schedule", args=[measure.pk])).content.decode()
    assert "Undtagelse: Ungeanbringelse langt væk" in schedule
    assert "140 km væk, den unge 16 år" in schedule


def test_an_exception_that_does_not_fit_the_measure_is_not_offered(login, org):
    measure = start_measure(org, "preventive", D(2026, 1, 5))
    assert status_for(login, org.advisor, reverse("followups:exception_request", args=[measure.pk])) == 404


def _deadlines_page_queries(login, user):
    client = login(user)
    client.get(reverse("followups:deadlines"))  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("followups:deadlines"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_deadline_lists_for_the_advisor_and_the_team_leader_with_a_constant_number_of_queries(login, org):
    start_measure(org, "institution", D(2026, 1, 5))
    few, html = _deadlines_page_queries(login, org.advisor)
    assert "Mine frister" in html and "Overskredet" in html
    assert "Teamets frister" not in html
    for code in ("mst", "foster_family", "preventive"):
        start_measure(org, code, D(2026, 2, 1))
    many, _ = _deadlines_page_queries(login, org.advisor)
    assert many == few
    leader_few, leader_html = _deadlines_page_queries(login, org.team_leader)
    assert "Teamets frister" in leader_html and "Alice" in leader_html
    start_measure(org, "own_room", D(2026, 2, 1))
    leader_many, _ = _deadlines_page_queries(login, org.team_leader)
    assert leader_many == leader_few
    outsider_html = _deadlines_page_queries(login, org.outsider)[1]
    assert "Du har ingen åbne frister." in outsider_html


def test_the_bell_counts_unread_reminders_and_the_list_marks_them_read(login, org, measure):
    sweep.run(dispatch=False)  # 19 Jan is overdue: the advisor and the team leader are told
    client = login(org.advisor)
    start = client.get(reverse("followups:deadlines")).content.decode()
    assert "1 ulæst" in start
    page = client.get(reverse("followups:reminders")).content.decode()
    assert "Frist overskredet" in page and "Ny" in page
    assert client.post(reverse("followups:reminders")).status_code == 302
    assert not Reminder.objects.filter(recipient=org.advisor, read_at__isnull=True).exists()
    assert "ulæst" not in client.get(reverse("followups:deadlines")).content.decode()
    leader_page = login(org.team_leader).get(reverse("followups:reminders")).content.decode()
    # The team leader's escalations are listed grouped (test_escalation_digest.py).
    assert "Overskredne frister i dine teams" in leader_page and "Alice" in leader_page


def test_reminder_list_query_count_does_not_grow_with_reminders(login, org):
    start_measure(org, "institution", D(2026, 1, 5))
    sweep.run(dispatch=False)
    client = login(org.team_leader)
    client.get(reverse("followups:reminders"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("followups:reminders"))
    for _ in range(3):
        start_measure(org, "institution", D(2026, 1, 5))
    sweep.run(dispatch=False)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("followups:reminders"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_private_calendar_feed_with_a_revocable_token_shown_once(login, org, measure, client):
    page = login(org.advisor).post(reverse("followups:calendar"), {"action": "create"})
    html = page.content.decode()
    assert "vises kun denne ene gang" in html
    feed_url = html.split('<code class="calendar-url">')[1].split("</code>")[0]
    token = feed_url.rsplit("/", 2)[-2]
    stored = CalendarToken.objects.get(user=org.advisor)
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert token not in login(org.advisor).get(reverse("followups:calendar")).content.decode()

    client.logout()
    feed = client.get(reverse("followups:calendar_feed", kwargs={"token": token}))
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    body = feed.content.decode()
    assert "BEGIN:VCALENDAR" in body and "DTSTART;VALUE=DATE:20260119" in body
    assert f"sag {measure.case_id}" in body
    child = measure.case.child
    assert child.first_name not in body and child.cpr not in body

    login(org.advisor).post(reverse("followups:calendar"), {"action": "revoke"})
    client.logout()
    assert client.get(reverse("followups:calendar_feed", kwargs={"token": token})).status_code == 404
    assert client.get(reverse("followups:calendar_feed", kwargs={"token": "gaet"})).status_code == 404


def test_menu_has_the_deadlines_for_advisors_and_exceptions_for_team_leaders(login, org):
    advisor_html = login(org.advisor).get(reverse("followups:deadlines")).content.decode()
    assert ">Frister<" in advisor_html and ">Undtagelser<" not in advisor_html
    leader_html = login(org.team_leader).get(reverse("followups:deadlines")).content.decode()
    assert ">Undtagelser<" in leader_html


def test_approved_exception_can_be_revoked_by_the_team_leader_from_the_schedule(login, org, measure):
    exc = services.exception_request(
        measure=measure,
        kind=ExceptionKind.FAR_AWAY,
        reason="Langt væk",
        requested_by=org.advisor,
        distance_km=90,
        youth_age=17,
    )
    services.exception_decide(exception=exc, approve=True, decided_by=org.team_leader, reason="Ja")
    url = reverse("followups:exception_revoke", args=[exc.pk])
    assert status_for(login, org.advisor, url, "post", {"decision_reason": "Nej"}) == 403
    assert status_for(login, org.team_leader, url, "post", {"decision_reason": "Flyttet hjem"}) == 302
    exc.refresh_from_db()
    assert exc.state == FollowUpException.State.REVOKED


def test_the_duty_advisor_sees_the_24_hour_assessment_among_their_deadlines(login, org):
    from django.utils import timezone

    from cases import obligations
    from cases.models import Notification
    from tests.factories import ChildFactory

    child = ChildFactory(municipality=org.municipality, district=org.district_a)
    notification = Notification.objects.create(
        municipality=org.municipality,
        child=child,
        district=org.district_a,
        received_at=timezone.now(),
        notifier_kind=Notification.NotifierKind.PRIVATE,
        concern="Bekymring",
        registered_by=org.case_admin,
        duty_advisor=org.duty_advisor,
        assessment_due_at=timezone.now() + datetime.timedelta(hours=24),
    )
    obligations.changed("notification", [notification.pk])
    html = login(org.duty_advisor).get(reverse("followups:deadlines")).content.decode()
    assert "24-timers vurdering af underretning" in html and child.full_name in html
    assert "kl. 10.00" in html
    assert child.full_name not in login(org.case_admin).get(reverse("followups:deadlines")).content.decode()
