"""Bulk gifted enrolment benchmark: a union gifts accident cover to 100,000 members at once.

Run:  .venv/bin/python benchmarks/gift_enrolment.py                      (SQLite)
      DATABASE_URL=postgres://… .venv/bin/python benchmarks/gift_enrolment.py
      .venv/bin/python benchmarks/gift_enrolment.py --members 20000

In a throwaway database (created and dropped here): N synthetic members are inserted (not
timed), then a gift batch by filter ("every member") runs through the real job path
(`gift_batch_start` + the job runner: eligibility per chunk, INSERT … ON CONFLICT DO NOTHING in
chunks of 5,000, progress). Timed: the job. Then the same batch again, which must add nothing
(idempotence), also timed. Goal: under 60 s for 100,000.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waystation.settings")
os.environ.setdefault("TEST_DB_NAME", "bench_gift_enrolment")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

GOAL_SECONDS = 60


def make_members(n: int) -> None:
    from waystation.accounts.services import industry_union
    from waystation.members.models import Member

    unions = {code: industry_union(code) for code in ("food_delivery", "express", "truck")}
    enc = "bench-not-encrypted"  # the benchmark times enrolment, not encryption
    rows = []
    for i in range(n):
        industry = ("food_delivery", "express", "truck")[i % 3]
        rows.append(
            Member(
                member_number=f"CZ{i + 1:08d}",
                name=f"会员{i}",
                id_number_enc=enc,
                id_number_hash=f"{i:064d}",
                id_number_masked="320***********0000",
                phone_enc=enc,
                phone_hash=f"{i:064d}",
                phone_masked="138****0000",
                gender="M",
                birth_date=date(1980 + i % 25, 1 + i % 12, 1 + i % 28),
                industry=industry,
                work_district=("tianning", "zhonglou", "xinbei", "wujin")[i % 4],
                union=unions[industry],
                channel="import",
            )
        )
    Member.objects.bulk_create(rows, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    args = parser.parse_args()

    from waystation.accounts.models import StaffRole
    from waystation.accounts.services import org_tree_ensure
    from waystation.aid import services
    from waystation.aid.models import Enrolment
    from waystation.jobs import runner

    settings.JOBS_EAGER = False
    db = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        units = org_tree_ensure()
        user = get_user_model().objects.create_user("bench-city")
        StaffRole.objects.create(user=user, role=StaffRole.Role.UNION_STAFF, unit=units["city"])
        t0 = time.perf_counter()
        make_members(args.members)
        print(f"setup: {args.members:,} members in {time.perf_counter() - t0:.1f} s (not timed)")
        plan = services.plans_ensure_examples(2026)[0]
        for label in ("first run", "second run (idempotent)"):
            t0 = time.perf_counter()
            batch = services.gift_batch_start(
                plan=plan, unit=units["city"], actor=user, filters={}, enrol_on=date(2026, 1, 1)
            )
            runner.run_until_empty()
            dt = time.perf_counter() - t0
            batch.refresh_from_db()
            print(
                f"{label}: {batch.total:,} members, {batch.created_count:,} enrolled in "
                f"{dt:.1f} s = {batch.total / dt:,.0f} rows/s"
                + (
                    f"  (goal < {GOAL_SECONDS} s: {'ok' if dt < GOAL_SECONDS else 'MISSED'})"
                    if label == "first run"
                    else ""
                )
            )
        total = Enrolment.objects.filter(plan=plan).count()
        print(f"enrolments in the plan: {total:,} (must equal eligible members, once each)")
        print(f"database: {connection.vendor} {db}")
    finally:
        connection.creation.destroy_test_db(db, verbosity=0)


if __name__ == "__main__":
    main()
