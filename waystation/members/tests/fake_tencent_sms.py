"""A local stand-in for Tencent Cloud's SMS API (sms.tencentcloudapi.com, SendSms 2021-01-11).

It checks each request as the real API does — the TC3-HMAC-SHA256 signature over the body, the
secret id — and answers with the real API's bodies (shapes from Tencent's API documentation):
HTTP 200 and {"Response": {"SendStatusSet": [...], "RequestId": ...}} on success, a per-number
status such as LimitExceeded.PhoneNumberThirtySecondLimit when one number is refused, and
{"Response": {"Error": {"Code", "Message"}, "RequestId"}} for a refused call.
"""

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

AUTH = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/sms/tc3_request,"
    r" SignedHeaders=content-type;host, Signature=(?P<sig>[0-9a-f]{64})$"
)


def tc3_signature(secret_key: str, *, date: str, timestamp: str, headers, body: bytes) -> str:
    """The signature Tencent's API expects (its "签名方法 v3"), computed independently."""
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{headers['Content-Type']}\nhost:{headers['Host']}\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            timestamp,
            f"{date}/sms/tc3_request",
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )

    def mac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = mac(mac(mac(f"TC3{secret_key}".encode(), date), "sms"), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class FakeTencentSms:
    """`answer` picks the reply: "ok", "throttled" (one number refused), "request_limit"
    (the account calls too often), "http_error" (a 502 page from a gateway), "hang" (no reply
    until the test ends). Requests that fail authentication are refused whatever `answer` is."""

    def __init__(self, *, secret_id: str, secret_key: str) -> None:
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.answer = "ok"
        self.requests: list[dict] = []
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> "FakeTencentSms":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def reply(self, headers, body: bytes) -> tuple[int, str, bytes]:
        request_id = str(uuid.uuid4())
        auth = AUTH.match(headers.get("Authorization", ""))
        if auth is None:
            return _error(
                "AuthFailure.InvalidAuthorization", "Authorization header invalid.", request_id
            )
        if auth["id"] != self.secret_id:
            return _error(
                "AuthFailure.SecretIdNotFound",
                "The SecretId is not found, please ensure that your SecretId is correct.",
                request_id,
            )
        timestamp = headers.get("X-TC-Timestamp", "0")
        if abs(time.time() - int(timestamp)) > 300:
            return _error("AuthFailure.SignatureExpire", "Signature expired.", request_id)
        # The credential's date is the UTC date of the timestamp.
        date = datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d")
        expected = tc3_signature(
            self.secret_key, date=date, timestamp=timestamp, headers=headers, body=body
        )
        if auth["date"] != date or not hmac.compare_digest(expected, auth["sig"]):
            return _error(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated."
                " Please ensure your signature is correct.",
                request_id,
            )
        if self.answer == "http_error":
            return 502, "text/html", b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        if self.answer == "request_limit":
            return _error(
                "RequestLimitExceeded",
                "Your current request times equals to `3001`"
                " in a second, which exceeds the frequency limit.",
                request_id,
            )
        phones = json.loads(body)["PhoneNumberSet"]
        if self.answer == "throttled":
            status = {
                "Code": "LimitExceeded.PhoneNumberThirtySecondLimit",
                "Message": "the number of sms messages sent from a single mobile number within"
                " 30 seconds exceeds the upper limit",
                "SerialNo": "",
                "Fee": 0,
            }
        else:
            status = {
                "Code": "Ok",
                "Message": "send success",
                "SerialNo": "5000:1045710669157053657849499619",
                "Fee": 1,
            }
        sent = [{**status, "PhoneNumber": p, "SessionContext": "", "IsoCode": "CN"} for p in phones]
        return _json({"Response": {"SendStatusSet": sent, "RequestId": request_id}})

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests.append({"headers": dict(self.headers), "body": json.loads(body)})
                if fake.answer == "hang":
                    fake._release.wait(10)
                    return
                status, content_type, payload = fake.reply(self.headers, body)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # keep the test output quiet
                pass

        return Handler


def _json(data: dict) -> tuple[int, str, bytes]:
    return 200, "application/json", json.dumps(data, ensure_ascii=False).encode()


def _error(code: str, message: str, request_id: str) -> tuple[int, str, bytes]:
    # Tencent's API answers a refused call with HTTP 200 and an Error object.
    return _json(
        {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}
    )
