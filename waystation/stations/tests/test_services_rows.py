"""Services are rows (national reference data): the thirteen of the report keep their bits, the
lookups follow a change of a row at once in this process and through the registry stamp in the
others, and the public filters and staff forms offer the active ones."""

import pytest
from django.db.models import F

from waystation.stations.catalogue import catalogue_clear, services_ensure, services_mask
from waystation.stations.models import RegistryVersion, Service, Station

NEAREST = "/api/v1/stations/nearest?lon=119.99&lat=31.78"


@pytest.fixture(autouse=True)
def _fresh_catalogue():
    # A rolled-back test must not leave its services in this process's catalogue.
    catalogue_clear()
    yield
    catalogue_clear()


def test_the_services_are_rows_with_the_bits_the_masks_always_had(db):
    rows = list(Service.objects.order_by("bit").values_list("code", "bit"))
    assert len(rows) == 13
    assert rows[:3] == [("heating", 0), ("cooling", 1), ("water", 2)]
    assert services_mask(["water", "legal_aid"]) == (1 << 2) | (1 << 9)


def test_services_ensure_adds_what_is_missing_and_keeps_what_was_edited(db):
    Service.objects.filter(code="wifi").update(name="无线网络")
    Service.objects.filter(code="counselling").delete()
    services_ensure()
    services_ensure()
    assert Service.objects.count() == 13
    assert Service.objects.get(code="wifi").name == "无线网络"
    assert Service.objects.get(code="counselling").bit == 12


def test_a_renamed_service_shows_its_new_name_at_once(make_station):
    make_station(services=["water"])
    assert Station.objects.get().service_names == ["饮水"]
    water = Service.objects.get(code="water")
    water.name = "热水"
    water.save(update_fields=["name"])
    assert Station.objects.get().service_names == ["热水"]


def test_a_new_service_is_offered_accepted_and_found(client, as_user, people, make_station):
    Service.objects.create(code="shower", name="淋浴", bit=13, order=20)
    assert make_station(services=["water", "shower"]).services == ["water", "shower"]
    assert 'value="shower"' in client.get("/stations/").content.decode()
    edit = as_user(people.alice).get("/staff/stations/TN001/edit/").content.decode()
    assert 'value="shower"' in edit
    hits = client.get(NEAREST + "&service=shower").json()
    assert [(h["code"], h["services"]) for h in hits] == [("TN001", ["water", "shower"])]


def test_a_retired_service_is_not_offered_nor_shown_and_keeps_its_bit(client, make_station):
    make_station(services=["water", "legal_aid"])
    legal_aid = Service.objects.get(code="legal_aid")
    legal_aid.active = False
    legal_aid.save(update_fields=["active"])
    assert Station.objects.get().services == ["water"]
    assert 'value="legal_aid"' not in client.get("/stations/").content.decode()
    assert client.get(NEAREST + "&service=legal_aid").status_code == 400
    legal_aid.active = True
    legal_aid.save(update_fields=["active"])
    assert Station.objects.get().services == ["water", "legal_aid"]


def test_another_processs_change_is_followed_through_the_registry_stamp(client, make_station):
    make_station(services=["wifi"])

    def layer_services():
        return client.get("/api/v1/stations").json()["features"][0]["properties"]["services"]

    assert layer_services() == ["wifi"]
    # what another process's change looks like here: the row, then the stamp, and no signal
    Service.objects.filter(code="wifi").update(code="wlan")
    assert layer_services() == ["wifi"]  # the stamp has not moved: cached, as it should be
    RegistryVersion.objects.filter(pk=1).update(stamp=F("stamp") + 1)
    assert layer_services() == ["wlan"]
    assert client.get(NEAREST).json()[0]["services"] == ["wlan"]
    Service.objects.bulk_create([Service(code="shower", name="淋浴", bit=13)])
    RegistryVersion.objects.filter(pk=1).update(stamp=F("stamp") + 1)
    assert client.get("/api/v1/stations?service=shower").json()["features"] == []


def test_a_service_another_process_added_is_accepted_and_offered_at_once(
    as_user, people, make_station
):
    make_station("TN001")  # this process has its catalogue

    def added_elsewhere(code, bit):  # the row, then the stamp: no signal reaches this process
        Service.objects.bulk_create([Service(code=code, name=code, bit=bit)])
        RegistryVersion.objects.filter(pk=1).update(stamp=F("stamp") + 1)

    added_elsewhere("shower", 13)
    assert make_station("TN002", services=["shower"]).services == ["shower"]
    added_elsewhere("sauna", 14)
    c = as_user(people.alice)
    assert 'value="sauna"' in c.get("/staff/stations/").content.decode()
    added_elsewhere("laundry", 15)
    assert 'value="laundry"' in c.get("/staff/stations/TN001/edit/").content.decode()
