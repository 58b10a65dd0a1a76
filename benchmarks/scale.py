"""A province on one PostgreSQL: the staff pages at 江苏 size against the same pages at 常州 size.

Run:  .venv/bin/python benchmarks/scale.py                       (both sizes, then side by side)
      .venv/bin/python benchmarks/scale.py --size changzhou       (one size; its figures are kept)
      .venv/bin/python benchmarks/scale.py --quick                (1/20 of every count)
      .venv/bin/python benchmarks/scale.py --keep --rounds 30     (reuse the loaded databases)
      .venv/bin/python benchmarks/scale.py --size province --members 1000000

Without DATABASE_URL the script starts its own PostgreSQL cluster with scripts/postgres.sh
(SCALE_BENCH_PG_DIR, default $TMPDIR/waystation-scale-pg; SCALE_BENCH_PG_PORT, default 54355).
Each size has its own database (bench_scale_changzhou, bench_scale_province; `_quick` appended
for --quick): created, migrated, `add_city` (常州 320400 alone, or `--province 320000`: the
real 13 cities and their districts with boundaries), then synthetic rows loaded by COPY:

- 常州 with its 常州-size rows at both sizes (92,872 members, 312 stations …), the other cities
  sharing the rest by their 2020 census population; each member in a random district of
  its city, one of the city's industry unions, joined over 3 years; the ciphertexts come from a
  small pool encrypted once (lists never decrypt), the ID-number and phone hashes are unique;
- the monthly partitions of check-ins and audit rows for the 3 years loaded (`partitions_ensure
  (since=…)`), made before COPY so the rows land in their months, not in the default partition;
- stations at random points inside districts (`geography.boundaries(...).random_points_in`),
  check-ins over 2 years (60 % by a member of the city), audit rows over 2 years with their city;
- the member rollups recounted after the load (`tallies_rebuild`: triggers are off under the
  replica role the load runs in), timed;
- the example aid plans of each city and claims by 2 % of the members in varied states, each on
  an enrolment in the city's accident plan.

The secondary indexes of the big tables are dropped before COPY and built after it, and foreign
keys are not checked during the load (session_replication_role = replica; the rows are made
consistent); then VACUUM (ANALYZE), as autovacuum would leave the tables.

Timing: Django's test client in this process, signed in as 常州's city-level union staff member,
a district staff member and the city admin (the same people at both sizes); each page GET
--rounds times after one discarded warm-up; p50 / p95 in ms, SQL queries per page and how many of
them name `city_id` (what Citus routes to one shard). Goal: p95 < 300 ms, and within 2× of the
常州-size time. Then EXPLAIN (ANALYZE, BUFFERS) of the member list's and the audit log's main
query and of a one-month check-in query, and the capacity figures (rows per city, bytes per
row, requests per worker per second).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_P95_MS = 300.0
GOAL_RATIO = 2.0
CHANGZHOU = "320400"
# 2020 census population (10,000s) of Jiangsu's 13 cities: the members' share of each city
POPULATION = {
    "320100": 931,  # 南京
    "320200": 746,  # 无锡
    "320300": 908,  # 徐州
    "320400": 528,  # 常州
    "320500": 1275,  # 苏州
    "320600": 773,  # 南通
    "320700": 460,  # 连云港
    "320800": 456,  # 淮安
    "320900": 671,  # 盐城
    "321000": 456,  # 扬州
    "321100": 321,  # 镇江
    "321200": 451,  # 泰州
    "321300": 499,  # 宿迁
}
SIZES = {
    # members, stations, check-ins, audit rows; claims are 2 % of members
    "changzhou": {"members": 92_872, "stations": 312, "checkins": 37_149, "audit": 92_872},
    "province": {
        "members": 5_000_000,
        "stations": 3_000,
        "checkins": 2_000_000,
        "audit": 5_000_000,
    },
}
CLAIM_SHARE = 0.02
RESULTS = Path(tempfile.gettempdir()) / "waystation-scale"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--size", default="changzhou,province", help="changzhou, province or both")
    p.add_argument("--quick", action="store_true", help="1/20 of every count")
    p.add_argument("--members", type=int)
    p.add_argument("--stations", type=int)
    p.add_argument("--checkins", type=int)
    p.add_argument("--audit", type=int)
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--keep", action="store_true", help="reuse a loaded database")
    p.add_argument("--no-explain", action="store_true")
    p.add_argument("--report", action="store_true", help="only print the kept figures")
    return p


def _own_postgres() -> None:
    env = dict(
        os.environ,
        PGTEST_DIR=os.environ.get(
            "SCALE_BENCH_PG_DIR", str(Path(tempfile.gettempdir()) / "waystation-scale-pg")
        ),
        PGTEST_PORT=os.environ.get("SCALE_BENCH_PG_PORT", "54355"),
    )
    url = subprocess.run(
        [str(ROOT / "scripts" / "postgres.sh"), "start"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    os.environ["DATABASE_URL"] = url


def _counts(args: argparse.Namespace, size: str) -> dict[str, int]:
    counts = dict(SIZES[size])
    if args.quick:
        counts = {k: max(1, v // 20) for k, v in counts.items()}
    for k in counts:
        if getattr(args, k) is not None:
            counts[k] = getattr(args, k)
    return counts


def _db_name(args: argparse.Namespace, size: str) -> str:
    return f"bench_scale_{size}" + ("_quick" if args.quick else "")


def _load_avg() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


# --- the child: one size ----------------------------------------------------------------------


def run_size(args: argparse.Namespace, size: str) -> dict[str, Any]:
    import psycopg

    url = os.environ["DATABASE_URL"]
    base, _, _ = url.rpartition("/")
    name = _db_name(args, size)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not args.keep:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waystation.settings")
    import django

    django.setup()
    from waystation.members.models import Member

    counts = _counts(args, size)
    out: dict[str, Any] = {"size": size, "db": name, "counts": counts}
    load_times: dict[str, float] = {}
    from django.core.management import call_command
    from django.db import connection

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_times["migrate"] = time.perf_counter() - t
    loaded = Member.objects.exists()
    if not loaded:
        t = time.perf_counter()
        if size == "province":
            call_command("add_city", province="320000", stdout=open(os.devnull, "w"))  # noqa: SIM115
        else:
            call_command("add_city", CHANGZHOU, stdout=open(os.devnull, "w"))  # noqa: SIM115
        load_times["add_city"] = time.perf_counter() - t
        changzhou = {k: max(1, v // 20) if args.quick else v for k, v in SIZES["changzhou"].items()}
        load_times |= _load(counts, changzhou)
    else:
        print(f"  {name}: kept (--keep), not loaded again")
    out["load_seconds"] = load_times
    people = _people()
    out["pages"] = _time_pages(args, people)
    out["explain"] = {} if args.no_explain else _explain(people)
    out["capacity"] = _capacity()
    out["load_average_end"] = _load_avg()
    connection.close()
    return out


def _copy(table: str, columns: list[str], rows: Any) -> int:
    """COPY the tuples of `rows` into `table`; returns how many."""
    from waystation.core.bulk import pg_cursor

    n = 0
    cols = ", ".join(f'"{c}"' for c in columns)
    with pg_cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _columns(model: Any, given: dict[str, Any], n: int) -> tuple[list[str], Any]:
    """Every concrete column of the model: from `given` (a list of n values or one constant),
    else the field's default; the rows as an iterator of tuples."""
    from itertools import repeat

    from django.db import connection

    names, cols = [], []
    for f in model._meta.concrete_fields:
        if f.column in given:
            v = given[f.column]
        elif f.attname in given:
            v = given[f.attname]
        elif f.primary_key:
            continue
        else:
            v = f.get_default()
            if isinstance(v, dict | list):
                v = json.dumps(v)
            elif v is not None and f.get_internal_type() not in ("CharField", "TextField"):
                v = f.get_db_prep_save(v, connection)
        names.append(f.column)
        cols.append(v if isinstance(v, list) else repeat(v, n))
    return names, zip(*cols, strict=False)


