"""Idempotency keys for API writes, as one decorator.

A client that may send a write twice (a phone on a bad network, a platform's job that retries)
sends an `Idempotency-Key` header. The first successful answer to a key is kept with a hash of
the request; the same key again gets that answer again, without running the endpoint. The same
key with another request (other arguments, or another endpoint) is refused with 409: a key
names one request. Keys are per caller (whoever the endpoint's auth says the caller is), so two
callers' keys never meet. A missing key, or one over 100 characters, is a 400.

Only successful answers (2xx) are kept: a refused request (400, 403, 404, 409 …) may be sent
again with the same key once its cause is fixed. The decorator is not a lock: two requests with
the same new key at the same moment both run the endpoint, so the endpoint itself must be safe
to run twice (claim approval is: the claim's row lock and the one-live-payout constraint); the
second keeping of the key is skipped.

    @router.post("/aid/claims/{number}/approve", auth=django_auth, response={...409: DetailOut})
    @idempotent("aid.claim_approve")
    def claim_approve(request, number: str, payload: ApproveIn): ...

The header is added to the endpoint's signature, so django-ninja reads it and documents it.
"""

import functools
import hashlib
import inspect
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from ninja import Header, Status
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_CHARS = 100  # IdempotencyKey.key
MISSING = "请在请求头提供 Idempotency-Key（≤100 字符）"
REUSED = "该 Idempotency-Key 已用于另一请求 (key reused)"
_PARAM = "idempotency_key"


def idempotent(endpoint: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make a django-ninja endpoint idempotent by key; `endpoint` names it in the stored keys."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(view, eval_str=True)
        if _PARAM in signature.parameters:
            raise TypeError(f"{view.__name__} already takes {_PARAM}")
        arguments = [name for name in signature.parameters if name != "request"]

        @functools.wraps(view)
        def wrapper(
            request: HttpRequest, *args: Any, idempotency_key: str = "", **kwargs: Any
        ) -> Any:
            key = idempotency_key.strip()
            if not key or len(key) > MAX_KEY_CHARS:
                raise ValidationError({HEADER: [MISSING]})
            actor = _caller(request)
            digest = _request_hash([kwargs.get(name) for name in arguments])
            seen = IdempotencyKey.objects.filter(actor=actor, key=key).first()
            if seen is not None:
                if seen.endpoint != endpoint or seen.request_hash != digest:
                    return Status(409, {"detail": REUSED})
                return Status(seen.status_code, seen.body)
            result = view(request, *args, **kwargs)
            status, value = (
                (result.status_code, result.value) if isinstance(result, Status) else (200, result)
            )
            if not 200 <= status < 300:
                return result
            # the answer as JSON keeps it: the first caller gets what a repeat will get
            body = json.loads(json.dumps(value, cls=NinjaJSONEncoder))
            try:
                with transaction.atomic():
                    IdempotencyKey.objects.create(
                        actor=actor,
                        key=key,
                        endpoint=endpoint,
                        request_hash=digest,
                        status_code=status,
                        body=body,
                    )
            except IntegrityError:  # the same key raced in; both ran the (idempotent) endpoint
                pass
            return Status(status, body)

        header = inspect.Parameter(
            _PARAM,
            inspect.Parameter.KEYWORD_ONLY,
            default=Header("", alias=HEADER),
            annotation=str,
        )
        wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*signature.parameters.values(), header]
        )
        return wrapper

    return decorator


def _caller(request: HttpRequest) -> str:
    """Whose key it is, from what the endpoint's auth put in request.auth: "user:7",
    "platform:2", "member:1234"."""
    auth = getattr(request, "auth", None)
    meta, pk = getattr(auth, "_meta", None), getattr(auth, "pk", None)
    if meta is None or pk is None:
        raise TypeError("an idempotent endpoint needs an auth that names a saved caller")
    return f"{meta.model_name}:{pk}"


def _request_hash(values: list[Any]) -> str:
    """The endpoint's arguments (path, query, body), in the order it takes them."""
    plain = [v.model_dump() if isinstance(v, BaseModel) else v for v in values]
    body = json.dumps(plain, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()
