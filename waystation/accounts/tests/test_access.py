"""Who sees what, as accounts/access.py and each app's access.py decide it: one table of person ×
entity, one of person × permission, and the Scope underneath them.

The people are the conftest's (alice and bob on the 天宁 district union, charlie on 钟楼, dora on
the 外卖送餐 industry union, carl on the city union, admin, olga without a role, lily the 美团
liaison on the 外卖送餐 unit) and kim, who keeps station TN001 for the 天宁 union.
"""

from dataclasses import FrozenInstanceError
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from waystation.accounts import access
from waystation.accounts.access import EMPTY, Role, Scope, scope_of
from waystation.accounts.models import Platform, StaffRole
from waystation.aid import access as aid_access
from waystation.aid.models import Claim, Enrolment
from waystation.aid.services import plans_ensure_examples
from waystation.jobs import access as jobs_access
from waystation.jobs.models import Job
from waystation.members import access as members_access
from waystation.members import roster
from waystation.members.models import RosterImport
from waystation.members.tests.factories import make_member
from waystation.planner import access as planner_access
from waystation.planner.models import Analysis
from waystation.stations import access as stations_access
from waystation.stations.models import Station
from waystation.stations.services import station_create

PEOPLE = ["alice", "bob", "charlie", "dora", "carl", "admin", "olga", "lily", "kim"]
ALL_MEMBERS = {"天宁外卖", "天宁快递", "钟楼快递", "武进外卖"}
ALL_IMPORTS = {"天宁", "钟楼", "外卖送餐", "市总"}
ALL_JOBS = {"alice", "bob", "charlie", "dora", "carl", "admin", "lily", "kim"}

CITY_WIDE = {
    "members": ALL_MEMBERS,
    "stations": {"TN001", "TN002", "ZL001"},
    "claims": ALL_MEMBERS - {"天宁快递"},  # the only member without a claim
    "claim documents": ALL_MEMBERS - {"天宁快递"},
    "jobs": ALL_JOBS,
    "imports": ALL_IMPORTS,
    "analyses": {"alice", "charlie"},
}

# What each person sees: members (by work district + industry), stations, claims, the claims
# whose documents and details they may open, jobs (by who started them), roster imports (by the
# unit imported into) and planning analyses (by who made them).
VISIBLE = {
    "alice": {
        "members": {"天宁外卖", "天宁快递"},
        "stations": {"TN001", "TN002"},
        "claims": {"天宁外卖"},
        "claim documents": {"天宁外卖"},
        "jobs": {"alice", "bob"},  # her own and her colleague's on the same unit
        "imports": {"天宁"},
        "analyses": {"alice"},
    },
    "bob": {
        "members": {"天宁外卖", "天宁快递"},
        "stations": {"TN001", "TN002"},
        "claims": {"天宁外卖"},
        "claim documents": {"天宁外卖"},
        "jobs": {"alice", "bob"},
        "imports": {"天宁"},
        "analyses": set(),  # a district's analyses are their author's own, not the unit's
    },
    "charlie": {
        "members": {"钟楼快递"},
        "stations": {"ZL001"},
        "claims": {"钟楼快递"},
        "claim documents": {"钟楼快递"},
        "jobs": {"charlie"},
        "imports": {"钟楼"},
        "analyses": {"charlie"},
    },
    "dora": {
        "members": {"天宁外卖", "武进外卖"},  # her industry in every district
        "stations": set(),  # stations belong to districts: an industry union keeps none
        "claims": {"天宁外卖", "武进外卖"},
        "claim documents": {"天宁外卖", "武进外卖"},
        "jobs": {"dora"},  # lily's role on the same unit is not union work
        "imports": {"外卖送餐"},
        "analyses": set(),
    },
    "carl": CITY_WIDE,
    "admin": CITY_WIDE,
    "olga": {
        "members": set(),
        "stations": set(),
        "claims": set(),
        "claim documents": set(),
        "jobs": set(),
        "imports": set(),
        "analyses": set(),
    },
    "lily": {
        "members": set(),
        "stations": set(),
        "claims": {"天宁外卖", "武进外卖"},  # the claims naming 美团, to confirm work status
        "claim documents": set(),  # never a claimant's documents
        "jobs": {"lily"},
        "imports": set(),
        "analyses": set(),
    },
    "kim": {
        "members": set(),
        "stations": {"TN001"},  # the station she keeps, not TN002 next door
        "claims": set(),
        "claim documents": set(),
        "jobs": {"kim"},
        "imports": set(),
        "analyses": set(),
    },
}

