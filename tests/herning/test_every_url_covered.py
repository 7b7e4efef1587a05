"""Every URL of the project has an access matrix (issue 9, points 1 and 7; docs/access.md §2).

The project's URL patterns are walked (``get_resolver().url_patterns``, recursively, the API's
``/api/v1/`` routes included) and each is given the methods its view takes: GET, and POST (or
PATCH for an API object) where it writes. The access matrices of the test modules are collected
(every subclass of ``tests.access.AccessMatrix`` and ``tests.api.base.ResourceMatrix``), their URL
is resolved to a pattern's name, and each (name, method) must be exercised by at least one of them.
A new page or endpoint without its matrix fails here, by name.

A matrix's ``url`` may be a function of its ``objects`` fixture: it is called with a stand-in
whose every attribute is itself and which prints as ``1`` (``f"/boern/{objects.child.pk}/"`` gives
``/boern/1/``), which is enough to resolve the pattern without building any records. A matrix
whose URL holds an id that is not a number names its pattern instead (``url_name``).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404

import tests
from tests.access import AccessMatrix
from tests.api.base import ResourceMatrix

# Pages outside the matrix, each with the reason. Everything else needs a matrix.
EXCLUDED = {
    "accounts:login": "public: the login page answers everyone the same (tests/herning/test_login.py)",
    "accounts:logout": "public: logging out needs no access (tests/herning/test_login.py)",
    "accounts:password_reset": "public: the password-reset pages answer everyone the same",
    "accounts:password_reset_done": "public: the password-reset pages answer everyone the same",
    "accounts:password_reset_confirm": "public: the link in the e-mail carries its own token",
    "accounts:password_reset_complete": "public: the password-reset pages answer everyone the same",
    "set_language": "public: Django's language switch stores a preference, reads no record",
    "health": "public: the health check shows no record (tests/herning/test_project.py)",
    "api-schema": "public: the API's description, no record (tests/api/test_tokens.py)",
    "api-docs": "public: the API's browsable description, no record (tests/api/test_tokens.py)",
}
# The admin is Django's own: every view in it goes through ``AdminSite.admin_view``, which sends
# anyone but an active system administrator to the admin's login (herning.organisation.admin_scope). Its index and a configuration model's list, add
# and change pages have matrices (tests/herning/test_access_matrix.py), and every registered
# model's list is opened by every persona in ``test_every_admin_list_opens_for_the_system_
# administrator_only``; the other admin pages are left out here.
ADMIN_MATRICES = {"admin:index", "admin:organisation_team_changelist", "admin:organisation_team_add"}


@dataclass
class Route:
    name: str
    routes: list[str] = field(default_factory=list)
    methods: set[str] = field(default_factory=set)


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), inner)
        else:
            assert isinstance(p, URLPattern)
            yield prefix + str(p.pattern), (f"{namespace}:{p.name}" if namespace else p.name), p


def view_methods(callback) -> set[str]:
    """The methods (of GET, POST, PATCH) the view behind a pattern takes."""
    wanted = {"get", "post", "patch"}
    actions = getattr(callback, "actions", None)
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if actions is not None:  # a DRF viewset route: its method → action map
        return {m.upper() for m in actions if m in wanted and m in cls.http_method_names}
    if cls is not None:  # a class-based view (DRF's APIView or Django's View)
        return {m.upper() for m in wanted if m in cls.http_method_names and hasattr(cls, m)}
    # A function view: ``require_http_methods`` (and require_GET/require_POST) keeps its list in
    # the closure of the wrapper; otherwise the view takes POST if its code reads a POST.
    func = callback
    while func is not None:
        closure = dict(zip(func.__code__.co_freevars, func.__closure__ or (), strict=True))
        if "request_method_list" in closure:
            return {m for m in closure["request_method_list"].cell_contents if m.lower() in wanted}
        func = getattr(func, "__wrapped__", None)
    innermost = inspect.unwrap(callback)
    source = inspect.getsource(innermost)
    takes_post = any(s in source for s in ('request.method == "POST"', "request.POST", "posted(request)"))
    return {"GET", "POST"} if takes_post else {"GET"}


def project_routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for route, name, pattern in _walk(get_resolver().url_patterns):
        assert name, f"the URL pattern {route!r} has no name; give it one"
        entry = routes.setdefault(name, Route(name))
        entry.routes.append(route)
        entry.methods |= view_methods(pattern.callback)
    return routes


class _Anything:
    """Stands for every object of a matrix's ``objects``: each attribute (and call) is itself, and
    it prints as 1, so that ``url`` functions give a URL of the right shape."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __str__(self):
        return "1"

    def __format__(self, spec):
        return "1"

    def __int__(self):
        return 1


