from django.http import Http404, JsonResponse
from django.shortcuts import render

from waystation.accounts.access import scope_of, staff_required

from .models import Job


def _job_for(request, pk: int) -> Job:
    job = Job.objects.filter(pk=pk).first()
    # A job belongs to whoever started it; the city admin sees all.
    if job is None or (job.created_by_id != request.user.pk and not scope_of(request.user).admin):
        raise Http404
    return job


@staff_required
def job_status(request, pk: int):
    job = _job_for(request, pk)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(job.as_dict())
    return render(request, "jobs/progress.html", {"job": job})
