"""Every write that bypasses the records' history writes the change feed's rows itself, or says why
the change shows in no resource (issue 18, point 2; docs/api.md, "Changes").

The feed's outbox is written by the receiver of simple-history's signal (``herning.api.feed``). A
queryset ``update()``, ``bulk_update``, ``bulk_create``, ``bulk_create_with_history``,
``bulk_update_with_history``, ``bulk_history_create``, ``save_without_historical_record`` or SQL of
its own sends no such signal. The project's own code (the apps, not the tests, migrations or demo
data) is read as source: each such write on a model of the feed (a resource, or a record shown
inside one, ``feed.register_nested``) must be listed here with its reason. A site listed as
recording must call ``feed.record_many`` in the same function. A new bypass fails here, by file,
function and line; a listed site that is gone fails too, so the list stays true.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

from herning.api import feed
from tests.herning.test_reads_go_through_visible_to import _source_files

RECORDS = "records"  # the function calls feed.record_many for the rows it writes

# "<file>::<function>": (RECORDS or None, why).
SITES = {
    "cases/bulk.py::children_create": (RECORDS, "the DUBU import's new children"),
    "cases/bulk.py::cases_open": (RECORDS, "the DUBU import's new cases"),
    "cases/bulk.py::case_states_save": (RECORDS, "the cases' new states, step and legal basis"),
    "cases/bulk.py::_states_update": (
        None,
        "the SQL of case_states_save, which records every case it is given; its history table's "
        "opening rows are history, not a record",
    ),
    "cases/bulk.py::plans_require_many": (RECORDS, "the plans a placement made due"),
    "measures/bulk.py::measures_start": (RECORDS, "the DUBU import's measures and ladder movements"),
    "measures/services.py::next_followup_due_set": (RECORDS, "the measures' next follow-up date"),
    "measures/services.py::next_followup_due_clear": (RECORDS, "the measures' next follow-up date"),
    "followups/bulk.py::followups_record_held_elsewhere": (
        RECORDS,
        "follow-ups held in another system, shown inside their measure",
    ),
    "followups/deadlines.py::sync_case": (
        None,
        "Deadline rows, derived from their sources: no resource of the feed (the follow-ups' "
        "updated_at is computed from those sources, followups.schedule_changes)",
    ),
    "network_meetings/services/meetings.py::_plan": (
        None,
        "a dict of the meeting's fields; and the chair written in the transaction that creates the "
        "meeting, whose 'created' row stands for it (the history table's opening row is history)",
    ),
    "network_meetings/views/meetings.py::meeting_edit": (None, "a dict: the form's initial values"),
}

WRITES = {
    "update",
    "bulk_update",
    "bulk_create",
    "bulk_history_create",
    "save_without_historical_record",
    "execute",
    "raw",
}
BULK_HELPERS = {"bulk_create_with_history", "bulk_update_with_history"}
# ``herning.core.history``'s writer of history rows, the model first (``bulk_history_create(Case, ...)``).
MODEL_FIRST_HELPERS = {"bulk_history_create"}
# ``herning.core.arrays``: column-array writes, the model first (``arrays.update(Measure, ...)``).
ARRAY_WRITES = {"insert", "update", "update_rows"}


def _is_array_write(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in ARRAY_WRITES
        and isinstance(func.value, ast.Name)
        and func.value.id == "arrays"
    )


def _feed_models() -> tuple[set[str], set[str]]:
    """The class names and table names of the feed's models."""
    models = set(feed._by_model)
    return {m.__name__ for m in models}, {m._meta.db_table for m in models}


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _is_write(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in BULK_HELPERS or func.id in MODEL_FIRST_HELPERS
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr in BULK_HELPERS or _is_array_write(call):
        return True
    if func.attr == "update":
        # QuerySet.update takes keywords only; dict.update and a view's update take positions.
        return bool(call.keywords) and not call.args
    return func.attr in WRITES


def _model_of(call: ast.Call, all_classes: set[str]) -> str | None:
    """The model class the write names, when it names one: ``Model.objects….update()``,
    ``Model.history.bulk_history_create()``, ``bulk_create_with_history(rows, Model)``,
    ``bulk_history_create(Model, rows)``, ``arrays.update(Model, ...)``."""
    if _is_array_write(call):
        return call.args[0].id if call.args and isinstance(call.args[0], ast.Name) else None
    name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)
    first = call.args[0] if call.args and isinstance(call.args[0], ast.Name) else None
    if name in MODEL_FIRST_HELPERS and first is not None and first.id in all_classes:
        return first.id
    if isinstance(call.func, ast.Name) or (
        isinstance(call.func, ast.Attribute) and call.func.attr in BULK_HELPERS
    ):
        named = [a for a in call.args[1:2] if isinstance(a, ast.Name)]
        named += [k.value for k in call.keywords if k.arg == "model" and isinstance(k.value, ast.Name)]
        return named[0].id if named else None
    root = _root(call.func)
    if isinstance(root, ast.Name) and root.id in all_classes:
        return root.id
    return None