def _matrix_classes(base) -> list[type]:
    found, todo = [], list(base.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def _import_test_modules() -> None:
    for module in pkgutil.walk_packages(tests.__path__, prefix="tests."):
        if module.name.rsplit(".", 1)[-1].startswith("test_"):
            importlib.import_module(module.name)


def _uses_own_urls(cls) -> bool:
    return any(mark.name == "urls" for mark in getattr(cls, "pytestmark", []))


def _resolved(url: str):
    try:
        return get_resolver().resolve(urlsplit(url).path)
    except Resolver404:
        return None


def covered() -> tuple[set[tuple[str, str]], list[str]]:
    """The (pattern name, method) pairs the matrices exercise, and the matrices whose URL is not
    one of the project's."""
    _import_test_modules()
    pairs, strays = set(), []
    for cls in _matrix_classes(AccessMatrix):
        if not cls.url or not cls.expected or _uses_own_urls(cls):
            continue
        if cls.url_name:
            if cls.url_name not in project_routes():
                strays.append(f"{cls.__module__}.{cls.__qualname__}: url_name {cls.url_name}")
            pairs.add((cls.url_name, cls.method.upper()))
            continue
        url = cls.url(_Anything()) if callable(cls.url) else cls.url
        match = _resolved(url)
        if match is None:
            strays.append(f"{cls.__module__}.{cls.__qualname__}: {url}")
            continue
        pairs.add((match.view_name, cls.method.upper()))
    for cls in _matrix_classes(ResourceMatrix):
        if not cls.url:
            continue
        match = _resolved(cls.url)
        if match is None:
            strays.append(f"{cls.__module__}.{cls.__qualname__}: {cls.url}")
            continue
        detail = match.view_name.removesuffix("-list") + "-detail"
        pairs |= {(match.view_name, "GET"), (match.view_name, "POST"), (detail, "GET"), (detail, "PATCH")}
    return pairs, strays


def required() -> dict[tuple[str, str], str]:
    """(name, method) → the route, for every pattern that needs a matrix."""
    needed = {}
    for name, route in project_routes().items():
        if name in EXCLUDED or (name.startswith("admin:") and name not in ADMIN_MATRICES):
            continue
        for method in route.methods:
            needed[(name, method)] = route.routes[0]
    return needed


def test_every_page_and_endpoint_has_an_access_matrix_for_each_method():
    pairs, _ = covered()
    missing = sorted(
        f"{method} {name} (/{route})"
        for (name, method), route in required().items()
        if (name, method) not in pairs
    )
    assert not missing, "no access matrix (tests/access.py) exercises:\n  " + "\n  ".join(missing)


def test_every_matrix_url_is_a_page_of_the_project():
    """A matrix whose URL resolves to nothing tests nothing (a typo, or a page that moved)."""
    _, strays = covered()
    assert not strays, "these matrices' URLs are not the project's:\n  " + "\n  ".join(strays)


def test_every_exclusion_names_a_pattern_that_exists():
    names = set(project_routes())
    assert not (set(EXCLUDED) | ADMIN_MATRICES) - names


@pytest.mark.parametrize(
    ("name", "methods"),
    [
        ("cases:case_detail", {"GET"}),  # require_GET
        ("cases:participant_remove", {"POST"}),  # require_POST
        ("cases:case_close", {"GET", "POST"}),  # require_http_methods
        ("network_meetings:detail", {"GET"}),  # no decorator, reads no POST
        ("network_meetings:consent", {"GET", "POST"}),  # no decorator, reads a POST
        ("child-list", {"GET", "POST"}),  # DRF viewset: list and create
        ("child-detail", {"GET", "PATCH"}),  # PUT is mapped but not offered
        ("measure-type-list", {"GET"}),
        ("case-assign", {"POST"}),
        ("dubu-export", {"GET"}),  # DRF APIView
    ],
)
def test_the_methods_of_a_view_are_read_from_the_view(name, methods):
    assert project_routes()[name].methods == methods


def test_a_url_function_resolves_with_the_stand_in_objects():
    match = _resolved((lambda objects: f"/sager/{objects.case.pk}/journal/")(_Anything()))
    assert match is not None and match.view_name == "cases:journal_add"
