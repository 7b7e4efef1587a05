"""The measures app's records in the API's change feed (herning.api.feed)."""

from herning.api import feed


def register() -> None:
    from measures.models import LadderMovement, Measure

    # A case shows its current ladder step, which its measures and movements decide.
    feed.register("measure", Measure, parents=lambda measure: [("case", measure.case_id)])
    feed.register("ladder-movement", LadderMovement, parents=lambda movement: [("case", movement.case_id)])
