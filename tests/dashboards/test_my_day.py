"""The advisor's day, "Min dag" (issue 5, point 3): overdue and coming follow-ups with the binding
deadline and its explanation and one click to record one; notifications waiting for the 24-hour
assessment (duty); receipts, investigations near 4 months, plans, agreements, handovers, unread
reminders; the advisor's own load against the cap."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dashboards import selectors
from followups.models import DeadlineKind
from tests.access import AccessMatrix, outcome_for_all
from tests.dashboards.conftest import fill_the_day
from tests.dashboards.factories import give_cases
from tests.factories import CaseFactory

URL = "/min-dag/"


class TestMyDayPage(AccessMatrix):
    url = URL
    expected = outcome_for_all(403, advisor=200, colleague=200, outsider=200, duty_advisor=200, anonymous=302)


def test_the_load_is_shown_against_the_teams_cap_and_warning(org, login):
    give_cases(org.advisor, org.team_a, 21)
    page = login(org.advisor).get(URL).content.decode()
    assert "Du er ansvarlig for 21 åbne sager. Loftet i Team A er 25 sager, med advarsel fra 20." in page
    assert "Advarselsniveau nået" in page
    assert 'max="25"' in page and 'value="21"' in page


def test_a_follow_up_shows_the_binding_deadline_its_explanation_and_a_link_to_record_it(org, day, login):
    measure = day["measure"]
    data = selectors.my_day(org.advisor, now=timezone.now())
    [item] = [f for f in data.followups if f.measure_id == measure.pk]
    assert item.binding.kind == DeadlineKind.FOLLOWUP
    assert item.binding.due_on < timezone.localdate()
    assert all(o.due_at >= item.binding.due_at for o in item.others)
    page = login(org.advisor).get(URL).content.decode()
    assert reverse("followups:record", args=[measure.pk]) in page
    assert item.binding.explanation in page
    assert measure.case.child.full_name in page
    assert "Overskredet" in page


def test_the_lists_of_the_day(org, day, login):
    page = login(org.advisor).get(URL).content.decode()
    assert day["investigation"].case.child.full_name in page  # 4 months near
    assert day["placement"].case.child.full_name in page  # plan due and first follow-up
    assert reverse("cases:notification_receipt", args=[day["notification"].pk]) in page
    assert "Ringe til skolen om fremmødet" in page
    assert (
        reverse("network_meetings:agreement_done", args=[day["agreement"].meeting_id, day["agreement"].pk])
        in page
    )
    assert reverse("cases:handover_record", args=[day["transfer"].pk]) in page
    # The unread reminder, written at the 7-day stage, counts the days actually left.
    deadline = day["investigation"].case.deadlines.first()
    assert f"Frist om {(deadline.due_on - timezone.localdate()).days} dage" in page
    # Each item (``followups_tags.reminder_items``): the headline and the kind as a link to the
    # work, the day it is due and the case.
    from django.utils.formats import date_format

    from followups.models import Reminder
    from followups.selectors import deadline_url

    reminder = Reminder.objects.get(deadline=deadline)
    assert (
        f'<li><a href="{deadline_url(deadline)}"><strong>Frist om '
        f"{(deadline.due_on - timezone.localdate()).days} dage</strong>: {deadline.get_kind_display()}</a>"
        f" – {date_format(reminder.due_on, 'DATE_FORMAT')}, sag {deadline.case_id}</li>"
    ) in page


def test_the_duty_queue_is_shown_to_the_duty_advisor_only(org, day, login):
    waiting = day["waiting"]
    assert waiting.child.full_name not in login(org.advisor).get(URL).content.decode()
    page = login(org.duty_advisor).get(URL).content.decode()
    assert "Underretninger til 24-timers vurdering" in page
    assert reverse("cases:notification_assess", args=[waiting.pk]) in page
    assert waiting.child.masked_cpr in page and waiting.child.cpr not in page


def test_a_colleague_and_an_outsider_see_none_of_alices_day(org, day, login):
    names = [day["measure"].case.child.full_name, day["investigation"].case.child.full_name]
    for persona in ("colleague", "outsider"):
        page = login(getattr(org, persona)).get(URL).content.decode()
        assert not any(name in page for name in names), persona
        assert "Du er ansvarlig for 0 åbne sager" in page


def test_far_off_deadlines_wait(org, login):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    from cases import services

    services.investigation_open(case=case, decided_on=timezone.localdate(), decided_by=org.advisor)
    data = selectors.my_day(org.advisor, now=timezone.now())
    assert data.investigations == []
    later = selectors.my_day(org.advisor, now=timezone.now() + datetime.timedelta(days=100))
    assert [d.case_id for d in later.investigations] == [case.pk]


# The request (session, the person with the municipality, roles and apps; the session is written at
# most once a minute) and the day's reads: deadlines, load, duty queue, agreements, and the newest
# reminders with their count in one statement (the count the header's bell shows too, not counted
# again). The counts (one aggregate) and who is on duty (the districts with the day's shift joined)
# are two more.
MY_DAY_QUERIES = 9  # with the access log: one insert for every child the day names


@pytest.mark.parametrize("persona", ["advisor", "duty_advisor"])
def test_the_day_costs_the_same_queries_for_one_or_many_of_everything(
    org, login, django_assert_num_queries, persona
):
    user = getattr(org, persona)
    client = login(user)
    fill_the_day(org, advisor=user)
    client.get(URL)
    expected = MY_DAY_QUERIES + (1 if persona == "duty_advisor" else 0)
    with django_assert_num_queries(expected):
        client.get(URL)
    for _ in range(3):
        fill_the_day(org, advisor=user)
    with django_assert_num_queries(expected):
        assert client.get(URL).status_code == 200


@time_machine.travel("2026-12-03 09:00 +01:00", tick=False)
def test_the_day_is_written_in_the_order_of_the_language(org, login):
    client = login(org.advisor)
    assert "torsdag 3. december 2026" in client.get(URL).content.decode()
    client.post(reverse("set_language"), {"language": "en"})
    assert "Thursday 3 December 2026" in client.get(URL).content.decode()


def _form_of(page: str, action: str) -> dict[str, str]:
    """The fields of the form posting to ``action`` on ``page``."""
    from html.parser import HTMLParser

    class Forms(HTMLParser):
        fields: dict[str, str] | None = None
        inside = False

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form" and attrs.get("action") == action:
                self.inside, self.fields = True, {}
            elif tag == "input" and self.inside:
                self.fields[attrs["name"]] = attrs.get("value", "")

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False

    parser = Forms()
    parser.feed(page)
    assert parser.fields is not None, f"no form posting to {action}"
    return parser.fields


def test_an_agreement_is_marked_done_from_the_day_with_the_pages_own_form(org, day, login):
    """The list is drawn in Python (``dashboards_tags.work_items``): its form still carries the
    CSRF token and brings the advisor back to the day."""
    from django.test import Client

    agreement = day["agreement"]
    action = reverse("network_meetings:agreement_done", args=[agreement.meeting_id, agreement.pk])
    client = Client(enforce_csrf_checks=True)
    client.cookies = login(org.advisor).cookies
    fields = _form_of(client.get(URL).content.decode(), action)
    assert fields["next"] == URL and len(fields["csrfmiddlewaretoken"]) >= 32
    answer = client.post(action, fields)
    assert answer.status_code == 302 and answer["Location"] == URL
    agreement.refresh_from_db()
    assert agreement.done_at is not None
    assert "Ringe til skolen om fremmødet" not in client.get(URL).content.decode()


def test_the_days_names_and_texts_are_escaped(org, day, login):
    child = day["measure"].case.child
    child.first_name = "<b>Ida"
    child.save()
    agreement = day["agreement"]
    agreement.text = '<script>alert("x")</script> og skolen'
    agreement.save()
    page = login(org.advisor).get(URL).content.decode()
    assert "<b>Ida" not in page and "&lt;b&gt;Ida" in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; og skolen" in page


def test_a_measures_other_deadlines_stand_under_its_first(org, day, login):
    """Forty days on, the measure's own follow-up and the law's floor are both overdue: one line,
    the law's deadline under the first, with its provision."""
    measure = day["measure"]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=40)):
        client = login(org.advisor)
        data = selectors.my_day(org.advisor, now=timezone.now())
        [item] = [
            i
            for i in data.groups[0].items
            if i.deadline.kind == DeadlineKind.FOLLOWUP and i.deadline.source_id == measure.pk
        ]
        [other] = item.others
        assert other.kind == DeadlineKind.LEGAL_FOLLOWUP and other.statutory
        page = client.get(URL).content.decode()
    assert (
        f'<ul class="deadline-others"><li id="frist-{other.pk}">{other.get_kind_display()} senest '
        f"{other.due_on:%d.%m.%Y} ({other.rule})</li></ul>"
    ) in page


