"""accounts is the lowest app: every other app imports it, so it imports none of them, not even
inside a function (a cycle made invisible). The rules about members, stations, claims, jobs and
analyses live beside those rows, in each app's access.py."""

import ast
from pathlib import Path

import waystation.accounts

ACCOUNTS = Path(waystation.accounts.__file__).parent
HIGHER = {"aid", "api", "core", "jobs", "members", "planner", "planning", "stations", "urls"}


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth of the file (functions included), absolute."""
    package = "waystation.accounts"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from .models / from ..members.models
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join([*base, *([node.module] if node.module else [])]))
            else:
                found.add(node.module or "")
    return found


def _higher_apps(modules: set[str]) -> set[str]:
    return {
        m for m in modules if m.split(".")[0] == "waystation" and len(m.split(".")) > 1
        and m.split(".")[1] in HIGHER
    }  # fmt: skip


def test_accounts_imports_no_higher_app_anywhere_in_its_code():
    files = [
        p
        for p in ACCOUNTS.rglob("*.py")
        if "tests" not in p.relative_to(ACCOUNTS).parts
        and "migrations" not in p.relative_to(ACCOUNTS).parts
    ]
    assert ACCOUNTS / "access.py" in files
    offenders = {
        str(p.relative_to(ACCOUNTS)): sorted(_higher_apps(_imported_modules(p))) for p in files
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_the_check_sees_imports_inside_functions_and_relative_ones(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from .models import StaffRole\n"
        "def f():\n"
        "    from waystation.members.models import Member\n"
        "    from ..aid import models\n"
        "    import waystation.jobs.models\n"
    )
    assert _higher_apps(_imported_modules(sample)) == {
        "waystation.members.models",
        "waystation.aid",
        "waystation.jobs.models",
    }
