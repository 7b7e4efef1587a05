"""A list asked for with none of its filters skips django-filter's filter set
(``herning.api.filters.ListFilterBackend``) and answers what the filter set would have answered."""

from __future__ import annotations

from unittest import mock

import pytest
from django_filters.rest_framework import DjangoFilterBackend

from herning.api import filters
from herning.urls import router
from tests.api.base import token_client

pytestmark = pytest.mark.django_db


def _filtered_lists():
    for prefix, viewset, _basename in router.registry:
        filterset_class = getattr(viewset, "filterset_class", None)
        if filterset_class is not None and filterset_class.base_filters:
            yield prefix, viewset, filterset_class


def test_every_list_without_its_filters_answers_as_its_filter_set_would(org, with_measure, with_plan):
    lists = list(_filtered_lists())
    assert len(lists) >= 6
    client = token_client(org.advisor)
    for prefix, viewset, _filterset_class in lists:
        plain = client.get(f"/api/v1/{prefix}/")
        assert plain.status_code == 200, (prefix, plain.content)
        # The filter set built and applied as before, with nothing to filter by (and the list read
        # through the ORM, not the statement kept for the person's list, ``kept_list_key``).
        with (
            mock.patch.object(viewset, "kept_list_key", None),
            mock.patch.object(filters, "_asks_for_a_filter", return_value=True),
            mock.patch.object(
                DjangoFilterBackend,
                "get_filterset",
                autospec=True,
                side_effect=DjangoFilterBackend.get_filterset,
            ) as built,
        ):
            through_the_set = client.get(f"/api/v1/{prefix}/")
        assert built.called, prefix
        assert (plain.status_code, plain.json()) == (through_the_set.status_code, through_the_set.json()), (
            prefix
        )


def test_a_list_without_its_filters_builds_no_filter_set_and_one_with_a_filter_does(org, with_measure):
    client = token_client(org.advisor)
    with mock.patch.object(
        DjangoFilterBackend, "get_filterset", autospec=True, side_effect=DjangoFilterBackend.get_filterset
    ) as built:
        assert client.get("/api/v1/measures/?page_size=10&ordering=-start_date").status_code == 200
        assert not built.called
        answer = client.get(f"/api/v1/measures/?case={with_measure.case.pk}")
        assert built.called
    assert answer.status_code == 200 and answer.json()["count"] == 1


def test_a_parameter_that_begins_with_a_filters_name_counts_as_asking_for_it(rf):
    from measures.api import MeasureFilter

    class Request:
        def __init__(self, **params):
            self.query_params = params

    assert filters._asks_for_a_filter(Request(case="1"), MeasureFilter)
    assert filters._asks_for_a_filter(Request(start_date_after="2026-01-01"), MeasureFilter) == any(
        "start_date_after".startswith(name) for name in MeasureFilter.base_filters
    )
    assert not filters._asks_for_a_filter(Request(page="2", page_size="10", ordering="id"), MeasureFilter)
