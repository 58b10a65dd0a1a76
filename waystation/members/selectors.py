from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from waystation.accounts.access import AnyUser
from waystation.accounts.models import City, District, Industry, Platform
from waystation.privacy.crypto import keyed_hash

from . import tallies
from .access import members_visible_to
from .models import Campaign, Member, MemberJoinTally, MemberPlatformTally, MemberTally, name_hash
from .validators import clean_phone


def default_campaign(city: City | int | None = None) -> Campaign | None:
    """The city's standing campaign, if one is set and still open. Without a city (a link that
    names none: the site's own join button, an unknown campaign code): the standing campaign of
    the city that has been a tenant longest."""
    qs = Campaign.objects.filter(is_default=True, active=True).select_related("unit", "city")
    if city is not None:
        return qs.filter(city=city).first()
    return qs.order_by("city__created_at", "city_id").first()


def join_choices(city: City | int) -> dict:
    """The choices of the join page of a campaign in `city`: the industries and platforms
    (national), the city's districts."""
    return {
        "industries": list(Industry.objects.values_list("code", "name")),
        "platforms": list(Platform.objects.values_list("code", "name")),
        "districts": list(District.objects.filter(city=city).values_list("code", "name")),
    }


def members_filtered(user: AnyUser | None, params: Mapping[str, Any]) -> QuerySet:
    """Members in the user's scope, filtered by list parameters; `q` is an exact phone or ID."""
    # the district's name, never its polygon: 50 rows of boundary JSON were most of the page
    qs = (
        members_visible_to(user)
        .select_related("union", "work_district")
        .defer("work_district__boundary")
    )
    if params.get("union"):
        qs = qs.filter(union__code=params["union"])
    if params.get("district"):
        qs = qs.filter(work_district_id=params["district"])
    if params.get("industry"):
        qs = qs.filter(industry_id=params["industry"])
    if params.get("platform"):
        qs = qs.filter(platforms__code=params["platform"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("channel"):
        qs = qs.filter(channel=params["channel"])
    if params.get("campaign"):
        qs = qs.filter(campaign__code=params["campaign"])
    for key, lookup in (
        ("joined_from", "joined_at__date__gte"),
        ("joined_to", "joined_at__date__lte"),
    ):
        if params.get(key):
            try:
                qs = qs.filter(**{lookup: date.fromisoformat(params[key])})
            except ValueError:
                qs = qs.none()
    number = (params.get("number") or "").strip().upper()
    if number:
        qs = qs.filter(member_number=number)
    if params.get("qh"):
        qs = qs.filter(Q(phone_hash=params["qh"]) | Q(id_number_hash=params["qh"]))
    if params.get("nh"):
        qs = qs.filter(name_hash=params["nh"])
    return qs


StrOrPromise = str | Promise

# The orders of the list staff may choose: (label, ordering); the first is the default. By name
# there is none: a Chinese name's order is its pinyin, which needs a collation the database may
# not have and an index of its own at a province's size.
MEMBER_SORTS: dict[str, tuple[StrOrPromise, tuple[str, ...]]] = {
    "joined_desc": (_("入会时间（新→旧）"), ("-joined_at", "-id")),
    "joined_asc": (_("入会时间（旧→新）"), ("joined_at", "id")),
    "number_asc": (_("会员号（小→大）"), ("member_number",)),
    "number_desc": (_("会员号（大→小）"), ("-member_number",)),
}
PAGE_SIZES = (20, 50, 100, 200)


def member_sort(params: Mapping[str, Any]) -> str:
    """The list's order asked for (`sort`), the default for an unknown one."""
    sort = params.get("sort") or ""
    return sort if sort in MEMBER_SORTS else next(iter(MEMBER_SORTS))


def page_size(params: Mapping[str, Any], default: int = 50) -> int:
    """The list's page size asked for (`size`), one of PAGE_SIZES, else the default."""
    try:
        size = int(params.get("size") or default)
    except (TypeError, ValueError):
        return default
    return size if size in PAGE_SIZES else default


def search_params(q: str) -> dict[str, str]:
    """The list parameters of what staff typed in the search box, never the typed text itself
    (no name, phone or ID number in a URL or a log): a member number as it is, anything with a
    digit as the keyed hash of a phone or an ID number, anything else as the keyed hash of a
    name. {} for a blank box."""
    q = (q or "").strip()
    if not q:
        return {}
    if q.upper().startswith("CZ"):
        return {"number": q.upper()}
    if any(ch.isdigit() for ch in q):
        return {"qh": search_hash(q)}
    return {"nh": name_hash(q)}


def search_hash(q: str) -> str:
    """The keyed hash to search for a typed phone or ID number. Searches go by hash so that no
    phone or ID number ever appears in a URL or a server log."""
    q = q.strip()
    try:
        return keyed_hash(clean_phone(q))
    except ValidationError:  # not a phone: an ID number
        return keyed_hash(q.upper())


def member_find(user: AnyUser, q: str) -> Member | None:
    """The one member in the user's scope with this exact member number, phone or ID number;
    None when `q` is blank or matches nobody in scope."""
    q = (q or "").strip()
    if not q:
        return None
    params = search_params(q)
    if "nh" in params:  # a name is not unique: no lookup by name here
        return None
    return members_filtered(user, params).first()


def member_stats(user: AnyUser) -> dict:
    """The statistics page's figures, in the user's scope, from the member rollups (tallies):
    active members by union, district, industry, platform and channel, and every member's join
    week. A few hundred rollup rows per city, whatever the number of members."""
    active = tallies.in_scope(user, MemberTally).filter(status=Member.Status.ACTIVE)
    districts = tallies.counts(active, "city__adcode", "city__name", "work_district__name")
    several_cities = len({r["city__name"] for r in districts}) > 1  # name the city then
    by_district = [
        {
            "name": f"{r['city__name']} · {r['work_district__name']}"
            if several_cities
            else r["work_district__name"],
            "n": r["n"],
        }
        for r in districts
    ]
    platforms = tallies.in_scope(user, MemberPlatformTally).filter(status=Member.Status.ACTIVE)
    channel_names = dict(Member.Channel.choices)
    weeks = (
        tallies.in_scope(user, MemberJoinTally)
        .values("week")
        .annotate(n=Sum("n"))
        .filter(n__gt=0)
        .order_by("week")
    )
    return {
        "total": tallies.total(active),
        "by_union": [
            {"name": r["union__name"], "n": r["n"]} for r in tallies.counts(active, "union__name")
        ],
        "by_district": by_district,
        "by_industry": [
            {"name": r["industry__name"], "n": r["n"]}
            for r in tallies.counts(active, "industry__name")
        ],
        "by_platform": [
            {"name": r["platform__name"], "n": r["n"]}
            for r in tallies.counts(platforms, "platform__name")
        ],
        "by_channel": [
            {"name": channel_names.get(r["channel"], r["channel"]), "n": r["n"]}
            for r in tallies.counts(active, "channel")
        ],
        "joins_per_week": [{"week": r["week"].isoformat(), "n": r["n"]} for r in weeks],
    }
