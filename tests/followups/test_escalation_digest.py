"""Team leaders get a digest, not a flood (issue 20, point 3; docs/deadlines.md "Reminders").

A missed deadline escalates to the team leaders; by default each leader reads those escalations
once a day in one mail per team, grouped by advisor and child with the oldest overdue deadline
first, and a second run the same day sends nothing. A person who chose immediate mails gets one
per escalation, as before, and is left out of the digest. The in-app list groups the same way.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followups import services, sweep
from followups.delivery import deliver_pending
from followups.digest import send_digests
from followups.models import EscalationDigest, Reminder, ReminderKind, ReminderSettings
from followups.tasks import send_escalation_digests
from herning.audit.models import AccessLog
from herning.celery import beat_schedule
from herning.organisation.models import Role, RoleAssignment
from tests.factories import CaseFactory
from tests.followups.factories import start_measure

D = datetime.date
OVERDUE_BY_THE_25TH = "2026-01-25 09:00 +01:00"
DIGEST_MORNING = "2026-01-26 07:00 +01:00"


@pytest.fixture
def teams(org):
    """The team leader ``tl`` leads team A and team B; ``tl_b`` leads team B. Four measures, each
    on its own child, all overdue by 25 January (an institution's first follow-up is 2 weeks after
    its start): in team A, Bob's Z (due 15 Jan, the oldest), Alice's Y (16 Jan) and X (19 Jan);
    in team B, Charlie's W (17 Jan)."""
    RoleAssignment.objects.create(user=org.team_leader, role=Role.TEAM_LEADER, team=org.team_b)
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        x = start_measure(org, "institution", D(2026, 1, 5))
        y = start_measure(org, "institution", D(2026, 1, 2))
        z = start_measure(org, "institution", D(2026, 1, 1), advisor=org.colleague)
        w = start_measure(
            org, "institution", D(2026, 1, 3), case=CaseFactory(team=org.team_b, advisor=org.outsider)
        )
    with time_machine.travel(OVERDUE_BY_THE_25TH, tick=False):
        sweep.run(dispatch=False)
    return {"x": x, "y": y, "z": z, "w": w}


def _to(person):
    return [m for m in mail.outbox if m.to == [person.email]]


def _order(text: str, *names: str) -> list[int]:
    return [text.index(name) for name in names]


@pytest.mark.django_db
def test_escalations_wait_for_the_digest_instead_of_a_mail_each(org, teams):
    escalations = Reminder.objects.filter(kind=ReminderKind.ESCALATION)
    assert escalations.exists()
    assert set(escalations.values_list("email_state", flat=True)) == {Reminder.EmailState.DIGEST}
    with time_machine.travel(OVERDUE_BY_THE_25TH, tick=False):
        deliver_pending()
    # The advisors hear of their own overdue deadlines at once; the team leaders get nothing yet.
    assert _to(org.advisor) and _to(org.colleague)
    assert _to(org.team_leader) == [] and _to(org.other_team_leader) == []


