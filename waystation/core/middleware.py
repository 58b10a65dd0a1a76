"""Input that no view can store, refused before any view runs; a refusal of scope, answered
as a page that does not exist."""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict

from waystation.accounts.access import NotInScope

from .errors import error_page, is_api_request

GetResponse = Callable[[HttpRequest], HttpResponse]
NUL = "\x00"
MESSAGE = "输入包含空字符 (input contains a NUL character)"


def _has_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in data.lists())


class RejectNulMiddleware:
    """PostgreSQL text cannot hold a NUL character, so one in the path, the query string or a
    form field would fail deep inside a query as a 500. Answer 400 at the door instead.

    The API's bodies (JSON and form) are checked by its parser (waystation.api): reading a
    multipart body here would leave request.body unreadable for a JSON endpoint."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = is_api_request(request)
        if (
            NUL in request.path
            or _has_nul(request.GET)
            or (request.method == "POST" and not api and _has_nul(request.POST))
        ):
            if api:
                return JsonResponse({"errors": {"__all__": [MESSAGE]}}, status=400)
            return error_page(request, 400, message=MESSAGE)
        return self.get_response(request)


class NotInScopeMiddleware:
    """A service refusing an actor raises `accounts.access.NotInScope` (a PermissionDenied, which
    Django would answer with 403). Every page answers it as the 404 of a row that does not
    exist, here, once, so no view catches it (the API's own handler does the same)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotInScope):
            raise Http404 from exception