def test_the_bell_shows_the_count_the_day_read(org, day, login):
    client = login(org.advisor)
    page = client.get(URL).content.decode()
    bell = client.get(reverse("cases:case_list")).content.decode()  # a page that counts on its own
    counted = selectors.my_day(org.advisor, now=timezone.now()).unread_reminders
    assert counted == 1
    shown = (
        '<span class="badge badge-error" aria-hidden="true">1</span><span class="sr-only">, 1 ulæst</span>'
    )
    assert shown in page and shown in bell


def test_the_day_lists_the_ten_newest_unread_reminders_and_counts_them_all(org, day, login):
    """The list and the bell's count come from one statement (``latest_unread_reminders``): the
    count is of every unread reminder, not of the ten listed; read ones and another person's are
    neither listed nor counted."""
    from followups.models import Reminder
    from followups.selectors import unread_reminder_count

    deadline = day["investigation"].case.deadlines.first()
    for days_before in range(20, 34):  # 14 more, each its own stage of the same deadline
        Reminder.objects.create(
            deadline=deadline, due_on=deadline.due_on, recipient=org.advisor, kind=f"before_{days_before}"
        )
    Reminder.objects.filter(recipient=org.advisor, kind="before_20").update(read_at=timezone.now())
    Reminder.objects.create(
        deadline=deadline, due_on=deadline.due_on, recipient=org.colleague, kind="before_3"
    )
    data = selectors.my_day(org.advisor, now=timezone.now())
    newest = list(
        Reminder.objects.filter(recipient=org.advisor, read_at=None).order_by("-created_at", "-pk")[:10]
    )
    assert [r.pk for r in data.reminders] == [r.pk for r in newest]
    assert data.unread_reminders == 14 == unread_reminder_count(org.advisor)  # 1 + 14 - 1 read
    page = login(org.advisor).get(URL).content.decode()
    assert "Se alle 14 ulæste påmindelser" in page
    assert '<span class="sr-only">, 14 ulæste</span>' in page


