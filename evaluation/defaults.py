"""The shipped default placement targets (Herning Kommune, Forebyggelsesudvalget 21.1.2013, Sverigesprojektet), loaded by a migration, editable in the admin."""

from __future__ import annotations

import datetime
from decimal import Decimal

_SOURCE_000 = (
    "Herning Kommune, Børne- og Familieudvalget 21.01.2013 (Sverigesprojektet): "
    "flere i familiepleje og slægts-/netværkspleje og færre på institution (75/25)"
)

# name, placement categories, comparison, share in %
DEFAULT_TARGETS = [
    ("Familiepleje", ["network_foster", "foster_family", "special_foster"], "at_least", Decimal(75)),
    ("Institution", ["institution"], "at_most", Decimal(25)),
]
DEFAULT_TARGETS_VALID_FROM = datetime.date(2013, 1, 1)


def load_default_targets(*, PlacementTarget) -> int:
    """Create the shared default targets that are missing; never touch an existing one."""
    created = 0
    for name, categories, comparison, share in DEFAULT_TARGETS:
        _obj, was_created = PlacementTarget.objects.get_or_create(
            municipality=None,
            name=name,
            valid_from=DEFAULT_TARGETS_VALID_FROM,
            defaults={
                "categories": categories,
                "comparison": comparison,
                "share": share,
                "source": _SOURCE_000,
            },
        )
        created += was_created
    return created
