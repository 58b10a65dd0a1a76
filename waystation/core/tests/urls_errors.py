"""The site's URLs and error handlers, plus views that fail on purpose (ROOT_URLCONF in tests)."""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import HttpResponse
from django.urls import path

from waystation.urls import handler400, handler403, handler404, handler500
from waystation.urls import urlpatterns as site


def database_down(request):
    raise OperationalError("server closed the connection unexpectedly")


def forbidden(request):
    raise PermissionDenied


def form(request):
    return HttpResponse("ok")


urlpatterns = [
    path("test-errors/database-down/", database_down),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/form/", form),
    path("api/v1/test-errors/database-down/", database_down),
    path("api/v1/test-errors/form/", form),
    *site,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def broken_context_processor(request):
    raise OperationalError("the context processors query a database that is down")