# What each person may do: reveal full ID numbers and phones, export members, read the audit
# log, review claims, approve claims (and pay), manage aid plans, manage station TN001, keep
# TN001 (hours, closures, faults), keep TN002.
PERMISSIONS = ["reveal", "export", "audit", "review", "approve", "plans", "manage TN001",
               "keep TN001", "keep TN002"]  # fmt: skip
CAN = {
    "alice": {"reveal", "export", "review", "manage TN001", "keep TN001", "keep TN002"},
    "bob": {"reveal", "export", "review", "manage TN001", "keep TN001", "keep TN002"},
    "charlie": {"reveal", "export", "review"},
    "dora": {"reveal", "export", "review"},
    "carl": set(PERMISSIONS) - {"audit"},
    "admin": set(PERMISSIONS),
    "olga": set(),
    "lily": set(),
    "kim": {"keep TN001"},
}

# The scope each person's roles add up to.
SCOPES = {
    #          is_staff is_union_staff verifies_cards admin  city
    "alice":   (True,   True,          True,          False, False),
    "bob":     (True,   True,          True,          False, False),
    "charlie": (True,   True,          True,          False, False),
    "dora":    (True,   True,          True,          False, False),
    "carl":    (True,   True,          True,          False, True),
    "admin":   (True,   True,          True,          True,  True),
    "olga":    (False,  False,         False,         False, False),
    "lily":    (True,   False,         False,         False, False),
    "kim":     (True,   False,         True,          False, False),
}  # fmt: skip


@pytest.fixture
def everyone(people, kim):
    return {**people, "kim": kim}


@pytest.fixture
def world(everyone, orgs):
    """One row of every entity for each corner of the organisation; names say whose it is."""
    members = {
        "天宁外卖": make_member(district="tianning", industry="food_delivery"),
        "天宁快递": make_member(district="tianning", industry="express"),
        "钟楼快递": make_member(district="zhonglou", industry="express"),
        "武进外卖": make_member(district="wujin", industry="food_delivery"),
    }
    daily = {"weekly_hours": [[["08:00", "20:00"]]] * 7}
    admin = everyone["admin"]
    tn001 = station_create(
        code="TN001", lon=119.99, lat=31.78, data={"name": "一号", **daily}, actor=admin
    )
    station_create(code="TN002", lon=120.0, lat=31.77, data={"name": "二号", **daily}, actor=admin)
    station_create(code="ZL001", lon=119.94, lat=31.76, data={"name": "三号", **daily}, actor=admin)
    tn001.keepers.add(everyone["kim"])

    plan = plans_ensure_examples(2026, city=orgs["city"].city)[0]
    for label, platform in (
        ("天宁外卖", "meituan"),
        ("钟楼快递", "eleme"),
        ("武进外卖", "meituan"),
    ):
        member = members[label]
        enrolment = Enrolment.objects.create(
            plan=plan, member=member, enrolled_on=date(2026, 1, 5),
            covered_from=date(2026, 1, 5), covered_to=date(2026, 12, 31), source="self",
        )  # fmt: skip
        Claim.objects.create(
            number=f"HZ-{member.member_number}", member=member, enrolment=enrolment,
            platform=Platform.objects.get(code=platform), incident_type="accident",
            incident_date=date(2026, 3, 2), incident_place="路上", description="摔倒",
        )  # fmt: skip

    for who in ALL_JOBS:
        Job.objects.create(kind="test", params={"who": who}, created_by=everyone[who])

    imports = [
        ("天宁", "tianning", "alice"),
        ("钟楼", "zhonglou", "charlie"),
        ("外卖送餐", "food_delivery", "dora"),
        ("市总", "city", "carl"),
    ]
    for label, unit, who in imports:
        RosterImport.objects.create(
            created_by=everyone[who], unit=orgs[unit], filename=label, file_sha256="0" * 64
        )

    for who in ("alice", "charlie"):
        Analysis.objects.create(kind="coverage", created_by=everyone[who])
    return {"members": members, "TN001": tn001}


