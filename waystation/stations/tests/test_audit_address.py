"""A station edit's audit row carries the client address, which no station service is given:
the middleware (core/net.py) sets it for the request, behind TRUSTED_PROXY_COUNT proxies."""

import pytest

from waystation.privacy.audit import AuditAction
from waystation.privacy.models import AuditLog

CLIENT, PROXY = "203.0.113.9", "10.0.0.2"
EDIT = {"status": "open", "capacity": "12", "services": ["water"], "weekly_text": ""}


def edit_through_the_proxy(client):
    """The edit as our reverse proxy passes it on: from the proxy, the client appended."""
    r = client.post(
        "/staff/stations/TN001/edit/",
        EDIT,
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"1.2.3.4, {CLIENT}",  # 1.2.3.4: invented by the client
    )
    assert r.status_code == 302
    return AuditLog.objects.get(action=AuditAction.STATION_UPDATE)


@pytest.mark.parametrize(("proxies", "recorded"), [(1, CLIENT), (0, PROXY)])
def test_a_station_edit_records_the_client_address(settings, as_user, keeper, proxies, recorded):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert edit_through_the_proxy(as_user(keeper)).ip == recorded
