"""The evaluation's part of the child page: the way to the case's SDQ scores and complaints."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from cases.extensions import Panel, register_panel


def wellbeing_context(child, case, user) -> dict:
    return {"case": case}


def register() -> None:
    register_panel(
        Panel(
            "wellbeing",
            gettext_lazy("Trivsel (SDQ) og klager"),
            "evaluation/panels/_wellbeing.html",
            wellbeing_context,
            order=70,
        )
    )
