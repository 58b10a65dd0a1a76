from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from waystation.accounts.access import AuthenticatedHttpRequest, admin_required, staff_required
from waystation.members.selectors import default_campaign
from waystation.privacy.access import audit_logs_visible_to
from waystation.privacy.models import AuditAction

from . import selectors
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
    qs = audit_logs_visible_to(request.user).select_related("actor", "city").defer("city__boundary")
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    obj = request.GET.get("object_id", "").strip()
    if action:  # an action this release does not know matches nothing
        qs = qs.filter(action=action) if action in AuditAction.values else qs.none()
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if obj:
        qs = qs.filter(object_id=obj)
    if request.GET.get("since"):
        try:
            qs = qs.filter(at__date__gte=date.fromisoformat(request.GET["since"]))
        except ValueError:  # not a date: nothing matches, as on the member list
            qs = qs.none()
    page, params = paginate(request, qs, 50)
    return render(
        request,
        "core/audit_log.html",
        {"page": page, "params": params, "actions": AuditAction.choices},
    )
