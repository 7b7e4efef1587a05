"""The consent gate: what an anonymous meeting may hold.

Discussing a named child needs the custody holder's consent (Herningmodellen 1.0, "Interne tværfaglige
møder": "Såfremt der fremlægges sager af specifik karakter med navn etc. forudsætter det samtykke
fra forældremyndighedsindehaver"; docs/domain.md §6). Until it is recorded, a meeting stores no CPR
number and no part of the child's name. A CPR number never belongs in free text at all: where the
minutes need it, it comes from the child's record, and only once consent is recorded.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from herning.core.logging import CPR_PATTERN

# A name part shorter than this ("Bo" is also a Danish verb) is still checked, but single letters
# (initials) are what an anonymous meeting may show.
_MIN_NAME_PART = 2

NAME_REDACTED = _("[barnets navn]")
CPR_REDACTED = _("[CPR-nummer]")


def child_name_parts(child) -> list[str]:
    """The parts of the child's first and last name, as whole words to look for."""
    parts = re.split(r"[\s\-]+", f"{child.first_name} {child.last_name}")
    return sorted({p for p in parts if len(p) >= _MIN_NAME_PART}, key=len, reverse=True)


def _name_pattern(child) -> re.Pattern | None:
    parts = child_name_parts(child)
    if not parts:
        return None
    alternatives = "|".join(re.escape(p) for p in parts)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def contains_cpr(text: str) -> bool:
    return bool(text and CPR_PATTERN.search(text))


def contains_child_name(text: str, child) -> bool:
    pattern = _name_pattern(child)
    return bool(text and pattern and pattern.search(text))


def check_texts(*, meeting, texts: Mapping[str, str], cpr_only: Collection[str] = ()) -> None:
    """Raise a ValidationError naming each field that holds what the meeting may not hold.

    Fields in ``cpr_only`` hold a professional's own name or workplace: a teacher who happens to
    share the child's surname does not identify the child, so only CPR numbers are refused there.
    """
    errors = {}
    for field, text in texts.items():
        if not text:
            continue
        if contains_cpr(text):
            errors[field] = _(
                "Skriv ikke CPR-numre i teksten. Barnets CPR-nummer hentes fra barnets stamoplysninger."
            )
        elif field not in cpr_only and meeting.is_anonymous and contains_child_name(text, meeting.child):
            errors[field] = _(
                "Mødet er anonymt, indtil samtykke fra forældremyndighedsindehaveren er registreret: "
                "skriv ikke barnets navn (brug fx »barnet« eller initialer)."
            )
    if errors:
        raise ValidationError(errors)


def redact(text: str, child) -> str:
    """``text`` without the child's name and without CPR numbers, for showing text from a meeting
    with consent on an anonymous one (a follow-up meeting's agenda)."""
    text = CPR_PATTERN.sub(str(CPR_REDACTED), text or "")
    pattern = _name_pattern(child)
    return pattern.sub(str(NAME_REDACTED), text) if pattern else text
