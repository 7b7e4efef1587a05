"""Where each person sits on the drawn network map: four sectors around the child, three rings for
how close they are. The drawing repeats the table beside it (WCAG: a figure with a table)."""

from __future__ import annotations

import math
from collections import defaultdict

from network_meetings.models import NetworkMapPerson

CENTRE = 300
# Angles in the SVG's coordinates (y grows downwards): family top left, network top right,
# school bottom left, professionals bottom right.
SECTOR_ANGLES = {
    NetworkMapPerson.Sector.FAMILY: (180, 270),
    NetworkMapPerson.Sector.NETWORK: (270, 360),
    NetworkMapPerson.Sector.SCHOOL: (90, 180),
    NetworkMapPerson.Sector.PROFESSIONALS: (0, 90),
}
RING_RADIUS = {
    NetworkMapPerson.Closeness.CLOSE: 68,
    NetworkMapPerson.Closeness.MIDDLE: 140,
    NetworkMapPerson.Closeness.DISTANT: 220,
}
# Resource, concern or both is told by a sign as well as a colour (WCAG 1.4.1).
SYMBOL = {
    NetworkMapPerson.Significance.RESOURCE: "+",
    NetworkMapPerson.Significance.CONCERN: "!",
    NetworkMapPerson.Significance.BOTH: "±",
}


def layout(people: list[NetworkMapPerson]) -> list[dict]:
    """One point per person, numbered in the order of ``people`` (the table's order)."""
    groups: dict[tuple[str, int], list[tuple[int, NetworkMapPerson]]] = defaultdict(list)
    for number, person in enumerate(people, start=1):
        groups[(person.sector, person.closeness)].append((number, person))
    points = []
    for (sector, closeness), members in groups.items():
        start, end = SECTOR_ANGLES[sector]
        for index, (number, person) in enumerate(members):
            angle = math.radians(start + (index + 1) * (end - start) / (len(members) + 1))
            # Crowded rings zigzag a little so the circles overlap less.
            radius = RING_RADIUS[closeness] + ((-14 if index % 2 else 14) if len(members) > 3 else 0)
            points.append(
                {
                    "number": number,
                    "person": person,
                    "x": round(CENTRE + radius * math.cos(angle)),
                    "y": round(CENTRE + radius * math.sin(angle)),
                    "symbol": SYMBOL[person.significance],
                }
            )
    return sorted(points, key=lambda p: p["number"])
