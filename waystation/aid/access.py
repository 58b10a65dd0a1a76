"""Who sees which claims and may take which step (the rule of accounts.access, applied to aid).

Every aid row carries its city (aid/models.py), and every query here filters on that column:
staff of one city never reach another city's plans, claims, payouts or batches. The money steps
that belong to the city federation (city approval, payouts, bank batches, plan management) are
for union staff who see the row's city whole (`Scope.sees_city(row.city_id)`), not for "city
staff somewhere"; the page gates (`can_approve_claims`, `can_manage_aid_plans`) only say whether
the page opens at all.

The services of aid/services/ check these rules themselves (the money path: every claim step,
approval, override, payout, bank batch, plan, gift and condolence visit, and the platform's word
on a claim) and raise `NotInScope`; the views fetch claims through `selectors.claim_for_user`,
built on `claims_visible_to`."""

from typing import Any

from django.db.models import QuerySet

from waystation.accounts.access import AnyUser, filter_in_scope, scope_of
from waystation.accounts.models import City, District, OrgUnit, Platform
from waystation.members.access import members_visible_to

from .models import Claim, Condolence, Enrolment, GiftBatch, Payout, PayoutBatch, Plan


def _members_rows(user: AnyUser, qs: QuerySet) -> QuerySet:
    """Rows about a member (a claim, an enrolment, a visit): union staff with the member's work
    district or industry in scope, in the row's city."""
    return filter_in_scope(
        user, qs, city="city", district="member__work_district", industry="member__industry"
    )


def claims_visible_to(user: AnyUser) -> QuerySet:
    """Mutual-aid claims: union staff by the claimant's work district / industry (the city sees
    all of its own), platform liaisons the claims naming their platform in their city, everybody
    else nothing."""
    return filter_in_scope(
        user,
        Claim.objects.all(),
        city="city",
        district="member__work_district",
        industry="member__industry",
        platform="platform",
        require_union_staff=False,
    )


def claim_documents_visible_to(user: AnyUser) -> QuerySet:
    """Claims whose documents (invoices, diagnoses, bank cards) a staff account may open: union
    staff in scope only. A platform liaison confirms work status and never sees documents."""
    return _members_rows(user, Claim.objects.all())


def enrolments_visible_to(user: AnyUser) -> QuerySet:
    """Person-times of the members in the account's scope, in the member's city."""
    return _members_rows(user, Enrolment.objects.all())


def condolences_visible_to(user: AnyUser) -> QuerySet:
    return _members_rows(user, Condolence.objects.all())


def payouts_visible_to(user: AnyUser) -> QuerySet:
    """Payouts and the page that lists them: union staff who see the payout's city whole."""
    return filter_in_scope(user, Payout.objects.all(), city="city")


def payout_batches_visible_to(user: AnyUser) -> QuerySet:
    return filter_in_scope(user, PayoutBatch.objects.all(), city="city")


def plans_visible_to(user: AnyUser) -> QuerySet:
    """The plans union staff work with (gift, read): those of every city they hold a role in; a
    district or industry union gifts the plans its city sets."""
    scope = scope_of(user)
    if not scope.is_union_staff:
        return Plan.objects.none()
    return Plan.objects.filter(city__in=sorted(scope.home_cities))


def gift_batches_visible_to(user: AnyUser) -> QuerySet:
    """A giver's own gift batches, in the cities they work in."""
    scope = scope_of(user)
    return GiftBatch.objects.filter(
        city__in=sorted(scope.home_cities), created_by_id=getattr(user, "pk", None)
    )


def cities_managed_by(user: AnyUser) -> QuerySet[City]:
    """The cities whose plans, approvals and payouts the account runs: those it sees whole."""
    scope = scope_of(user)
    if not scope.is_union_staff:
        return City.objects.none()
    return City.objects.filter(pk__in=sorted(scope.cities))


def districts_of(user: AnyUser) -> QuerySet[District]:
    """The district rows of the cities the account works in: the district filters' choices."""
    return District.objects.filter(city__in=sorted(scope_of(user).home_cities)).defer("boundary")


