"""The cases app's records in the API's change feed (herning.api.feed): which resource each is,
and which records show it inside them, so their ``updated_at`` moves with it."""

from herning.api import feed


def register() -> None:
    from cases.models import Case, Child, Goal, Investigation, Notification, Plan

    # A case shows its child's name.
    feed.register(
        "child",
        Child,
        parents=lambda child: (("case", pk) for pk in child.cases.values_list("pk", flat=True)),
    )
    # A deleted case: whoever could read it, which only an erasure's readers can still be told
    # (herning.api.feed.deletions_readable_by); a deleted child, the same.
    feed.register("case", Case, case=lambda case: case.pk)
    feed.register("notification", Notification)
    feed.register("investigation", Investigation)
    # A plan shows its goals.
    feed.register("plan", Plan)
    feed.register(
        "goal", Goal, parents=lambda goal: [("plan", goal.plan_id)], case=lambda goal: goal.plan.case_id
    )
