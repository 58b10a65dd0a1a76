"""Aid demo: enrolments and claims that add up exactly to the report's figures.

180,686 person-times on the (example) accident plans of 2022–2024, 306 claims confirmed with
the platforms and paid, ¥2,806,600 in all, a ¥5,000 condolence to a truck driver, and a few
claims still in review for the staff pages. Seeded: every run builds the same data. Runs after
the members demo and picks its members from the database. The figures are Changzhou's (`load`);
`load_city` builds them for the city it is given, from that city's members.
"""

import random
from datetime import date, datetime, timedelta

from django.core.management.base import OutputWrapper
from django.db import transaction
from django.utils import timezone

from waystation.accounts.cities import city_unit, industry_union
from waystation.accounts.demo import changzhou_ensure
from waystation.accounts.models import City, Platform
from waystation.core.models import counter_take
from waystation.privacy import crypto
from waystation.privacy.masking import mask_bank_card

from . import benefits, services
from .examples import ACCIDENT_SCHEDULE
from .models import Claim, Condolence, Enrolment, Payout, Plan

PERSON_TIMES = 180_686
CONFIRMED_CLAIMS = 306
PAID_FEN = 280_660_000  # ¥2,806,600
YEAR_SHARES = (2022, 0.20), (2023, 0.33)  # 2024 takes the rest
OPEN_CLAIMS = 8
SEED = 20240716
LOGINS: list[tuple[str, str, str]] = []  # the members demo's accounts serve the aid pages too


def _year_counts(available: int) -> dict[int, int]:
    counts = {year: round(PERSON_TIMES * share) for year, share in YEAR_SHARES}
    counts[2024] = PERSON_TIMES - sum(counts.values())
    if max(counts.values()) > available:
        raise ValueError(f"need {max(counts.values()):,} members, the database has {available:,}")
    return counts


