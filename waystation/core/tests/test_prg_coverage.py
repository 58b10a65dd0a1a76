"""Post/Redirect/Get on every page of the site: each view that handles a POST is covered by a
test marked `@pytest.mark.prg("<url name>")` that pins its successful POST to a 302 and the page
it lands on, or is listed in EXCEPTIONS with the reason. A new page that takes a POST fails here
until it has one or the other.

Which views handle a POST is read from their code: a view (through its decorators, and the
project functions it calls by name, e.g. `_plan_form`) that reads `request.POST`, `request.FILES`
or `request.method`, is decorated with `require_POST`, or is a class-based view with `post()`.
The JSON API (/api/v1/) is not pages: it answers JSON and is left out."""

import importlib
import inspect
import pkgutil
import re
import types
from collections.abc import Callable, Iterator

from django.urls import URLPattern, URLResolver, get_resolver

import waystation

EXCEPTIONS = {
    "members:reveal": "shows the full ID number and phone once, in a no-store answer: a redirect "
    "would have to keep the decrypted values in the session to show them after it",
    "aid:payout_export": "answers the bank batch as an .xlsx download: the browser stays on the "
    "payouts page, so reloading reloads that page and exports nothing",
}

POST_SIGNS = re.compile(r"\brequest\.(POST|FILES|method)\b")


def _patterns(
    patterns, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Callable]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            route = prefix + str(p.pattern)
            if route.startswith("api/"):
                continue
            ns = ":".join(x for x in (namespace, p.namespace) if x)
            yield from _patterns(p.url_patterns, route, ns)
        elif isinstance(p, URLPattern):
            assert p.name, f"{prefix}{p.pattern} has no name"
            yield (
                prefix + str(p.pattern),
                f"{namespace}:{p.name}" if namespace else p.name,
                p.callback,
            )


def site_pages() -> dict[str, Callable]:
    """Every page of the site by URL name (the API left out)."""
    pages = {}
    for route, name, view in _patterns(get_resolver().url_patterns):
        assert name not in pages, f"two pages named {name}: {route}"
        pages[name] = view
    return pages


def _methods_allowed(func: Callable) -> list[str] | None:
    """The methods a require_http_methods wrapper lets through, None if it is not one."""
    cells = dict(zip(func.__code__.co_freevars, func.__closure__ or (), strict=True))
    cell = cells.get("request_method_list")
    return list(cell.cell_contents) if cell else None


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _project_function(obj) -> bool:
    return inspect.isfunction(obj) and obj.__module__.startswith("waystation.")


def handles_post(view: Callable) -> bool:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    seen: set = set()
    todo = [view]
    while todo:
        func = todo.pop()
        if func in seen:
            continue
        seen.add(func)
        methods = _methods_allowed(func)
        if methods is not None:
            if "POST" in methods:
                return True
        elif _project_function(func) and POST_SIGNS.search(inspect.getsource(func)):
            return True
        if hasattr(func, "__wrapped__"):
            todo.append(func.__wrapped__)
        names = _code_names(func.__code__)
        for name in names:
            target = func.__globals__.get(name)
            if _project_function(target):
                todo.append(target)
            elif isinstance(target, types.ModuleType) and target.__name__.startswith("waystation."):
                todo.extend(
                    getattr(target, n) for n in names if _project_function(getattr(target, n, None))
                )
    return False


def prg_tests() -> dict[str, list[str]]:
    """URL name → the tests marked prg for it, from every test module of the project."""
    covered: dict[str, list[str]] = {}
    for info in pkgutil.walk_packages(waystation.__path__, "waystation."):
        if ".tests.test_" not in info.name:
            continue
        module = importlib.import_module(info.name)
        for fname, func in vars(module).items():
            if not (fname.startswith("test_") and callable(func)):
                continue
            for mark in getattr(func, "pytestmark", []):
                if mark.name == "prg":
                    for url_name in mark.args:
                        covered.setdefault(url_name, []).append(f"{info.name}::{fname}")
    return covered


def test_every_view_that_handles_a_post_redirects_or_is_a_documented_exception():
    pages = site_pages()
    post_views = {name for name, view in pages.items() if handles_post(view)}
    covered = prg_tests()
    missing = sorted(post_views - covered.keys() - EXCEPTIONS.keys())
    assert not missing, f"pages that take a POST with neither a PRG test nor a reason: {missing}"
    assert not (covered.keys() & EXCEPTIONS.keys()), "a page is both tested and excepted"
    stale = sorted((covered.keys() | EXCEPTIONS.keys()) - post_views)
    assert not stale, f"marked or excepted, but not a page that takes a POST: {stale}"


def test_the_walk_finds_the_pages_that_take_a_post_and_only_those():
    """The detector itself, on pages whose handling is known."""
    pages = site_pages()
    for name in ("aid:plan_new",  # through the shared _plan_form helper
                 "aid:enrol",  # require_POST, no request.POST read
                 "core:login", "core:logout",  # Django's class-based views
                 "stations:report", "members:staff_list"):  # fmt: skip
        assert handles_post(pages[name]), name
    for name in ("core:home", "stations:map", "stations:report_done", "jobs:status",
                 "aid:stats", "members:card"):  # fmt: skip
        assert not handles_post(pages[name]), name
    assert len(pages) > 70


def test_every_page_of_the_site_is_walked():
    pages = site_pages()
    assert {"core:home", "members:imports", "planner:create", "stations:report",
            "aid:condolences", "jobs:status"} <= pages.keys()  # fmt: skip
    assert not any(name.startswith("api") for name in pages)
