"""The index reads the registry in one statement on PostgreSQL (index_load.py): it must describe
every station exactly as the row-by-row ORM read does."""

from datetime import date

import numpy as np
import pytest

from waystation.stations import index
from waystation.stations.index_load import TEXTS, load_columns_orm, load_columns_postgresql
from waystation.stations.models import Station
from waystation.stations.selectors import stations_nearest
from waystation.stations.services import registry_touch

from .conftest import city_of

pytestmark = pytest.mark.django_db


def _stations():
    weekly = [
        [[["08:00", "20:00"]]] * 7,
        [[["18:00", "02:00"]]] * 5 + [[], []],
        [],
    ]
    texts = [
        ("驿站甲", "天宁区青洋北路 1 号"),
        ("Café 🚲 station", ""),  # an astral character and an empty address
        ("", "'quoted' \\ back\\slash %s %(x)s"),
    ]
    statuses = list(Station.Status.values)
    city = city_of("tianning")
    Station.objects.bulk_create(
        Station(
            code=f"L{i:03d}",
            name=texts[i % 3][0],
            address=texts[i % 3][1],
            city_id=city,
            district_id=["tianning", "zhonglou", "xinbei"][i % 3],
            lon=119.9 + i * 1e-3,
            lat=31.7 - i * 1e-3,
            weekly_hours=weekly[i % 3],
            is_24h=i % 4 == 0,
            status=statuses[i % len(statuses)],
            services_mask=(1 << 12) - 1 - i,
        )
        for i in range(30)
    )


def _per_station(cols):
    return {
        "ids": cols.ids.tolist(),
        "lon": cols.lon.tolist(),
        "lat": cols.lat.tolist(),
        "mask": cols.mask.tolist(),
        "flags": cols.flags.tolist(),
        "hours": [cols.patterns[k] for k in cols.pattern.tolist()],
        "texts": cols.texts,
        "lengths": cols.lengths.tolist(),
    }


@pytest.mark.postgres
def test_the_one_statement_read_gives_what_the_orm_read_gives():
    _stations()
    fast, orm = load_columns_postgresql(), load_columns_orm()
    assert fast.size == orm.size == 30
    assert _per_station(fast) == _per_station(orm)
    assert len(fast.patterns) == 6  # three weekly schedules, each with and without 24 h


@pytest.mark.postgres
def test_the_one_statement_read_of_an_empty_registry_is_empty():
    cols = load_columns_postgresql()
    assert cols.size == 0
    assert cols.lengths.shape == (0, len(TEXTS))
    assert index.assemble(1, date(2026, 3, 2), cols, {}).size == 0


def test_the_index_texts_are_each_stations_own():
    _stations()
    idx = index.build(1, date(2026, 3, 2))
    by_code = {s.code: s for s in Station.objects.all()}
    for row in range(idx.size):
        station = by_code[idx.codes[row]]
        assert (idx.names[row], idx.addresses[row]) == (station.name, station.address)
        assert (idx.districts[row], idx.statuses[row]) == (station.district_id, station.status)
        assert idx.ids[row] == station.pk
    assert np.all(idx.status_open == [s == Station.Status.OPEN for s in idx.statuses])


def test_a_station_with_unreadable_hours_counts_as_closed_and_the_rest_are_served(
    make_station, caplog
):
    make_station("TN001", is_24h=False)
    make_station("TN002", lon=120.0, lat=31.77, is_24h=True)
    # written around the form's checks, e.g. by hand in the database
    Station.objects.filter(code="TN001").update(weekly_hours=[["8 点", "20 点"]] * 7)
    registry_touch()
    hits = stations_nearest(lon=119.99, lat=31.78, limit=2)
    assert [(h.code, h.open_now) for h in hits] == [("TN001", False), ("TN002", True)]
    assert "unreadable weekly hours" in caplog.text
