"""The Server-Timing header (issue 10): the application's and the database's time per request, for
the benchmark and profiling; off unless HERNING_SERVER_TIMING is set."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

HEADER = re.compile(r'^app;dur=([\d.]+);desc="application", db;dur=([\d.]+);desc="(\d+) queries"$')


def test_the_header_gives_application_and_database_time_and_the_query_count(settings, org, login):
    settings.SERVER_TIMING = True
    client = login(org.advisor)  # a new client: its handler loads the middleware with the setting on
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/min-dag/")
    found = HEADER.match(response["Server-Timing"])
    assert found, response["Server-Timing"]
    app, db, count = float(found[1]), float(found[2]), int(found[3])
    assert count == len(queries.captured_queries) > 0
    assert 0 < db <= app


def test_the_header_is_there_for_the_api_and_for_a_page_that_runs_no_query(settings):
    settings.SERVER_TIMING = True
    response = Client().get("/api/v1/cases/")
    assert response.status_code in (401, 403)
    assert HEADER.match(response["Server-Timing"])


def test_without_the_setting_there_is_no_header(settings, org, login):
    settings.SERVER_TIMING = False
    assert "Server-Timing" not in login(org.advisor).get("/min-dag/").headers
