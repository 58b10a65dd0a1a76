"""The three example plans. The report gives no schedule: every value here is an EXAMPLE for
staff to edit before real use (the plans carry is_example=True and say so on every page)."""

from datetime import date

GRADES = {str(g): pct for g, pct in zip(range(1, 11), range(100, 0, -10), strict=True)}

ACCIDENT_SCHEDULE = [
    {
        "code": "medical",
        "label": "意外医疗费",
        "type": "reimbursement",
        "deductible": 10000,  # ¥100
        "ratio": 80,
        "cap_incident": 1000000,  # ¥10,000
        "cap_year": 2000000,  # ¥20,000
    },
    {"code": "hospital", "label": "住院津贴", "type": "daily", "per_day": 5000, "max_days": 60},
    {
        "code": "disability",
        "label": "意外伤残",
        "type": "disability",
        "sum": 10000000,
        "grades": GRADES,
    },
    {"code": "death", "label": "意外身故", "type": "death", "amount": 10000000},
]

ILLNESS_SCHEDULE = [
    {"code": "diagnosis", "label": "重大疾病确诊", "type": "fixed", "amount": 2000000},
    {"code": "hospital", "label": "住院津贴", "type": "daily", "per_day": 10000, "max_days": 30},
]

TRUCK_SCHEDULE = [
    {"code": "condolence", "label": "重病慰问金", "type": "fixed", "amount": 500000},
]


def example_plans(year: int) -> list[dict]:
    start, end = date(year, 1, 1), date(year, 12, 31)
    return [
        {
            "code": f"accident-{year}",
            "name": "户外劳动者意外伤害互助保障",
            "kind": "accident",
            "year": year,
            "start_date": start,
            "end_date": end,
            "is_example": True,
            "waiting_days": 0,
            "funding": "gifted",
            "contribution_fen": 3000,
            "self_enrol": True,
            "schedule": ACCIDENT_SCHEDULE,
            "note": "示例值：工会为户外劳动者赠送，每人每年 ¥30。",
        },
        {
            "code": f"illness-{year}",
            "name": "职工重大疾病互助保障",
            "kind": "illness",
            "year": year,
            "start_date": start,
            "end_date": end,
            "is_example": True,
            "waiting_days": 90,
            "max_age": 60,
            "funding": "member",
            "contribution_fen": 5000,
            "self_enrol": True,
            "schedule": ILLNESS_SCHEDULE,
            "note": "示例值：等待期 90 天，会员自愿参加，每人每年 ¥50。",
        },
        {
            "code": f"truck-{year}",
            "name": "货车司机重病慰问",
            "kind": "special",
            "year": year,
            "start_date": start,
            "end_date": end,
            "is_example": True,
            "industries": ["truck"],
            "waiting_days": 0,
            "funding": "gifted",
            "contribution_fen": 0,
            "self_enrol": False,
            "schedule": TRUCK_SCHEDULE,
            "note": "示例值：货车司机会员罹患重病，慰问金 ¥5,000 并送慰问品。",
        },
    ]
