from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from waystation.accounts.access import AuthenticatedHttpRequest, get_in_scope_or_404, staff_required

from .access import jobs_visible_to
from .models import Job


def _job_for(request: HttpRequest, pk: int) -> Job:
    return get_in_scope_or_404(jobs_visible_to(request.user), pk=pk)


@staff_required
def job_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(job.as_dict())
    return render(request, "jobs/progress.html", {"job": job})