def _mentions(function: ast.AST, classes: set[str], tables: set[str]) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and node.id in classes:
            return True
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and any(t in node.value for t in tables)
        ):
            return True
    return False


def _records(function: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "record_many"
        for node in ast.walk(function)
    )


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _all_model_names() -> set[str]:
    from django.apps import apps

    return {m.__name__ for m in apps.get_models()}


def sites_in(tree: ast.AST, relative: str) -> dict[str, list[int]]:
    """``{"<file>::<function>": [lines]}`` of the bypass writes on a feed model in ``tree``: a
    write that names its model counts when that is a feed model; one that does not (a variable,
    SQL) when its function names a feed model or its table."""
    classes, tables = _feed_models()
    all_classes = _all_model_names()
    found: dict[str, list[int]] = {}
    for function in _functions(tree):
        # The innermost function owns a call: skip calls inside nested functions.
        nested = {id(n) for inner in _functions(function) if inner is not function for n in ast.walk(inner)}
        for node in ast.walk(function):
            if id(node) in nested or not isinstance(node, ast.Call) or not _is_write(node):
                continue
            model = _model_of(node, all_classes)
            if model in classes if model else _mentions(function, classes, tables):
                found.setdefault(f"{relative}::{function.name}", []).append(node.lineno)
    return found


def bypass_sites() -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for relative, path in _source_files():
        if relative.endswith("/demo.py") or "/demo/" in relative or "/tests/" in relative:
            continue
        found.update(sites_in(ast.parse(Path(path).read_text(), filename=relative), relative))
    return found


def test_every_bypass_write_on_a_feed_model_is_listed_with_its_reason():
    found = bypass_sites()
    unlisted = {site: lines for site, lines in found.items() if site not in SITES}
    assert not unlisted, (
        "A write that bypasses the history on a model of the change feed: call feed.record_many for "
        f"the rows it writes, or say why the change shows in no resource, and list it in SITES: {unlisted}"
    )
    gone = sorted(set(SITES) - set(found))
    assert not gone, f"Listed in SITES but no longer a bypass write (remove them): {gone}"


def test_a_site_listed_as_recording_calls_record_many():
    base = Path(settings.BASE_DIR)
    trees = {}
    missing = []
    for site, (kind, _why) in SITES.items():
        if kind != RECORDS:
            continue
        relative, name = site.split("::")
        tree = trees.setdefault(relative, ast.parse((base / relative).read_text()))
        function = next(f for f in _functions(tree) if f.name == name)
        if not _records(function):
            missing.append(site)
    assert not missing, f"Listed as recording its feed rows, but no feed.record_many: {missing}"


def test_the_scan_finds_a_bypass_write():
    """The scanner itself: a queryset update, a bulk write and SQL on a feed model are found; a
    dict's update and a write on another model are not."""
    source = (
        "def by_queryset():\n"
        "    Case.objects.filter(pk=1).update(state='closed')\n"
        "def by_helper(rows):\n"
        "    bulk_create_with_history(rows, Measure, batch_size=10)\n"
        "def by_sql(cursor):\n"
        "    cursor.execute('UPDATE cases_goal SET status = 1')\n"
        "def a_dict(values):\n"
        "    values.update(a=1)\n"
        "    values.update({'a': 1})\n"
        "def another_model(case):\n"
        "    Deadline.objects.filter(case=case).update(is_open=False)\n"
        "def by_arrays(due):\n"
        "    arrays.update(Measure, 'next_followup_due', due)\n"
        "def by_arrays_elsewhere(checks):\n"
        "    arrays.update(Deadline, 'next_check_at', checks)\n"
        "    arrays.insert(Reminder, ('kind',), [('due',)])\n"
    )
    assert sorted(sites_in(ast.parse(source), "x.py")) == [
        "x.py::by_arrays",
        "x.py::by_helper",
        "x.py::by_queryset",
        "x.py::by_sql",
    ]