@pytest.mark.parametrize("persona", ["advisor", "duty_advisor"])
def test_the_day_reads_no_more_of_a_child_than_it_shows(org, day, login, persona):
    """The list and the agreements read a child's name (and the municipality the access log
    records), not the CPR number, the address or the school: the duty queue, which shows the
    masked CPR number to identify the child, reads it, and nothing else does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.models import Child

    client = login(getattr(org, persona))
    fill_the_day(org, advisor=getattr(org, persona))
    client.get(URL)
    with CaptureQueriesContext(connection) as reads:
        page = client.get(URL).content.decode()
    assert day["measure"].case.child.full_name in page or persona == "duty_advisor"
    cpr = f'"{Child._meta.db_table}"."{Child._meta.get_field("cpr").column}"'
    address = f'"{Child._meta.db_table}"."{Child._meta.get_field("address").column}"'
    reading_cpr = [q["sql"] for q in reads.captured_queries if cpr in q["sql"]]
    assert not any(address in q["sql"] for q in reads.captured_queries if q["sql"] not in reading_cpr)
    if persona == "advisor":
        assert reading_cpr == []
    else:
        [duty_queue] = reading_cpr
        assert '"cases_notification"' in duty_queue.split(" FROM ")[1].split(" ")[0]


def test_who_is_on_duty_is_each_district_with_its_shift_of_that_day_only(org, django_assert_num_queries):
    """One read for every district of the municipality, in the districts' order: a district with a
    shift that day names its advisor, one whose shifts are on other days names nobody, and another
    municipality's districts are not there."""
    from herning.organisation.models import District, DutyShift
    from herning.organisation.selectors import on_duty
    from tests.factories import MunicipalityFactory

    day = datetime.date(2026, 3, 31)
    DutyShift.objects.create(district=org.district_a, date=day, advisor=org.duty_advisor)
    for other_day in (day - datetime.timedelta(days=1), day + datetime.timedelta(days=1)):
        DutyShift.objects.create(district=org.district_b, date=other_day, advisor=org.advisor)
    District.objects.create(
        municipality=MunicipalityFactory(name="Nabokommune", code="999"), name="A andet sted"
    )
    with django_assert_num_queries(1):
        listed = on_duty(municipality=org.municipality, day=day)
    assert listed == [(org.district_a, org.duty_advisor), (org.district_b, None)]
    assert listed[0][1].get_full_name() == org.duty_advisor.get_full_name()
    assert on_duty(municipality=org.municipality, day=day + datetime.timedelta(days=1)) == [
        (org.district_a, None),
        (org.district_b, org.advisor),
    ]
