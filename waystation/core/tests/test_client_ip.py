"""The client's address behind a configured number of trusted reverse proxies."""

import pytest
from django.test import RequestFactory

from waystation.core.net import ClientAddressMiddleware, client_ip, current_client_ip
from waystation.privacy.audit import AuditAction, audit_record


def request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_peer_address_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(forwarded="203.0.113.9")) == "10.0.0.1"  # the header is ignored


def test_behind_one_proxy_the_address_it_appended_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(forwarded="203.0.113.9")) == "203.0.113.9"


def test_an_address_the_client_put_in_the_header_is_not_believed(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(forwarded="1.2.3.4, 203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_the_outer_proxys_entry_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    forwarded = "1.2.3.4, 203.0.113.9, 10.0.0.2"  # invented, client (seen by outer), outer
    assert client_ip(request(forwarded=forwarded)) == "203.0.113.9"


def test_fewer_entries_than_trusted_proxies_take_the_farthest(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request(forwarded="203.0.113.9")) == "203.0.113.9"


@pytest.mark.parametrize("forwarded", ["", "not-an-address", "203.0.113.9:443"])
def test_a_missing_or_malformed_entry_falls_back_to_the_peer(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(forwarded=forwarded)) == "10.0.0.1"


def test_ipv6_addresses_are_normalised(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(forwarded="2001:DB8:0:0::1")) == "2001:db8::1"


def test_no_request_has_no_address():
    assert client_ip(None) is None


def test_the_middleware_makes_the_forwarded_client_the_current_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    seen = []
    ClientAddressMiddleware(lambda r: seen.append(current_client_ip()))(
        request(forwarded="1.2.3.4, 203.0.113.9")
    )
    assert seen == ["203.0.113.9"]
    assert current_client_ip() is None  # and forgets it once the response is made


def test_the_middleware_forgets_the_address_when_the_view_raises(settings):
    def view(r):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        ClientAddressMiddleware(view)(request())
    assert current_client_ip() is None


def test_the_audit_log_records_the_current_client(settings, db):
    settings.TRUSTED_PROXY_COUNT = 1
    row = ClientAddressMiddleware(
        lambda r: audit_record(action=AuditAction.MEMBER_REVEAL, actor_label="test")
    )(request(forwarded="203.0.113.9"))
    assert row.ip == "203.0.113.9"


def test_outside_a_request_the_audit_log_records_no_address(db):
    assert audit_record(action=AuditAction.MEMBER_REVEAL, actor_label="test").ip is None