@pytest.mark.django_db
def test_one_digest_per_team_grouped_by_advisor_then_child_oldest_first_and_a_second_run_sends_nothing(
    org, teams
):
    x, y, z = (teams[k] for k in "xyz")
    with time_machine.travel(DIGEST_MORNING, tick=False):
        assert send_digests() == 3  # tl: team A and team B; tl_b: team B

    leader_mails = _to(org.team_leader)
    # One overdue deadline per measure by now (the first follow-up): three in team A, one in B.
    assert sorted(m.subject for m in leader_mails) == [
        "[Herning] 1 overskredet frist i Team B",
        "[Herning] 3 overskredne frister i Team A",
    ]
    team_a_mail = next(m for m in leader_mails if "Team A" in m.subject)
    body = team_a_mail.body
    # Bob holds the oldest (Z, 15 Jan), so Bob first; then Alice: Y (16 Jan) before X (19 Jan).
    children = {k: teams[k].case.child for k in "xyzw"}
    assert _order(body, "Bob", "Alice") == sorted(_order(body, "Bob", "Alice"))
    assert _order(body, children["z"].full_name, children["y"].full_name, children["x"].full_name) == sorted(
        _order(body, children["z"].full_name, children["y"].full_name, children["x"].full_name)
    )
    assert body.index("Bob") < body.index(children["z"].full_name) < body.index("Alice")
    assert body.index("Alice") < body.index(children["y"].full_name)
    assert children["w"].full_name not in body  # team B's child is in team B's mail
    # Days overdue counted at sending, the measure, the links to where the work is done.
    assert (
        "Opfølgning (Anbringelse på døgninstitution / opholdssted): frist 15. januar 2026, overskredet for 11 dage siden"
        in body
    )
    assert "frist 19. januar 2026, overskredet for 7 dage siden" in body
    for measure in (x, y, z):
        assert f"{settings.BASE_URL}/opfoelgning/indsats/{measure.pk}/" in body
    html = team_a_mail.alternatives[0][0]
    assert f'href="{settings.BASE_URL}/opfoelgning/indsats/{z.pk}/"' in html
    # The child by name, never by CPR number.
    for child in children.values():
        for text in (body, html):
            assert child.cpr not in text and child.cpr[:6] not in text
    # Each deadline appears once, under its child, oldest first within the child too.
    team_a = list(Reminder.objects.filter(recipient=org.team_leader, deadline__team=org.team_a))
    assert body.count(f"{settings.BASE_URL}/") == len(team_a) + 1  # and the link to all reminders
    assert [m.to for m in _to(org.other_team_leader)] == [[org.other_team_leader.email]]
    assert children["w"].full_name in _to(org.other_team_leader)[0].body

    # What was digested is recorded with the mail; the digest names the children it sent.
    digests = EscalationDigest.objects.filter(recipient=org.team_leader)
    assert sorted(d.team.name for d in digests) == ["Team A", "Team B"]
    assert not Reminder.objects.filter(email_state=Reminder.EmailState.DIGEST).exists()
    assert set(Reminder.objects.filter(recipient=org.team_leader).values_list("email_state", flat=True)) == {
        Reminder.EmailState.SENT
    }
    assert all(r.digest_id for r in Reminder.objects.filter(kind=ReminderKind.ESCALATION))
    assert set(
        AccessLog.objects.filter(user=org.team_leader, channel=AccessLog.Channel.EMAIL).values_list(
            "child", flat=True
        )
    ) == {c.pk for c in children.values()}

    # Run twice the same day (a retried task, a second scheduler): nothing is sent twice.
    sent = len(mail.outbox)
    with time_machine.travel("2026-01-26 07:05 +01:00", tick=False):
        assert send_digests() == 0
        assert send_escalation_digests.apply().get() == 0
    assert len(mail.outbox) == sent
    assert EscalationDigest.objects.count() == 3


@pytest.mark.django_db
def test_an_escalation_after_the_days_digest_waits_for_tomorrows(org, teams):
    with time_machine.travel(DIGEST_MORNING, tick=False):
        send_digests()
    sent = len(mail.outbox)
    with time_machine.travel("2026-01-26 09:00 +01:00", tick=False):
        late = start_measure(org, "institution", D(2026, 1, 1))  # overdue since 16 Jan
        sweep.run(dispatch=False)
        assert send_digests() == 0  # team A had its digest today
    assert len(mail.outbox) == sent
    with time_machine.travel("2026-01-27 07:00 +01:00", tick=False):
        assert send_digests() == 1
    (tomorrow,) = mail.outbox[sent:]
    assert tomorrow.to == [org.team_leader.email]
    assert late.case.child.full_name in tomorrow.body
    assert tomorrow.subject.startswith("[Herning] ") and "Team A" in tomorrow.subject


@pytest.mark.django_db
def test_a_deadline_met_before_the_digest_is_left_out(org, teams):
    from tests.followups.factories import hold

    with time_machine.travel("2026-01-25 10:00 +01:00", tick=False):
        hold(teams["w"], D(2026, 1, 25), by=org.outsider)
    with time_machine.travel(DIGEST_MORNING, tick=False):
        assert send_digests() == 1  # team A to tl; team B had only W, met: nobody hears of it
    assert all(teams["w"].case.child.full_name not in m.body for m in mail.outbox)
    assert _to(org.other_team_leader) == []


@pytest.mark.django_db
def test_immediate_mails_for_a_person_who_chose_them_and_no_digest(org):
    services.reminder_settings_update(user=org.team_leader, escalations_immediately=True)
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        start_measure(org, "institution", D(2026, 1, 5))
        start_measure(org, "institution", D(2026, 1, 2), advisor=org.colleague)
    with time_machine.travel("2026-01-20 09:00 +01:00", tick=False):
        sweep.run(dispatch=False)
        deliver_pending()
    escalations = _to(org.team_leader)
    assert len(escalations) == Reminder.objects.filter(recipient=org.team_leader).count() >= 2
    assert all(m.subject.startswith("[Herning] Overskredet frist i dit team: ") for m in escalations)
    with time_machine.travel("2026-01-21 07:00 +01:00", tick=False):
        assert send_digests() == 0
    assert len(_to(org.team_leader)) == len(escalations)
    assert not EscalationDigest.objects.exists()


