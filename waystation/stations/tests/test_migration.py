"""The move to cities (stations 0004) and to service rows (0005) keeps every row of an existing
Changzhou deployment: each keeps its district and industry codes, gets Changzhou as its city,
and the services masks keep their meaning; back and forward again changes nothing."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from waystation.accounts.models import City, OrgUnit
from waystation.stations.catalogue import catalogue, catalogue_clear
from waystation.stations.models import FaultReport, Station, StationException, StationPhoto, Visit

BEFORE = [("accounts", "0001_initial"), ("stations", "0003_checkin_proof")]
WATER_AND_LEGAL_AID = (1 << 2) | (1 << 9)  # the bits SERVICES gave "water" and "legal_aid"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _back_to_before():
    # Without org units: accounts 0002 does not go back on PostgreSQL with org units present
    # (its backwards step updates them in the transaction that then alters their table: "pending
    # trigger events"). So this is a deployment's stations with no unions yet, and the stations
    # migration itself must create Changzhou.
    OrgUnit.objects.update(parent=None)
    OrgUnit.objects.all().delete()
    return _migrate(BEFORE)


def _forward():
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    catalogue_clear()  # the rows were made by the migration, not through the model


def _old_rows(apps):
    OldStation = apps.get_model("stations", "Station")
    tn = OldStation.objects.create(
        code="TN001", name="天宁驿站", district="tianning", lon=119.99, lat=31.78,
        services_mask=WATER_AND_LEGAL_AID,
    )  # fmt: skip
    jk = OldStation.objects.create(
        code="JK001", name="经开驿站", district="jingkai", lon=120.05, lat=31.7
    )
    apps.get_model("stations", "StationException").objects.create(
        station=tn, start_date=date(2026, 10, 1), end_date=date(2026, 10, 3)
    )
    apps.get_model("stations", "StationPhoto").objects.create(
        station=jk, stored_name="a" * 32 + ".png", content_type="image/png"
    )
    OldVisit = apps.get_model("stations", "Visit")
    OldVisit.objects.create(station=tn, industry="express")
    OldVisit.objects.create(station=jk, industry="")
    apps.get_model("stations", "FaultReport").objects.create(station=jk, category="water")


def _assert_moved():
    changzhou = City.objects.get(adcode="320400")
    stations = {s.code: s for s in Station.objects.all()}
    assert {c: (s.district_id, s.city_id) for c, s in stations.items()} == {
        "TN001": ("tianning", changzhou.pk),
        "JK001": ("jingkai", changzhou.pk),
    }
    assert stations["TN001"].services == ["water", "legal_aid"]
    for model in (StationException, StationPhoto, Visit, FaultReport):
        assert set(model.objects.values_list("city_id", flat=True)) == {changzhou.pk}
    assert StationException.objects.get().station.code == "TN001"
    assert StationPhoto.objects.get().station.code == "JK001"
    assert FaultReport.objects.get().station.code == "JK001"
    assert sorted(Visit.objects.values_list("station__code", "industry_id")) == [
        ("JK001", None),
        ("TN001", "express"),
    ]
    assert len(catalogue().services) == 13


def _assert_back(apps):
    OldStation = apps.get_model("stations", "Station")
    assert sorted(OldStation.objects.values_list("code", "district", "services_mask")) == [
        ("JK001", "jingkai", 0),
        ("TN001", "tianning", WATER_AND_LEGAL_AID),
    ]
    assert sorted(
        apps.get_model("stations", "Visit").objects.values_list("industry", flat=True)
    ) == [
        "",
        "express",
    ]
    for name in ("StationException", "StationPhoto", "FaultReport"):
        assert apps.get_model("stations", name).objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_stations_move_to_changzhou_keeping_every_row_and_code_and_back_again():
    try:
        _old_rows(_back_to_before())
    finally:
        _forward()
    _assert_moved()

    try:
        _assert_back(_back_to_before())
    finally:
        _forward()
    _assert_moved()
