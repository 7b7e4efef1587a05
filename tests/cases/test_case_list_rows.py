"""The case list's rows (``cases.selectors.case_list``): each filter read through statements kept
per person and shape gives the rows and the count the ORM's own query of the same filter gives, for
each person, in turn and twice; a search is a case-insensitive part of a first or last name, with
``%`` and ``_`` typed meaning themselves."""

from __future__ import annotations

import datetime

import pytest
from django.core.paginator import Paginator
from django.db.models import Q

from cases.models import Case, CaseState
from cases.selectors import _KEPT_WORDS, CaseListFilter, _case_list_page, case_list
from herning.core.statements import _Shape, kept_reads
from measures.models import LadderStep
from tests.factories import CaseFactory, ChildFactory


def _reference(user, chosen: CaseListFilter) -> list[int]:
    """The rows as the ORM reads the same filter, written apart from the selector."""
    rows = Case.objects.visible_to(user)
    for word in chosen.words:
        rows = rows.filter(Q(child__first_name__icontains=word) | Q(child__last_name__icontains=word))
    if chosen.no_advisor:
        rows = rows.filter(advisor=None)
    elif chosen.advisor:
        rows = rows.filter(advisor_id=chosen.advisor)
    if chosen.team:
        rows = rows.filter(team_id=chosen.team)
    if chosen.district:
        rows = rows.filter(district_id=chosen.district)
    if chosen.unclarified:
        rows = rows.filter(current_step=None)
    elif chosen.step:
        rows = rows.filter(current_step__pk=chosen.step)
    if chosen.state:
        rows = rows.filter(state=chosen.state)
    elif not chosen.every_state:
        rows = rows.exclude(state=CaseState.CLOSED)
    rows = rows.order_by("child__last_name", "child__first_name", "-opened_on", "pk")
    return list(rows.values_list("pk", flat=True))


def _listed(user, chosen: CaseListFilter, page_size: int = 3) -> tuple[int, list[int]]:
    paginator = Paginator(case_list(user=user, chosen=chosen, page_size=page_size), page_size)
    pks = [case.pk for number in paginator.page_range for case in paginator.page(number).object_list]
    return paginator.count, pks


@pytest.fixture
def cases(org):
    step = LadderStep.objects.order_by("number").first()

    def case(first, last, **kwargs):
        kwargs.setdefault("team", org.team_a)
        if kwargs.get("state") == CaseState.CLOSED:
            kwargs["closed_on"] = datetime.date.today()
        child = ChildFactory(
            first_name=first,
            last_name=last,
            municipality=org.municipality,
            district=kwargs["team"].district,
        )
        return CaseFactory(child=child, **kwargs)

    return [
        case("Ida", "Holm", advisor=org.advisor, current_step=step, state=CaseState.MEASURES),
        case("Ida Marie", "Sørensen", advisor=org.colleague),
        case("Idamaria", "Holmgaard", advisor=None),
        case("Anna", "Ida_Holm", advisor=org.advisor, state=CaseState.CLOSED),
        case("Anne", "100%Holm", advisor=org.advisor),
        case("Oscar", "Ibsen", team=org.team_b, advisor=org.outsider),
        case("Ida", "Beck", team=org.team_b, advisor=org.outsider, state=CaseState.CLOSED),
    ]


def _filters(org) -> list[CaseListFilter]:
    return [
        CaseListFilter(),
        CaseListFilter(every_state=True),
        CaseListFilter(state=CaseState.CLOSED),
        CaseListFilter(words=("ida",)),
        CaseListFilter(words=("IDA", "holm"), every_state=True),
        CaseListFilter(words=("Ida", "Marie", "Sørensen")),
        # More words than a kept statement takes: the ORM's own path, the same rows.
        CaseListFilter(words=("i", "d", "a", "m"), every_state=True),
        # % and _ are letters typed, not patterns: "_" finds only the name holding it.
        CaseListFilter(words=("_",), every_state=True),
        CaseListFilter(words=("%",)),
        CaseListFilter(words=("a_h",), every_state=True),
        CaseListFilter(advisor=org.advisor.pk, every_state=True),
        CaseListFilter(no_advisor=True),
        CaseListFilter(team=org.team_b.pk, every_state=True),
        CaseListFilter(district=org.district_a.pk, words=("holm",)),
        CaseListFilter(step=LadderStep.objects.order_by("number").first().pk),
        CaseListFilter(unclarified=True),
        CaseListFilter(words=("nobody",)),
    ]


def test_every_filter_lists_what_the_orm_reads_for_each_person_in_turn(org, cases):
    for read in kept_reads():
        read.shapes.clear()
    people = (org.advisor, org.outsider, org.team_leader, org.other_team_leader, org.advisor)
    for chosen in _filters(org):
        for person in people:
            expected = _reference(person, chosen)
            assert _listed(person, chosen) == (len(expected), expected), (person.username, chosen)
    # The filters of up to three words were kept, and none refused.
    shapes = _case_list_page.shapes.values()
    refused = [key for key, shape in _case_list_page.shapes.items() if not isinstance(shape, _Shape)]
    assert shapes and not refused, refused


def test_the_searches_find_what_an_advisor_means(org, cases):
    names = {case.pk: case.child.full_name for case in cases}

    def found(*words, **kwargs):
        _count, pks = _listed(org.team_leader, CaseListFilter(words=words, **kwargs))
        return {names[pk] for pk in pks}

    assert found("ida") == {"Ida Holm", "Ida Marie Sørensen", "Idamaria Holmgaard"}
    assert found("_", every_state=True) == {"Anna Ida_Holm"}
    assert found("%") == {"Anne 100%Holm"}
    assert found("ida", "holm") == {"Ida Holm", "Idamaria Holmgaard"}
    # Team A's leader sees nothing of team B's, whatever the search.
    assert found("oscar", every_state=True) == set()
    assert _KEPT_WORDS == 3