def _seen(user, members) -> dict[str, set[str]]:
    label = {m.pk: name for name, m in members.items()}
    return {
        "members": {label[m.pk] for m in members_access.members_visible_to(user)},
        "stations": {s.code for s in stations_access.stations_visible_to(user)},
        "claims": {label[c.member_id] for c in aid_access.claims_visible_to(user)},
        "claim documents": {
            label[c.member_id] for c in aid_access.claim_documents_visible_to(user)
        },
        "jobs": {j.params["who"] for j in jobs_access.jobs_visible_to(user)},
        "imports": {i.filename for i in roster.imports_visible_to(user)},
        "analyses": {a.created_by.username for a in planner_access.analyses_visible_to(user)},
    }


@pytest.mark.parametrize("who", PEOPLE)
def test_each_person_sees_exactly_the_rows_of_their_scope(who, everyone, world):
    assert _seen(everyone[who], world["members"]) == VISIBLE[who]


@pytest.mark.parametrize("who", PEOPLE)
def test_claim_details_are_open_exactly_where_the_documents_are(who, everyone, world):
    user = everyone[who]
    details = {
        label
        for label, m in world["members"].items()
        for claim in m.claims.all()
        if aid_access.claim_details_visible(user, claim)
    }
    assert details == VISIBLE[who]["claim documents"]


@pytest.mark.parametrize("who", PEOPLE)
def test_each_person_may_do_exactly_what_their_roles_allow(who, everyone, world):
    user = everyone[who]
    tn001, tn002 = world["TN001"], Station.objects.get(code="TN002")
    answers = {
        "reveal": members_access.can_reveal_personal_data(user),
        "export": members_access.can_export_members(user),
        "audit": access.can_read_audit_log(user),
        "review": aid_access.can_review_claims(user),
        "approve": aid_access.can_approve_claims(user),
        "plans": aid_access.can_manage_aid_plans(user),
        "manage TN001": stations_access.can_manage_station(user, tn001),
        "keep TN001": stations_access.can_keep_station(user, tn001),
        "keep TN002": stations_access.can_keep_station(user, tn002),
    }
    assert {name for name, yes in answers.items() if yes} == CAN[who]


@pytest.mark.parametrize("who", PEOPLE)
def test_each_persons_roles_add_up_to_their_scope(who, everyone):
    s = scope_of(everyone[who])
    assert (s.is_staff, s.is_union_staff, s.verifies_cards, s.admin, s.city) == SCOPES[who]


# --- scope_of ----------------------------------------------------------------------------------


def test_union_roles_give_their_units_district_or_industry_in_their_city(everyone, orgs):
    cz = orgs["city"].city_id
    assert scope_of(everyone["alice"]).districts == {(cz, "tianning")}
    assert scope_of(everyone["alice"]).industries == frozenset()
    assert scope_of(everyone["dora"]).industries == {(cz, "food_delivery")}
    assert scope_of(everyone["dora"]).districts == frozenset()
    assert scope_of(everyone["alice"]).home_cities == {cz}


def test_a_liaison_or_keeper_role_gives_no_district_or_industry(everyone, orgs):
    cz = orgs["city"].city_id
    lily, kim = scope_of(everyone["lily"]), scope_of(everyone["kim"])
    assert lily.platforms == {(cz, Platform.objects.get(code="meituan").pk)}
    assert lily.industries == frozenset() and lily.districts == frozenset()
    assert kim.districts == frozenset() and kim.platforms == frozenset()
    assert lily.units == (orgs["food_delivery"].pk,) and kim.units == (orgs["tianning"].pk,)
    assert kim.home_cities == {cz} and not kim.cities


def test_roles_on_two_units_add_up(everyone, orgs):
    cz = orgs["city"].city_id
    alice = everyone["alice"]
    StaffRole.objects.create(user=alice, role=Role.UNION_STAFF, unit=orgs["express"])
    s = scope_of(get_user_model().objects.get(pk=alice.pk))
    assert s.districts == {(cz, "tianning")} and s.industries == {(cz, "express")}
    assert not s.city
    assert sorted(s.units) == sorted([orgs["tianning"].pk, orgs["express"].pk])


def test_union_staff_on_the_city_unit_see_their_city_without_being_admin(everyone, orgs):
    s = scope_of(everyone["carl"])
    cz = orgs["city"].city_id
    assert s.city and not s.admin and s.cities == {cz}
    assert s.q(district="work_district") == Q(pk__in=[]) | Q(city__in=[cz])


