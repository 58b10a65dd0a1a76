from importlib import import_module

from django.urls import include, path

from waystation.api import api
from waystation.core import errors


def _optional(prefix: str, app: str):
    """Mount an app's urls if it has them (apps arrive one issue at a time)."""
    try:
        import_module(f"waystation.{app}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"waystation.{app}.urls":
            raise
        return []
    return [path(prefix, include(f"waystation.{app}.urls"))]


urlpatterns = [
    path("api/v1/", api.urls),
    path("jobs/", include("waystation.jobs.urls")),
    path("", include("waystation.core.urls")),
    path("", include("waystation.members.urls")),
    path("", include("waystation.planner.urls")),
    *_optional("", "stations"),
    *_optional("", "aid"),
]

# Chinese error pages in the site's layout (JSON under /api/); see waystation.core.errors.
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
