"""CPR numbers (personnummer): format, date and century; never rejected for modulus 11.

Rules from cpr.dk (CPR-administrationen: "Opbygning af CPR-nummeret" and
"Personnumre uden kontrolciffer"): DDMMYY-SSSS, the 7th digit with the year gives the century,
the 10th digit is odd for male and even for female. Numbers without a valid modulus-11 check
digit have been issued since 1 October 2007 and are fully valid, so the check is only a hint.
A number is given at birth, so one whose birth date lies after today is a typing error and refused.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_PATTERN = re.compile(r"^\s*(\d{6})\s*-?\s*(\d{4})\s*$")
MOD11_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
MASK = "••••"


@dataclass(frozen=True)
class Cpr:
    digits: str  # ten digits, no dash
    birth_date: datetime.date
    legal_sex: str  # "M" or "F"

    @property
    def formatted(self) -> str:
        return f"{self.digits[:6]}-{self.digits[6:]}"

    @property
    def masked(self) -> str:
        return mask(self.digits)

    @property
    def passes_modulus_11(self) -> bool:
        return modulus_11_ok(self.digits)


def century(seventh_digit: int, yy: int) -> int:
    """The century of the birth year from the 7th digit (cpr.dk's table)."""
    if seventh_digit <= 3:
        return 1900
    if seventh_digit in (4, 9):
        return 2000 if yy <= 36 else 1900
    # 5-8
    if yy <= 57:
        return 2000
    return 1800


def parse(value: str, *, allow_future: bool = False) -> Cpr:
    """Parse and validate; raises ValidationError with a Danish message saying what is wrong.

    A birth date after today is refused: no one is given a CPR number before being born.
    ``allow_future`` only tells whether a text is shaped like a CPR number at all (the guard that
    keeps such numbers out of addresses), never to accept one.
    """
    match = _PATTERN.match(value or "")
    if not match:
        raise ValidationError(_("Et CPR-nummer har 10 cifre, skrevet DDMMÅÅ-LLLL."), code="cpr_format")
    digits = match.group(1) + match.group(2)
    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    year = century(int(digits[6]), yy) + yy
    try:
        birth = datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(
            _("CPR-nummeret begynder ikke med en gyldig dato (%(date)s)."),
            code="cpr_date",
            params={"date": f"{digits[0:2]}.{digits[2:4]}.{year}"},
        ) from None
    if not allow_future and birth > timezone.localdate():
        raise ValidationError(
            _("CPR-nummeret angiver en fødselsdato i fremtiden (%(date)s). Tjek cifrene."),
            code="cpr_future",
            params={"date": birth.strftime("%d.%m.%Y")},
        )
    sex = "M" if int(digits[9]) % 2 else "F"
    return Cpr(digits=digits, birth_date=birth, legal_sex=sex)


def modulus_11_ok(digits: str) -> bool:
    return sum(int(d) * w for d, w in zip(digits, MOD11_WEIGHTS, strict=True)) % 11 == 0


def mask(digits: str) -> str:
    """``010203-••••``: enough to tell children apart in a list, not enough to identify."""
    if not digits or len(digits) < 6:
        return ""
    return f"{digits[:6]}-{MASK}"


def validate_cpr(value: str) -> None:
    parse(value)
