"""The migration that gives every aid row its city keeps every row of an existing (Changzhou)
deployment: each plan, gift batch, enrolment, claim, document, payout, bank batch and condolence
visit keeps its values and gets Changzhou, and the migration goes back and forward again."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from waystation.aid import models as aid
from waystation.members.services import member_fields

# Just before: aid 0004, on the vocabulary as rows (accounts 0002). Going back to accounts 0001
# as well needs accounts 0002 to take rows both ways on PostgreSQL (see the lead's notes).
BEFORE = [("accounts", "0002_vocabulary_as_data"), ("aid", "0004_idempotency_key_moves_to_core")]
CHANGZHOU = "320400"


def _migrate(targets):
    """Migrate to `targets` (None: the latest) and return the models of the state reached."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor = MigrationExecutor(connection)  # the graph as the database now has it
    return executor.loader.project_state(sorted(executor.loader.applied_migrations)).apps


def _old_rows(apps) -> dict[str, list[int]]:
    """One row of every aid table (two plans), made with the models of aid 0004, around the
    Changzhou codes the rows carried then."""
    User = apps.get_model("auth", "User")
    OrgUnit = apps.get_model("accounts", "OrgUnit")
    Platform = apps.get_model("accounts", "Platform")
    Member = apps.get_model("members", "Member")
    m = {name: apps.get_model("aid", name) for name in MIGRATED}
    staff = User.objects.create(username="carl-1999")
    tianning, truck = OrgUnit.objects.get(code="tianning"), OrgUnit.objects.get(code="truck")
    names = {f.name for f in Member._meta.get_fields()}
    fields = member_fields(name="张三", id_number="320402199001010011", phone="13800000011")
    codes = {"industry": "truck", "work_district": "tianning"}  # a code or a foreign key's
    member = Member.objects.create(
        member_number="CZ00000001",
        union=truck,
        channel="scan",
        **{k: v for k, v in fields.items() if k in names},
        **{Member._meta.get_field(k).attname: v for k, v in codes.items()},
        **({"city_id": truck.city_id} if "city" in names else {}),
    )
    day = date(2026, 1, 5)
    plans = [
        m["Plan"].objects.create(
            code=code,
            name=code,
            kind="accident",
            year=2026,
            start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
            industries=industries,
            schedule=[],
        )
        for code, industries in (("accident-2026", []), ("truck-2026", ["truck"]))
    ]
    batch = m["GiftBatch"].objects.create(
        plan=plans[1], unit=tianning, source="filter", params={"district": "tianning"},
        enrol_on=day, created_by=staff,
    )  # fmt: skip
    enrolment = m["Enrolment"].objects.create(
        plan=plans[1], member=member, enrolled_on=day, covered_from=day,
        covered_to=date(2026, 12, 31), source="gift", gifted_by=tianning, batch=batch,
    )  # fmt: skip
    claim = m["Claim"].objects.create(
        number="HZ2026000001", member=member, enrolment=enrolment,
        platform=Platform.objects.get(code="huolala"), incident_type="accident",
        incident_date=date(2026, 3, 2), incident_place="天宁区延陵西路", description="摔倒",
        status="approved", approved_fen=32000,
    )  # fmt: skip
    document = m["ClaimDocument"].objects.create(
        claim=claim, doc_type="invoice", stored_name="aid/x.pdf", content_type="application/pdf",
        size=10, sha256="0" * 64,
    )  # fmt: skip
    bank = m["PayoutBatch"].objects.create(created_by=staff, count=1, total_fen=32000)
    payout = m["Payout"].objects.create(
        claim=claim, amount_fen=32000, status="exported", batch=bank
    )
    visit = m["Condolence"].objects.create(
        member=member, plan=plans[1], visited_on=day, cash_fen=50000, reason="重病慰问",
        approver=staff, recorded_by=staff, unit=truck,
    )  # fmt: skip
    rows = {
        "Plan": plans,
        "GiftBatch": [batch],
        "Enrolment": [enrolment],
        "Claim": [claim],
        "ClaimDocument": [document],
        "PayoutBatch": [bank],
        "Payout": [payout],
        "Condolence": [visit],
    }
    return {name: sorted(r.pk for r in found) for name, found in rows.items()}


MIGRATED = ("Plan", "GiftBatch", "Enrolment", "Claim", "ClaimDocument", "PayoutBatch", "Payout",
            "Condolence")  # fmt: skip
# a value per table that must come through untouched
KEPT = {
    "Plan": ("code", "industries"),
    "GiftBatch": ("params",),
    "Enrolment": ("source",),
    "Claim": ("number", "incident_place"),
    "ClaimDocument": ("stored_name",),
    "PayoutBatch": ("total_fen",),
    "Payout": ("status",),
    "Condolence": ("reason",),
}
EXPECTED = {
    "Plan": [("accident-2026", []), ("truck-2026", ["truck"])],
    "GiftBatch": [({"district": "tianning"},)],
    "Enrolment": [("gift",)],
    "Claim": [("HZ2026000001", "天宁区延陵西路")],
    "ClaimDocument": [("aid/x.pdf",)],
    "PayoutBatch": [(32000,)],
    "Payout": [("exported",)],
    "Condolence": [("重病慰问",)],
}


def _check(pks: dict[str, list[int]]) -> None:
    for name in MIGRATED:
        model = getattr(aid, name)
        rows = model.objects.order_by("pk").select_related("city")
        assert [r.pk for r in rows] == pks[name], name
        assert [tuple(getattr(r, f) for f in KEPT[name]) for r in rows] == EXPECTED[name], name
        assert {r.city.adcode for r in rows} == {CHANGZHOU}, name


@pytest.mark.django_db(transaction=True)
def test_every_aid_row_keeps_its_values_and_gets_changzhou_both_ways():
    try:
        pks = _old_rows(_migrate(BEFORE))
        _migrate(None)
        _check(pks)
        member = aid.Condolence.objects.get().member
        assert member.work_district_id == "tianning"
        assert aid.Plan.objects.filter(code="truck-2026", city__adcode=CHANGZHOU).exists()

        old = _migrate(BEFORE)  # back: the rows stay, without their city
        for name in MIGRATED:
            model = old.get_model("aid", name)
            assert sorted(model.objects.values_list("pk", flat=True)) == pks[name], name
            assert "city" not in {f.name for f in model._meta.get_fields()}
        _migrate(None)
        _check(pks)
    finally:
        _migrate(None)