def test_city_staff_and_admins_see_their_own_city_only(wuxi_people, orgs, wuxi):
    cz, wx = orgs["city"].city_id, wuxi["city"].city_id
    wanda, wade, wes = (scope_of(wuxi_people[n]) for n in ("wanda", "wade", "wes"))
    assert wanda.cities == {wx} and not wanda.admin
    assert wade.cities == {wx} and wade.admin_cities == {wx}
    assert wade.administers(wx) and not wade.administers(cz)
    assert wes.districts == {(wx, "320213")} and not wes.cities
    assert not wanda.sees_city(cz) and wanda.sees_city(wx)


def test_province_staff_see_every_city_of_their_province(wuxi_people, orgs, wuxi):
    s = scope_of(wuxi_people["pam"])
    assert s.cities == {orgs["city"].city_id, wuxi["city"].city_id}
    assert s.is_union_staff and not s.admin


def test_the_scope_is_computed_once_per_user_object(everyone, django_assert_num_queries):
    alice = get_user_model().objects.get(username="alice")
    with django_assert_num_queries(1):
        first = scope_of(alice)
    with django_assert_num_queries(0):
        assert scope_of(alice) is first


def test_nobody_signed_in_has_the_empty_scope(db):
    assert scope_of(None) is EMPTY
    assert scope_of(AnonymousUser()) is EMPTY


# --- Scope -------------------------------------------------------------------------------------


def test_the_empty_scope_is_no_staff_and_filters_to_nothing():
    assert Scope() == EMPTY
    assert not EMPTY.is_staff and not EMPTY.is_union_staff and not EMPTY.verifies_cards
    assert EMPTY.q(district="d", industry="i", platform="p") == Q(pk__in=[])


def test_a_city_scope_filters_on_the_city_column_only():
    assert Scope(cities=frozenset({2, 1})).q(
        city="member__city", district="d", industry="i", platform="p"
    ) == Q(pk__in=[]) | Q(member__city__in=[1, 2])


def test_every_grant_filters_on_its_city_and_the_field_the_row_names_with_values_sorted():
    s = Scope(
        districts=frozenset({(1, "zhonglou"), (1, "tianning"), (2, "320213")}),
        industries=frozenset({(1, "express")}),
    )
    expected = (
        Q(pk__in=[])
        | Q(city=1, work_district__in=["tianning", "zhonglou"])
        | Q(city=2, work_district__in=["320213"])
        | Q(city=1, member__industry__in=["express"])
    )
    assert s.q(district="work_district", industry="member__industry") == expected


def test_a_row_without_the_scopes_kind_of_field_is_outside_it():
    s = Scope(districts=frozenset({(1, "tianning")}))
    assert s.q(industry="industry", platform="platform") == Q(pk__in=[])


def test_platforms_filter_only_rows_that_name_a_platform():
    s = Scope(platforms=frozenset({(1, 3), (1, 1)}))
    assert s.q(platform="platform") == Q(pk__in=[]) | Q(city=1, platform__in=[1, 3])
    assert s.q(district="district") == Q(pk__in=[])


def test_sees_is_the_rule_of_q_for_a_row_in_hand():
    s = Scope(
        cities=frozenset({2}),
        districts=frozenset({(1, "tianning")}),
        platforms=frozenset({(1, 7)}),
    )
    assert s.sees(2) and s.sees(1, district="tianning") and s.sees(1, platform=7)
    assert not s.sees(1, district="zhonglou") and not s.sees(3, district="tianning")
    assert not s.sees(3, platform=7) and not s.sees(1)


@pytest.mark.parametrize(
    ("roles", "admin", "union", "cards"),
    [
        ({Role.UNION_STAFF}, False, True, True),
        (set(), True, True, True),  # the admin grant alone is union work
        ({Role.CITY_ADMIN}, False, False, False),  # the grant decides, not the role name
        ({Role.STATION_KEEPER}, False, False, True),
        ({Role.LAWYER}, False, False, True),
        ({Role.PLATFORM_LIAISON}, False, False, False),
        ({Role.PLATFORM_LIAISON, Role.LAWYER}, False, False, True),
    ],
)
def test_union_work_and_card_checks_follow_the_roles(roles, admin, union, cards):
    s = Scope(roles=frozenset(roles), admin_cities=frozenset({1}) if admin else frozenset())
    assert (s.is_union_staff, s.verifies_cards) == (union, cards)
    assert s.is_staff == bool(roles)


def test_has_asks_for_one_role_by_member_or_by_name():
    s = Scope(roles=frozenset({Role.STATION_KEEPER}))
    assert s.has(Role.STATION_KEEPER) and s.has("station_keeper")
    assert not s.has(Role.UNION_STAFF)


