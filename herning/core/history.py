"""The acting person on history rows, wherever a write runs.

django-simple-history takes the acting user from the web request (its middleware). Services also
run from background tasks, the demo data and imports, where there is no request: they wrap their
writes in ``acting_as(user)`` so that every history row written inside, including those written by
other apps' services called from there, carries the person the service acts for.
"""

from __future__ import annotations

import contextlib
from types import SimpleNamespace

from simple_history.models import HistoricalRecords


@contextlib.contextmanager
def acting_as(user):
    """Record ``user`` as the author of the history rows written inside the block."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            with contextlib.suppress(AttributeError):
                del context.request
        else:
            context.request = previous
