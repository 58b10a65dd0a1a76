"""The demo stations are written in bulk (no save()): each row carries its city all the same."""

import io

from django.core.management.base import OutputWrapper

from waystation.accounts.models import City
from waystation.stations import demo
from waystation.stations.models import FaultReport, Station, Visit


def test_the_demo_writes_every_row_in_bulk_with_its_city_and_loads_once(db):
    out = io.StringIO()
    demo.load(OutputWrapper(out))
    changzhou = City.objects.get(adcode="320400")
    for model in (Station, Visit, FaultReport):
        assert set(model.objects.values_list("city_id", flat=True)) == {changzhou.pk}, model
    assert (Station.objects.count(), Visit.objects.count()) == (312, 4000)
    assert Station.objects.get(code="TN001").district_id == "tianning"
    assert Visit.objects.filter(industry__isnull=True).exists()  # "not given", as NULL
    demo.load(OutputWrapper(out))
    assert Station.objects.count() == 312
    assert out.getvalue().splitlines()[-1] == "demo stations: already loaded"
