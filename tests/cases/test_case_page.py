"""The child page's first screen (issue 20, point 1): the summary answers "how is this child
doing?" from the apps that own the data, each part in a pinned number of queries; the history and
the timeline are read when opened from views of their own, which check access and log the look;
the journal comes a page at a time, newest first; the ladder section says what a move records."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.extensions import panels, summary_parts
from cases.models import JournalNote, Plan
from cases.selectors import JOURNAL_PAGE_SIZE
from herning.audit.models import AccessLog
from network_meetings import services as meeting_services
from tests.cases.factories import NotificationFactory
from tests.factories import CaseFactory
from tests.followups.factories import hold, start_measure
from tests.network_meetings.factories import caseless_child, plan
from tests.pages import fold_urls, with_folds

TODAY = datetime.date(2026, 3, 2)
frozen = time_machine.travel("2026-03-02 09:00 +01:00", tick=False)


def summary_of(html: str) -> str:
    """The summary block's text, tags removed and spaces collapsed."""
    match = re.search(r'<section id="overblik".*?</section>', html, re.S)
    assert match, "the page has no summary"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


@pytest.fixture
def busy(org):
    """A foster-family placement 6 months old with a follow-up whose later date awaits the team
    leader, a contact person, a goal of the plan due this month and a network meeting next week."""
    with frozen:
        case = CaseFactory(
            team=org.team_a, advisor=org.advisor, opened_on=TODAY - datetime.timedelta(days=200)
        )
        placement = start_measure(org, "foster_family", TODAY - datetime.timedelta(days=180), case=case)
        hold(
            placement,
            TODAY - datetime.timedelta(days=3),
            by=org.advisor,
            next_agreed_on=TODAY + datetime.timedelta(days=300),
            later_than_rule_reason="Familien er bortrejst.",
        )
        start_measure(org, "contact_person", TODAY - datetime.timedelta(days=40), case=case)
        case_services.plan_create(
            case=case,
            kind=Plan.Kind.CHILD_PLAN,
            made_on=TODAY - datetime.timedelta(days=150),
            purpose="Trivsel",
            created_by=org.advisor,
            goals=[
                case_services.GoalData(
                    what="Josefine går til fodbold", who="Barnet", how_measured="Fremmøde", by_when=TODAY
                ),
                case_services.GoalData(
                    what="Langt ude i fremtiden",
                    who="Barnet",
                    how_measured="–",
                    by_when=TODAY.replace(year=2027),
                ),
            ],
        )
        starts = timezone.make_aware(datetime.datetime(2026, 3, 9, 10, 0))
        meeting_services.meeting_plan(
            child=case.child,
            planned_by=org.advisor,
            kind="network",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            place="Sunds Skole",
            purpose="Samle de voksne.",
            reason="Fravær.",
            initiator_name="Per Olsen",
            initiator_function="Skoleleder",
            contact_name="Per Olsen",
            contact_phone="12345678",
        )
    return case


@frozen
def test_the_summary_answers_how_the_child_is_doing(org, login, busy):
    html = login(org.advisor).get(reverse("cases:child_detail", args=[busy.child_id])).content.decode()
    text = summary_of(html)
    # The ladder step and time on it.
    assert "Trin 5: Anbringelse i plejefamilie" in text and "siden 03.09.2025 (180 dage)" in text
    # Each active measure with its next municipal and next statutory deadline, each with its rule.
    assert "Plejefamilie" in text and "Kontaktperson" in text
    assert "Herningmodellen 1.0" in text and "Barnets Lov §" in text
    # Something is overdue (the contact person's first follow-up after 4 weeks): a badge.
    assert re.search(r"\d+ frist(er)? overskredet", text)
    assert 'class="badge badge-error"' in html.split('id="overblik"')[1].split("</section>")[0]
    # Pending approvals, the plan's goals due, the next network meeting.
    assert "Afventer godkendelse Senere opfølgningsdato: Plejefamilie" in text
    assert "Josefine går til fodbold" in text and "Langt ude i fremtiden" not in text
    assert "09.03.2026 10:00" in text and "Sunds Skole" in text


@frozen
def test_each_summary_part_reads_a_pinned_number_of_queries(org, busy, django_assert_num_queries):
    pinned = {"ladder": 1, "followups": 2, "approvals": 2, "goals": 1, "network_meeting": 1}
    parts = {part.key: part for part in summary_parts()}
    assert set(parts) == set(pinned)
    case = type(busy).objects.for_system().select_related("child").get(pk=busy.pk)
    for key, queries in pinned.items():
        with django_assert_num_queries(queries):
            parts[key].context(case.child, case, org.advisor)