def _hash_hex(prefix: bytes, i: int) -> str:
    return hashlib.blake2b(prefix + i.to_bytes(8, "little"), digest_size=32).hexdigest()


def _times(rng: Any, n: int, start: datetime, days: int) -> list[str]:
    import numpy as np

    base = np.datetime64(start.replace(tzinfo=None), "s")
    secs = rng.integers(0, days * 86_400, n).astype("timedelta64[s]")
    return [f"{s}+00" for s in np.datetime_as_string(base + secs)]


def _load(counts: dict[str, int], changzhou: dict[str, int]) -> dict[str, float]:
    import numpy as np
    from django.db import connection, transaction
    from django.utils import timezone

    from waystation.accounts import geography
    from waystation.accounts.models import City, District, Industry, OrgUnit
    from waystation.aid.models import Claim, Enrolment
    from waystation.aid.services.plans import plans_ensure_examples
    from waystation.core import partitions
    from waystation.members.models import Member
    from waystation.members.tallies import tallies_rebuild
    from waystation.privacy import crypto
    from waystation.privacy.models import AuditAction, AuditLog
    from waystation.stations.models import Station, Visit

    rng = np.random.default_rng(20261204)
    times: dict[str, float] = {}
    cities = list(City.objects.order_by("adcode"))
    weights = np.array([POPULATION.get(c.adcode, 500) for c in cities], dtype=float)
    weights /= weights.sum()
    industries = list(Industry.objects.order_by("order", "code").values_list("code", flat=True))
    districts = {
        c.pk: list(District.objects.filter(city=c).order_by("order").values_list("code", flat=True))
        for c in cities
    }
    unions = {
        (u.city_id, u.industry_id): u.pk
        for u in OrgUnit.objects.filter(kind=OrgUnit.Kind.INDUSTRY, city__in=cities)
    }
    now = timezone.now().replace(microsecond=0)

    def per_city(total: int, kind: str) -> list[int]:
        """Rows per city: 常州 keeps its 常州-size count inside the province (so the two sizes
        time the same city, and the ratio measures only the other cities' rows); the other
        cities share the rest by population."""
        if len(cities) == 1:
            return [total]
        fixed = {CHANGZHOU: min(total, changzhou[kind])}
        w = np.array(
            [0.0 if c.adcode in fixed else x for c, x in zip(cities, weights, strict=True)]
        )
        rest = total - sum(fixed.values())
        n = np.floor(w / w.sum() * rest).astype(int)
        n[int(np.argmax(w))] += rest - int(n.sum())
        return [fixed.get(c.adcode, int(x)) for c, x in zip(cities, n, strict=True)]

    # the months of the history below, so its rows land in them as a restore's would (the
    # migration made only the months around its own run)
    partitions.partitions_ensure(since=(now - timedelta(days=3 * 365)).date())
    big = ["members_member", "stations_visit", "privacy_auditlog", "aid_claim", "aid_enrolment"]
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")  # no FK checks while loading
        cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        saved = _drop_secondary(cur, big)

        # members
        t = time.perf_counter()
        pool = 16
        id_enc = [crypto.encrypt(f"32040219900101{i:04d}") for i in range(pool)]
        ph_enc = [crypto.encrypt(f"1380000{i:04d}") for i in range(pool)]
        surnames = list(
            "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
        )
        given = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞鹏辉斌宇浩凯")
        n_members = counts["members"]
        city_of = np.repeat(
            np.array([c.pk for c in cities]), per_city(n_members, "members")
        )  # members of a city have neighbouring ids, as joins in one city do over time
        rng.shuffle(city_of)  # ... but they interleave over time across cities
        member_city: dict[int, np.ndarray] = {}
        chunk = 500_000
        start_joined = now - timedelta(days=3 * 365)
        statuses = np.array(["active"] * 95 + ["lapsed"] * 4 + ["withdrawn"])
        channels = np.array(["scan", "scan", "import", "import", "import", "staff", "api"])
        for lo in range(0, n_members, chunk):
            hi = min(n_members, lo + chunk)
            m = hi - lo
            ids = list(range(lo + 1, hi + 1))
            c_ids = city_of[lo:hi]
            ind = rng.integers(0, len(industries), m)
            dist = [
                districts[c][k % len(districts[c])]
                for c, k in zip(c_ids.tolist(), rng.integers(0, 1000, m).tolist(), strict=True)
            ]
            joined = sorted(_times(rng, m, start_joined, 3 * 365))  # ids grow with joined_at
            names = [
                surnames[a] + given[b] + (given[c] if c < len(given) else "")
                for a, b, c in zip(
                    rng.integers(0, len(surnames), m).tolist(),
                    rng.integers(0, len(given), m).tolist(),
                    rng.integers(0, 2 * len(given), m).tolist(),
                    strict=True,
                )
            ]
            k = (np.arange(lo, hi) % pool).tolist()
            given_cols = {
                "id": ids,
                "member_number": [f"CZ{i:08d}" for i in ids],
                "name": names,
                "id_number_enc": [id_enc[x] for x in k],
                "id_number_hash": [_hash_hex(b"id", i) for i in ids],
                "id_number_masked": "320402********1234",
                "phone_enc": [ph_enc[x] for x in k],
                "phone_hash": [_hash_hex(b"ph", i) for i in ids],
                "phone_masked": "138****0000",
                "gender": rng.choice(["M", "M", "F"], m).tolist(),
                "birth_date": "1990-01-01",
                "industry": [industries[x] for x in ind.tolist()],
                "city_id": c_ids.tolist(),
                "work_district": dist,
                "union_id": [
                    unions[(c, industries[x])]
                    for c, x in zip(c_ids.tolist(), ind.tolist(), strict=True)
                ],
                "status": rng.choice(statuses, m).tolist(),
                "channel": rng.choice(channels, m).tolist(),
                "campaign_id": None,
                "joined_at": joined,
                "consent_at": None,
                "status_changed_at": None,
                "import_batch_id": None,
            }
            cols, rows = _columns(Member, given_cols, m)
            _copy("members_member", cols, rows)
        for c in cities:
            member_city[c.pk] = np.flatnonzero(city_of == c.pk) + 1
        cur.execute("SELECT setval('members_member_id_seq', %s)", [n_members])
        cur.execute(
            "INSERT INTO core_counter (name, value) VALUES ('member_number', %s) "
            "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
            [n_members],
        )
        times["members"] = time.perf_counter() - t

        # stations
        t = time.perf_counter()
        shapes = geography.boundaries(cities)
        assert shapes is not None
        st_rows: dict[str, list] = {
            k: [] for k in ("id", "code", "name", "city_id", "district", "lon", "lat")
        }
        station_city: dict[int, list[int]] = {c.pk: [] for c in cities}
        sid = 0
        for c, n in zip(cities, per_city(counts["stations"], "stations"), strict=True):
            ds = districts[c.pk]
            for j, d in enumerate(ds):
                k = n // len(ds) + (1 if j < n % len(ds) else 0)
                if not k:
                    continue
                lon, lat = shapes.random_points_in(d, k, rng)
                for x, y in zip(lon.tolist(), lat.tolist(), strict=True):
                    sid += 1
                    st_rows["id"].append(sid)
                    st_rows["code"].append(f"S{c.adcode}{sid:06d}")
                    st_rows["name"].append(f"户外劳动者驿站{sid}号")
                    st_rows["city_id"].append(c.pk)
                    st_rows["district"].append(d)
                    st_rows["lon"].append(round(x, 6))
                    st_rows["lat"].append(round(y, 6))
                    station_city[c.pk].append(sid)
        n_st = len(st_rows["id"])
        st_given = st_rows | {
            "weekly_hours": json.dumps([[["08:00", "20:00"]]] * 7),
            "is_24h": False,
            "status": "open",
            "services_mask": 1,
            "created_at": now.isoformat(),
            "updated_at": now.isoformat(),
        }
        cols, rows = _columns(Station, st_given, n_st)
        _copy("stations_station", cols, rows)
        cur.execute("SELECT setval('stations_station_id_seq', %s)", [max(1, n_st)])
        times["stations"] = time.perf_counter() - t

        # check-ins: a station of a city, 60 % by one of its members
        t = time.perf_counter()
        n_v = counts["checkins"]
        v_city = np.array([c.pk for c in cities]).repeat(per_city(n_v, "checkins"))
        v_station, v_member = [], []
        for c in cities:
            m = int((v_city == c.pk).sum())
            st = np.array(station_city[c.pk] or [1])
            v_station.append(st[rng.integers(0, len(st), m)])
            mem = member_city[c.pk]
            pick = mem[rng.integers(0, max(1, len(mem)), m)] if len(mem) else np.zeros(m, int)
            v_member.append(np.where(rng.random(m) < 0.6, pick, 0))
        v_mem = np.concatenate(v_member).tolist()
        v_given = {
            "id": list(range(1, n_v + 1)),
            "city_id": v_city.tolist(),
            "station_id": np.concatenate(v_station).tolist(),
            "at": _times(rng, n_v, now - timedelta(days=2 * 365), 2 * 365),
            "member_id": [x or None for x in v_mem],
            "industry": [industries[i % len(industries)] for i in range(n_v)],
            "channel": "qr",
            "proof": "code",
        }
        cols, rows = _columns(Visit, v_given, n_v)
        _copy("stations_visit", cols, rows)
        cur.execute("SELECT setval('stations_visit_id_seq', %s)", [max(1, n_v)])
        times["checkins"] = time.perf_counter() - t

        # audit rows over 2 years, each with its city
        t = time.perf_counter()
        n_a = counts["audit"]
        cur.execute("SELECT coalesce(max(id), 0) FROM privacy_auditlog")  # add_city's own rows
        a0 = cur.fetchone()[0]
        actions = [a for a in AuditAction.values if a.startswith(("member.", "claim.", "station."))]
        actions = actions or list(AuditAction.values)
        a_city = np.array([c.pk for c in cities]).repeat(per_city(n_a, "audit"))
        rng.shuffle(a_city)
        a_given = {
            "id": list(range(a0 + 1, a0 + n_a + 1)),
            "at": _times(rng, n_a, now - timedelta(days=2 * 365), 2 * 365),
            "city_id": a_city.tolist(),
            "actor_id": None,
            "actor_label": "system",
            "action": rng.choice(actions, n_a).tolist(),
            "object_type": "member",
            "object_id": [f"CZ{x:08d}" for x in rng.integers(1, n_members + 1, n_a).tolist()],
            "detail": "{}",
            "ip": None,
        }
        cols, rows = _columns(AuditLog, a_given, n_a)
        _copy("privacy_auditlog", cols, rows)
        cur.execute("SELECT setval('privacy_auditlog_id_seq', %s)", [a0 + n_a])
        times["audit"] = time.perf_counter() - t

    # plans (ORM, a few rows), then enrolments and claims by COPY
    t = time.perf_counter()
    year = timezone.localdate().year
    plan_of = {c.pk: plans_ensure_examples(year, city=c)[0].pk for c in cities}
    claimants = rng.choice(n_members, int(n_members * CLAIM_SHARE), replace=False) + 1
    claimants.sort()
    n_c = len(claimants)
    c_city = city_of[claimants - 1].tolist()
    states = [s for s, _ in Claim.Status.choices]
    status = rng.choice(states, n_c, p=_state_shares(states)).tolist()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")
        day = date(year, 1, 1).isoformat()
        e_given = {
            "id": list(range(1, n_c + 1)),
            "city_id": c_city,
            "plan_id": [plan_of[c] for c in c_city],
            "member_id": claimants.tolist(),
            "enrolled_on": day,
            "covered_from": day,
            "covered_to": date(year, 12, 31).isoformat(),
            "source": "gift",
            "gifted_by_id": None,
            "batch_id": None,
            "created_at": now.isoformat(),
        }
        cols, rows = _columns(Enrolment, e_given, n_c)
        _copy("aid_enrolment", cols, rows)
        cur.execute("SELECT setval('aid_enrolment_id_seq', %s)", [max(1, n_c)])
        submitted = sorted(_times(rng, n_c, now - timedelta(days=330), 330))
        paid = [s in ("approved", "paid") for s in status]
        cl_given = {
            "id": list(range(1, n_c + 1)),
            "number": [f"HZ{year}{i:07d}" for i in range(1, n_c + 1)],
            "city_id": c_city,
            "member_id": claimants.tolist(),
            "enrolment_id": list(range(1, n_c + 1)),
            "platform_id": None,
            "incident_type": rng.choice(["accident", "traffic"], n_c).tolist(),
            "incident_date": day,
            "incident_place": "配送途中",
            "description": "配送途中发生意外（压测数据）",
            "asks": "{}",
            "status": status,
            "platform_status": "not_needed",
            "payable_lines": "[]",
            "computed_fen": [50_000 if p else None for p in paid],
            "override_fen": None,
            "approved_fen": [50_000 if p else None for p in paid],
            "submitted_at": submitted,
            "reviewed_by_id": None,
            "reviewed_at": None,
            "approved_by_id": None,
            "approved_at": None,
            "override_confirmed_by_id": None,
            "override_confirmed_at": None,
            "platform_confirmed_at": None,
            "updated_at": now.isoformat(),
        }
        cols, rows = _columns(Claim, cl_given, n_c)
        _copy("aid_claim", cols, rows)
        cur.execute("SELECT setval('aid_claim_id_seq', %s)", [max(1, n_c)])
        cur.execute(
            "INSERT INTO core_counter (name, value) VALUES ('aid_claim', %s) "
            "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
            [n_c],
        )
    times["plans_enrolments_claims"] = time.perf_counter() - t

    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        for sql in saved:
            cur.execute(sql)
    times["indexes"] = time.perf_counter() - t
    t = time.perf_counter()  # the triggers were off while loading (replica role): recount
    tallies_rebuild()
    times["tallies_rebuild"] = time.perf_counter() - t
    t = time.perf_counter()
    with connection.cursor() as cur:  # as autovacuum leaves a loaded table: index-only scans
        cur.execute("VACUUM (ANALYZE)")
    times["vacuum_analyze"] = time.perf_counter() - t
    return times


