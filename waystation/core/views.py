from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from waystation.accounts.access import (
    AuthenticatedHttpRequest,
    admin_required,
    get_in_scope_or_404,
    requires,
    staff_required,
)
from waystation.members.middleware import MemberRequest
from waystation.members.selectors import default_campaign
from waystation.privacy.access import audit_logs_visible_to
from waystation.privacy.models import AuditAction

from . import audit_objects, selectors, services
from . import home as home_registry
from .access import can_edit_notices, notice_cities_of, notices_editable_by
from .dbrouter import lagging_reads_view
from .forms import NoticeForm
from .http import paginate


@lagging_reads_view
def home(request: MemberRequest) -> HttpResponse:
    """The rider's home: the service grid (each tile with the member's own state when signed
    in) and the union's notices (the member's city's; a visitor's, every city's)."""
    member = request.member or None
    return render(
        request,
        "core/home.html",
        {
            "tiles": home_registry.tiles_for(member),
            "notices": selectors.notices_published(member.city_id if member else None),
            "figures": selectors.public_figures(),
        },
    )


def join(request: HttpRequest) -> HttpResponse:
    """Joining without a poster (the "join" way on an error page): the default campaign."""
    campaign = default_campaign()
    if campaign is None:
        messages.info(request, _("暂时没有开放的入会活动，请扫描驿站或海报上的入会二维码。"))
        return redirect("core:home")
    return redirect(campaign.get_join_url())


@staff_required
@lagging_reads_view
def staff_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The workbench: the account's to-dos first, then the figures of its own scope, each a link
    to the list it counts (core/home.py)."""
    todos = home_registry.todos_for(request.user)
    return render(
        request,
        "core/staff_home.html",
        {
            "todos": todos,
            "todos_due": [t for t in todos if t["n"]],  # what waits, as cards
            "todos_quiet": [t for t in todos if not t["n"]],  # the rest: one line of links
            "scope_figures": home_registry.figures_for(request.user),
            "roles": request.user.roles.select_related("unit", "platform"),
        },
    )


@requires(can_edit_notices)
def notices(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = notices_editable_by(request.user).select_related("city").defer("city__boundary")
    page, params = paginate(request, qs.order_by("-created_at", "-id"), 50)
    return render(request, "core/notices.html", {"page": page, "params": params})


@requires(can_edit_notices)
def notice_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    notice = get_in_scope_or_404(notices_editable_by(request.user), pk=pk) if pk else None
    initial = (
        {"city": notice.city_id, "title": notice.title, "body": notice.body,
         "published": notice.published}
        if notice
        else {"published": True}
    )  # fmt: skip
    form = NoticeForm(request.POST or None, initial=initial, cities=notice_cities_of(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_save(actor=request.user, notice=notice, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("通知已保存"))
            return redirect("core:notices")
    status = 400 if form.errors else 200
    return render(request, "core/notice_edit.html", {"form": form, "notice": notice}, status=status)


@admin_required
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The audit log: actions in words (their AuditAction labels), objects by their business
    numbers, filtered by action, person, object and a date range."""
    qs = audit_logs_visible_to(request.user).select_related("actor", "city").defer("city__boundary")
    get = request.GET
    action = get.get("action", "").strip()
    actor = get.get("actor", "").strip()
    obj = get.get("object_id", "").strip()
    object_type = get.get("object_type", "").strip()
    kinds = audit_objects.kinds()
    if action:  # an action this release does not know matches nothing
        qs = qs.filter(action=action) if action in AuditAction.values else qs.none()
    if actor:
        qs = qs.filter(Q(actor_label__icontains=actor) | Q(actor__username__icontains=actor))
    if object_type:
        qs = qs.filter(object_type=object_type) if object_type in kinds else qs.none()
    if obj:
        qs = qs.filter(audit_objects.matching(obj, object_type))
    for key, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        if get.get(key):
            try:
                qs = qs.filter(**{lookup: date.fromisoformat(get[key])})
            except ValueError:  # not a date: nothing matches, as on the member list
                qs = qs.none()
    page, params = paginate(request, qs, 50)
    refs = audit_objects.describe(page, request.user)
    names = {k: str(kind.name) for k, kind in kinds.items()}
    rows = [
        (e, refs.get((e.object_type, e.object_id)), names.get(e.object_type, e.object_type))
        for e in page
    ]
    return render(
        request,
        "core/audit_log.html",
        {
            "page": page,
            "rows": rows,
            "params": params,
            "actions": AuditAction.choices,
            "kinds": sorted(names.items(), key=lambda kv: kv[1]),
        },
    )
