"""Changzhou demo: the real organisation tree, demo staff accounts, campaigns, and a synthetic
membership of the reported size (92,872) with realistic names, valid-checksum ID numbers, phones,
platforms and join dates; and synthetic rosters to import (tests, benchmark). Everything
personal is invented (seeded, reproducible)."""

import random
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import OutputWrapper
from django.db import transaction

from waystation.accounts.cities import starting_vocabulary
from waystation.accounts.demo import changzhou_ensure
from waystation.accounts.models import District, Industry, OrgUnit, Platform, StaffRole
from waystation.core.bulk import insert_ignoring_conflicts

from .exports import xlsx_bytes
from .models import Campaign, Member
from .roster.columns import HEADERS, SHEET
from .services import campaign_set_default, member_fields, member_numbers
from .validators import id_check_digit

MEMBERS = 92_872
SEED = 20240708  # the day the report's summer class opened
TZ = ZoneInfo(settings.TIME_ZONE)

LOGINS = [
    ("admin", "admin-demo-2026", "市总工会 · 市级管理员（全部数据、审计日志）"),
    ("city", "city-demo-2026", "市总工会 · 工作人员（全市会员）"),
    ("tianning", "tianning-demo-2026", "天宁区总工会 · 工作人员（天宁区会员）"),
    ("zhonglou", "zhonglou-demo-2026", "钟楼区总工会 · 工作人员（钟楼区会员）"),
    ("waimai", "waimai-demo-2026", "外卖送餐行业工会 · 工作人员（外卖行业会员）"),
    ("meituan", "meituan-demo-2026", "美团 · 平台联络员"),
    ("lawyer", "lawyer-demo-2026", "公益律师（钟楼区）"),
]
_ACCOUNTS = {
    "admin": (StaffRole.Role.CITY_ADMIN, "city", None),
    "city": (StaffRole.Role.UNION_STAFF, "city", None),
    "tianning": (StaffRole.Role.UNION_STAFF, "tianning", None),
    "zhonglou": (StaffRole.Role.UNION_STAFF, "zhonglou", None),
    "waimai": (StaffRole.Role.UNION_STAFF, "food_delivery", None),
    "meituan": (StaffRole.Role.PLATFORM_LIAISON, "food_delivery", "meituan"),
    "lawyer": (StaffRole.Role.LAWYER, "zhonglou", None),
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
)
GIVEN = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信"
    "子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩"
    "亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕"
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳"
)
# Where the workers come from: Jiangsu (Changzhou first) and the provinces that send most migrants.
REGIONS = [
    ("320402", 8), ("320404", 8), ("320411", 8), ("320412", 10), ("320413", 4), ("320481", 4),
    ("320102", 3), ("321102", 3), ("320902", 3), ("320802", 3), ("340104", 8), ("341202", 6),
    ("341302", 5), ("410105", 6), ("411302", 5), ("420106", 3), ("510104", 3), ("362502", 3),
    ("430102", 2), ("370102", 2), ("522601", 2),
]  # fmt: skip
DISTRICT_WEIGHTS = {"tianning": 18, "zhonglou": 18, "xinbei": 20, "wujin": 22, "jintan": 7,
                    "liyang": 7, "jingkai": 8}  # fmt: skip
INDUSTRY_WEIGHTS = {"express": 26, "food_delivery": 34, "ride_hailing": 14, "streamer": 5,
                    "truck": 10, "chauffeur": 4, "housekeeping": 4, "marketing": 3}  # fmt: skip
CHANNEL_WEIGHTS = {"scan": 78, "import": 18, "staff": 3, "api": 1}
STATUS_WEIGHTS = {"active": 95, "lapsed": 4, "withdrawn": 1}
PHONE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                  "152", "155", "157", "158", "159", "166", "173", "176", "177", "180", "181",
                  "182", "183", "185", "186", "187", "188", "189", "191", "198", "199"]  # fmt: skip


