"""The JSON API under /api/v1/, for the mini-program and platforms. Each app contributes a
router from its own `api.py`; pages and API call the same services."""

from typing import Any

import ninja.parser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from waystation.accounts.access import NotInScope
from waystation.aid import api as aid_api
from waystation.core.ratelimit import RateLimited
from waystation.members import api as members_api
from waystation.stations import api as stations_api

NUL_MESSAGE = "输入包含空字符 (input contains a NUL character)"


class Parser(ninja.parser.Parser):
    """Refuses NUL characters in any key or string of a JSON body or form (PostgreSQL text
    cannot hold them); the path and query are checked by core.middleware.RejectNulMiddleware."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if _has_nul(data):
            raise DjangoValidationError(NUL_MESSAGE)
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        parsed = super().parse_querydict(data, list_fields, request)
        if _has_nul(parsed):  # files are neither str, list nor dict: not looked into
            raise DjangoValidationError(NUL_MESSAGE)
        return parsed


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


api = NinjaAPI(
    parser=Parser(),
    title="waystation API",
    version="1",
    description="工会新就业形态劳动者服务平台 API。错误以 400/404/409 返回 "
    '`{"errors": {字段: [消息]}}` 或 `{"detail": 消息}`；超过频率限制时以 429 返回 '
    '`{"errors": …, "retry_after": 秒}` 并带 `Retry-After` 头。',
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def validation_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errs for m in e.messages]
            for field, errs in exc.error_dict.items()
        }
    return {"__all__": [str(m) for m in exc.messages]}


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return api.create_response(request, {"errors": validation_errors(exc)}, status=400)


@api.exception_handler(RateLimited)
def on_rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    body = {"errors": validation_errors(exc), "retry_after": exc.retry_after}
    response = api.create_response(request, body, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        field = loc[-1] if loc else "__all__"
        errors.setdefault(field, []).append(_translate(err))
    return api.create_response(request, {"errors": errors}, status=400)


def _translate(err: dict) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "此项为必填项 (required)"
    if kind.startswith(("float", "int", "decimal")):
        return "请输入数字 (must be a number)"
    if kind.startswith("string"):
        return "请输入文字 (must be text)"
    if kind.startswith("bool"):
        return "请输入 true 或 false (must be a boolean)"
    if kind == "json_invalid":
        return "请求体不是合法的 JSON (invalid JSON)"
    return str(err.get("msg", "输入无效 (invalid)"))


@api.exception_handler(Http404)
@api.exception_handler(NotInScope)  # out of scope, or a step not theirs: 404, as for pages
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "未找到 (not found)"}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "未登录或令牌无效 (unauthorized)"}, status=401)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


for router in (members_api.router, stations_api.router, aid_api.router):
    api.add_router("/", router)
