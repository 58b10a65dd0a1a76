"""How the audit log names members and roster imports (core/audit_objects.py)."""

from django.utils.translation import gettext_lazy as _

from waystation.core import audit_objects

from .access import members_visible_to
from .models import Member, RosterImport
from .roster.selectors import imports_visible_to

audit_objects.register(
    "members.member",
    Member,
    name=_("会员"),
    number_label=_("会员号"),
    number="member_number",
    visible=members_visible_to,
    url_name="members:staff_detail",
)
audit_objects.register(
    "members.rosterimport",
    RosterImport,
    name=_("名册导入"),
    number_label=_("导入编号"),
    number="pk",
    visible=imports_visible_to,
    url_name="members:import_detail",
)