def _weighted(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def fake_id_number(rng: random.Random, *, born: date | None = None) -> str:
    region = rng.choices([r for r, _ in REGIONS], weights=[w for _, w in REGIONS])[0]
    if born is None:
        born = date(1966, 1, 1) + timedelta(days=rng.randrange(0, 365 * 40))
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + id_check_digit(first17)


def fake_name(rng: random.Random) -> str:
    n = 1 if rng.random() < 0.3 else 2
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(n))


def fake_phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(0, 10**8):08d}"


def _join_time(rng: random.Random) -> datetime:
    """Joins from 2022 to now, growing: most came with the 2024 scan-to-join drive."""
    start = date(2022, 3, 1)
    span = (date(2026, 11, 20) - start).days
    day = start + timedelta(days=int(span * rng.random() ** 0.6))
    return datetime.combine(day, time(rng.randrange(7, 22), rng.randrange(60)), TZ)


@transaction.atomic
def _accounts(units: dict[str, OrgUnit]) -> None:
    User = get_user_model()
    for username, password, _what in LOGINS:
        role, unit_code, platform_code = _ACCOUNTS[username]
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        platform = Platform.objects.get(code=platform_code) if platform_code else None
        StaffRole.objects.get_or_create(
            user=user, role=role, unit=units[unit_code], defaults={"platform": platform}
        )


def _campaigns(units: dict[str, OrgUnit]) -> list[Campaign]:
    specs = [
        ("demo-street", "街头扫码入会（演示）", "street", "city", "南大街商业街"),
        ("tianning-2024", "天宁区驿站扫码入会", "station", "tianning", "天宁区各驿站"),
        (
            "zhonglou-longhu",
            "龙湖天街驿站入会",
            "station",
            "zhonglou",
            "钟楼区龙湖天街户外劳动者驿站",
        ),
        ("xinbei-fair", "新北区“8+X”服务集市", "event", "xinbei", "新北区万达广场"),
        ("waimai-2024", "外卖骑手入会专项行动", "union", "food_delivery", ""),
        ("kuaidi-2024", "快递小哥入会专项行动", "union", "express", ""),
        ("wangyueche", "网约车司机入会", "union", "ride_hailing", ""),
        ("huoche-2024", "货车司机入会（四项专属福利）", "union", "truck", "武进物流园"),
    ]
    out = []
    for code, name, kind, unit, place in specs:
        c, _ = Campaign.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "owner_kind": kind,
                "unit": units[unit],
                "place": place,
                "created_at": datetime(2024, 4, 1, 9, 0, tzinfo=TZ),
            },
        )
        out.append(c)
    return out


def _standing_campaigns(units: dict[str, OrgUnit]) -> None:
    """The city's standing campaign (offered when a poster's campaign has ended) and one ended
    campaign whose old posters show it. Not among the campaigns members are drawn from, so the
    synthetic membership stays as it was."""
    standing, _ = Campaign.objects.get_or_create(
        code="changzhou",
        defaults={
            "name": "常州市总工会扫码入会",
            "owner_kind": Campaign.Owner.UNION,
            "unit": units["city"],
            "created_at": datetime(2022, 3, 1, 9, 0, tzinfo=TZ),
        },
    )
    campaign_set_default(campaign=standing)
    Campaign.objects.get_or_create(
        code="tianning-2023",
        defaults={
            "name": "2023年天宁区夏季送清凉入会",
            "owner_kind": Campaign.Owner.EVENT,
            "unit": units["tianning"],
            "place": "天宁区红梅公园",
            "active": False,
            "created_at": datetime(2023, 7, 1, 9, 0, tzinfo=TZ),
        },
    )


