"""Going back to a deployment from before cities were rows (accounts 0001) and forward again,
for the tests of the data migrations: the test database's organisation (loaded as rows after
migrating) is removed first, as an old deployment had none of it, and the old one is written
with the historical models (`legacy_units`)."""

from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from waystation.accounts.models import City, District, OrgUnit, Province, StaffRole

ACCOUNTS_BEFORE = ("accounts", "0001_initial")
ACCOUNTS_AFTER = ("accounts", "0002_vocabulary_as_data")


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader: the graph as applied now


def _accounts_to(target: tuple[str, str]) -> None:
    # accounts 0002 updates every org unit and alters the table in the same transaction, both
    # ways, which PostgreSQL refuses while the foreign-key checks of those updates are pending
    # ("pending trigger events"). Until that migration checks them at once itself, it runs here
    # in a transaction whose checks are immediate. The migrations under test are not run so:
    # they run as a deployment runs them, each in its own transaction.
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        _migrate([target])


def migrate_back(apps_before: list[tuple[str, str]]) -> MigrationExecutor:
    """To the apps' migrations before cities, then to accounts 0001."""
    _migrate(apps_before)
    _accounts_to(ACCOUNTS_BEFORE)
    return MigrationExecutor(connection)


def migrate_to_latest() -> MigrationExecutor:
    _accounts_to(ACCOUNTS_AFTER)
    return _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def forget_the_organisation() -> None:
    StaffRole.objects.all().delete()
    OrgUnit.objects.update(parent=None)
    OrgUnit.objects.all().delete()
    District.objects.all().delete()
    City.objects.all().delete()
    Province.objects.all().delete()


def legacy_units(apps) -> dict[str, object]:
    """Changzhou's units as accounts 0001 had them: codes, no city."""
    OrgUnit = apps.get_model("accounts", "OrgUnit")
    city = OrgUnit.objects.create(code="city", name="常州市总工会", kind="city")
    units = {"city": city}
    for code, name in (("tianning", "天宁区总工会"), ("jingkai", "经开区总工会")):
        units[code] = OrgUnit.objects.create(
            code=code, name=name, kind="district", district=code, parent=city
        )
    for code, name in (("express", "快递行业工会"), ("food_delivery", "外卖送餐行业工会")):
        units[code] = OrgUnit.objects.create(
            code=code, name=name, kind="industry", industry=code, parent=city
        )
    return units
