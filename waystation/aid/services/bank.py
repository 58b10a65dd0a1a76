"""The bank side of payouts: a batch file for the bank's bulk transfer (the only place full
account numbers appear), then each transfer marked paid by its bank reference or failed."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waystation.accounts.access import NotInScope
from waystation.accounts.models import City
from waystation.privacy.audit import AuditAction, audit_record

from .. import bank_templates
from .. import workflow as flow
from ..access import can_approve_claims, can_approve_in, cities_managed_by, payouts_visible_to
from ..models import Payout, PayoutBatch
from ..notify import claim_notify
from .common import ClaimStateError, claim_locked, claim_step, reason_required


def payout_batch_export(
    *,
    actor: User,
    payouts: Iterable[Payout] | None = None,
    city: City | None = None,
    template: str = bank_templates.DEFAULT,
) -> tuple[PayoutBatch, bytes]:
    """Put the chosen payouts (None: every pending one of `city`, which may be left out by an
    approver of one city) into a new bank batch and return its .xlsx, the only place full account
    numbers appear; audited. A batch is one city's: each city federation pays from its own
    account, so payouts of two cities are refused together. Only pending payouts may go in: a
    payout already in a batch is refused by name, so none goes out in two bank files. A payout of
    a city the actor does not approve for is, to them, one that does not exist. `template` is
    the bank's column layout (aid/bank_templates.py), kept with the batch so a later download
    has the same columns. Each claimant is told by SMS that the bank is paying."""
    if not can_approve_claims(actor):
        raise NotInScope
    if bank_templates.template(template) is None:
        raise ValidationError({"template": [_("请选择银行文件格式")]})
    with transaction.atomic():
        qs = payouts_visible_to(actor).select_for_update().order_by("id")
        if payouts is None:
            if city is None:
                cities = list(cities_managed_by(actor)[:2])
                if len(cities) != 1:
                    raise ValidationError({"city": [_("请选择导出哪个城市的付款")]})
                city = cities[0]
            if not can_approve_in(actor, city.pk):
                raise NotInScope
            rows = list(qs.filter(city=city, status=Payout.Status.PENDING))
        else:
            ids = sorted({p.pk for p in payouts})
            if not ids:
                raise ValidationError({"payouts": ["请勾选要导出的付款"]})
            rows = list(qs.filter(pk__in=ids))
            refused = [
                f"付款 #{p.pk}"
                + (f" 已在批次 #{p.batch_id} 中" if p.batch_id else "")
                + f"（{p.get_status_display()}）"
                for p in rows
                if p.status != Payout.Status.PENDING
            ]
            if len(rows) != len(ids):
                refused.append("部分付款不存在")
            if len({p.city_id for p in rows}) > 1:
                refused.append(_("一个批次只能包含同一城市的付款"))
            if refused:
                raise ValidationError({"payouts": ["不能导出：" + "；".join(refused)]})
        if not rows:
            raise ValidationError({"payouts": ["没有待导出的付款"]})
        batch = PayoutBatch.objects.create(
            city_id=rows[0].city_id,
            created_by=actor,
            count=len(rows),
            total_fen=sum(p.amount_fen for p in rows),
            bank_template=template,
        )
        Payout.objects.filter(pk__in=[p.pk for p in rows]).update(
            status=Payout.Status.EXPORTED, batch=batch
        )
        for p in rows:
            claim_notify(p.claim_id)
    return batch, payout_batch_file(batch=batch, actor=actor)


def payout_batch_file(*, batch: PayoutBatch, actor: User) -> bytes:
    if not can_approve_in(actor, batch.city_id):
        raise NotInScope
    payouts = list(
        batch.payouts.select_related("claim__member").order_by("id")  # type: ignore[attr-defined]
    )
    layout = bank_templates.template(batch.bank_template) or bank_templates.BY_CODE["generic"]
    data = bank_templates.render(
        layout,
        (
            {
                "seq": i,
                "payout_id": p.pk,
                "claim_number": p.claim.number,
                "account_name": p.claim.account_name,
                "bank_name": p.claim.bank_name,
                "account_no": p.claim.bank_card,
                "amount_fen": p.amount_fen,
                "purpose": _("互助保障给付 %(n)s") % {"n": p.claim.number},
            }
            for i, p in enumerate(payouts, start=1)
        ),
        title=_("银行批量代付"),
    )
    audit_record(
        action=AuditAction.AID_PAYOUT_BATCH_EXPORT,
        actor=actor,
        obj=batch,
        reason="银行批量代付文件（含完整账号）",
        detail={
            "count": len(payouts),
            "total_fen": batch.total_fen,
            "payouts": [p.pk for p in payouts],
            "template": layout.code,
        },
    )
    return data


@transaction.atomic
def payout_mark_paid(*, payout: Payout, bank_reference: str, actor: User) -> Payout:
    if not can_approve_in(actor, payout.city_id):
        raise NotInScope
    ref = (bank_reference or "").strip()
    if not ref:
        raise ValidationError({"bank_reference": ["请填写银行回单号"]})
    claim = claim_locked(payout.claim)
    payout = Payout.objects.select_for_update().get(pk=payout.pk)
    if payout.status == Payout.Status.PAID:
        if payout.bank_reference == ref:
            return payout
        raise ClaimStateError("该笔付款已标记支付")
    if payout.status != Payout.Status.EXPORTED:
        raise ClaimStateError(_not_sent(payout, _("标记支付")))
    if Payout.objects.filter(bank_reference=ref).exclude(pk=payout.pk).exists():
        raise ValidationError({"bank_reference": ["该银行回单号已用于其他付款"]})
    payout.status = Payout.Status.PAID
    payout.bank_reference = ref[:64]
    payout.paid_at = timezone.now()
    payout.save(update_fields=["status", "bank_reference", "paid_at"])
    claim.status = claim_step(claim, flow.Step.PAID, actor).target
    claim.save(update_fields=["status", "updated_at"])
    audit_record(
        action=AuditAction.AID_PAYOUT_PAID,
        actor=actor,
        obj=payout,
        detail={"claim": claim.number, "bank_reference": payout.bank_reference},
    )
    claim_notify(claim.pk)
    return payout


@transaction.atomic
def payout_mark_failed(*, payout: Payout, reason: str, actor: User) -> Payout:
    if not can_approve_in(actor, payout.city_id):
        raise NotInScope
    reason = reason_required(reason)
    claim = claim_locked(payout.claim)
    payout = Payout.objects.select_for_update().get(pk=payout.pk)
    if payout.status != Payout.Status.EXPORTED:
        raise ClaimStateError(_not_sent(payout, _("标记失败")))
    payout.status = Payout.Status.FAILED
    payout.failure_reason = reason[:200]
    payout.save(update_fields=["status", "failure_reason"])
    audit_record(action=AuditAction.AID_PAYOUT_FAILED, actor=actor, obj=payout, reason=reason)
    claim_notify(claim.pk)
    return payout


def _not_sent(payout: Payout, what: str) -> str:
    """Why a payout not (or no longer) at the bank cannot be marked: only the bank's answer to a
    file that was sent says paid or failed."""
    if payout.status == Payout.Status.PENDING:
        return _("付款 #%(pk)s 尚未导出银行文件，不能%(what)s：请先导出批量代付文件") % {
            "pk": payout.pk,
            "what": what,
        }
    return _("付款状态“%(s)s”不能%(what)s") % {"s": payout.get_status_display(), "what": what}