def claim_details_visible(user: AnyUser, claim: Any) -> bool:
    """The payee's bank, the incident description, amounts and documents: union staff with the
    claim in scope. A platform liaison confirms on-duty status from the claimant's name and the
    incident's time and place, and sees only those."""
    return claim_documents_visible_to(user).filter(pk=claim.pk).exists()


def can_see_claims(user: AnyUser) -> bool:
    """The claims list: union staff (their scope's claims) and platform liaisons (their
    platform's, to confirm work status)."""
    scope = scope_of(user)
    return scope.is_union_staff or bool(scope.platforms)


def can_work_on_aid(user: AnyUser) -> bool:
    """The aid desk — plans and gifts, condolence visits, statistics: union staff at any level,
    each page showing their scope."""
    return scope_of(user).is_union_staff


def can_review_claims(user: AnyUser) -> bool:
    """District (or industry, or city) review: union staff; the claim must also be in scope."""
    return scope_of(user).is_union_staff


def can_review_claim(user: AnyUser, claim: Claim) -> bool:
    """A review step on this claim: a reviewer with the claim (and its documents) in scope."""
    return can_review_claims(user) and claim_details_visible(user, claim)


def can_approve_claims(user: AnyUser) -> bool:
    """The page gate of city approval, payouts and bank batches: union staff who see a city
    whole. Each row asks `can_approve_in(user, row.city_id)`."""
    scope = scope_of(user)
    return scope.is_union_staff and scope.city


def can_approve_in(user: AnyUser, city_id: int | None) -> bool:
    """City approval, payouts and the bank batches of one city: union staff who see that city
    whole (its city union, its administrator, the province above it)."""
    scope = scope_of(user)
    return scope.is_union_staff and scope.sees_city(city_id)


def can_manage_aid_plans(user: AnyUser) -> bool:
    """The page gate of plan management: union staff who see a city whole. District and industry
    unions only gift the plans their city sets."""
    scope = scope_of(user)
    return scope.is_union_staff and scope.city


def can_manage_plans_of(user: AnyUser, city_id: int | None) -> bool:
    """Mutual-aid plans of one city (create, edit every field, copy to next year): its city
    administrator and the union staff who see that city whole."""
    scope = scope_of(user)
    return scope.is_union_staff and scope.sees_city(city_id)


def units_of(user: Any) -> QuerySet:
    """The unions a staff account acts for: every unit of the cities it sees whole, else its own
    units."""
    scope = scope_of(user)
    if scope.cities:
        return OrgUnit.objects.filter(city__in=sorted(scope.cities))
    return OrgUnit.objects.filter(pk__in=scope.units)


def can_act_for_unit(user: Any, unit: OrgUnit) -> bool:
    """A gift or a condolence visit in a union's name: union staff who act for that union."""
    return can_work_on_aid(user) and units_of(user).filter(pk=unit.pk).exists()


def unit_acting_in(user: Any, city_id: int) -> OrgUnit | None:
    """The union in whose name the account acts in a city: its own unit there (a district or
    industry union), else the city federation of a city it sees whole."""
    scope = scope_of(user)
    own = OrgUnit.objects.filter(pk__in=scope.units, city_id=city_id).order_by("id").first()
    if own is not None or not scope.sees_city(city_id):
        return own
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.CITY, city_id=city_id).first()


def can_visit_member(user: Any, member: Any) -> bool:
    """A condolence visit to a member: union staff with the member in scope."""
    return can_work_on_aid(user) and members_visible_to(user).filter(pk=member.pk).exists()


def can_speak_for_platform(actor: Any, platform: Platform, city_id: int | None) -> bool:
    """The platform's word on a claim (was the claimant working?): the platform itself, signed in
    by its API token (`actor` is then the Platform; platforms are national), or one of its
    liaisons in the claim's city."""
    if isinstance(actor, Platform):
        return actor.pk == platform.pk
    return (city_id, platform.pk) in scope_of(actor).platforms
