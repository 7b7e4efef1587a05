"""The change feed: its outbox writer, its reader with a cursor that never skips or repeats, and
the ``updated_at`` every resource shows (docs/api.md, "Changes").

**Writing.** The one writer is ``record``, called by the receiver of django-simple-history's
``post_create_historical_record``: every write of a record the product keeps history of (every
service's write, page or API, the DUBU import, the nightly sweep) makes its history row, and in the
same transaction its outbox rows here. A resource is a model registered with ``register`` (by the
owning app in its ``AppConfig.ready()``, so every process, worker and command included, writes the
feed), with the resources that show it inside them (``parents``): a goal's change is a change of its
plan, a measure's a change of its case. Writes that bypass the history (``QuerySet.update``,
``bulk_history_create``) call ``record_many`` themselves (``tests/herning/test_feed_bypass_writes.py``
lists each).

**Deletions.** A deleted record cannot be asked who may read it: its row keeps the case it
belonged to (``register(case=...)``), and a deletion is shown to whoever may read that case; an
erasure deletes the case too, so it names the users who could read the child
(``deletions_readable_by``). Anyone else never sees it.

**Reading.** An autoincrement id can commit out of order: transaction A takes id 10, B takes 11, B
commits first; a reader that served 11 and moved its cursor past it would never see 10. So each row
keeps the id of the transaction that wrote it (``txid``), the feed is ordered by (``txid``, ``id``),
and only rows of transactions older than the oldest one of this database still running
(``HORIZON``) are served: no transaction that could still commit a row before the cursor is
running. A change is served once its transaction and every older
one have ended, usually at once. On SQLite (the quick start, one writer at a time) there is no
transaction id: the feed is ordered by ``id`` alone, which one writer keeps in commit order.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce
from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import post_create_historical_record

from herning.api.models import ChangeEvent
from herning.core import arrays

# The resource whose visibility decides who sees a deletion (``visible_deletions``).
CASE = "case"

KINDS = {"+": ChangeEvent.Kind.CREATED, "~": ChangeEvent.Kind.UPDATED, "-": ChangeEvent.Kind.DELETED}


def _own_case(obj) -> object:
    return getattr(obj, "case_id", None)


@dataclass(frozen=True)
class Resource:
    name: str
    model: type[models.Model]
    # (resource name, the id of the record that shows this one) for each record it is shown inside.
    parents: Callable[[models.Model], Iterable[tuple[str, object]]] = field(default=lambda obj: ())
    # The id of the case the record belongs to: whoever may read that case may learn it was deleted.
    case: Callable[[models.Model], object] = _own_case


_by_name: dict[str, Resource] = {}
_by_model: dict[type[models.Model], Resource] = {}


def register(name: str, model: type[models.Model], *, parents=None, case=_own_case) -> None:
    """``model``'s records are the API's resource ``name`` (the router's basename); ``parents(obj)``
    names the records that show ``obj`` inside them, whose ``updated_at`` moves with it;
    ``case(obj)`` the case it belongs to (its ``case_id`` unless said), which decides who sees its
    deletion."""
    resource = Resource(name, model, parents or (lambda obj: ()), case)
    _by_name[name] = resource
    _by_model[model] = resource


def register_nested(model: type[models.Model], *, parents) -> None:
    """``model`` is no resource of its own but is shown inside the records ``parents(obj)`` names
    (a held follow-up inside its measure): a change of it is a change of them."""
    _by_model[model] = Resource("", model, parents)


def resource_names() -> list[str]:
    return sorted(_by_name)


def model_of(name: str) -> type[models.Model] | None:
    resource = _by_name.get(name)
    return resource.model if resource else None


def record(instance: models.Model, kind: str) -> int:
    """Write the outbox rows of one change of ``instance`` (its own, and an ``updated`` one for
    each record that shows it), in the caller's transaction."""
    return record_many([instance], kind)


# Above this many rows PostgreSQL takes them as arrays in one statement: the nightly sweep's first
# run writes a row for each of 300,000 measures, and model instances and a VALUES list of a
# parameter each cost more than the insert itself.
_ARRAYS_FROM = 100


def record_many(
    instances: Iterable[models.Model],
    kind: str,
    *,
    model: type[models.Model] | None = None,
    ids: Iterable[int] = (),
) -> int:
    """The outbox rows of a change of each of ``instances`` and of the records that show them, in
    the caller's transaction; returns how many were written. ``model`` and ``ids``: records known
    only by their key (a column written by one statement), each an own row and no parent's (a
    change of a column the record alone shows), without building an instance of each."""
    now = timezone.now()
    # (resource, id) -> (kind, case, readers): a deletion keeps who may still be told of it.
    rows: dict[tuple[str, str], tuple[str, int | None, list[int]]] = {}
    if model is not None and kind != ChangeEvent.Kind.DELETED:
        resource = _by_model.get(model)
        if resource is not None and resource.name:
            rows.update(((resource.name, str(pk)), (kind, None, [])) for pk in ids)
    for instance in instances:
        resource = _by_model.get(type(instance))
        if resource is None:
            continue
        if resource.name:
            own = (resource.name, str(instance.pk))
            if own not in rows:
                rows[own] = (
                    (kind, _case_of(resource, instance), sorted(_readers.get()))
                    if kind == ChangeEvent.Kind.DELETED
                    else (kind, None, [])
                )
        for parent, pk in resource.parents(instance):
            if pk is not None:
                rows.setdefault((parent, str(pk)), (ChangeEvent.Kind.UPDATED, None, []))
    if not rows:
        return 0
    if connection.vendor == "postgresql" and len(rows) >= _ARRAYS_FROM:
        _insert_arrays(rows, now)
    else:
        ChangeEvent.objects.bulk_create(
            ChangeEvent(
                resource=resource,
                object_id=object_id,
                kind=row_kind,
                occurred_at=now,
                case_id=case_id,
                readers=readers,
            )
            for (resource, object_id), (row_kind, case_id, readers) in rows.items()
        )
    return len(rows)


def _insert_arrays(rows: dict[tuple[str, str], tuple[str, int | None, list[int]]], now) -> None:
    """``rows`` in one INSERT of a column array each (``txid`` by its column default, as always)."""
    arrays.insert(
        ChangeEvent,
        ["resource", "object_id", "kind", "occurred_at", "case_id", "readers"],
        [(*key, kind, now, case_id, list(readers)) for key, (kind, case_id, readers) in rows.items()],
    )


def _case_of(resource: Resource, instance: models.Model) -> int | None:
    """The case of a deleted record, read while the record is at hand; None when it cannot be
    told (its parent went before it)."""
    try:
        case_id = resource.case(instance)
    except ObjectDoesNotExist:
        return None
    return int(case_id) if case_id is not None else None


# The users who may learn of the deletions written inside ``deletions_readable_by``.
_readers: ContextVar[frozenset[int]] = ContextVar("feed_readers", default=frozenset())


@contextmanager
def deletions_readable_by(user_ids: Iterable[int]):
    """The deletions written inside are shown to these users whether or not the case they
    belonged to is left: for an erasure, which deletes the child with every case, the users who
    could read the child before (``cases.erasure``), so nobody else learns that it existed."""
    token = _readers.set(frozenset(user_ids))
    try:
        yield
    finally:
        _readers.reset(token)


@receiver(post_create_historical_record, dispatch_uid="herning.api.feed")
def _history_written(sender, instance, history_instance, **kwargs):
    if type(instance) in _by_model:
        record(instance, KINDS.get(history_instance.history_type, ChangeEvent.Kind.UPDATED))


# The cursor -----------------------------------------------------------------------------------


class BadCursor(ValueError):
    pass


def encode_cursor(txid: int | None, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{txid or 0}.{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    """(txid, id) of the last change a client has; ``""`` is the beginning."""
    if not cursor:
        return (0, 0)
    try:
        txid, pk = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(".")
        position = (int(txid), int(pk))
    except (ValueError, UnicodeDecodeError, binascii.Error) as error:
        raise BadCursor(cursor) from error
    if min(position) < 0:
        raise BadCursor(cursor)
    return position


# The oldest transaction of this database still running when the statement's snapshot was taken
# (the snapshot's in-progress list, less those of backends connected to other databases of the
# cluster: they never write here, and a long one there must not hold this feed back); with none,
# the snapshot's end. A transaction that ended before pg_stat_activity was read counts as ours:
# that only delays a row, never skips one. One statement: the snapshot the rows are read with.
HORIZON = """(
    SELECT COALESCE(MIN(x), txid_snapshot_xmax(txid_current_snapshot()))
    FROM txid_snapshot_xip(txid_current_snapshot()) AS x
    WHERE (x %% 4294967296) NOT IN (
        SELECT backend_xid::text::bigint FROM pg_stat_activity
        WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database()
    )
)"""


def settled_after(position: tuple[int, int]) -> models.QuerySet:
    """The rows after ``position`` whose transaction, and every older one of this database, has
    ended, in feed order."""
    txid, pk = position
    if connection.vendor != "postgresql":
        return ChangeEvent.objects.filter(id__gt=pk).order_by("id")
    settled = ChangeEvent.objects.extra(where=[f"txid < {HORIZON}"])  # noqa: S610 - no input in it
    return settled.filter(models.Q(txid__gt=txid) | models.Q(txid=txid, id__gt=pk)).order_by("txid", "id")


def head() -> str:
    """The cursor of the feed's end now: a reader starting there gets the changes from now on."""
    last = settled_after((0, 0)).reverse().values_list("txid", "id").first()
    return encode_cursor(*last) if last else encode_cursor(0, 0)


@dataclass
class Page:
    events: list[ChangeEvent]
    cursor: str
    has_more: bool


def visible_ids(user, events: Iterable[ChangeEvent]) -> set[tuple[str, str]]:
    """The (resource, id) of ``events`` whose record ``user`` may read now, one query per
    resource: the feed shows what the token reads, never that a hidden record changed. A deletion
    is not decided by its record, which is gone (``visible_deletions``)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.kind != ChangeEvent.Kind.DELETED:
            wanted[event.resource].add(event.object_id)
    seen = set()
    for name, ids in wanted.items():
        model = model_of(name)
        if model is None:
            continue
        pks = model._default_manager.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
        seen.update((name, str(pk)) for pk in pks)
    return seen


def visible_deletions(user, events: Iterable[ChangeEvent]) -> set[int]:
    """The ids of the deletions among ``events`` that ``user`` may learn of: those they were named
    a reader of when it happened (an erasure), and those of a case they may read now (one query).
    A deletion of no case that names no reader (nothing registered says whose it was) is shown to
    no one."""
    deletions = [e for e in events if e.kind == ChangeEvent.Kind.DELETED]
    pk = getattr(user, "pk", None)
    shown = {e.id for e in deletions if pk is not None and pk in (e.readers or ())}
    case_ids = {e.case_id for e in deletions if e.id not in shown and e.case_id is not None}
    cases = model_of(CASE)  # the resource the cases app registers: the foundation names no app
    if case_ids and cases is not None:
        readable = set(
            cases._default_manager.visible_to(user).filter(pk__in=case_ids).values_list("pk", flat=True)
        )
        shown |= {e.id for e in deletions if e.case_id in readable}
    return shown


def read(user, cursor: str, *, limit: int, resources: set[str] | None = None, scan: int = 5) -> Page:
    """Up to ``limit`` changes after ``cursor`` that ``user`` may read. Rows the user may not read
    are passed over (at most ``scan`` batches of ``limit`` rows per call); the cursor answered is
    that of the last row looked at, so a client never sees a row twice nor misses one."""
    position = decode_cursor(cursor)
    shown: list[ChangeEvent] = []
    for _batch in range(scan):
        batch = list(settled_after(position)[:limit])
        if not batch:
            return Page(shown, encode_cursor(*position), has_more=False)
        candidates = [e for e in batch if resources is None or e.resource in resources]
        readable = visible_ids(user, candidates)
        deletions = visible_deletions(user, candidates)
        for event in batch:
            wanted = resources is None or event.resource in resources
            if wanted and (
                event.id in deletions
                if event.kind == ChangeEvent.Kind.DELETED
                else (event.resource, event.object_id) in readable
            ):
                shown.append(event)
            position = (event.txid or 0, event.id)
            if len(shown) == limit:
                return Page(shown, encode_cursor(*position), has_more=True)
        if len(batch) < limit:
            return Page(shown, encode_cursor(*position), has_more=False)
    return Page(shown, encode_cursor(*position), has_more=True)


# updated_at -----------------------------------------------------------------------------------


@functools.cache
def updated_at_of(name: str, model: type[models.Model], key: str = "pk") -> Coalesce:
    """The expression of ``api_updated_at`` of the ``model`` record (resource ``name``) whose key is
    the outer row's ``key``: the latest change of the record or of anything shown inside it, from
    the outbox. A record not changed since the feed began has none there: then its own history's
    latest moment (every resource's model keeps history, ``latest_history_of``).

    Built once per process and shared: a query copies an expression when it takes it in
    (``resolve_expression``) and never changes the one it was given, and building this one, two
    querysets deep, was 0.5 ms of CPU on every read of the API (benchmarks/RESULTS.md)."""
    latest = ChangeEvent.objects.filter(
        resource=name, object_id=Cast(OuterRef(key), models.CharField())
    ).order_by("-occurred_at")
    return Coalesce(Subquery(latest.values("occurred_at")[:1]), latest_history_of(model, key))


def latest_history_of(model: type[models.Model], key: str = "pk") -> Subquery:
    """The latest ``history_date`` of the ``model`` record whose key is the outer row's ``key``."""
    return latest_history(model.history.model.objects.filter(id=OuterRef(key)))


def latest_history(rows: models.QuerySet) -> Subquery:
    """The latest ``history_date`` among ``rows`` (history rows filtered on the outer row), as a
    subquery of one value (none: NULL).

    Written as the maximum of the rows, not as the first of them newest first: for "newest first,
    one row" PostgreSQL walks the whole history table backwards on its date index, expecting to
    meet a matching row soon, and for a record with no recent history it read all of it (6,000
    rows, 5 ms for one case of the API at national scale, benchmarks/RESULTS.md). The maximum
    reads the matching rows through the index on their key, however old they are. The constant
    groups every row into one, so the subquery has no GROUP BY and always one row."""
    return Subquery(
        rows.order_by()
        .annotate(whole=models.Value(1))
        .values("whole")
        .annotate(latest=models.Max("history_date"))
        .values("latest"),
        output_field=models.DateTimeField(),
    )


def annotate_updated_at(queryset: models.QuerySet, name: str, *, fallback: str | None = None):
    """``api_updated_at`` of each record of ``queryset`` (``updated_at_of``)."""
    return queryset.annotate(api_updated_at=updated_at_of(name, queryset.model))
