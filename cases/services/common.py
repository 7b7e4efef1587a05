"""Shared pieces of cases.services: Writes to children, cases, notifications, investigations, plans and the journal."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.models import (
    Case,
    CaseState,
    LegalBasis,
)

# The legal reference a case's state rests on (docs/domain.md §4); a case with measures takes the
# legal basis of its highest measure (measures.services).
STATE_LEGAL_BASIS = {
    CaseState.NOTIFICATION: "notification_assessment",
    CaseState.CLARIFICATION: "clarification",
    CaseState.INVESTIGATION: "investigation",
    CaseState.AFTERCARE: "aftercare",
}

# Efterværn / ungestøtte: from the 18th birthday until the 23rd (SEL § 76, BL §§ 114-116).
AFTERCARE_AGES = range(18, 23)

# What is written about a child besides the CPR number: the child's form, the API's child and
# ``child_update`` take these, in this order.
CHILD_FIELDS = (
    "first_name",
    "last_name",
    "address",
    "postal_code",
    "city",
    "school_district",
    "district",
    "school_or_daycare",
)
RELATION_FIELDS = ("kind", "name", "has_custody", "phone", "email", "address", "note")


def require_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("Sagen er lukket og kan ikke ændres."))


def legal_basis_by_code(code: str) -> LegalBasis | None:
    return LegalBasis.objects.filter(code=code).first()
