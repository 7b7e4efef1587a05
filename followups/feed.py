"""The follow-ups app's records in the API's change feed (herning.api.feed). A follow-up is no
record of its own in the API (its id names the measure, the chain and the date), but a measure
shows its next follow-up: a follow-up held is a change of its measure."""

from herning.api import feed


def register() -> None:
    from followups.models import FollowUp

    feed.register_nested(FollowUp, parents=lambda followup: [("measure", followup.measure_id)])
