"""The Idempotency-Key decorator on an endpoint of its own: the same key gets the same answer
without running again, the same key for another request is a 409, keys are independent and per
caller, only successful answers are kept, and the header is required and documented."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import path
from ninja import NinjaAPI, Router, Schema, Status
from ninja.security import HttpBearer
from ninja.testing import TestClient

from waystation.api import on_django_validation_error
from waystation.core.idempotency import idempotent
from waystation.core.models import IdempotencyKey

pytestmark = pytest.mark.django_db

calls: list[tuple[str, int]] = []


class ByName(HttpBearer):
    """The bearer token is the caller's username (for these tests only)."""

    def authenticate(self, request, token):
        return get_user_model().objects.filter(username=token).first()


class CountIn(Schema):
    n: int


router = Router()


@router.post("/things/{thing}/count", auth=ByName(), response={201: dict, 409: dict})
@idempotent("test.count")
def count(request, thing: str, payload: CountIn):
    calls.append((thing, payload.n))
    if payload.n < 0:
        return Status(409, {"detail": "不能为负"})
    return Status(201, {"thing": thing, "n": payload.n, "call": len(calls)})


@router.post("/things/{thing}/again", auth=ByName(), response={200: dict, 409: dict})
@idempotent("test.again")
def again(request, thing: str, payload: CountIn):
    calls.append((thing, payload.n))
    return {"again": len(calls)}


api = NinjaAPI(urls_namespace="test-idempotency")
api.add_router("/", router)
api.exception_handler(ValidationError)(on_django_validation_error)
client = TestClient(api)
urlpatterns = [path("t/", api.urls)]  # for the OpenAPI document, which reverses the urls


@pytest.fixture(autouse=True)
def _callers():
    calls.clear()
    for name in ("alice", "bob"):
        get_user_model().objects.create_user(username=name)


def post(path: str, n: int, key: str | None = "k-1", caller: str = "alice"):
    headers = {"Authorization": f"Bearer {caller}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(path, json={"n": n}, headers=headers)


def test_the_same_key_gets_the_same_answer_without_running_again():
    first = post("/things/a/count", 1)
    repeat = post("/things/a/count", 1)
    assert first.status_code == repeat.status_code == 201
    assert first.json() == repeat.json() == {"thing": "a", "n": 1, "call": 1}
    assert calls == [("a", 1)]
    kept = IdempotencyKey.objects.get()
    assert (kept.actor, kept.key, kept.endpoint, kept.status_code) == (
        f"user:{get_user_model().objects.get(username='alice').pk}",
        "k-1",
        "test.count",
        201,
    )


def test_the_same_key_with_another_body_is_refused_with_409():
    post("/things/a/count", 1)
    r = post("/things/a/count", 2)
    assert r.status_code == 409
    assert r.json() == {"detail": "该 Idempotency-Key 已用于另一请求 (key reused)"}
    assert calls == [("a", 1)]


def test_the_same_key_for_another_path_argument_is_refused_with_409():
    post("/things/a/count", 1)
    assert post("/things/b/count", 1).status_code == 409
    assert calls == [("a", 1)]


def test_the_same_key_on_another_endpoint_is_refused_with_409():
    post("/things/a/count", 1)
    r = post("/things/a/again", 1)
    assert r.status_code == 409
    assert r.json() == {"detail": "该 Idempotency-Key 已用于另一请求 (key reused)"}
    assert calls == [("a", 1)]


def test_different_keys_are_independent():
    assert post("/things/a/count", 1, key="k-1").json()["call"] == 1
    assert post("/things/a/count", 1, key="k-2").json()["call"] == 2
    assert post("/things/a/count", 1, key="k-1").json()["call"] == 1
    assert IdempotencyKey.objects.count() == 2


def test_keys_are_per_caller():
    assert post("/things/a/count", 1, caller="alice").json()["call"] == 1
    assert post("/things/a/count", 1, caller="bob").json()["call"] == 2
    assert post("/things/a/count", 2, caller="bob").status_code == 409


def test_a_refused_answer_is_not_kept_so_the_key_may_be_sent_again():
    assert post("/things/a/count", -1).status_code == 409
    assert post("/things/a/count", -1).json() == {"detail": "不能为负"}
    assert post("/things/a/count", 1).status_code == 201
    assert calls == [("a", -1), ("a", -1), ("a", 1)]


def test_an_answer_without_a_status_is_kept_as_200():
    first = post("/things/a/again", 1)
    assert first.status_code == post("/things/a/again", 1).status_code == 200
    assert first.json() == {"again": 1} and len(calls) == 1


@pytest.mark.parametrize("key", [None, "", "   ", "x" * 101])
def test_a_key_is_required_and_at_most_100_characters(key):
    r = post("/things/a/count", 1, key=key)
    assert r.status_code == 400
    assert r.json() == {
        "errors": {"Idempotency-Key": ["请在请求头提供 Idempotency-Key（≤100 字符）"]}
    }
    assert calls == []


def test_a_key_of_100_characters_is_accepted():
    assert post("/things/a/count", 1, key="x" * 100).status_code == 201


@pytest.mark.urls(__name__)
def test_the_header_is_documented_on_the_endpoint():
    schema = api.get_openapi_schema()
    params = schema["paths"]["/t/things/{thing}/count"]["post"]["parameters"]
    assert [(p["in"], p["name"]) for p in params] == [
        ("path", "thing"),
        ("header", "Idempotency-Key"),
    ]


def test_a_view_that_takes_the_key_itself_is_refused_at_import():
    with pytest.raises(TypeError, match="already takes idempotency_key"):

        @idempotent("test.twice")
        def twice(request, idempotency_key: str):
            return {}


@pytest.mark.django_db(transaction=True)
def test_the_move_from_aid_to_core_keeps_the_keys_and_their_answers():
    before = [("aid", "0003_override_second_approver"), ("core", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("aid", "IdempotencyKey")
        old.objects.create(
            actor="user:7",
            key="k-1",
            endpoint="aid.claim_approve",
            request_hash="0" * 64,
            status_code=200,
            body={"payout": {"id": 1}},
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    kept = IdempotencyKey.objects.get()
    assert (kept.actor, kept.key, kept.status_code, kept.body) == (
        "user:7",
        "k-1",
        200,
        {"payout": {"id": 1}},
    )
    assert IdempotencyKey._meta.db_table == "core_idempotencykey"
    with pytest.raises(IntegrityError), transaction.atomic():
        IdempotencyKey.objects.create(
            actor="user:7", key="k-1", endpoint="x", request_hash="", status_code=200, body={}
        )
