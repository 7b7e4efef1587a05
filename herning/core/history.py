"""The acting person on history rows, wherever a write runs.

django-simple-history takes the acting user from the web request (its middleware). Services also
run from background tasks, the demo data and imports, where there is no request: they wrap their
writes in ``acting_as(user)`` so that every history row written inside, including those written by
other apps' services called from there, carries the person the service acts for.
"""

from __future__ import annotations

import contextlib
from types import SimpleNamespace

import simple_history.utils
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import get_history_manager_for_model

from herning.core import arrays


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


def bulk_create_with_history(objs, model, batch_size=None, default_user=None) -> list:
    """``objs`` created, and a history row for each, in one transaction: django-simple-history's
    ``bulk_create_with_history``, with the history rows written by ``bulk_history_create`` below.
    Returns the objects with their primary keys."""
    if not arrays.supported():
        return simple_history.utils.bulk_create_with_history(
            objs, model, batch_size=batch_size, default_user=default_user
        )
    with transaction.atomic(savepoint=False):
        created = model._default_manager.bulk_create(objs, batch_size=batch_size)
        # simple_history passes None as the reason from here, "" when called directly.
        bulk_history_create(model, created, user=default_user, reason=None)
    return created


def bulk_history_create(model, objs, *, user=None, update: bool = False, reason: str | None = "") -> int:
    """A history row for each of ``objs`` ("+" created, or "~" changed with ``update``), as
    django-simple-history's ``bulk_history_create`` writes them, written as column arrays
    (``herning.core.arrays.insert``) on PostgreSQL: one statement, no historical model instance.

    Why: the DUBU import spent a third of its time building and saving those instances, 180,000 of
    them for a 10,000-row file (the findings of 6 December 2026 in ``benchmarks/RESULTS.md``).

    The author is, per object, its ``_history_user``, else ``user``, else the person of
    ``acting_as`` or of the request (simple-history's own default); the reason its
    ``_change_reason``, else ``reason``. Each tracked field's value is prepared for the database
    as the ORM would (``get_db_prep_save``) unless the driver takes it as it is. Returns the rows
    written."""
    manager = get_history_manager_for_model(model)
    if not objs or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return 0
    if not arrays.supported():
        manager.bulk_history_create(objs, update=update, default_user=user, default_change_reason=reason)
        return len(objs)
    history = manager.model
    tracked = history.tracked_fields
    kind = "~" if update else "+"
    now = timezone.now()
    prepared = [(f.attname, None if isinstance(f, _AS_GIVEN) else f) for f in tracked]
    relation = hasattr(history, "history_relation")

    def row(instance):
        author = (
            getattr(instance, "_history_user", None) or user or history.get_default_history_user(instance)
        )
        values = [
            getattr(instance, "_history_date", None) or now,
            getattr(author, "pk", author),
            getattr(instance, "_change_reason", None) or reason,
            kind,
        ]
        for attname, field in prepared:
            value = getattr(instance, attname)
            values.append(value if field is None else field.get_db_prep_save(value, connection))
        if relation:
            values.append(instance.pk)
        return values

    names = [
        "history_date",
        "history_user_id",
        "history_change_reason",
        "history_type",
        *(f.attname for f in tracked),
        *(["history_relation_id"] if relation else []),
    ]
    return arrays.insert(history, names, map(row, objs))


# The fields whose Python values the driver writes as the ORM would after preparing them (numbers,
# text, dates and times, booleans, keys, JSON: ``arrays.insert`` dumps JSON itself); their
# subclasses (every integer field, a date and time, an e-mail address) are included. A field of any
# other kind (a file's, say) goes through its own ``get_db_prep_save``.
_AS_GIVEN = (
    models.AutoField,
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.DecimalField,
    models.DurationField,
    models.ForeignKey,
    models.IntegerField,
    models.JSONField,
    models.TextField,
    models.UUIDField,
)
