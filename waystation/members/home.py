"""What members contributes to the rider's home (入会, 我的会员卡), the staff navigation (会员) and
the workbench (roster imports waiting or failed; the members of the account's scope).

The workbench's member figure counts what the member list counts: every member in scope,
whatever their status (the list's header "会员（N 人）" has no status filter), and beside it the
active ones, which is the list filtered by 状态 = 正常. Both link to that very list."""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waystation.accounts.access import scope_of
from waystation.core import home, nav

from .access import members_visible_to
from .models import Member, RosterImport
from .roster import imports_visible_to

# a failed import stays on the workbench this long, then only on the imports page
FAILED_IMPORT_DAYS = 7


def _is_union_staff(user: Any) -> bool:
    return scope_of(user).is_union_staff


def _verifies_cards(user: Any) -> bool:
    return scope_of(user).verifies_cards


def _not_member(member: Member | None) -> bool:
    return member is None


def _is_member(member: Member | None) -> bool:
    return member is not None


def card_state(member: Member) -> str:
    return _("%(number)s · %(status)s") % {
        "number": member.member_number,
        "status": member.get_status_display(),
    }


def members_in_scope(user: Any) -> int:
    return members_visible_to(user).count()


def active_members_in_scope(user: Any) -> int:
    return members_visible_to(user).filter(status=Member.Status.ACTIVE).count()


S = RosterImport.Status


def imports_to_commit(user: Any) -> int:
    """Validated imports nobody has committed yet (their staged rows expire)."""
    return imports_visible_to(user).filter(status=S.VALIDATED).count()


def imports_running(user: Any) -> int:
    return imports_visible_to(user).filter(status__in=[S.VALIDATING, S.COMMITTING]).count()


def imports_failed(user: Any) -> int:
    since = timezone.now() - timedelta(days=FAILED_IMPORT_DAYS)
    return imports_visible_to(user).filter(status=S.FAILED, created_at__gte=since).count()


def register() -> None:
    group = nav.MEMBERS
    nav.register(gettext_lazy("会员名单"), "members:staff_list", _is_union_staff, group=group)
    nav.register(gettext_lazy("扫码活动"), "members:campaigns", _is_union_staff, group=group)
    nav.register(gettext_lazy("名册导入"), "members:imports", _is_union_staff, group=group)
    nav.register(gettext_lazy("会员统计"), "members:stats", _is_union_staff, group=group)
    nav.register(gettext_lazy("会员卡核验"), "members:card_verify", _verifies_cards, group=group)

    home.register_tile(
        home.Tile("members.join", gettext_lazy("入会"), "user-plus", "core:join", 10, _not_member)
    )
    home.register_tile(
        home.Tile(
            "members.card",
            gettext_lazy("我的会员卡"),
            "id-card",
            "members:card",
            10,
            _is_member,
            state=card_state,
        )
    )
    home.register_todo(
        home.ToDo(
            "members.imports_validated",
            gettext_lazy("名册已校验，待确认导入"),
            "members:imports",
            count=imports_to_commit,
            visible=_is_union_staff,
            order=40,
        )
    )
    home.register_todo(
        home.ToDo(
            "members.imports_running",
            gettext_lazy("名册导入进行中"),
            "members:imports",
            count=imports_running,
            visible=_is_union_staff,
            order=41,
        )
    )
    home.register_todo(
        home.ToDo(
            "members.imports_failed",
            gettext_lazy("名册导入失败（近 7 天）"),
            "members:imports",
            count=imports_failed,
            visible=_is_union_staff,
            order=42,
        )
    )
    home.register_figure(
        home.Figure(
            "members.all",
            gettext_lazy("会员"),
            "members:staff_list",
            count=members_in_scope,
            visible=_is_union_staff,
            note=gettext_lazy("含全部状态，与会员名单的人数一致"),
            order=10,
        )
    )
    home.register_figure(
        home.Figure(
            "members.active",
            gettext_lazy("其中状态正常"),
            "members:staff_list",
            count=active_members_in_scope,
            visible=_is_union_staff,
            order=11,
            query="status=active",
        )
    )
