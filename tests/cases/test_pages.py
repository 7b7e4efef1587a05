"""The case list and the child page for each kind of user; CPR numbers masked in lists, shown in
full only on the child's own page, never in a URL; every read logged; query counts pinned."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import CaseState, JournalNote
from herning.audit.models import AccessLog
from measures.services import measure_start
from tests.cases.factories import NotificationFactory
from tests.factories import HEARD, CaseFactory, measure_type, staff
from tests.pages import fold_urls

D = datetime.date


def child_url(case):
    return reverse("cases:child_detail", args=[case.child_id])


def case_url(case):
    return reverse("cases:case_detail", args=[case.pk])


# Who may read a case of Alice's in team A (team A does not share cases between advisors).
READERS = {
    "advisor": 200,
    "colleague": 404,
    "outsider": 404,
    "team_leader": 200,
    "other_team_leader": 404,
    "duty_advisor": 404,
    "case_admin": 404,
    "psychologist": 404,
    "health_visitor": 404,
    "management": 404,
    "sysadmin": 404,
}


@pytest.mark.parametrize(("persona", "status"), READERS.items())
def test_the_child_and_case_pages_answer_each_kind_of_user(org, case, login, persona, status):
    client = login(getattr(org, persona))
    assert client.get(child_url(case)).status_code == status
    assert client.get(case_url(case)).status_code == status
    assert client.get(reverse("cases:case_history", args=[case.pk])).status_code == status


def test_a_colleague_reads_the_case_when_the_team_shares_cases_but_cannot_change_it(org, case, login):
    org.team_a.shares_cases = True
    org.team_a.save()
    client = login(org.colleague)
    page = client.get(case_url(case))
    assert page.status_code == 200
    assert reverse("cases:journal_add", args=[case.pk]) not in page.content.decode()
    response = client.post(reverse("cases:journal_add", args=[case.pk]), {"heading": "note", "text": "x"})
    assert response.status_code == 403


def test_a_professional_added_to_the_case_reads_it(org, case, login):
    services.case_participant_add(case=case, user=org.psychologist, note="PPR", added_by=org.advisor)
    assert login(org.psychologist).get(case_url(case)).status_code == 200


def test_the_duty_advisor_reads_a_child_with_a_notification_awaiting_assessment(org, case, login):
    NotificationFactory(case=case, registered_by=org.case_admin)
    assert login(org.duty_advisor).get(child_url(case)).status_code == 200


def test_the_child_page_shows_the_full_cpr_number_and_logs_the_read(org, case, login):
    response = login(org.advisor).get(child_url(case))
    assert case.child.formatted_cpr in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.user, log.child, log.case, log.channel) == (
        org.advisor,
        case.child,
        case,
        AccessLog.Channel.PAGE,
    )
    assert case.child.cpr not in log.what + log.purpose


def test_no_link_on_the_child_page_carries_a_cpr_number(org, case, login):
    NotificationFactory(case=case, registered_by=org.case_admin)
    page = login(org.advisor).get(child_url(case)).content.decode()
    hrefs = re.findall(r'(?:href|action|hx-post|hx-get)="([^"]*)"', page)
    assert hrefs
    assert not [h for h in hrefs if case.child.cpr[:6] in h]


def test_the_case_list_masks_cpr_numbers_and_shows_only_visible_cases(org, case, login):
    other = CaseFactory(team=org.team_b, advisor=org.outsider)
    page = login(org.advisor).get(reverse("cases:case_list")).content.decode()
    assert case.child.masked_cpr in page
    assert case.child.formatted_cpr not in page and case.child.cpr not in page
    assert other.child.masked_cpr not in page


def test_the_case_lists_rows_show_each_cell_escaped(org, case, login):
    """The rows are drawn in Python (``cases_tags.case_rows``): every cell as the template drew it,
    a name that looks like markup shown as text, and the words for a case without a step or an
    advisor."""
    from django.utils.formats import date_format

    child = case.child
    child.first_name = '<img src=x onerror="alert(1)">Ida'
    child.save()
    unassigned = CaseFactory(team=org.team_a, advisor=None)
    page = login(org.team_leader).get(reverse("cases:case_list")).content.decode()
    assert "<img src=x" not in page
    row = (
        f'<th scope="row"><a href="{reverse("cases:case_detail", args=[case.pk])}">'
        f"&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Ida {child.last_name}</a></th>\n"
        f'      <td class="cpr nowrap">{child.masked_cpr}</td>\n'
        f"      <td>{case.get_state_display()}</td>\n"
        f"      <td>{case.current_step or 'Under afklaring'}</td>\n"
        f"      <td>{case.advisor}</td>\n      <td>{case.team}</td>\n      <td>{case.district}</td>\n"
        f'      <td class="nowrap">{date_format(case.opened_on, "SHORT_DATE_FORMAT")}</td>'
    )
    assert row in page
    at = page.index(f'href="{reverse("cases:case_detail", args=[unassigned.pk])}"')
    assert "<td>Ingen</td>" in page[at : page.index("</tr>", at)]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("advisor", 200),
        ("team_leader", 200),
        ("duty_advisor", 200),
        ("case_admin", 403),
        ("psychologist", 403),
        ("management", 403),
    ],
)
def test_the_case_list_and_find_child_are_for_the_case_workers(org, login, persona, status):
    client = login(getattr(org, persona))
    assert client.get(reverse("cases:case_list")).status_code == status
    assert client.get(reverse("cases:find_child")).status_code == status


def test_the_case_list_filters_by_step_state_advisor_team_district_and_name(org, login):
    placed = CaseFactory(team=org.team_a, advisor=org.advisor, child__first_name="Aaplaceret")
    measure_start(
        hearing=HEARD,
        case=placed,
        measure_type=measure_type("foster_family"),
        start_date=placed.opened_on,
        decided_by=org.advisor,
    )
    CaseFactory(team=org.team_a, advisor=None, state=CaseState.NOTIFICATION, child__first_name="Aaventende")
    closed = CaseFactory(team=org.team_a, advisor=org.advisor, child__first_name="Aalukket")
    services.case_close(
        case=closed, closed_on=closed.opened_on, closing_reason="no_need", closed_by=org.advisor
    )
    client = login(org.team_leader)

    def names(**params):
        page = client.get(reverse("cases:case_list"), params).content.decode()
        return {n for n in ("Aaplaceret", "Aaventende", "Aalukket") if n in page}

    assert names() == {"Aaplaceret", "Aaventende"}
    assert names(step="5") == {"Aaplaceret"}
    assert names(step="0") == {"Aaventende"}
    assert names(state="closed") == {"Aalukket"}
    assert names(state="all") == {"Aaplaceret", "Aaventende", "Aalukket"}
    assert names(advisor="none") == {"Aaventende"}
    assert names(advisor=str(org.advisor.pk)) == {"Aaplaceret"}
    assert names(team=str(org.team_b.pk)) == set()
    assert names(district=str(org.district_a.pk)) == {"Aaplaceret", "Aaventende"}
    assert names(q="aavent") == {"Aaventende"}


def test_the_case_list_answers_htmx_with_the_table_only(org, case, login):
    response = login(org.advisor).get(
        reverse("cases:case_list"), {"q": case.child.first_name}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="case-table"')
    assert "<html" not in body


# Session, the person with their roles and apps; the filter form's choices (steps, advisors, teams, districts); the count
# and the page of rows.
QUERIES_CASE_LIST = 10  # with the access log: one insert for every child on the page
# The child page: session, person and roles, child, cases, the access log entry, then each
# section's own reads (one query per kind of record) and the case's history (one per kind).
# The folded sections of a case (the history and the timeline too) are read when their folds are
# opened (their own views), the journal one page at a time; the summary's parts read one or two
# queries each.
QUERIES_CHILD_PAGE = 16  # the request (session, the person with roles and apps, bell), the cases app, the summary parts, the journal
# One case's page reads the case and the child's other cases in one query, where the child's page
# reads the child and then its cases.
QUERIES_CASE_PAGE = QUERIES_CHILD_PAGE - 1
# Each folded section's own request: the request's (session, person, roles, bell) and the case, the
# access log entry, then the section's reads.
QUERIES_SECTIONS = {
    "case": 5,
    "notifications": 5,
    "investigations": 6,
    "ladder": 7,
    "measures": 5,
    "network_meetings": 5,
    "deadlines": 5,
    "plan": 6,
    "wellbeing": 4,
}


def test_the_case_list_runs_the_same_queries_for_1_or_12_cases(org, login, django_assert_num_queries):
    client = login(org.team_leader)
    url = reverse("cases:case_list")
    CaseFactory(team=org.team_a, advisor=org.advisor)
    client.get(url)  # the session and the person's roles are warm
    with django_assert_num_queries(QUERIES_CASE_LIST):
        client.get(url)
    for _ in range(11):
        CaseFactory(team=org.team_a, advisor=org.colleague)
    with django_assert_num_queries(QUERIES_CASE_LIST):
        assert len(client.get(url).context["page"].object_list) == 12


def _busy(case, org, n):
    for i in range(n):
        NotificationFactory(case=case, registered_by=org.case_admin)
        services.journal_add(
            case=case, heading=JournalNote.Heading.NOTE, text=f"Notat {i}", written_by=org.advisor
        )
        services.relation_add(child=case.child, kind="sibling", name=f"Søskende {i}", added_by=org.advisor)
        if i < 3:
            helper = [org.psychologist, org.health_visitor, org.colleague][i]
            services.case_participant_add(case=case, user=helper, added_by=org.advisor)
        measure_start(
            hearing=HEARD,
            case=case,
            measure_type=measure_type(["foster_family", "mst", "institution"][i % 3]),
            # A type again on another day: the same type from the same day is one decision twice.
            start_date=case.opened_on + datetime.timedelta(days=i // 3),
            decided_by=org.advisor,
        )
    services.investigation_open(case=case, decided_on=case.opened_on, decided_by=org.advisor)


def test_the_child_page_runs_the_same_queries_however_much_the_case_holds(
    org, login, django_assert_num_queries
):
    client = login(org.advisor)
    small = CaseFactory(team=org.team_a, advisor=org.advisor)
    _busy(small, org, 1)
    big = CaseFactory(team=org.team_a, advisor=org.advisor)
    _busy(big, org, 6)
    client.get(child_url(small))
    for case in (small, big):
        with django_assert_num_queries(QUERIES_CHILD_PAGE):
            assert client.get(child_url(case)).status_code == 200
        with django_assert_num_queries(QUERIES_CASE_PAGE):
            page = client.get(reverse("cases:case_detail", args=[case.pk]))
            assert page.status_code == 200
        # Each folded section reads as much for a small case as for a big one.
        counts = {}
        for url in fold_urls(page.content.decode()):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
            counts[url.rstrip("/").rsplit("/", 1)[1]] = len(queries)
        assert counts == QUERIES_SECTIONS, case


def test_a_hand_edited_filter_is_explained_and_shows_the_open_cases(org, case, login):
    response = login(org.advisor).get(reverse("cases:case_list"), {"advisor": "abc", "side": "x"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Marker en gyldig valgmulighed" in page
    assert case.child.masked_cpr in page


def test_the_case_list_offers_the_cpr_search_by_post(org, login):
    page = login(org.advisor).get(reverse("cases:case_list")).content.decode()
    assert f'<form method="post" action="{reverse("cases:find_child")}"' in page


def test_the_advisor_filter_names_each_active_advisor_of_the_municipality_once_as_everywhere_else(org):
    """The advisor filter's options are read as values (``cases.forms.CaseFilterForm``), named by
    ``User.name_of``, the rule of ``str(user)``: an advisor without a name by their username, an
    advisor in two teams once, a former advisor and another municipality's not at all."""
    from cases.forms import CaseFilterForm
    from herning.organisation.models import Role, RoleAssignment, User

    municipality = org.team_leader.municipality
    nameless = staff(
        username="nameless",
        municipality=municipality,
        roles=[(Role.ADVISOR, org.team_a)],
        first_name="",
        last_name="",
    )
    RoleAssignment.objects.create(user=org.advisor, role=Role.ADVISOR, team=org.team_b)
    former = staff(username="former", municipality=municipality, roles=[(Role.ADVISOR, org.team_a)])
    former.is_active = False
    former.save()
    form = CaseFilterForm(user=org.team_leader, steps=[])
    expected = [
        (u.pk, str(u))
        for u in User.objects.filter(
            municipality=municipality, is_active=True, role_assignments__role=Role.ADVISOR
        ).distinct()
    ]
    options = form.fields["advisor"].choices[2:]
    assert options == expected
    assert (nameless.pk, "nameless") in options
    assert (org.advisor.pk, f"{org.advisor.first_name} {org.advisor.last_name}") in options
    assert len({pk for pk, _name in options}) == len(options)
    assert former.pk not in {pk for pk, _name in options}