@frozen
def test_the_summary_says_so_when_nothing_waits(org, login):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    text = summary_of(
        login(org.advisor).get(reverse("cases:child_detail", args=[case.child_id])).content.decode()
    )
    assert "Under afklaring (ingen indsats)" in text and "Ingen aktive indsatser." in text
    assert "Intet afventer godkendelse." in text and "Intet møde planlagt." in text
    assert "overskredet" not in text


@pytest.mark.parametrize(
    ("name", "args", "needle"),
    [
        ("cases:history_section", lambda case: [case.pk], "Se hele historikken"),
        ("cases:timeline_section", lambda case: [case.child_id], "Indsats startet"),
        ("cases:journal_page", lambda case: [case.pk], "Ingen journalnotater."),
        ("cases:panel_section", lambda case: [case.pk, "measures"], "Aktive indsatser"),
    ],
)
def test_a_lazy_section_answers_htmx_with_the_section_and_a_browser_with_a_page_and_logs_the_look(
    org, login, name, args, needle
):
    case = start_measure(org, "foster_family", datetime.date.today() - datetime.timedelta(days=10)).case
    client = login(org.advisor)
    url = reverse(name, args=args(case))
    before = AccessLog.objects.count()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert needle in fragment and "<html" not in fragment
    page = client.get(url).content.decode()
    assert needle in page and "<html" in page and case.child.full_name in page
    assert AccessLog.objects.count() == before + 2
    assert set(AccessLog.objects.order_by("-pk").values_list("child_id", flat=True)[:2]) == {case.child_id}


def test_the_page_folds_the_history_and_timeline_to_be_read_when_opened(org, login, case):
    html = login(org.advisor).get(reverse("cases:child_detail", args=[case.child_id])).content.decode()
    history = reverse("cases:history_section", args=[case.pk])
    timeline = reverse("cases:timeline_section", args=[case.child_id])
    for url in (history, timeline):
        assert f'hx-get="{url}" hx-trigger="toggle once"' in html
        assert f'<a href="{url}">' in html  # without JavaScript: the section as a page
    # The section links stay.
    for key in ("facts", "ladder", "measures", "deadlines", "journal", "history", "timeline"):
        assert f'<a href="#{key}">' in html and f'id="{key}"' in html


def test_a_cases_folded_sections_are_read_when_opened_and_the_open_journal_with_the_page(org, login, case):
    """The first screen is the summary: the folds of a case are read from their own address, each
    checked and logged like the page (``cases:panel_section``); the journal, open, comes with it."""
    case_services.journal_add(
        case=case,
        heading=JournalNote.Heading.NOTE,
        text="Notat fra hjemmebesøg",
        occurred_on=datetime.date.today(),
        written_by=org.advisor,
    )
    client = login(org.advisor)
    html = client.get(reverse("cases:child_detail", args=[case.child_id])).content.decode()
    folded = {url.rstrip("/").rsplit("/", 1)[1] for url in fold_urls(html)}
    assert folded == {p.key for p in panels() if not p.open and not p.lazy_url}
    assert "Notat fra hjemmebesøg" in html
    assert "<h3>Aktive indsatser</h3>" not in html
    assert "<h3>Aktive indsatser</h3>" in with_folds(
        client, reverse("cases:child_detail", args=[case.child_id])
    )


def test_a_section_not_on_the_page_is_not_found(org, login, case):
    client = login(org.advisor)
    for key in ("unknown", "history", "journal"):
        url = reverse("cases:panel_section", args=[case.pk, key])
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 404, key


def test_a_child_without_a_case_shows_its_sections_as_they_are(org, login):
    """A new concern about a child with no case yet, and a school's meeting: nothing to fold away,
    no case to read from. The team leader of the district reads the child (to assign an advisor)."""
    child = caseless_child(org)
    NotificationFactory(case=None, child=child, district=org.district_a, municipality=org.municipality)
    meeting = plan(child, planned_by=org.advisor)
    html = login(org.team_leader).get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    assert fold_urls(html) == []
    assert reverse("network_meetings:detail", args=[meeting.pk]) in html


