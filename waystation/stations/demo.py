"""Demo stations: 312 across Changzhou inside the real district boundaries (seeded, so every run
gives the same stations), a keeper account, and some visits and fault reports. Synthetic data,
labelled as such (Station.is_demo and a note on the map). Rows are written in bulk, each with the
city set explicitly (bulk_create calls no save())."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.core.management.base import OutputWrapper
from django.db import transaction
from django.utils import timezone

from waystation.accounts import geography
from waystation.accounts.demo import changzhou_ensure
from waystation.accounts.models import City, StaffRole

from .catalogue import services_ensure, services_mask
from .models import FaultReport, Station, Visit
from .services import registry_touch

SEED = 20240712
LOGINS = [("keeper", "keeper-demo-2026", "驿站管理员（天宁区 TN001 一个驿站）")]

# district code, boundary name, code prefix, stations (denser in the urban districts)
PLAN = [
    # district, the district whose polygon holds it (经开区 lies in 武进区), code prefix, count
    ("tianning", "tianning", "TN", 62),
    ("zhonglou", "zhonglou", "ZL", 58),
    ("xinbei", "xinbei", "XB", 62),
    ("wujin", "wujin", "WJ", 62),
    ("jingkai", "wujin", "JK", 16),
    ("jintan", "jintan", "JT", 26),
    ("liyang", "liyang", "LY", 26),
]
HOSTS = [
    (Station.Host.STREET, "街道服务中心", 0.2),
    (Station.Host.COMMUNITY, "社区党群服务中心", 0.22),
    (Station.Host.MALL, "购物中心", 0.1),
    (Station.Host.TELECOM, "移动营业厅", 0.12),
    (Station.Host.BANK, "银行网点", 0.12),
    (Station.Host.LOGISTICS, "物流园", 0.08),
    (Station.Host.FUEL, "加油站", 0.06),
    (Station.Host.UNION, "工会服务站", 0.1),
]
DAILY = [["08:00", "20:00"]]
HOURS = [  # weekly patterns (Monday first) and their shares; 24-hour stations are separate
    ([DAILY] * 7, 0.35),
    ([[["09:00", "21:00"]]] * 7, 0.2),
    ([[["08:30", "17:30"]]] * 5 + [[["09:00", "17:00"]]] * 2, 0.2),
    ([[["07:00", "11:30"], ["13:30", "19:00"]]] * 7, 0.1),
    ([[["17:00", "02:00"]]] * 7, 0.05),  # overnight, for night riders
]
# service code → share of stations offering it (legal aid at ~10%, as in the issue)
SERVICE_SHARE = {
    "heating": 0.9,
    "cooling": 0.95,
    "water": 1.0,
    "toilet": 0.85,
    "rest": 1.0,
    "first_aid": 0.7,
    "charging": 0.8,
    "microwave": 0.6,
    "wifi": 0.75,
    "legal_aid": 0.1,
    "employment": 0.15,
    "policy": 0.45,
    "counselling": 0.08,
}
STREETS = [
    "人民路",
    "和平路",
    "延陵路",
    "劳动路",
    "晋陵路",
    "龙城大道",
    "长江路",
    "通江大道",
    "常武路",
    "花园街",
]
INDUSTRY_SHARE = {
    "food_delivery": 0.4,
    "express": 0.3,
    "ride_hailing": 0.12,
    "truck": 0.06,
    "chauffeur": 0.04,
    "": 0.08,
}


def _pick(rng: np.random.Generator, items: list, shares: list[float]) -> Any:
    p = np.array(shares, dtype=float)
    return items[int(rng.choice(len(items), p=p / p.sum()))]


def _stations(rng: np.random.Generator, city_id: int, city_name: str) -> list[Station]:
    out = []
    now = timezone.now()
    bounds = geography.boundaries([city_id])
    assert bounds is not None, "the demo city has its district boundaries"
    for district, boundary, prefix, n in PLAN:
        lons, lats = bounds.random_points_in(boundary, n, rng)
        for i in range(n):
            host, host_name, _ = _pick(rng, HOSTS, [h[2] for h in HOSTS])
            all_day = rng.random() < 0.1
            weekly = _pick(rng, [h[0] for h in HOURS], [h[1] for h in HOURS])
            codes = [c for c, share in SERVICE_SHARE.items() if rng.random() < share]
            status = _pick(
                rng,
                [
                    Station.Status.OPEN,
                    Station.Status.TEMP_CLOSED,
                    Station.Status.BUILDING,
                    Station.Status.PLANNED,
                    Station.Status.CLOSED,
                ],
                [0.9, 0.02, 0.04, 0.02, 0.02],
            )
            street = STREETS[int(rng.integers(len(STREETS)))]
            out.append(
                Station(
                    code=f"{prefix}{i + 1:03d}",
                    name=f"{street}{host_name}户外劳动者驿站",
                    address=f"{city_name}{boundary}{street}{int(rng.integers(1, 400))}号",
                    city_id=city_id,
                    district_id=district,
                    lon=float(lons[i]),
                    lat=float(lats[i]),
                    host=host,
                    weekly_hours=[] if all_day else weekly,
                    is_24h=all_day,
                    status=status,
                    capacity=int(rng.integers(6, 40)),
                    services_mask=services_mask(codes),
                    contact_phone=f"0519-8{int(rng.integers(1000000, 9999999))}",
                    is_model=bool(rng.random() < 0.1),
                    project_year=int(rng.integers(2019, 2025)),
                    is_demo=True,
                    created_at=now,
                )
            )
    return out


@transaction.atomic
def load(stdout: OutputWrapper) -> None:
    if Station.objects.filter(is_demo=True).exists():
        stdout.write("demo stations: already loaded")
        return
    rng = np.random.default_rng(SEED)
    orgs = changzhou_ensure()
    services_ensure()
    city = City.objects.only("name").get(units=orgs["city"])
    Station.objects.bulk_create(_stations(rng, city.pk, city.name), batch_size=500)
    registry_touch()  # bulk_create sends no signals
    keeper_station = Station.objects.get(code="TN001")
    keeper_station.status = Station.Status.OPEN
    keeper_station.save(update_fields=["status"])
    User = get_user_model()
    keeper = User.objects.filter(username="keeper").first()
    if keeper is None:
        keeper = User.objects.create_user("keeper", password=LOGINS[0][1])
    StaffRole.objects.get_or_create(
        user=keeper, role=StaffRole.Role.STATION_KEEPER, unit=orgs["tianning"]
    )
    keeper_station.keepers.add(keeper)
    _visits_and_reports(rng, city.pk)
    stdout.write(f"demo stations: {Station.objects.filter(is_demo=True).count()} (synthetic)")


def _visits_and_reports(rng: np.random.Generator, city_id: int) -> None:
    open_ids = list(
        Station.objects.filter(is_demo=True, status=Station.Status.OPEN).values_list(
            "id", flat=True
        )
    )
    now = timezone.now()
    industries = list(INDUSTRY_SHARE)
    shares = list(INDUSTRY_SHARE.values())
    visits = []
    hour_weights = np.array(
        [1, 1, 1, 1, 1, 2, 3, 5, 6, 6, 8, 12, 14, 10, 7, 6, 7, 10, 13, 11, 8, 5, 3, 2], dtype=float
    )
    keeper_id = Station.objects.get(code="TN001").pk
    station_ids = [keeper_id] * 400 + [
        open_ids[int(i)] for i in rng.integers(len(open_ids), size=3600)
    ]
    for sid in station_ids:
        day = int(rng.integers(0, 30))
        hour = int(rng.choice(24, p=hour_weights / hour_weights.sum()))
        at = (now - timedelta(days=day)).replace(hour=0, minute=0, second=0, microsecond=0)
        at = at + timedelta(hours=hour - 8, minutes=int(rng.integers(60)))  # hour in Shanghai
        if at > now:
            at -= timedelta(days=1)
        visits.append(
            Visit(
                station_id=sid,
                city_id=city_id,
                at=at,
                industry_id=_pick(rng, industries, shares) or None,
                channel=Visit.Channel.DEMO,
                proof=Visit.Proof.CODE,
            )
        )
    Visit.objects.bulk_create(visits, batch_size=1000)
    texts = {
        FaultReport.Category.WATER: "饮水机不出热水",
        FaultReport.Category.CLIMATE: "空调不制冷",
        FaultReport.Category.CLOSED: "开放时间内门锁着",
        FaultReport.Category.POWER: "充电柜有两个格口不能用",
        FaultReport.Category.FEEDBACK: "希望增加微波炉",
    }
    reports = []
    for k, (category, text) in enumerate(list(texts.items()) * 3):
        created = now - timedelta(hours=int(rng.integers(2, 24 * 10)))
        status = [
            FaultReport.Status.OPEN,
            FaultReport.Status.ACKNOWLEDGED,
            FaultReport.Status.RESOLVED,
        ][k % 3]
        reports.append(
            FaultReport(
                city_id=city_id,
                station_id=keeper_id if k < 3 else open_ids[int(rng.integers(len(open_ids)))],
                category=category,
                text=text,
                status=status,
                created_at=created,
                acknowledged_at=created + timedelta(hours=2) if status != "open" else None,
                resolved_at=created + timedelta(hours=20) if status == "resolved" else None,
            )
        )
    FaultReport.objects.bulk_create(reports)
