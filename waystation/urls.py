from django.urls import include, path

from waystation.api import api
from waystation.core import errors

urlpatterns = [
    path("api/v1/", api.urls),
    path("jobs/", include("waystation.jobs.urls")),
    path("", include("waystation.core.urls")),
    path("", include("waystation.members.urls")),
    path("", include("waystation.planner.urls")),
    path("", include("waystation.stations.urls")),
    path("", include("waystation.aid.urls")),
    path("", include("waystation.org.urls")),
]

# Chinese error pages in the site's layout (JSON under /api/); see waystation.core.errors.
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
