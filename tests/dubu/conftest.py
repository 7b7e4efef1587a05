"""DUBU files for the tests, written with the default profile's columns."""

from __future__ import annotations

import datetime

import pytest

from dubu.models import FIELDS
from tests.factories import cpr_for

HEADER = [label for _name, label in FIELDS]


def row(
    case_id="D-1001",
    cpr=None,
    first="Ida",
    last="Lund",
    advisor="alice",
    district="Distrikt A",
    service="Forebyggende foranstaltning",
    offer="Familiebehandling",
    legal="",
    start="01-09-2025",
    end="",
    provider="Familiecenteret",
    last_followup="",
) -> list[str]:
    cpr = cpr or cpr_for(datetime.date(2014, 2, 3), 5)
    return [
        case_id,
        cpr,
        first,
        last,
        advisor,
        district,
        service,
        offer,
        legal,
        start,
        end,
        provider,
        last_followup,
    ]


def csv_bytes(rows, *, delimiter=";", encoding="utf-8", header=HEADER) -> bytes:
    lines = [delimiter.join(header), *(delimiter.join(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def leader(org):
    """The team leader of team A (district A), who imports."""
    return org.team_leader
