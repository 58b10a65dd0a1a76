from datetime import date

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from waystation.accounts.access import AuthenticatedHttpRequest, admin_required, staff_required
from waystation.members.selectors import default_campaign
from waystation.privacy.access import audit_logs_visible_to
from waystation.privacy.models import AuditAction

from . import audit_objects, selectors
from .dbrouter import lagging_reads_view
from .http import paginate


@lagging_reads_view
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"figures": selectors.public_figures()})


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
    return render(request, "core/staff_home.html", {"figures": selectors.public_figures()})


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