def load(stdout: OutputWrapper, *, members: int = MEMBERS) -> None:
    units = changzhou_ensure()
    _accounts(units)
    campaigns = _campaigns(units)
    _standing_campaigns(units)
    have = Member.objects.count()
    if have >= members:
        stdout.write(f"members: {have} already loaded")
        return
    rng = random.Random(SEED + have)
    city_id = units["city"].city_id
    assert city_id is not None
    platforms_by_industry: dict[str, list[Platform]] = {}
    for p in Platform.objects.exclude(code="other").exclude(industry=None):
        platforms_by_industry.setdefault(str(p.industry_id), []).append(p)
    industry_union = {u.industry_id: u for u in units.values() if u.industry_id}
    campaigns_by_unit: dict[int, list[Campaign]] = {}
    for c in campaigns:
        campaigns_by_unit.setdefault(c.unit_id, []).append(c)
    seen: set[str] = set(Member.objects.values_list("id_number_hash", flat=True))
    todo = members - have
    batch = 5000
    Through = Member.platforms.through
    assert set(Industry.objects.values_list("code", flat=True)) >= set(INDUSTRY_WEIGHTS)
    assert set(District.objects.filter(city_id=city_id).values_list("code", flat=True)) == set(
        DISTRICT_WEIGHTS
    )
    assert Platform.objects.count() > 1
    while todo > 0:
        n = min(batch, todo)
        numbers = member_numbers(n)
        rows, plats = [], []
        for number in numbers:
            id_number = fake_id_number(rng)
            fields = member_fields(name=fake_name(rng), id_number=id_number, phone=fake_phone(rng))
            if fields["id_number_hash"] in seen:
                continue
            seen.add(fields["id_number_hash"])
            industry = _weighted(rng, INDUSTRY_WEIGHTS)
            district = _weighted(rng, DISTRICT_WEIGHTS)
            channel = _weighted(rng, CHANNEL_WEIGHTS)
            union = industry_union[industry]
            campaign = None
            if channel == "scan":
                pool = campaigns_by_unit.get(union.pk) or campaigns_by_unit.get(
                    units[district].pk, campaigns[:1]
                )
                campaign = rng.choice(pool)
            joined = _join_time(rng)
            status = _weighted(rng, STATUS_WEIGHTS)
            rows.append(
                fields
                | {
                    "member_number": number,
                    "city_id": city_id,
                    "industry_id": industry,
                    "work_district_id": district,
                    "union_id": union.pk,
                    "channel": channel,
                    "campaign_id": campaign.pk if campaign else None,
                    "joined_at": joined,
                    "consent_version": settings.PRIVACY_NOTICE_VERSION if channel == "scan" else "",
                    "consent_at": joined if channel == "scan" else None,
                    "status": status,
                    "status_changed_at": joined + timedelta(days=200)
                    if status != "active"
                    else None,
                    "status_reason": "演示数据" if status != "active" else "",
                }
            )
            options = platforms_by_industry.get(industry, [])
            k = 0 if not options else (1 if rng.random() < 0.8 else min(2, len(options)))
            plats.append(rng.sample(options, k))
        with transaction.atomic():
            written = insert_ignoring_conflicts(Member, rows, returning=("id_number_hash", "id"))
            ids = dict(written.returned)
            insert_ignoring_conflicts(
                Through,
                [
                    {"member_id": ids[r["id_number_hash"]], "platform_id": p.pk}
                    for r, ps in zip(rows, plats, strict=True)
                    for p in ps
                ],
            )
        todo -= len(rows)
    stdout.write(f"members: {Member.objects.count()} (synthetic, seed {SEED})")


# --- synthetic rosters -------------------------------------------------------------------------


def roster_sample(n: int, *, seed: int = 0, district: str = "天宁区") -> list[list[str]]:
    """n synthetic, valid and distinct rows in the template's column order (tests, benchmark)."""
    rng = random.Random(seed)
    vocabulary = starting_vocabulary()
    platforms = [(name, industry) for _, name, industry in vocabulary["platforms"] if industry]
    industry_name = dict(vocabulary["industries"])
    seen: set[str] = set()
    rows: list[list[str]] = []
    while len(rows) < n:
        id_number = fake_id_number(rng)
        if id_number in seen:
            continue
        seen.add(id_number)
        platform, industry = rng.choice(platforms)
        rows.append(
            [
                fake_name(rng),
                id_number,
                fake_phone(rng),
                industry_name[industry],
                platform,
                district,
                f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            ]
        )
    return rows


def roster_xlsx(rows: Iterable[Iterable[Any]], *, header: list[str] | None = None) -> bytes:
    """A roster workbook with the template's header (tests, benchmark)."""
    return xlsx_bytes(header or HEADERS, rows, title=SHEET)
