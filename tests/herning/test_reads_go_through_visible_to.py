"""Every read of a child's data names its reader (issue 16, point 1; docs/access.md §1).

The project's own code (the apps, not the tests, migrations or demo data) is read as source. Each
place that starts a query on a guarded model (``Model.objects.…`` or ``Model._default_manager.…``,
where the model holds a child's data and its queryset has ``visible_to``) must say in the same
chain whose read it is: ``visible_to(user)`` for a person, ``for_system()`` for work done for no
person (a sweep, a task, a service acting on a record the caller already read), or
``for_figures()`` for anonymised aggregates. Writing a new row (``create``, ``bulk_create``) and
an empty queryset (``none``) read nothing. A forgotten filter fails here, by file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

from herning.core.privacy import _history_of, content_models

NAMED_READER = {"visible_to", "for_system", "for_figures"}
READS_NOTHING = {"create", "bulk_create", "none"}

# Source left out of the scan, each with its reason. Keep this short.
ALLOWED = {
    # The read rule itself: it builds the subqueries the rule is made of.
    "cases/access.py": "the one read rule (case_filter, child_filter, notification_filter)",
    # Demo data builds a made-up municipality on an empty database; it reads no one's data and
    # acts for no person (management command seed_demo).
    "*/demo.py": "demo data for a made-up municipality",
}


def _app_roots() -> list[Path]:
    base = Path(settings.BASE_DIR)
    roots = []
    for config in apps.get_app_configs():
        path = Path(config.path)
        if path.is_relative_to(base) and ".venv" not in path.parts:
            roots.append(path)
    return roots


def _guarded_names() -> set[str]:
    return {
        model.__name__
        for model in content_models()
        if _history_of(model) is None and hasattr(model._default_manager.get_queryset(), "visible_to")
    }


def _allowed(relative: str) -> bool:
    if "/migrations/" in relative or relative.endswith("/admin.py"):
        # Migrations run for no person on the schema; the admin registers no content model
        # (herning.core.privacy, system check herning.E001).
        return True
    for pattern in ALLOWED:
        if pattern.startswith("*/") and relative.endswith(pattern[1:]):
            return True
        if relative == pattern:
            return True
    return False


def _source_files():
    base = Path(settings.BASE_DIR)
    seen = set()
    for root in _app_roots():
        for path in sorted(root.rglob("*.py")):
            relative = path.relative_to(base).as_posix()
            if relative in seen or _allowed(relative):
                continue
            seen.add(relative)
            yield relative, path


def _chain_methods(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> list[str]:
    """The method names called on ``Model.objects`` and on what they return, in order."""
    methods = []
    current = node
    while True:
        parent = parents.get(current)
        if isinstance(parent, ast.Attribute) and parent.value is current:
            methods.append(parent.attr)
            current = parent
        elif isinstance(parent, ast.Call) and parent.func is current:
            current = parent
        else:
            return methods


def unnamed_reads(source: str, guarded: set[str]) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Attribute)
            and node.attr in ("objects", "_default_manager")
            and isinstance(node.value, ast.Name)
            and node.value.id in guarded
        ):
            continue
        methods = _chain_methods(node, parents)
        if methods and methods[0] in READS_NOTHING:
            continue
        if NAMED_READER & set(methods):
            continue
        found.append((node.lineno, f"{node.value.id}.{node.attr}.{'.'.join(methods)}"))
    return found


def test_the_scan_finds_an_unnamed_read_and_accepts_a_named_one():
    guarded = {"Plan"}
    source = (
        "Plan.objects.filter(case=case).first()\n"
        "Plan.objects.visible_to(user).get(pk=1)\n"
        "Plan.objects.select_for_update().for_system().get(pk=1)\n"
        "Plan.objects.create(case=case)\n"
        "Other.objects.all()\n"
    )
    assert unnamed_reads(source, guarded) == [(1, "Plan.objects.filter.first")]


def test_the_guarded_models_include_the_case_and_its_records():
    guarded = _guarded_names()
    assert {"Case", "Child", "Plan", "Deadline", "NetworkMeeting", "SdqScore"} <= guarded


def test_every_read_of_a_guarded_model_names_its_reader():
    guarded = _guarded_names()
    problems = []
    for relative, path in _source_files():
        for line, chain in unnamed_reads(path.read_text(encoding="utf-8"), guarded):
            problems.append(f"{relative}:{line}: {chain}")
    assert not problems, (
        "Reads of a child's data without visible_to(user) or for_system() in the chain:\n"
        + "\n".join(problems)
    )
