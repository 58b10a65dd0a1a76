"""The vocabulary waystation carried as Python constants before it became rows (up to
accounts 0001): Changzhou, the one city it served, its seven district federations, the eight
industries and the platform list. Frozen here for the data migrations of an existing deployment
(every app's migration that turns a code field into a foreign key calls `legacy_city_ensure`
before it adds the constraint). Not a migration itself: the loader skips modules named `_…`.
"""

import json
from pathlib import Path

CITY = {
    "adcode": "320400",
    "name": "常州市",
    "union_name": "常州市总工会",
    "sms_signature": "常州工会",
}
PROVINCE = {"adcode": "320000", "name": "江苏省", "union_name": "江苏省总工会"}
# code, name, county-level unit holding it, own polygon in the boundary file
DISTRICTS = [
    ("tianning", "天宁区", "320402", True),
    ("zhonglou", "钟楼区", "320404", True),
    ("xinbei", "新北区", "320411", True),
    ("wujin", "武进区", "320412", True),
    ("jintan", "金坛区", "320413", True),
    ("liyang", "溧阳市", "320481", True),
    ("jingkai", "经开区", "320412", False),
]
INDUSTRIES = [
    ("express", "快递"),
    ("food_delivery", "外卖送餐"),
    ("ride_hailing", "网约车巡游车"),
    ("streamer", "网络主播"),
    ("truck", "货车司机"),
    ("chauffeur", "代驾"),
    ("housekeeping", "家政服务"),
    ("marketing", "互联网营销"),
]
BOUNDARY_FILE = Path(__file__).resolve().parents[2] / "geo" / "data" / "changzhou_admin_gcj02.geojson"


def _geometries() -> dict[str, dict]:
    if not BOUNDARY_FILE.exists():
        return {}  # `manage.py add_city 320400` fills them in later
    with BOUNDARY_FILE.open(encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return {str(f["properties"]["adcode"]): f["geometry"] for f in features}


def industries_ensure(apps) -> None:
    Industry = apps.get_model("accounts", "Industry")
    for order, (code, name) in enumerate(INDUSTRIES):
        Industry.objects.get_or_create(code=code, defaults={"name": name, "order": order})


def legacy_city_ensure(apps):
    """Changzhou, its province and districts as rows (idempotent); returns the City."""
    industries_ensure(apps)
    Province = apps.get_model("accounts", "Province")
    City = apps.get_model("accounts", "City")
    District = apps.get_model("accounts", "District")
    geometries = _geometries()
    province, _ = Province.objects.get_or_create(
        adcode=PROVINCE["adcode"],
        defaults={**PROVINCE, "boundary": None},
    )
    city, _ = City.objects.get_or_create(
        adcode=CITY["adcode"],
        defaults={**CITY, "province": province, "boundary": geometries.get(CITY["adcode"])},
    )
    for order, (code, name, adcode, own) in enumerate(DISTRICTS):
        District.objects.get_or_create(
            code=code,
            defaults={
                "city": city,
                "name": name,
                "adcode": adcode,
                "order": order,
                "boundary": geometries.get(adcode) if own else None,
            },
        )
    return city
