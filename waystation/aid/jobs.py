"""Background work of the aid app, run by the jobs worker."""

from waystation.jobs.models import Job
from waystation.jobs.runner import Progress, handler

from .models import GiftBatch
from .services import gift_batch_run


@handler("aid.gift")
def gift(job: Job, progress: Progress) -> dict:
    """Bulk gifted enrolment; idempotent, so a resumed job simply continues."""
    batch = GiftBatch.objects.select_related("plan", "unit", "created_by").get(
        pk=job.params["batch"]
    )
    return gift_batch_run(batch, progress)
