"""CPR: format, real date, the century rule of the 7th digit; modulus 11 never rejects."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from herning.core import cpr


def test_a_valid_number_failing_modulus_11_is_accepted():
    # 1 January 1965 numbers issued without a check digit since 2007 (cpr.dk).
    value = "0101650001"
    assert not cpr.modulus_11_ok(value)
    parsed = cpr.parse(value)
    assert parsed.birth_date == datetime.date(1965, 1, 1)
    assert parsed.legal_sex == "M"


def test_a_number_passing_modulus_11_is_recognised():
    assert cpr.modulus_11_ok("0707614285")


def test_31_february_is_rejected():
    with pytest.raises(ValidationError) as excinfo:
        cpr.parse("310214-4002")
    assert excinfo.value.code == "cpr_date"


@pytest.mark.parametrize(
    ("value", "birth"),
    [
        ("0101363001", datetime.date(1936, 1, 1)),  # 7th digit 0-3: 1900s
        ("0101994001", datetime.date(1999, 1, 1)),  # 4, yy 37-99: 1900s
        ("0101104001", datetime.date(2010, 1, 1)),  # 4, yy 00-36: 2000s
        ("0101575001", datetime.date(2057, 1, 1)),  # 5-8, yy 00-57: 2000s
        ("0101588001", datetime.date(1858, 1, 1)),  # 5-8, yy 58-99: 1800s
        ("0101369001", datetime.date(2036, 1, 1)),  # 9, yy 00-36: 2000s
        ("0101379001", datetime.date(1937, 1, 1)),  # 9, yy 37-99: 1900s
    ],
)
def test_each_century_rule(value, birth):
    # On a day after every one of these birth dates: a birth date in the future is refused.
    with time_machine.travel(datetime.date(2060, 1, 1), tick=False):
        assert cpr.parse(value).birth_date == birth


def test_a_birth_date_in_the_future_is_refused_in_danish():
    with time_machine.travel(datetime.datetime(2026, 12, 4, 12, 0), tick=False):
        # 5 December 2026 (7th digit 4, yy 26: the 2000s): tomorrow.
        with pytest.raises(ValidationError) as excinfo:
            cpr.parse("051226-4002")
        assert excinfo.value.code == "cpr_future"
        assert "fremtiden" in excinfo.value.messages[0] and "05.12.2026" in excinfo.value.messages[0]
        # Born today is fine, and the guard that only recognises a number still does.
        assert cpr.parse("041226-4002").birth_date == datetime.date(2026, 12, 4)
        assert cpr.parse("051226-4002", allow_future=True).birth_date == datetime.date(2026, 12, 5)
        # 7th digit 5, yy 57: 2057, not 1957.
        with pytest.raises(ValidationError):
            cpr.validate_cpr("0101575001")


def test_29_february_only_in_leap_years():
    assert cpr.parse("290212-4002").birth_date == datetime.date(2012, 2, 29)
    with pytest.raises(ValidationError):
        cpr.parse("290213-4002")


@pytest.mark.parametrize("value", ["12345", "01010a-1234", "0101651234567", ""])
def test_wrong_format_is_rejected(value):
    with pytest.raises(ValidationError) as excinfo:
        cpr.parse(value)
    assert excinfo.value.code == "cpr_format"


def test_dash_and_spaces_are_allowed_on_input():
    assert cpr.parse(" 010203-4002 ").digits == "0102034002"


def test_masking_keeps_only_the_birth_date():
    assert cpr.mask("0102034002") == "010203-••••"


def test_sex_from_the_last_digit():
    assert cpr.parse("0102034002").legal_sex == "F"
    assert cpr.parse("0102034003").legal_sex == "M"
