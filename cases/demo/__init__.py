"""Demo children and cases: about 250 children of the demo municipality, spread over every state
of a case and every step of the ladder, with two years of notifications, investigations,
measures, ladder movements, plans and journal notes.

Called by ``seed_demo`` (``DEMO_STEPS``). Everything is drawn from the step's own seeded random
generator, so the same children come out every time; a child is identified by its CPR number and
one that exists already is left alone, which makes a second run change nothing. The rows are
written in bulk (with their history rows, carrying the acting person and the day of the event)
rather than through the services one by one, so that the whole demo takes seconds; the ladder
movements come from the same rule as the services (``measures.ladder.step_changes``).

The package follows the work: ``data`` (the facts drawn from), ``story`` (each child's story
planned in memory), ``write`` (the rows in bulk) and, in the measures app, ``measures.demo``
(the ladder movements).
"""

from __future__ import annotations

from django.db import transaction

from cases.demo.data import CHILDREN, SCENARIOS
from cases.demo.story import _Demo
from cases.demo.write import write
from cases.models import Child

__all__ = ["CHILDREN", "seed"]


@transaction.atomic
def seed(*, org, today, rng, stdout) -> None:
    demo = _Demo(org=org, today=today, rng=rng)
    plans = [demo.child(index, scenario) for index, scenario in enumerate(_scenarios(rng))]
    existing = set(
        Child.objects.for_system().filter(municipality=org.municipality).values_list("cpr", flat=True)
    )
    new = [p for p in plans if p.child.cpr not in existing]
    if new:
        write(new, org=org, today=today)
    stdout.write(f"Børn og sager: {len(new)} nye børn, {len(plans) - len(new)} fandtes allerede.")


def _scenarios(rng) -> list[str]:
    labels = [name for name, count in SCENARIOS.items() for _ in range(count)]
    rng.shuffle(labels)
    return labels
