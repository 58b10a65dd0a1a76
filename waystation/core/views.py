from datetime import date

from django.core.paginator import Paginator
from django.shortcuts import render

from waystation.accounts.access import admin_required, staff_required
from waystation.privacy.models import AuditLog

from . import selectors


def home(request):
    return render(request, "core/home.html", {"figures": selectors.public_figures()})


@staff_required
def staff_home(request):
    return render(request, "core/staff_home.html", {"figures": selectors.public_figures()})


@admin_required
def audit_log(request):
    qs = AuditLog.objects.select_related("actor")
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    obj = request.GET.get("object_id", "").strip()
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if obj:
        qs = qs.filter(object_id=obj)
    if request.GET.get("since"):
        try:
            qs = qs.filter(at__date__gte=date.fromisoformat(request.GET["since"]))
        except ValueError:  # not a date: nothing matches, as on the member list
            qs = qs.none()
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    actions = AuditLog.objects.order_by().values_list("action", flat=True).distinct()
    return render(request, "core/audit_log.html", {"page": page, "actions": sorted(set(actions))})
