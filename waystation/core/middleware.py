"""Input that no view can store: refused before any view runs."""

from django.http import HttpRequest, HttpResponse, JsonResponse

from .errors import error_page, is_api_request

NUL = "\x00"
MESSAGE = "输入包含空字符 (input contains a NUL character)"


def _has_nul(data) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in data.lists())


class RejectNulMiddleware:
    """PostgreSQL text cannot hold a NUL character, so one in the path, the query string or a
    form field would fail deep inside a query as a 500. Answer 400 at the door instead.

    The API's bodies (JSON and form) are checked by its parser (waystation.api): reading a
    multipart body here would leave request.body unreadable for a JSON endpoint."""

    def __init__(self, get_response):
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