def test_a_scope_cannot_be_changed_once_made():
    with pytest.raises(FrozenInstanceError):
        Scope().cities = frozenset({1})  # type: ignore[misc]


# --- filter_in_scope, get_in_scope_or_404, requires_scope -------------------------------------


def test_filter_in_scope_gives_nothing_to_non_union_staff_unless_told_otherwise(everyone, world):
    lily = everyone["lily"]
    claims = Claim.objects.all()
    assert not access.filter_in_scope(lily, claims, platform="platform").exists()
    seen = access.filter_in_scope(lily, claims, platform="platform", require_union_staff=False)
    assert seen.count() == 2


def test_get_in_scope_or_404_answers_404_for_a_row_outside_the_scope(everyone, world):
    qs = members_access.members_visible_to(everyone["alice"])
    number = world["members"]["天宁外卖"].member_number
    assert access.get_in_scope_or_404(qs, member_number=number).member_number == number
    with pytest.raises(Http404):
        access.get_in_scope_or_404(qs, member_number=world["members"]["钟楼快递"].member_number)


def test_requires_scope_sends_anonymous_to_login_and_refuses_with_404(everyone):
    @access.union_staff_required
    def view(request):
        return HttpResponse("ok")

    request = RequestFactory().get("/staff/thing/?page=2")
    request.user = AnonymousUser()
    r = view(request)
    assert r.status_code == 302 and r.url == "/staff/login/?next=/staff/thing/%3Fpage%3D2"
    request.user = everyone["lily"]
    with pytest.raises(Http404):
        view(request)
    request.user = everyone["dora"]
    assert view(request).content == b"ok"


# --- two cities: 无锡 beside 常州 -----------------------------------------------------------------
# wanda (无锡 city union staff), wade (无锡 city admin), wes (梁溪区 union staff) and pam (江苏
# province union staff) join the table; 无锡 has one row of each kind. Changzhou's people see
# exactly what they saw with one city, 无锡's see 无锡's only, the province sees both.

WUXI_ROWS = {
    "members": {"梁溪外卖"},
    "stations": {"WX001"},
    "claims": {"梁溪外卖"},
    "claim documents": {"梁溪外卖"},
    "jobs": {"wanda", "wes"},
    "imports": {"无锡"},
    "analyses": {"wes"},
}
TWO_CITIES = {
    **VISIBLE,
    "wanda": WUXI_ROWS,
    "wade": WUXI_ROWS,
    "wes": {**WUXI_ROWS, "jobs": {"wes"}, "imports": set()},  # the import was into the city unit
    "pam": {k: CITY_WIDE[k] | WUXI_ROWS[k] for k in CITY_WIDE},
}


@pytest.fixture
def two_cities(world, wuxi, wuxi_people, everyone):
    from waystation.accounts.models import District

    people = {**everyone, **wuxi_people}
    city = wuxi["city"].city
    member = make_member(district="320213", industry="food_delivery")
    Station.objects.create(
        code="WX001", name="梁溪驿站", district=District.objects.get(code="320213"),
        lon=120.3, lat=31.57,
    )  # fmt: skip
    plan = plans_ensure_examples(2026, city=city)[0]
    enrolment = Enrolment.objects.create(
        plan=plan, member=member, enrolled_on=date(2026, 1, 5),
        covered_from=date(2026, 1, 5), covered_to=date(2026, 12, 31), source="self",
    )  # fmt: skip
    Claim.objects.create(
        number=f"HZ-{member.member_number}", member=member, enrolment=enrolment,
        platform=Platform.objects.get(code="meituan"), incident_type="accident",
        incident_date=date(2026, 3, 2), incident_place="路上", description="摔倒",
    )  # fmt: skip
    for who in ("wanda", "wes"):
        Job.objects.create(kind="test", params={"who": who}, created_by=people[who])
    RosterImport.objects.create(
        created_by=people["wanda"], unit=wuxi["city"], filename="无锡", file_sha256="0" * 64
    )
    Analysis.objects.create(kind="coverage", created_by=people["wes"], city=city)
    return {"people": people, "members": {**world["members"], "梁溪外卖": member}}


@pytest.mark.parametrize("who", [*PEOPLE, "wanda", "wade", "wes", "pam"])
def test_with_two_cities_each_person_sees_exactly_their_citys_rows(who, two_cities):
    user = two_cities["people"][who]
    assert _seen(user, two_cities["members"]) == TWO_CITIES[who]
