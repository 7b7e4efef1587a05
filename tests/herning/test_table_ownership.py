"""Each app owns its tables: no app saves, creates, updates or deletes another app's models.

An app that needs a change in another app's records calls that app's service (``cases.services.
journal_add``, ``cases.services.case_transition``, ``measures.services.next_followup_due_set``, …),
so the rules of a record (validation, history, the state it may be in) live in one place.

The test reads the source (no imports run): for every non-test module of our apps it finds the
writes (``.save()``, ``.delete()``, ``.objects.create/update/...``, ``Model(...)`` followed by a
save) whose model belongs to another app, and fails on any that is not allowed below with a reason.
A write is tied to a model by the names the module imports (``from cases.models import Goal``), by
annotations and assignments (``case: Case``, ``case = Case.objects.get(...)``), and by a variable
or attribute named like the model (``measure.case.save()``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
OUR_APPS = (
    "herning.core",
    "herning.organisation",
    "herning.accounts",
    "herning.audit",
    "herning.api",
    "cases",
    "measures",
    "followups",
    "network_meetings",
    "evaluation",
    "dashboards",
    "dubu",
)

# Migrations move data between versions of the schema, which is every app's at once.
SKIPPED_PARTS = ("migrations", "tests")


def _is_demo(rel: str) -> bool:
    """Demo data (``demo.py`` or a ``demo`` package) builds a whole municipality's story at once; it
    is written by the seed command, never by a user, and is checked by tests/herning/test_seed_demo.py."""
    return "demo" in Path(rel).with_suffix("").parts


# (file, function, model) → why this write by another app is the right place ("*": any).
ALLOWED = {
    # The right to be forgotten erases a child with everything that is about the child, in every app,
    # in one transaction; the owning apps have no business rules for erasing (it is not an edit).
    ("cases/erasure.py", "*", "*"): "erasure of a child removes its rows in every app at once",
}

WRITE_METHODS = {"save", "delete"}
MANAGER_WRITES = {
    "create",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "bulk_update",
    "update",
    "delete",
}

# simple_history's bulk helpers take the model as their second argument.
HISTORY_BULK_WRITES = {"bulk_create_with_history", "bulk_update_with_history"}


def _app_of_path(path: Path) -> str | None:
    rel = path.relative_to(ROOT).with_suffix("")
    dotted = ".".join(rel.parts)
    for app in sorted(OUR_APPS, key=len, reverse=True):
        if dotted == app or dotted.startswith(app + "."):
            return app
    return None


def _models() -> dict[str, str]:
    """Model class name → the app (its module name) that owns it."""
    owners: dict[str, str] = {}
    for model in apps.get_models():
        app = model._meta.app_config.name
        if app in OUR_APPS and not model.__name__.startswith("Historical"):
            owners[model.__name__] = app
    return owners


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: Path, app: str, owners: dict[str, str]):
        self.path, self.app, self.owners = path, app, owners
        self.by_snake = {_snake(n): n for n in owners}
        self.imported: dict[str, str] = {}  # local name → model name
        self.found: list[tuple[str, int, str, str]] = []  # function, line, model, what
        self.function = "<module>"
        self.vars: list[dict[str, str]] = [{}]

    # --- resolution ---------------------------------------------------------------------------
    def model_of(self, node) -> str | None:
        """The model a node stands for (a class, an instance or a queryset of it), if known."""
        if isinstance(node, ast.Name):
            if node.id in self.imported:
                return self.imported[node.id]
            if node.id in self.owners and self.owners[node.id] == self.app:
                return node.id
            for scope in reversed(self.vars):
                if node.id in scope:
                    return scope[node.id]
            return self.by_snake.get(node.id)
        if isinstance(node, ast.Attribute):
            if node.attr == "objects":
                return self.model_of(node.value)
            if node.attr in self.owners:  # models.Measure
                return node.attr
            # case.child, or a reverse relation: case.measures, case.journal_notes
            return self.by_snake.get(node.attr) or self.by_snake.get(node.attr.removesuffix("s"))
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                if func.attr in {
                    "select_for_update",
                    "filter",
                    "exclude",
                    "all",
                    "get",
                    "first",
                    "last",
                    "select_related",
                    "prefetch_related",
                    "order_by",
                    "only",
                    "defer",
                    "create",
                    "active_on",
                    "visible_to",
                    "for_system",
                    "for_figures",
                    "using",
                    "distinct",
                }:
                    return self.model_of(func.value)
                return None
            return self.model_of(func)
        if isinstance(node, ast.Subscript):
            return self.model_of(node.value)
        return None

    def _annotation_model(self, ann) -> str | None:
        if ann is None:
            return None
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            try:
                ann = ast.parse(ann.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(ann, ast.BinOp):  # Case | None
            return self._annotation_model(ann.left) or self._annotation_model(ann.right)
        if isinstance(ann, ast.Name) and ann.id in self.owners:
            return ann.id
        return None

    # --- visiting -----------------------------------------------------------------------------
    def visit_ImportFrom(self, node):
        for alias in node.names:
            if alias.name in self.owners and (node.module or "").endswith("models"):
                self.imported[alias.asname or alias.name] = alias.name
        self.generic_visit(node)

    def _visit_function(self, node):
        outer = self.function
        self.function = node.name if outer == "<module>" else f"{outer}.{node.name}"
        scope = {}
        for arg in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]:
            model = self._annotation_model(arg.annotation)
            if model:
                scope[arg.arg] = model
        self.vars.append(scope)
        self.generic_visit(node)
        self.vars.pop()
        self.function = outer

    visit_FunctionDef = visit_AsyncFunctionDef = _visit_function

    def visit_ClassDef(self, node):
        outer = self.function
        self.function = node.name if outer == "<module>" else f"{outer}.{node.name}"
        self.generic_visit(node)
        self.function = outer

    def visit_Assign(self, node):
        model = self.model_of(node.value)
        if model:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.vars[-1][target.id] = model
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        model = self._annotation_model(node.annotation) or (node.value and self.model_of(node.value))
        if model and isinstance(node.target, ast.Name):
            self.vars[-1][node.target.id] = model
        self.generic_visit(node)

    def visit_For(self, node):
        model = self.model_of(node.iter)
        if model and isinstance(node.target, ast.Name):
            self.vars[-1][node.target.id] = model
        self.generic_visit(node)

    def visit_Call(self, node):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in HISTORY_BULK_WRITES and len(node.args) >= 2:
            model = self.model_of(node.args[1])
            if model and self.owners.get(model) != self.app:
                self.found.append((self.function, node.lineno, model, name))
        if isinstance(func, ast.Attribute):
            target = func.value
            if func.attr in WRITE_METHODS or func.attr in MANAGER_WRITES:
                through_manager = _has_objects(target)
                if (func.attr in WRITE_METHODS and not through_manager) or func.attr in MANAGER_WRITES:
                    model = self.model_of(target)
                    if (
                        model
                        and (through_manager or func.attr in WRITE_METHODS or self._is_queryset(target))
                        and self.owners.get(model) != self.app
                    ):
                        self.found.append((self.function, node.lineno, model, func.attr))
        self.generic_visit(node)

    def _is_queryset(self, node) -> bool:
        return isinstance(node, ast.Call) or _has_objects(node)


def _has_objects(node) -> bool:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def _source_files():
    for app in OUR_APPS:
        base = ROOT.joinpath(*app.split("."))
        for path in sorted(base.rglob("*.py")):
            rel = path.relative_to(ROOT)
            if any(part in SKIPPED_PARTS for part in rel.parts):
                continue
            if _app_of_path(path) != app:  # herning.core is not herning.api
                continue
            yield path, app


def _allowed(rel: str, function: str, model: str) -> bool:
    if _is_demo(rel):
        return True
    top = function.split(".")[0]
    return any((rel, f, m) in ALLOWED for f in (function, top, "*") for m in (model, "*"))


def writes_to_other_apps() -> list[str]:
    owners = _models()
    found = []
    for path, app in _source_files():
        scanner = _Scanner(path, app, owners)
        scanner.visit(ast.parse(path.read_text(), filename=str(path)))
        rel = str(path.relative_to(ROOT))
        for function, line, model, what in scanner.found:
            if not _allowed(rel, function, model):
                found.append(f"{rel}:{line} {function}: {what} on {model} (owned by {owners[model]})")
    return found


def test_no_app_writes_another_apps_tables():
    found = writes_to_other_apps()
    assert not found, "Call the owning app's service instead:\n" + "\n".join(found)


def test_the_scan_sees_a_write_to_another_apps_model(tmp_path):
    """The scan itself: a followups module writing goals, journal notes, the case and a measure is
    caught, whether the model is imported, annotated, named by a variable or reached by a relation."""
    owners = _models()
    source = (
        "from cases.models import Goal, JournalNote\n"
        "def review(goal: Goal, measure):\n"
        "    goal.status = 'met'\n"
        "    goal.save()\n"
        "    JournalNote.objects.create(case=measure.case, text='x')\n"
        "    measure.case.save(update_fields=['state'])\n"
        "    measure.case.journal_notes.filter(heading='x').update(text='')\n"
        "    measure.save()\n"
    )
    scanner = _Scanner(ROOT / "followups" / "x.py", "followups", owners)
    scanner.visit(ast.parse(source))
    assert [(f, m, w) for f, _line, m, w in scanner.found] == [
        ("review", "Goal", "save"),
        ("review", "JournalNote", "create"),
        ("review", "Case", "save"),
        ("review", "JournalNote", "update"),
        ("review", "Measure", "save"),
    ]
