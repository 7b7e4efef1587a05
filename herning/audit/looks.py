"""Every look is logged, pages and lists alike (docs/access.md §3).

A page that renders a child's data (the child's page, a form about the case, a list of cases, "Min
dag", the deadlines) calls ``log_look(request, shown)`` with what it renders: children, or
``(child, case)`` pairs. It writes one access-log entry per child shown, in one statement, by the
same rule as the API (``herning.audit.services.log_reads``).

A page view in the apps that hold children's data which renders none (a form for a new child,
figures for management) says so with ``@shows_no_child("why")``.
``tests/herning/test_every_look_logged.py`` walks every page of those apps and fails for one that
neither logs the child it shows nor says why it shows none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from herning.audit.models import AccessLog
from herning.audit.services import log_reads

PURPOSE_CASEWORK = "Sagsbehandling"


def log_look(
    request, shown: Iterable, *, purpose: str = PURPOSE_CASEWORK, channel=AccessLog.Channel.PAGE, what=""
):
    """Logs that ``request``'s person is shown the children in ``shown`` (children or
    ``(child, case)`` pairs) on this page; ``what`` defaults to the page's path."""
    return log_reads(
        user=request.user, shown=shown, channel=channel, purpose=purpose, what=what or request.path
    )


def shows_no_child(reason: str) -> Callable:
    """Marks a page view that renders no child's data, with the reason (read by the meta-test).
    The mark is an attribute of the function, which Django's decorators copy to their wrappers."""

    def mark(view):
        view.shows_no_child = reason
        return view

    return mark
