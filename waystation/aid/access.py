"""Who sees which claims and may take which step (the rule of accounts.access, applied to aid).

The services of aid/services/ check these rules themselves (the money path: every claim step,
approval, override, payout, bank batch, plan, gift and condolence visit, and the platform's word
on a claim) and raise `NotInScope`; the views fetch claims through `selectors.claim_for_user`,
built on `claims_visible_to`."""

from typing import Any

from django.db.models import QuerySet

from waystation.accounts.access import AnyUser, filter_in_scope, scope_of
from waystation.accounts.models import OrgUnit, Platform
from waystation.members.access import members_visible_to

from .models import Claim


def claims_visible_to(user: AnyUser) -> QuerySet:
    """Mutual-aid claims: union staff by the claimant's work district / industry (the city sees
    all), platform liaisons the claims naming their platform, everybody else nothing."""
    return filter_in_scope(
        user,
        Claim.objects.all(),
        district="member__work_district",
        industry="member__industry",
        platform="platform",
        require_union_staff=False,
    )


def claim_documents_visible_to(user: AnyUser) -> QuerySet:
    """Claims whose documents (invoices, diagnoses, bank cards) a staff account may open: union
    staff in scope only. A platform liaison confirms work status and never sees documents."""
    return filter_in_scope(
        user, Claim.objects.all(), district="member__work_district", industry="member__industry"
    )


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
    """City approval, payouts and the bank batch export: city-level union staff only."""
    scope = scope_of(user)
    return scope.is_union_staff and scope.city


def can_manage_aid_plans(user: AnyUser) -> bool:
    """Mutual-aid plans (create, edit every field, copy to next year): the city administrator and
    city-level union staff; district and industry unions only gift the plans the city sets."""
    scope = scope_of(user)
    return scope.is_union_staff and scope.city


def units_of(user: Any) -> QuerySet:
    """The unions a staff account acts for: all of them for the city."""
    scope = scope_of(user)
    if scope.city:
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(pk__in=scope.units)


def can_act_for_unit(user: Any, unit: OrgUnit) -> bool:
    """A gift or a condolence visit in a union's name: union staff who act for that union."""
    return can_work_on_aid(user) and units_of(user).filter(pk=unit.pk).exists()


def can_visit_member(user: Any, member: Any) -> bool:
    """A condolence visit to a member: union staff with the member in scope."""
    return can_work_on_aid(user) and members_visible_to(user).filter(pk=member.pk).exists()


def can_speak_for_platform(actor: Any, platform: Platform) -> bool:
    """The platform's word on a claim (was the claimant working?): the platform itself, signed in
    by its API token (`actor` is then the Platform), or one of its liaisons."""
    if isinstance(actor, Platform):
        return actor.pk == platform.pk
    return platform.pk in scope_of(actor).platforms