def _amounts(rng: random.Random) -> list[dict]:
    """Per claim: hospital days, disability grade, medical payable (fen); total = PAID_FEN."""
    claims = []
    for _ in range(CONFIRMED_CLAIMS):
        days = rng.choice([0, 0, 3, 5, 7, 10, 14, 21])
        grade = rng.choice([8, 9, 10]) if rng.random() < 0.25 else 0
        claims.append({"days": days, "grade": grade, "medical": 0})
    others = sum(
        c["days"] * 5000 + (benefits._pct(10_000_000, (11 - c["grade"]) * 10) if c["grade"] else 0)
        for c in claims
    )
    target = PAID_FEN - others  # what the medical items must add up to
    weights = [rng.uniform(0.2, 1.0) for _ in claims]
    scale = target / sum(weights)
    for c, w in zip(claims, weights, strict=True):
        c["medical"] = min(1_000_000, int(w * scale) // 100 * 100)
    rest = target - sum(c["medical"] for c in claims)
    i = 0
    while rest:  # hand out the remainder in whole yuan where the per-incident cap leaves room
        c = claims[i % len(claims)]
        step = min(rest, 1_000_000 - c["medical"], 100_000)
        c["medical"] += step
        rest -= step
        i += 1
    return claims


def _asks(c: dict) -> dict:
    asks: dict[str, dict] = {}
    if c["medical"]:
        asks["medical"] = {"amount": c["medical"] * 5 // 4 + 10_000}  # bills behind the payable
    if c["days"]:
        asks["hospital"] = {"days": c["days"]}
    if c["grade"]:
        asks["disability"] = {"grade": c["grade"]}
    return asks


def load(stdout: OutputWrapper) -> None:
    city = changzhou_ensure()["city"].city
    assert city is not None  # a city federation's unit names its city
    load_city(city, stdout)


def load_city(city: City, stdout: OutputWrapper) -> None:
    """The aid demo of one city, from its members (idempotent)."""
    from waystation.members.models import Member

    if Plan.objects.filter(city=city, code="accident-2022", enrolments__isnull=False).exists():
        stdout.write("aid demo: already loaded")
        return
    rng = random.Random(SEED)
    for year in (2022, 2023, 2024, timezone.localdate().year):
        services.plans_ensure_examples(year, city=city)
    member_ids = list(
        Member.objects.filter(status=Member.Status.ACTIVE, union__city=city)
        .order_by("id")
        .values_list("id", flat=True)
    )
    try:
        counts = _year_counts(len(member_ids))
    except ValueError as exc:
        stdout.write(f"aid demo: skipped ({exc}); load the members demo first")
        return
    with transaction.atomic():
        enrolments_by_year = _enrol(rng, member_ids, counts, city)
        _claims(rng, enrolments_by_year[2022] + enrolments_by_year[2023] + enrolments_by_year[2024])
        _condolence(rng, city)
    paid = Payout.objects.filter(city=city, status="paid").values_list("amount_fen", flat=True)
    confirmed = Claim.objects.filter(city=city, status="paid", platform_status="confirmed").count()
    stdout.write(
        f"aid demo: {Enrolment.objects.filter(city=city).count():,} person-times, {confirmed} "
        f"confirmed claims, {benefits.yuan(sum(paid))} paid"
    )


def _enrol(rng: random.Random, member_ids: list[int], counts: dict[int, int], city: City) -> dict:
    giver = city_unit(city)
    out = {}
    for year, n in counts.items():
        plan = Plan.objects.get(city=city, code=f"accident-{year}")
        chosen = sorted(rng.sample(member_ids, n))
        day = date(year, 1, 1)
        rows = [
            Enrolment(
                city=city,
                plan=plan,
                member_id=mid,
                enrolled_on=day,
                covered_from=day,
                covered_to=plan.end_date,
                source=Enrolment.Source.GIFT,
                gifted_by=giver,
                contribution_fen=plan.contribution_fen,
            )
            for mid in chosen
        ]
        Enrolment.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
        out[year] = list(Enrolment.objects.filter(plan=plan).values_list("id", flat=True))
    return out


def _claims(rng: random.Random, enrolment_ids: list[int]) -> None:
    platforms = {
        p.code: p for p in Platform.objects.filter(code__in=["meituan", "eleme", "sf", "didi"])
    }
    ids = rng.sample(sorted(enrolment_ids), CONFIRMED_CLAIMS + OPEN_CLAIMS)
    by_id = Enrolment.objects.select_related("plan").in_bulk(ids)
    picks = [by_id[i] for i in ids]
    numbers = iter(counter_take("aid_claim", len(picks)))
    amounts = _amounts(rng)
    places = ["天宁区延陵西路", "钟楼区南大街", "新北区通江中路", "武进区湖塘镇", "经开区横山桥"]
    claims, lines = [], []
    for i, e in enumerate(picks):
        day = date(e.plan.year, 1, 1) + timedelta(days=rng.randrange(0, 360))
        card = f"62220{rng.randrange(10**13, 10**14)}"
        paid = i < CONFIRMED_CLAIMS
        asks = _asks(amounts[i]) if paid else {"medical": {"amount": rng.randrange(50, 800) * 1000}}
        payable = benefits.compute(ACCIDENT_SCHEDULE, asks)
        status = (
            Claim.Status.PAID
            if paid
            else [
                Claim.Status.SUBMITTED,
                Claim.Status.SUBMITTED,
                Claim.Status.RETURNED,
                Claim.Status.DISTRICT_APPROVED,
            ][i % 4]
        )
        claims.append(
            Claim(
                number=f"HZ{e.plan.year}{next(numbers):06d}",
                city_id=e.city_id,
                member_id=e.member_id,
                enrolment=e,
                platform=platforms[rng.choice(["meituan", "meituan", "eleme", "sf", "didi"])],
                incident_type=rng.choice([Claim.Incident.ACCIDENT, Claim.Incident.TRAFFIC]),
                incident_date=day,
                incident_place=rng.choice(places),
                description="配送途中发生意外（演示数据）",
                asks=asks,
                status=status,
                status_note="请补充出院小结" if status == Claim.Status.RETURNED else "",
                platform_status=Claim.PlatformStatus.CONFIRMED
                if paid or i % 2
                else Claim.PlatformStatus.PENDING,
                bank_name="中国工商银行",
                account_name="本人",
                bank_card_enc=crypto.encrypt(card),
                bank_card_masked=mask_bank_card(card),
                payable_lines=payable.as_dict()["lines"] if paid else [],
                computed_fen=payable.total if paid else None,
                approved_fen=payable.total if paid else None,
                submitted_at=timezone.make_aware(
                    datetime.combine(day + timedelta(days=2), datetime.min.time())
                ),
            )
        )
        lines.append(payable.total)
    assert sum(lines[:CONFIRMED_CLAIMS]) == PAID_FEN, sum(lines[:CONFIRMED_CLAIMS])
    Claim.objects.bulk_create(claims, batch_size=1000)
    saved = Claim.objects.filter(pk__in=[c.pk for c in claims], status=Claim.Status.PAID)
    Payout.objects.bulk_create(
        [
            Payout(
                city_id=c.city_id,
                claim=c,
                amount_fen=c.approved_fen or 0,  # paid: approved, never None
                status=Payout.Status.PAID,
                bank_reference=f"DEMO{c.number}",
                paid_at=c.submitted_at + timedelta(days=20),
            )
            for c in saved.order_by("id")
        ],
        batch_size=1000,
    )


def _condolence(rng: random.Random, city: City) -> None:
    from django.contrib.auth import get_user_model

    from waystation.members.models import Member

    driver = (
        Member.objects.filter(city=city, industry_id="truck", status="active")
        .order_by("id")
        .first()
    )
    user = get_user_model().objects.filter(username="admin").first()
    if driver is None or user is None:
        return
    Condolence.objects.create(
        city=city,
        member=driver,
        plan=Plan.objects.filter(city=city, code="truck-2024").first(),
        visited_on=date(2024, 7, 10),
        cash_fen=500_000,
        goods="米、油、营养品",
        goods_value_fen=30_000,
        reason="货车司机会员罹患癌症，工会上门慰问",
        approver=user,
        recorded_by=user,
        unit=industry_union(city, "truck"),
    )
