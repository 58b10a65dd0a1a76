"""Who sees which members and may act on them (the rule of accounts.access, applied to members).

Union staff see the members whose work district or industry is in their scope (the city all of
them); nobody else sees any. Revealing, a change of status and a transfer are checked by the
services against `can_manage_member`, whoever calls them."""

from django.db.models import QuerySet

from waystation.accounts.access import AnyUser, filter_in_scope, get_in_scope_or_404, scope_of

from .models import Member


def members_visible_to(user: AnyUser | None) -> QuerySet:
    return filter_in_scope(
        user, Member.objects.all(), district="work_district", industry="industry"
    )


def member_for_staff(user: AnyUser, member_number: str) -> Member:
    return get_in_scope_or_404(members_visible_to(user), member_number=member_number)


def can_manage_member(user: AnyUser, member: Member) -> bool:
    """A member's status, transfer and full personal data: union staff with the member in scope."""
    return members_visible_to(user).filter(pk=member.pk).exists()


def can_reveal_personal_data(user: AnyUser) -> bool:
    """Full ID numbers and phones: union staff and the city admin, in scope, with a reason."""
    return scope_of(user).is_union_staff


def can_export_members(user: AnyUser) -> bool:
    return scope_of(user).is_union_staff