@pytest.mark.django_db
def test_choosing_immediate_mails_sends_what_waits_for_the_digest_at_once(org, teams):
    with time_machine.travel("2026-01-25 12:00 +01:00", tick=False):
        services.reminder_settings_update(user=org.team_leader, escalations_immediately=True)
        deliver_pending()
    waiting = Reminder.objects.filter(recipient=org.team_leader)
    assert set(waiting.values_list("email_state", flat=True)) == {Reminder.EmailState.SENT}
    assert len(_to(org.team_leader)) == waiting.count()
    # The other leader keeps the default.
    assert set(
        Reminder.objects.filter(recipient=org.other_team_leader).values_list("email_state", flat=True)
    ) == {Reminder.EmailState.DIGEST}
    # Back to the digest: a new escalation waits for it again.
    services.reminder_settings_update(user=org.team_leader, escalations_immediately=False)
    assert ReminderSettings.objects.get(user=org.team_leader).escalations_immediately is False


def test_the_digest_is_on_the_periodic_schedule_each_morning():
    entry = beat_schedule()["followups-escalation-digest"]
    assert entry["task"] == "followups.send_escalation_digests"
    assert entry["schedule"].hour == {settings.HERNING["ESCALATION_DIGEST_HOUR"]}
    assert entry["schedule"].minute == {0}


# --- The settings page ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["team_leader", "advisor", "case_admin", "management"])
def test_each_person_chooses_for_themselves_on_the_settings_page(login, org, persona):
    person = getattr(org, persona)
    client = login(person)
    url = reverse("followups:reminder_settings")
    page = client.get(url).content.decode()
    # The default is the digest.
    assert re.search(r'value="digest"[^>]*checked', page)
    assert client.post(url, {"escalations": "immediate"}).status_code == 302
    assert ReminderSettings.objects.get(user=person).escalations_immediately is True
    assert re.search(r'value="immediate"[^>]*checked', client.get(url).content.decode())
    # Nobody else's setting changed, and the change is in the history with who made it.
    assert ReminderSettings.objects.count() == 1
    assert ReminderSettings.history.get().history_user == person


@pytest.mark.django_db
def test_a_choice_that_is_not_one_is_refused_at_the_field_and_nothing_is_saved(login, org):
    client = login(org.team_leader)
    response = client.post(reverse("followups:reminder_settings"), {"escalations": "<script>hourly"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "form-error" in html and "<script>hourly" not in html
    assert not ReminderSettings.objects.exists()


# --- The in-app list -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_in_app_list_groups_by_team_advisor_and_child_oldest_first(login, org, teams):
    with time_machine.travel(DIGEST_MORNING, tick=False):
        page = login(org.team_leader).get(reverse("followups:reminders")).content.decode()
    grouped = page.split('id="escalations-heading"')[1].split("Øvrige påmindelser")[0]
    names = {k: teams[k].case.child.full_name for k in "xyzw"}
    # Team A before team B; in team A Bob (Z) before Alice (Y, then X).
    order = [grouped.index(s) for s in ("Team A", "Bob", names["z"], "Alice", names["y"], names["x"])]
    assert order == sorted(order)
    assert grouped.index("Team B") > order[-1] and grouped.index(names["w"]) > grouped.index("Team B")
    assert "overskredet for 11 dage siden" in grouped
    # The children shown are in the access log.
    assert {names[k] for k in "xyzw"} == {
        e.child.full_name
        for e in AccessLog.objects.filter(
            user=org.team_leader, channel=AccessLog.Channel.PAGE
        ).select_related("child")
    }


@pytest.mark.django_db
def test_the_in_app_list_reads_a_fixed_number_of_queries(login, org, teams, django_assert_max_num_queries):
    client = login(org.team_leader)
    url = reverse("followups:reminders")
    with time_machine.travel(DIGEST_MORNING, tick=False):
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for advisor in (org.advisor, org.colleague):
            for start in (D(2026, 1, 4), D(2026, 1, 6)):
                start_measure(org, "institution", start, advisor=advisor)
        sweep.run(dispatch=False)
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        assert len(many.captured_queries) == len(few.captured_queries)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(url).status_code == 200
    assert len(few.captured_queries) <= 20
