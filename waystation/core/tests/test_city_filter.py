"""The form every staff query of a city-owned table keeps: it names the table's city column.

Every `*_visible_to(user)` of every app's access and selectors modules (found by name, so a new
one is checked without being listed) is compiled for each kind of person: district, industry and
city staff, the city administrator, a liaison, a keeper, an outsider, another city's staff and
the province's. Its SQL must filter on the main table's `city_id` (or select nothing at all).
That is the shape a distributed PostgreSQL (Citus, by city; docs/scaling.md) routes to one
city's shard, and the one rule that keeps a city's staff out of another city's rows."""

import importlib
import inspect
import pkgutil
import re

import pytest
from django.core.exceptions import EmptyResultSet

import waystation

PEOPLE = ["alice", "dora", "carl", "admin", "olga", "lily", "kim"]
WUXI_PEOPLE = ["wanda", "wade", "wes", "pam"]


def visible_to_functions() -> dict[str, object]:
    found = {}
    for mod in pkgutil.walk_packages(waystation.__path__, "waystation."):
        if not mod.name.endswith((".access", ".selectors")):
            continue  # where the rules live (each app's access module, the roster's selectors)
        module = importlib.import_module(mod.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.endswith("_visible_to") and fn.__module__ == module.__name__:
                found[f"{mod.name}.{name}"] = fn
    return found


def test_every_app_with_city_rows_has_its_visible_to_functions_found():
    names = {n.rsplit(".", 1)[1] for n in visible_to_functions()}
    assert {
        "members_visible_to", "campaigns_visible_to", "imports_visible_to",
        "stations_visible_to", "reports_visible_to", "claims_visible_to", "plans_visible_to",
        "payouts_visible_to", "jobs_visible_to", "analyses_visible_to", "audit_logs_visible_to",
    } <= names  # fmt: skip


def _where(sql: str) -> str:
    return sql.split(" WHERE ", 1)[1] if " WHERE " in sql else ""


@pytest.mark.parametrize("who", PEOPLE + WUXI_PEOPLE)
def test_every_staff_queryset_of_a_city_table_filters_on_its_city(who, people, kim, wuxi_people):
    user = {**people, "kim": kim, **wuxi_people}[who]
    missing = []
    for name, fn in visible_to_functions().items():
        qs = fn(user)
        table = qs.model._meta.db_table
        if "city" not in {f.name for f in qs.model._meta.fields}:
            continue  # not a city-owned table
        try:
            sql = str(qs.query)
        except EmptyResultSet:
            continue  # selects nothing: no query is sent at all
        where = _where(sql)
        if not re.search(rf'"{table}"\."city_id"', where):
            missing.append(f"{name}: {where[:300]}")
    assert not missing, "\n".join(missing)
