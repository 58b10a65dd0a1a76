"""The demo membership: loaded in bulk with each member's platforms, and loaded once."""

import io

from waystation.members import demo
from waystation.members.models import Member


def test_the_demo_membership_loads_with_platforms_of_each_members_industry(db):
    out = io.StringIO()
    demo.load(out, members=300)
    assert out.getvalue().endswith(f"members: 300 (synthetic, seed {demo.SEED})")
    assert Member.objects.values("member_number", "id_number_hash").distinct().count() == 300
    # written in bulk: each with the demo city, and a district of that city
    assert set(Member.objects.values_list("city__adcode", "work_district__city__adcode")) == {
        ("320400", "320400")
    }
    pairs = list(
        Member.platforms.through.objects.values_list("member__industry", "platform__industry")
    )
    assert len(pairs) > 200  # four in five have one platform, some two
    assert all(member == platform for member, platform in pairs)

    demo.load(out, members=300)
    assert out.getvalue().endswith("members: 300 already loaded")
    assert Member.objects.count() == 300