def test_a_step_recorded_from_the_notifications_section_comes_back_to_the_case_page(org, login):
    notification = NotificationFactory(case=CaseFactory(team=org.team_a, advisor=org.advisor))
    client = login(org.advisor)
    url = reverse("cases:panel_section", args=[notification.case_id, "notifications"])
    section = client.get(url, headers={"HX-Request": "true"}).content.decode()
    receipt = reverse("cases:notification_receipt", args=[notification.pk])
    back = reverse("cases:case_detail", args=[notification.case_id])
    assert f'{receipt}?next={back}"' in section
    assert f"?next={url}" not in section


def test_the_journal_is_paged_newest_first_and_folded(org, login, case):
    start = datetime.date.today() - datetime.timedelta(days=60)
    for i in range(JOURNAL_PAGE_SIZE + 3):
        case_services.journal_add(
            case=case,
            heading=JournalNote.Heading.NOTE,
            text=f"Notat nummer {i}",
            occurred_on=start + datetime.timedelta(days=i),
            written_by=org.advisor,
        )
    client = login(org.advisor)
    html = client.get(reverse("cases:child_detail", args=[case.child_id])).content.decode()
    journal = html.split('id="journal"')[1].split("</section>")[0]
    shown = re.findall(r"Notat nummer (\d+)", journal)
    assert shown == [str(i) for i in range(JOURNAL_PAGE_SIZE + 2, 2, -1)]
    assert (
        journal.count(f'<details class="details journal-note" name="journal-{case.pk}">') == JOURNAL_PAGE_SIZE
    )
    older = reverse("cases:journal_page", args=[case.pk]) + "?side=2"
    assert f'hx-get="{older}"' in journal and "Side 1 af 2 (13 notater, nyeste først)" in journal
    second = client.get(older, headers={"HX-Request": "true"}).content.decode()
    assert re.findall(r"Notat nummer (\d+)", second) == ["2", "1", "0"]
    assert "Nyere notater" in second and "Ældre notater" not in second


def test_the_ladder_section_says_what_a_move_records_and_leads_to_the_measure_service(org, login):
    measure = start_measure(org, "foster_family", datetime.date.today() - datetime.timedelta(days=30))
    case = measure.case
    step = measure.measure_type.ladder_step.number
    client = login(org.advisor)
    html = with_folds(client, reverse("cases:child_detail", args=[case.child_id]))
    ladder = html.split('id="ladder"')[1].split("</section>")[0]
    down = reverse("measures:measure_change", args=[measure.pk]) + f"?trin={step - 1}"
    assert f'href="{down}">Registrér flytning fra trin {step} til trin {step - 1}</a>' in ladder
    assert f"Registrér flytning fra trin {step} til trin {step + 1}" in ladder
    form = client.get(down).content.decode()
    assert f"Der registreres en flytning på indsatstrappen fra trin {step} til trin {step - 1}." in form
    offered = re.findall(r"Trin (\d+): ", form)
    assert offered and set(offered) == {str(step - 1)}
    # A colleague of a team that shares its cases reads the case but may not change it: no move.
    org.team_a.shares_cases = True
    org.team_a.save()
    html = with_folds(login(org.colleague), reverse("cases:child_detail", args=[case.child_id]))
    assert 'id="ladder"' in html and "Registrér flytning" not in html


def test_one_case_is_read_with_the_childs_other_readable_cases_and_nothing_more(org):
    """``visible_case_of_child`` (one case's page): the case and the child's cases the person
    reads, the open one first; a case they may not read, or none, is 404 as with ``visible_case``."""
    from django.http import Http404

    from cases.models import CaseState
    from cases.selectors import visible_case_of_child

    def closed(case, on):
        case.state, case.closed_on = CaseState.CLOSED, on
        case.save()
        return case

    earliest = closed(
        CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=TODAY.replace(year=2023)), TODAY
    )
    child = earliest.child
    theirs = closed(
        CaseFactory(team=org.team_b, advisor=org.outsider, child=child, opened_on=TODAY.replace(year=2024)),
        TODAY,
    )
    current = CaseFactory(
        team=org.team_a, advisor=org.advisor, child=child, opened_on=TODAY.replace(year=2025)
    )

    case, cases = visible_case_of_child(org.advisor, earliest.pk)
    assert case == earliest and cases == [current, earliest]
    assert all(c.child is case.child for c in cases)
    assert visible_case_of_child(org.outsider, theirs.pk) == (theirs, [theirs])
    for user, pk in ((org.advisor, theirs.pk), (org.outsider, current.pk), (org.advisor, current.pk + 1000)):
        with pytest.raises(Http404):
            visible_case_of_child(user, pk)
