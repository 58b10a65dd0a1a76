"""The shorthands offices type in a roster, as the import first knew them: migration 0012 writes
them as RosterAlias rows, which are what the import reads (edit the rows, not this list; the
tests write them again after a flush). Plain data: no imports."""

# (kind, city adcode or "" for every city, alias, what it means: a name or a code)
STARTING_ALIASES = [
    ("industry", "", "外卖", "外卖送餐"),
    ("industry", "", "外卖配送", "外卖送餐"),
    ("industry", "", "送餐", "外卖送餐"),
    ("industry", "", "外卖骑手", "外卖送餐"),
    ("industry", "", "快递员", "快递"),
    ("industry", "", "快递物流", "快递"),
    ("industry", "", "快递业", "快递"),
    ("industry", "", "网约车", "网约车巡游车"),
    ("industry", "", "出租车", "网约车巡游车"),
    ("industry", "", "巡游车", "网约车巡游车"),
    ("industry", "", "主播", "网络主播"),
    ("industry", "", "货运", "货车司机"),
    ("industry", "", "货车", "货车司机"),
    ("industry", "", "代驾司机", "代驾"),
    ("industry", "", "家政", "家政服务"),
    ("industry", "", "互联网营销师", "互联网营销"),
    ("platform", "", "美团外卖", "美团"),
    ("platform", "", "饿了吗", "饿了么"),
    ("platform", "", "淘宝闪购", "饿了么"),
    ("platform", "", "滴滴", "滴滴出行"),
    ("platform", "", "曹操", "曹操出行"),
    ("platform", "", "顺丰", "顺丰速运"),
    ("platform", "", "京东", "京东物流"),
    ("platform", "", "中通", "中通快递"),
    ("platform", "", "圆通", "圆通速递"),
    ("platform", "", "申通", "申通快递"),
    ("platform", "", "韵达", "韵达速递"),
    ("platform", "", "抖音直播", "抖音"),
    ("platform", "", "快手直播", "快手"),
    # 常州: the national high-tech zone is 新北区; the economic development zone has its own union
    ("district", "320400", "高新区", "新北区"),
    ("district", "320400", "常州高新区", "新北区"),
    ("district", "320400", "经济开发区", "经开区"),
    ("district", "320400", "常州经开区", "经开区"),
    ("district", "320400", "常州经济开发区", "经开区"),
    ("district", "320400", "武进高新区", "武进区"),
]
