"""Building members for tests through the real services' field builders."""

import itertools
import random

from waystation.accounts.cities import industry_union
from waystation.accounts.models import District
from waystation.members.demo import fake_id_number, fake_phone
from waystation.members.models import Member
from waystation.members.services import member_fields, member_numbers

_rng = random.Random(7)
_seq = itertools.count()


def make_member(
    *,
    name: str = "张三",
    id_number: str | None = None,
    phone: str | None = None,
    industry: str = "food_delivery",
    district: str = "tianning",
    **extra,
) -> Member:
    return Member.objects.create(
        member_number=member_numbers(1)[0],
        **member_fields(
            name=name,
            id_number=id_number or fake_id_number(_rng),
            phone=phone or fake_phone(_rng),
        ),
        industry_id=industry,
        work_district_id=district,
        union=industry_union(District.objects.get(code=district).city_id, industry),
        channel=extra.pop("channel", Member.Channel.STAFF),
        **extra,
    )