def _state_shares(states: list[str]) -> list[float]:
    share = {"submitted": 0.15, "returned": 0.05, "district_approved": 0.05}
    share |= {"override_pending": 0.01, "approved": 0.04, "paid": 0.65, "rejected": 0.05}
    w = [share.get(s, 0.01) for s in states]
    return [x / sum(w) for x in w]


def _drop_secondary(cur: Any, tables: list[str]) -> list[str]:
    """Drop the unique constraints (other than primary keys) and indexes of `tables`; returns
    the statements that make them again. A unique constraint that a foreign key depends on
    stays."""
    again: list[str] = []
    cur.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.contype = 'u' AND c.conrelid::regclass::text = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f'
                          AND f.conindid = c.conindid)
        """,
        [tables],
    )
    for table, name, definition in cur.fetchall():
        cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        again.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    cur.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [tables],
    )
    for name, definition in cur.fetchall():
        cur.execute(f"DROP INDEX {name}")
        # a partitioned table's index reads "ON ONLY parent" (its partitions' indexes are
        # attached one by one); made again without ONLY, it is built on every partition
        again.append(definition.replace(" ON ONLY ", " ON ", 1))
    return again


# --- timing -----------------------------------------------------------------------------------


def _people() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from waystation.accounts.models import City, District, OrgUnit, StaffRole
    from waystation.members.models import Member

    city = City.objects.get(adcode=CHANGZHOU)
    city_unit = OrgUnit.objects.get(kind=OrgUnit.Kind.CITY, city=city)
    district = District.objects.filter(city=city).order_by("order").first()
    assert district is not None
    district_unit = OrgUnit.objects.get(kind=OrgUnit.Kind.DISTRICT, district=district)
    User = get_user_model()
    made = {}
    for username, role, unit in (
        ("scale_city", StaffRole.Role.UNION_STAFF, city_unit),
        ("scale_district", StaffRole.Role.UNION_STAFF, district_unit),
        ("scale_admin", StaffRole.Role.CITY_ADMIN, city_unit),
    ):
        user, _ = User.objects.get_or_create(username=username)
        StaffRole.objects.get_or_create(user=user, role=role, unit=unit)
        made[username] = user
    # a member of 常州 in the middle of its ids: found by number and by phone hash
    ids = Member.objects.filter(city=city).order_by("id").values_list("id", flat=True)
    target = Member.objects.get(pk=ids[len(ids) // 2])
    lon, lat = _changzhou_point(city)
    return made | {
        "city": city,
        "target": target,
        "district": district,
        "lon": lon,
        "lat": lat,
    }


def _changzhou_point(city: Any) -> tuple[float, float]:
    from waystation.stations.models import Station

    s = Station.objects.filter(city=city).order_by("id").first()
    assert s is not None
    return round(s.lon + 0.003, 6), round(s.lat + 0.002, 6)


def _pages(people: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    t = people["target"]
    return [
        ("member list, first page", "scale_city", "/staff/members/"),
        ("member list, page 1000", "scale_city", "/staff/members/?page=1000"),
        ("member list, district staff", "scale_district", "/staff/members/"),
        ("member search by number", "scale_city", f"/staff/members/?number={t.member_number}"),
        ("member search by phone (hash)", "scale_city", f"/staff/members/?qh={t.phone_hash}"),
        ("statistics", "scale_city", "/staff/stats/"),
        ("claim list", "scale_city", "/staff/aid/claims/"),
        ("audit log (city admin)", "scale_admin", "/staff/audit/"),
        (
            "nearest API (public)",
            None,
            f"/api/v1/stations/nearest?lon={people['lon']}&lat={people['lat']}",
        ),
    ]


def _time_pages(args: argparse.Namespace, people: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out: dict[str, Any] = {}
    clients: dict[str | None, Client] = {None: Client()}
    for name in ("scale_city", "scale_district", "scale_admin"):
        clients[name] = Client()
        clients[name].force_login(people[name])
    for label, who, url in _pages(people):
        client = clients[who]
        ms = []
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url)
        assert r.status_code == 200, (label, r.status_code)
        queries = [q["sql"] for q in ctx.captured_queries]
        load_start = _load_avg()
        for _ in range(args.rounds):
            t = time.perf_counter()
            r = client.get(url)
            ms.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries = [q["sql"] for q in ctx.captured_queries]
        ms.sort()
        out[label] = {
            "url": url,
            "p50": statistics.median(ms),
            "p95": ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))],
            "queries": len(queries),
            "city_queries": sum("city_id" in q for q in queries),
            "sql": queries,
            "load": load_start,
        }
        print(
            f"  {label:32s} p50 {out[label]['p50']:7.1f} ms  p95 {out[label]['p95']:7.1f} ms  "
            f"{len(queries)} queries ({out[label]['city_queries']} name city_id)  load {load_start}",
            flush=True,
        )
    return out


def _explain(people: dict[str, Any]) -> dict[str, str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from waystation.stations.models import Visit

    def main_query(user: str, url: str, table: str) -> list[str]:
        c = Client()
        c.force_login(people[user])
        with CaptureQueriesContext(connection) as ctx:
            c.get(url)
        picks = [q["sql"] for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"]]
        return picks  # the count, then the page

    out = {}
    for label, user, url, table in (
        ("member list", "scale_city", "/staff/members/", "members_member"),
        ("audit log", "scale_admin", "/staff/audit/", "privacy_auditlog"),
    ):
        texts = []
        for sql in main_query(user, url, table):
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                texts.append(sql + "\n" + "\n".join(r[0] for r in cur.fetchall()))
        out[label] = "\n\n".join(texts)
    month = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    prev = (month - timedelta(days=1)).replace(day=1)
    qs = (
        Visit.objects.filter(city=people["city"], at__gte=prev, at__lt=month)
        .values("station_id")
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
    )
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'stations_visit'::regclass")
        partitions = cur.fetchone()[0]
    out["one-month check-ins"] = (
        f"stations_visit partitions: {partitions}\n{qs.query}\n"
        + qs.explain(analyze=True, buffers=True)
    )
    return out


def _capacity() -> dict[str, Any]:
    from django.db import connection

    out: dict[str, Any] = {}
    with connection.cursor() as cur:
        for table in ("members_member", "stations_visit", "privacy_auditlog", "aid_claim"):
            # a partitioned table's own size is 0: sum its partitions (pg_partition_tree)
            cur.execute(
                "SELECT coalesce(sum(pg_total_relation_size(relid)), pg_total_relation_size(%s))"
                "::bigint, coalesce(sum(pg_relation_size(relid)), pg_relation_size(%s))::bigint"
                " FROM pg_partition_tree(%s)",
                [table, table, table],
            )
            total, heap = cur.fetchone()
            cur.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our table names
            n = cur.fetchone()[0]
            out[table] = {"rows": n, "bytes": total, "heap": heap, "per_row": total / max(1, n)}
        cur.execute(
            "SELECT c.adcode, c.name, count(m.id) FROM accounts_city c "
            "LEFT JOIN members_member m ON m.city_id = c.id GROUP BY c.adcode, c.name "
            "ORDER BY c.adcode"
        )
        out["members_per_city"] = [list(r) for r in cur.fetchall()]
        cur.execute("SELECT pg_database_size(current_database())")
        out["database_bytes"] = cur.fetchone()[0]
    return out


# --- the parent: both sizes side by side ------------------------------------------------------


def report(args: argparse.Namespace, sizes: list[str]) -> None:
    got = {}
    for size in ("changzhou", "province"):
        f = RESULTS / f"{_db_name(args, size)}.json"
        if f.exists():
            got[size] = json.loads(f.read_text())
    if not got:
        print("no figures kept yet")
        return
    for size, r in got.items():
        print(
            f"\n{size}: {r['counts']}, measured {r['when']}, load average {r['load_average_start']} "
            f"→ {r['load_average_end']}"
        )
        print("  load: " + ", ".join(f"{k} {v:.1f} s" for k, v in r["load_seconds"].items()))
    cz, pv = got.get("changzhou"), got.get("province")
    print(
        f"\n{'page':32s} {'常州 p50/p95 ms':>16s} {'q (city_id)':>11s} "
        f"{'江苏 p50/p95 ms':>16s} {'q (city_id)':>11s} {'ratio p95':>9s}  goal"
    )
    for label in (cz or pv)["pages"]:  # type: ignore[index]
        a = cz["pages"].get(label) if cz else None
        b = pv["pages"].get(label) if pv else None

        def cell(x: dict | None) -> str:
            return f"{x['p50']:6.1f} / {x['p95']:6.1f}" if x else "—"

        def qc(x: dict | None) -> str:
            return f"{x['queries']} ({x['city_queries']})" if x else "—"

        ratio = b["p95"] / a["p95"] if a and b else None
        ok = []
        for x in (a, b):
            if x:
                ok.append(x["p95"] < GOAL_P95_MS)
        if ratio is not None:
            ok.append(ratio <= GOAL_RATIO)
        print(
            f"{label:32s} {cell(a):>16s} {qc(a):>11s} {cell(b):>16s} {qc(b):>11s} "
            f"{(f'{ratio:.2f}×' if ratio else '—'):>9s}  {'met' if all(ok) else 'MISSED'}"
        )
    for size, r in got.items():
        cap = r["capacity"]
        print(f"\ncapacity ({size}):")
        for t in ("members_member", "stations_visit", "privacy_auditlog", "aid_claim"):
            c = cap[t]
            print(
                f"  {t:18s} {c['rows']:>10,} rows  {c['bytes'] / 2**20:9.1f} MiB  "
                f"{c['per_row']:6.0f} B/row (table + indexes)"
            )
        print(f"  database {cap['database_bytes'] / 2**30:.2f} GiB")
        print(
            "  requests per worker per second (1000 / p50): "
            + ", ".join(f"{k} {1000 / v['p50']:.0f}" for k, v in r["pages"].items())
        )


def main() -> None:
    args = _parser().parse_args()
    sizes = [s.strip() for s in args.size.split(",") if s.strip()]
    if not os.environ.get("DATABASE_URL"):
        _own_postgres()
    RESULTS.mkdir(exist_ok=True)
    if args.report:
        report(args, sizes)
        return
    if os.environ.get("_SCALE_CHILD"):
        size = sizes[0]
        start = _load_avg()
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        r = run_size(args, size)
        r |= {
            "when": when,
            "load_average_start": start,
            "python": platform.python_version(),
            "command": " ".join(["benchmarks/scale.py", *sys.argv[1:]]),
        }
        for label, text in r["explain"].items():
            print(f"\nEXPLAIN ({size}) {label}:\n{text}")
        (RESULTS / f"{r['db']}.json").write_text(json.dumps(r, indent=1, default=str))
        for k, v in r["load_seconds"].items():
            print(f"  load {k}: {v:.1f} s")
        return
    for size in sizes:
        print(f"== {size} ({_counts(args, size)}), load average {_load_avg()}", flush=True)
        argv = [a for a in sys.argv[1:]]
        if "--size" in argv:
            i = argv.index("--size")
            del argv[i : i + 2]
        argv = [a for a in argv if not a.startswith("--size=")]
        subprocess.run(
            [sys.executable, __file__, "--size", size, *argv],
            env=dict(os.environ, _SCALE_CHILD="1"),
            check=True,
        )
    report(args, sizes)


if __name__ == "__main__":
    main()
