"""Who sees which members, campaigns and units, and may act on them (the rule of
accounts.access, applied to members).

Every member, campaign and roster import belongs to one city. Union staff see the members of
their city whose work district or industry is in their scope (city and province staff all of
their cities'); nobody else sees any, and nobody sees another city's. Revealing, a change of
status and a transfer are checked by the services against `can_manage_member`, whoever calls
them: a transfer to another city is the sending side's to make, and afterwards the member is
the receiving city's."""

from django.db.models import QuerySet

from waystation.accounts.access import AnyUser, filter_in_scope, get_in_scope_or_404, scope_of
from waystation.accounts.models import District, OrgUnit

from .models import Campaign, Member


def members_visible_to(user: AnyUser | None) -> QuerySet[Member]:
    return filter_in_scope(
        user, Member.objects.all(), city="city", district="work_district", industry="industry"
    )


def member_for_staff(user: AnyUser, member_number: str) -> Member:
    return get_in_scope_or_404(
        members_visible_to(user).select_related("city", "union", "industry", "work_district"),
        member_number=member_number,
    )


def can_manage_member(user: AnyUser, member: Member) -> bool:
    """A member's status, transfer and full personal data: union staff with the member in scope."""
    return members_visible_to(user).filter(pk=member.pk).exists()


def can_reveal_personal_data(user: AnyUser) -> bool:
    """Full ID numbers and phones: union staff and the city admin, in scope, with a reason."""
    return scope_of(user).is_union_staff


def can_export_members(user: AnyUser) -> bool:
    return scope_of(user).is_union_staff


def units_in_scope(user: AnyUser | None) -> QuerySet[OrgUnit]:
    """The unions of the cities a staff member works in that their scope covers: every unit of
    a city they see whole, else their district's and industry's unions there. A province
    federation is no member's union (it has no city): never among them."""
    scope = scope_of(user)
    if not scope.is_union_staff:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(
        scope.q(city="city", district="district", industry="industry"), city__isnull=False
    )


def campaigns_visible_to(user: AnyUser | None) -> QuerySet[Campaign]:
    return filter_in_scope(
        user,
        Campaign.objects.all(),
        city="city",
        district="unit__district",
        industry="unit__industry",
    )


def campaign_for_staff(user: AnyUser, code: str) -> Campaign:
    return get_in_scope_or_404(campaigns_visible_to(user).select_related("unit", "city"), code=code)


def districts_for_staff(user: AnyUser | None) -> QuerySet[District]:
    """The districts of the cities a staff member works in (filters, forms)."""
    return (
        District.objects.filter(city__in=sorted(scope_of(user).home_cities))
        .select_related("city")
        .defer("boundary", "city__boundary")  # names only; a polygon is most of a page's time
    )
