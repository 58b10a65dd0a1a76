"""The organisation's fixed vocabulary: districts, industries, platforms.

Districts are the seven district federations of Changzhou. 经开区 (the economic development
zone) has a union of its own but no county-level boundary: geographically it lies inside 武进区.
"""

DISTRICTS: list[tuple[str, str]] = [
    ("tianning", "天宁区"),
    ("zhonglou", "钟楼区"),
    ("xinbei", "新北区"),
    ("wujin", "武进区"),
    ("jintan", "金坛区"),
    ("liyang", "溧阳市"),
    ("jingkai", "经开区"),
]
DISTRICT_NAMES = dict(DISTRICTS)
# County-level boundary (adcode) that holds each district union's area.
DISTRICT_ADCODE = {
    "tianning": "320402",
    "zhonglou": "320404",
    "xinbei": "320411",
    "wujin": "320412",
    "jintan": "320413",
    "liyang": "320481",
    "jingkai": "320412",
}
DISTRICT_BY_BOUNDARY_NAME = {name: code for code, name in DISTRICTS}

# The 8 industry unions: the first four are named in the report, the rest are assumed (editable
# as OrgUnits; these codes are what members carry).
INDUSTRIES: list[tuple[str, str]] = [
    ("express", "快递"),
    ("food_delivery", "外卖送餐"),
    ("ride_hailing", "网约车巡游车"),
    ("streamer", "网络主播"),
    ("truck", "货车司机"),
    ("chauffeur", "代驾"),
    ("housekeeping", "家政服务"),
    ("marketing", "互联网营销"),
]
INDUSTRY_NAMES = dict(INDUSTRIES)

PLATFORMS: list[tuple[str, str, str]] = [
    # code, name, usual industry
    ("meituan", "美团", "food_delivery"),
    ("eleme", "饿了么", "food_delivery"),
    ("didi", "滴滴出行", "ride_hailing"),
    ("caocao", "曹操出行", "ride_hailing"),
    ("sf", "顺丰速运", "express"),
    ("jd", "京东物流", "express"),
    ("zto", "中通快递", "express"),
    ("yto", "圆通速递", "express"),
    ("sto", "申通快递", "express"),
    ("yunda", "韵达速递", "express"),
    ("huolala", "货拉拉", "truck"),
    ("manbang", "满帮", "truck"),
    ("douyin", "抖音", "streamer"),
    ("kuaishou", "快手", "streamer"),
    ("edaijia", "e代驾", "chauffeur"),
    ("58daojia", "58到家", "housekeeping"),
    ("other", "其他", ""),
]
PLATFORM_NAMES = {code: name for code, name, _ in PLATFORMS}
