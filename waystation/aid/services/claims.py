"""Writes for mutual aid: plans, enrolments, claims, payouts, condolence visits. Each audited.

A claim moves submitted → district_approved → approved → paid; the reviewer and the approver
may return it (→ returned, the member adds documents and resubmits) or reject it. Approving
creates the payout in the same transaction, with the claim row locked; a partial unique
constraint (one payout per claim that has not failed) makes a second payout impossible even if a
code path forgot the lock.
"""

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waystation.accounts.access import (
    can_approve_claims,
    can_manage_aid_plans,
    can_review_claims,
)
from waystation.accounts.models import OrgUnit, Platform
from waystation.core.models import counter_take
from waystation.core.uploads import sniff_image
from waystation.members.exports import xlsx_bytes
from waystation.privacy import crypto
from waystation.privacy.audit import audit_record
from waystation.privacy.masking import mask_bank_card

from .. import benefits
from ..benefits import yuan
from ..models import (
    Claim,
    ClaimDocument,
    Condolence,
    Enrolment,
    GiftBatch,
    Payout,
    PayoutBatch,
    Plan,
)

S = Claim.Status
MAX_UPLOAD_BYTES = getattr(settings, "AID_MAX_UPLOAD_BYTES", 8 * 1024 * 1024)
GIFT_CHUNK = 5000


class ClaimStateError(ValidationError):
    """The claim is not in a state that allows this step (the API answers 409)."""


# which step may start from which status, and where it leads
TRANSITIONS: dict[str, dict[Any, Any]] = {  # Any: mypy sees TextChoices as tuples
    "review": {S.SUBMITTED: S.DISTRICT_APPROVED},
    "return": {
        S.SUBMITTED: S.RETURNED,
        S.DISTRICT_APPROVED: S.RETURNED,
        S.OVERRIDE_PENDING: S.RETURNED,
    },
    "reject": {
        S.SUBMITTED: S.REJECTED,
        S.DISTRICT_APPROVED: S.REJECTED,
        S.OVERRIDE_PENDING: S.REJECTED,
        S.RETURNED: S.REJECTED,
    },
    "resubmit": {S.RETURNED: S.SUBMITTED},
    "approve": {S.DISTRICT_APPROVED: S.APPROVED},
    "override_confirm": {S.OVERRIDE_PENDING: S.APPROVED},
    "override_decline": {S.OVERRIDE_PENDING: S.DISTRICT_APPROVED},
    "paid": {S.APPROVED: S.PAID},
}
STEP_NAMES = {
    "review": "区级审核通过",
    "return": "退回补充材料",
    "reject": "不予通过",
    "resubmit": "重新提交",
    "approve": "市级审批通过",
    "override_confirm": "复核确认调整金额",
    "override_decline": "退回调整金额",
    "paid": "标记已支付",
}


# the claim waits for the city: only a city approver returns or rejects it from here
CITY_STATES = (S.DISTRICT_APPROVED, S.OVERRIDE_PENDING)


def _next_status(claim: Claim, step: str) -> str:
    target = TRANSITIONS[step].get(claim.status)
    if target is None:
        raise ClaimStateError(f"当前状态“{claim.get_status_display()}”不能执行“{STEP_NAMES[step]}”")
    return target


def _locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("enrolment__plan").get(pk=claim.pk)


def _reason(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if len(text) < 2:
        raise ValidationError({field: ["请填写理由"]})
    return text


def fen_from_yuan(value: Any, field: str = "amount") -> int:
    """'3200' or '3200.5' yuan → 320050 fen, exactly (Decimal, never float)."""
    if value in (None, ""):
        return 0
    try:
        d = Decimal(str(value).replace(",", "").replace("¥", "").strip())
    except InvalidOperation as exc:
        raise ValidationError({field: ["请输入金额（元）"]}) from exc
    if d < 0 or d != d.quantize(Decimal("0.01")) or d > Decimal("100000000"):
        raise ValidationError({field: ["金额须为非负数，最多两位小数"]})
    return int(d * 100)


# --- plans and enrolment -------------------------------------------------------------------


# every field staff may set on a plan; `code` is fixed at creation (pages and imports name it)
PLAN_FIELDS = (
    "name",
    "kind",
    "year",
    "start_date",
    "end_date",
    "industries",
    "member_statuses",
    "min_age",
    "max_age",
    "waiting_days",
    "funding",
    "contribution_fen",
    "self_enrol",
    "is_example",
    "schedule",
    "note",
)
# the terms people joined on: each enrolment's cover window and contribution were computed from
# them, so once anyone is enrolled they stay as they are (a new year is a copy)
FIXED_ONCE_ENROLLED = {
    "year": "年度",
    "start_date": "开始日期",
    "end_date": "结束日期",
    "waiting_days": "等待期",
    "funding": "缴费方式",
    "contribution_fen": "缴费金额",
}


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _check_plan_manager(actor: Any) -> None:
    if not can_manage_aid_plans(actor):
        raise PermissionError


@transaction.atomic
def plan_create(*, actor: Any = None, reason: str = "", request: Any = None, **fields: Any) -> Plan:
    """A plan year; every field is validated (ValidationError names each problem by field).
    `actor=None` is the system (the example plans); a person must be allowed to manage plans."""
    if actor is not None:
        _check_plan_manager(actor)
    plan = Plan(**fields)
    plan.full_clean()
    plan.save()
    audit_record(
        action="aid.plan_create",
        actor=actor,
        obj=plan,
        reason=reason.strip(),
        detail={"code": plan.code},
        request=request,
    )
    return plan


def _schedule_errors(plan: Plan, schedule: Any) -> list[str]:
    """Items that claims on this plan already name (and that are not rejected) must keep their
    code and type: approved claims' lines and yearly caps are counted by item code."""
    if not isinstance(schedule, list):
        return []  # validate_schedule says what is wrong
    used: set[str] = set()
    rows = (
        Claim.objects.filter(enrolment__plan=plan)
        .exclude(status=S.REJECTED)
        .values_list("asks", "payable_lines")
    )
    for asks, lines in rows:
        used.update(asks or {})
        used.update(x.get("code", "") for x in lines or [])
    new_types = {i.get("code"): i.get("type") for i in schedule if isinstance(i, dict)}
    return [
        f"“{item['label']}”（{item['code']}）已有理赔使用，不能删除或更改类型"
        for item in plan.schedule
        if item["code"] in used and new_types.get(item["code"]) != item["type"]
    ]


@transaction.atomic
def plan_update(*, plan: Plan, actor: Any, reason: str, request: Any = None, **fields: Any) -> Plan:
    """Change any of PLAN_FIELDS, audited with the reason and the before/after values.

    What was already paid stays as it was: approved claims keep the lines frozen at approval,
    items that claims name keep their code and type, and once anyone is enrolled the year, dates,
    waiting period and contribution are fixed. The plan row is locked first, which on PostgreSQL
    also waits for enrolments being inserted at this moment (they hold a key-share lock on it).
    """
    _check_plan_manager(actor)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"not plan fields: {sorted(unknown)}")
    reason = _reason(reason)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    changed = {k: v for k, v in fields.items() if getattr(plan, k) != v}
    if not changed:
        return plan
    errors: dict[str, list[str]] = {}
    enrolled = plan.enrolments.count()
    if enrolled:
        for key in sorted(changed.keys() & FIXED_ONCE_ENROLLED.keys()):
            errors[key] = [
                f"已有 {enrolled:,} 人次参保，不能修改{FIXED_ONCE_ENROLLED[key]}"
                "（已参保人员的保障期和缴费按原方案计算）；如需调整，请复制为新年度方案"
            ]
    if "schedule" in changed:
        problems = _schedule_errors(plan, changed["schedule"])
        if problems:
            errors["schedule"] = problems
    before = {k: _jsonable(getattr(plan, k)) for k in changed}
    for key, value in changed.items():
        setattr(plan, key, value)
    try:
        plan.full_clean(exclude=["code"])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(m for m in messages if m not in errors.get(key, []))
    if errors:
        raise ValidationError(errors)
    plan.save(update_fields=sorted(changed))
    audit_record(
        action="aid.plan_update",
        actor=actor,
        obj=plan,
        reason=reason,
        detail={"before": before, "after": {k: _jsonable(v) for k, v in changed.items()}},
        request=request,
    )
    return plan


def _same_day_in(year: int, day: date) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return day.replace(year=year, day=28)


@transaction.atomic
def plan_copy(*, plan: Plan, year: int, actor: Any, reason: str = "", request: Any = None) -> Plan:
    """The plan as a new plan year: same eligibility, contribution and schedule, dates moved to
    that year, code `<code without year>-<year>`. Nobody is enrolled in the copy."""
    _check_plan_manager(actor)
    base = re.sub(r"-\d{4}$", "", plan.code)
    code = f"{base}-{year}"
    if Plan.objects.filter(code=code).exists():
        raise ValidationError({"year": [f"{year} 年已有该方案（{code}），请直接编辑"]})
    fields = {k: getattr(plan, k) for k in PLAN_FIELDS}
    fields.update(
        code=code,
        year=year,
        start_date=_same_day_in(year + plan.start_date.year - plan.year, plan.start_date),
        end_date=_same_day_in(year + plan.end_date.year - plan.year, plan.end_date),
    )
    return plan_create(
        actor=actor,
        reason=(reason or "").strip() or f"复制自 {plan.code}",
        request=request,
        **fields,
    )


@transaction.atomic
def enrolment_self(*, member: Any, plan: Plan, today: date | None = None) -> Enrolment:
    """A member joins a plan year from the phone. Joining twice returns the first enrolment."""
    today = today or timezone.localdate()
    existing = Enrolment.objects.filter(member=member, plan=plan).first()
    if existing is not None:
        return existing
    if not plan.self_enrol:
        raise ValidationError({"plan": ["该方案由工会统一赠送，不接受个人参保"]})
    why = plan.eligibility_error(member, today)
    if why:
        raise ValidationError({"plan": [why]})
    start, end = Enrolment.window(plan, today)
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                plan=plan,
                member=member,
                enrolled_on=today,
                covered_from=start,
                covered_to=end,
                source=Enrolment.Source.SELF,
                contribution_fen=plan.contribution_fen
                if plan.funding == Plan.Funding.MEMBER
                else 0,
            )
    except IntegrityError:  # the same tap twice at the same moment
        return Enrolment.objects.get(member=member, plan=plan)
    audit_record(
        action="aid.enrol_self", actor_label=member.member_number, obj=enrolment, detail={}
    )
    return enrolment


def coverage_on(member: Any, day: date) -> list[Enrolment]:
    """The enrolments that cover this member on that day (waiting period counted)."""
    return list(
        Enrolment.objects.filter(member=member, covered_from__lte=day, covered_to__gte=day)
        .select_related("plan")
        .order_by("plan__kind")
    )


def _eligible_ids(plan: Plan, member_ids: Sequence[int], on: date) -> list[int]:
    """Those of the given members that the plan's eligibility admits, in one query."""
    from waystation.members.models import Member

    qs = Member.objects.filter(pk__in=member_ids, status__in=plan.member_statuses or ["active"])
    if plan.industries:
        qs = qs.filter(industry__in=plan.industries)
    oldest = date(on.year - plan.max_age - 1, on.month, min(on.day, 28))
    youngest = date(on.year - plan.min_age, on.month, min(on.day, 28))
    qs = qs.filter(birth_date__gt=oldest, birth_date__lte=youngest)
    return list(qs.values_list("pk", flat=True))


def enrolment_gift_bulk(
    *,
    plan: Plan,
    unit: OrgUnit,
    member_ids: Iterable[int],
    enrol_on: date,
    batch: GiftBatch | None = None,
    progress: Callable[..., None] | None = None,
    chunk: int = GIFT_CHUNK,
) -> dict[str, int]:
    """Gift a plan year to many members at once. Idempotent: who is already enrolled is skipped
    by the unique constraint (INSERT … ON CONFLICT DO NOTHING), so a re-run or a resumed job
    adds nothing twice. Returns counts: total, created, skipped."""
    ids = sorted(set(member_ids))
    start, end = Enrolment.window(plan, enrol_on)
    created = 0
    now = timezone.now()
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        eligible = _eligible_ids(plan, part, enrol_on)
        with transaction.atomic():
            before = Enrolment.objects.filter(plan=plan, member_id__in=eligible).count()
            Enrolment.objects.bulk_create(
                [
                    Enrolment(
                        plan=plan,
                        member_id=mid,
                        enrolled_on=enrol_on,
                        covered_from=start,
                        covered_to=end,
                        source=Enrolment.Source.GIFT,
                        gifted_by=unit,
                        batch=batch,
                        contribution_fen=plan.contribution_fen,
                        created_at=now,
                    )
                    for mid in eligible
                ],
                ignore_conflicts=True,
                batch_size=chunk,
            )
            after = Enrolment.objects.filter(plan=plan, member_id__in=eligible).count()
        created += after - before
        if progress:
            done = min(i + chunk, len(ids))
            progress(done, len(ids), f"已处理 {done:,} / {len(ids):,} 人，新增参保 {created:,} 人")
    return {"total": len(ids), "created": created, "skipped": len(ids) - created}


@transaction.atomic
def gift_batch_start(
    *,
    plan: Plan,
    unit: OrgUnit,
    actor: Any,
    filters: dict | None = None,
    member_numbers: list[str] | None = None,
    enrol_on: date | None = None,
) -> GiftBatch:
    """Record a gift and queue it as a background job (100,000 members is a normal batch)."""
    from waystation.jobs.runner import job_enqueue

    if not can_review_claims(actor):
        raise PermissionError
    if member_numbers is not None:
        numbers = sorted({n.strip().upper() for n in member_numbers if n.strip()})
        if not numbers:
            raise ValidationError({"file": ["名单中没有会员号"]})
        source, params = "list", {"member_numbers": numbers}
    else:
        source, params = "filter", {k: v for k, v in (filters or {}).items() if v}
    batch = GiftBatch.objects.create(
        plan=plan,
        unit=unit,
        source=source,
        params=params,
        enrol_on=enrol_on or max(timezone.localdate(), plan.start_date),
        created_by=actor,
    )
    batch.job = job_enqueue(kind="aid.gift", params={"batch": batch.pk}, user=actor)
    batch.save(update_fields=["job"])
    audit_record(
        action="aid.gift_start",
        actor=actor,
        obj=batch,
        detail={"plan": plan.code, "unit": unit.code, "source": source},
    )
    return batch


def gift_batch_member_ids(batch: GiftBatch) -> list[int]:
    """The members a gift batch covers: its list or its filter, within the creator's scope."""
    from waystation.accounts.access import members_visible_to
    from waystation.members.selectors import members_filtered

    if batch.source == "list":
        return list(
            members_visible_to(batch.created_by)
            .filter(member_number__in=batch.params["member_numbers"])
            .values_list("pk", flat=True)
        )
    qs = members_filtered(batch.created_by, batch.params)
    return list(qs.order_by().values_list("pk", flat=True).distinct())


def gift_batch_run(batch: GiftBatch, progress: Callable[..., None] | None = None) -> dict:
    ids = gift_batch_member_ids(batch)
    if progress:
        progress(0, len(ids), f"共 {len(ids):,} 人，开始参保")
    counts = enrolment_gift_bulk(
        plan=batch.plan,
        unit=batch.unit,
        member_ids=ids,
        enrol_on=batch.enrol_on,
        batch=batch,
        progress=progress,
    )
    batch.total = counts["total"]
    batch.created_count = Enrolment.objects.filter(batch=batch).count()
    batch.skipped_count = batch.total - batch.created_count
    batch.save(update_fields=["total", "created_count", "skipped_count"])
    return counts


# --- claims ------------------------------------------------------------------------------------


def _claim_number() -> str:
    n = counter_take("aid_claim", 1)[0]
    return f"HZ{timezone.localdate().year}{n:06d}"


def clean_asks(plan: Plan, raw: dict) -> dict:
    """What a claim asks, per schedule item of the plan: {"medical": {"amount": fen}, …}."""
    asks: dict[str, dict] = {}
    errors: list[str] = []
    for code, ask in (raw or {}).items():
        item = plan.item(code)
        if item is None:
            errors.append(f"方案中没有“{code}”这项保障")
            continue
        ask = ask or {}
        kind = item["type"]
        try:
            if kind == "reimbursement":
                amount = int(ask.get("amount") or 0)
                if amount < 0:
                    raise ValueError
                asks[code] = {"amount": amount}
            elif kind == "daily":
                days = int(ask.get("days") or 0)
                if not 0 <= days <= 366:
                    raise ValueError
                asks[code] = {"days": days}
            elif kind == "disability":
                grade = int(ask.get("grade") or 0)
                if not 1 <= grade <= 10:
                    raise ValueError
                asks[code] = {"grade": grade}
            else:
                asks[code] = {}
        except (TypeError, ValueError):
            errors.append(f"“{item['label']}”的数值无效")
    if errors:
        raise ValidationError({"asks": errors})
    return asks


def claim_report(*, member: Any, data: dict, request: Any = None) -> Claim:
    """A member reports an incident on one of their enrolments.

    data: enrolment (id), incident_type, incident_date (date), incident_place, description,
    platform (code, optional), asks (see clean_asks), bank_name, account_name, bank_card.
    """
    errors: dict[str, list[str]] = {}
    enrolment = (
        Enrolment.objects.select_related("plan")
        .filter(pk=data.get("enrolment") or 0, member=member)
        .first()
    )
    if enrolment is None:
        errors["enrolment"] = ["请选择您参加的互助保障"]
    kind = data.get("incident_type")
    if kind not in Claim.Incident.values:
        errors["incident_type"] = ["请选择事故类型"]
    day = data.get("incident_date")
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            day = None
    if not isinstance(day, date):
        errors["incident_date"] = ["请填写事故日期"]
    elif day > timezone.localdate():
        errors["incident_date"] = ["事故日期不能晚于今天"]
    elif enrolment is not None and not enrolment.covers(day):
        errors["incident_date"] = [
            f"该日期不在保障期内（保障期 {enrolment.covered_from:%Y-%m-%d} 至 "
            f"{enrolment.covered_to:%Y-%m-%d}，含等待期）"
        ]
    place = (data.get("incident_place") or "").strip()
    if not place:
        errors["incident_place"] = ["请填写事故地点"]
    description = (data.get("description") or "").strip()
    if len(description) < 4:
        errors["description"] = ["请简要描述事故经过"]
    platform = None
    if data.get("platform"):
        platform = Platform.objects.filter(code=data["platform"]).first()
        if platform is None:
            errors["platform"] = ["平台无效"]
    card = "".join(ch for ch in str(data.get("bank_card") or "") if ch.isdigit())
    if not 12 <= len(card) <= 19:
        errors["bank_card"] = ["请填写本人银行卡号（12–19 位数字）"]
    if not (data.get("bank_name") or "").strip():
        errors["bank_name"] = ["请填写开户银行"]
    asks: dict = {}
    if enrolment is not None:
        try:
            asks = clean_asks(enrolment.plan, data.get("asks") or {})
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    assert enrolment is not None and isinstance(day, date)
    with transaction.atomic():
        claim = Claim.objects.create(
            number=_claim_number(),
            member=member,
            enrolment=enrolment,
            platform=platform,
            incident_type=kind,
            incident_date=day,
            incident_place=place[:200],
            description=description,
            asks=asks,
            platform_status=Claim.PlatformStatus.PENDING
            if platform
            else Claim.PlatformStatus.NOT_NEEDED,
            bank_name=data["bank_name"].strip()[:50],
            account_name=(data.get("account_name") or member.name).strip()[:50],
            bank_card_enc=crypto.encrypt(card),
            bank_card_masked=mask_bank_card(card),
        )
        audit_record(
            action="aid.claim_report",
            actor_label=member.member_number,
            obj=claim,
            detail={"number": claim.number, "plan": enrolment.plan.code},
            request=request,
        )
    return claim


def _sniff(head: bytes, f: Any) -> tuple[str, str]:
    """(content_type, extension) from the content, or ValidationError."""
    if head.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    found = sniff_image(f)
    if found is None or found[0] == "gif":  # documents: photos and scans, not animations
        raise ValidationError({"file": ["只接受 JPG、PNG 图片或 PDF 文件"]})
    ext, content_type = found
    return content_type, ext


def claim_document_add(
    *, claim: Claim, doc_type: str, upload: Any, by: str, request: Any = None
) -> ClaimDocument:
    """Store an uploaded document after checking its type by content and its size."""
    if doc_type not in ClaimDocument.DocType.values:
        raise ValidationError({"doc_type": ["请选择材料类型"]})
    if claim.status not in (S.SUBMITTED, S.RETURNED, S.DISTRICT_APPROVED):
        raise ClaimStateError("该申请已审结，不能再上传材料")
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationError({"file": ["请选择文件"]})
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": [f"文件过大（上限 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB），请压缩后再传"]}
        )
    upload.seek(0)
    head = upload.read(8)
    content_type, ext = _sniff(head, upload)
    upload.seek(0)
    digest = hashlib.sha256()
    name = f"aid/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{ext}"
    path = settings.PRIVATE_MEDIA_ROOT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        for piece in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
            digest.update(piece)
            out.write(piece)
    with transaction.atomic():
        doc = ClaimDocument.objects.create(
            claim=claim,
            doc_type=doc_type,
            stored_name=name,
            content_type=content_type,
            size=size,
            sha256=digest.hexdigest(),
            uploaded_by=by[:100],
        )
        audit_record(
            action="aid.document_add",
            actor_label=by,
            obj=claim,
            detail={"document": doc.pk, "type": doc_type, "size": size},
            request=request,
        )
    return doc


def document_path(doc: ClaimDocument):
    return settings.PRIVATE_MEDIA_ROOT / doc.stored_name


@transaction.atomic
def claim_resubmit(*, claim: Claim, member: Any, request: Any = None) -> Claim:
    claim = _locked(claim)
    if claim.member_id != member.pk:
        raise PermissionError
    claim.status = _next_status(claim, "resubmit")
    claim.save(update_fields=["status", "updated_at"])
    audit_record(
        action="aid.claim_resubmit", actor_label=member.member_number, obj=claim, request=request
    )
    return claim


@transaction.atomic
def claim_platform_confirm(
    *,
    claim: Claim,
    platform: Platform,
    working: bool,
    note: str = "",
    actor: Any = None,
    request: Any = None,
) -> Claim:
    """The platform says whether the claimant was working for it at the incident time."""
    claim = _locked(claim)
    if claim.platform_id != platform.pk:
        raise PermissionError
    if claim.status not in (S.SUBMITTED, S.RETURNED, S.DISTRICT_APPROVED):
        raise ClaimStateError("该申请已审结，不能再确认")
    claim.platform_status = (
        Claim.PlatformStatus.CONFIRMED if working else Claim.PlatformStatus.DENIED
    )
    claim.platform_note = (note or "").strip()[:500]
    claim.platform_confirmed_at = timezone.now()
    claim.save(
        update_fields=["platform_status", "platform_note", "platform_confirmed_at", "updated_at"]
    )
    audit_record(
        action="aid.platform_confirm",
        actor=actor,
        actor_label="" if actor else f"platform:{platform.code}",
        obj=claim,
        detail={"working": working, "platform": platform.code},
        request=request,
    )
    return claim


@transaction.atomic
def claim_assess(*, claim: Claim, asks: dict, actor: Any, request: Any = None) -> Claim:
    """The reviewer sets the assessed figures (invoice total, hospital days, disability grade)."""
    if not can_review_claims(actor):
        raise PermissionError
    claim = _locked(claim)
    if claim.status not in (S.SUBMITTED, S.DISTRICT_APPROVED):
        raise ClaimStateError(f"当前状态“{claim.get_status_display()}”不能修改核定金额")
    old = claim.asks
    claim.asks = clean_asks(claim.enrolment.plan, asks)
    claim.save(update_fields=["asks", "updated_at"])
    audit_record(
        action="aid.claim_assess",
        actor=actor,
        obj=claim,
        detail={"before": old, "after": claim.asks},
        request=request,
    )
    return claim


@transaction.atomic
def claim_review(*, claim: Claim, actor: Any, note: str = "", request: Any = None) -> Claim:
    """District review passes the claim on to the city."""
    if not can_review_claims(actor):
        raise PermissionError
    claim = _locked(claim)
    target = _next_status(claim, "review")
    if claim.platform_status == Claim.PlatformStatus.PENDING:
        raise ClaimStateError("平台尚未确认事故时是否在岗，请等待平台确认")
    if claim.platform_status == Claim.PlatformStatus.DENIED:
        raise ClaimStateError("平台确认事故时不在岗，请退回或不予通过")
    missing = claim.missing_documents()
    if missing:
        raise ClaimStateError("缺少材料：" + "、".join(missing))
    claim.status = target
    claim.status_note = (note or "").strip()
    claim.reviewed_by = actor
    claim.reviewed_at = timezone.now()
    claim.save(update_fields=["status", "status_note", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(action="aid.claim_review", actor=actor, obj=claim, reason=note, request=request)
    return claim


@transaction.atomic
def claim_return(*, claim: Claim, actor: Any, note: str, request: Any = None) -> Claim:
    """Back to the member for more documents; the note says what is missing."""
    if not can_review_claims(actor):
        raise PermissionError
    note = _reason(note, "note")
    claim = _locked(claim)
    if claim.status in CITY_STATES and not can_approve_claims(actor):
        raise PermissionError
    claim.status = _next_status(claim, "return")
    claim.status_note = note
    claim.save(update_fields=["status", "status_note", "updated_at"])
    audit_record(action="aid.claim_return", actor=actor, obj=claim, reason=note, request=request)
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, actor: Any, reason: str, request: Any = None) -> Claim:
    if not can_review_claims(actor):
        raise PermissionError
    reason = _reason(reason)
    claim = _locked(claim)
    if claim.status in CITY_STATES and not can_approve_claims(actor):
        raise PermissionError
    claim.status = _next_status(claim, "reject")
    claim.status_note = reason
    claim.save(update_fields=["status", "status_note", "updated_at"])
    audit_record(action="aid.claim_reject", actor=actor, obj=claim, reason=reason, request=request)
    return claim


def _live_payout(claim: Claim) -> Payout | None:
    return claim.payouts.exclude(status=Payout.Status.FAILED).first()


# An override replaces what the schedule computed, so whoever checks it later must be able to
# see why from the reason alone: which document, which fact the schedule could not express. Two
# characters ("补计") said nothing; ten is about the shortest sentence that names both.
OVERRIDE_REASON_MIN_CHARS = 10
# the money columns are PositiveIntegerField: PostgreSQL `integer`, at most 2³¹ − 1 fen
MAX_FEN = 2**31 - 1


def _override_checked(claim: Claim, override_fen: int, override_reason: str) -> str:
    """The reason of an override that the plan allows, or ValidationError naming every problem
    under its field."""
    errors: dict[str, list[str]] = {}
    if override_fen < 0:
        errors["override_fen"] = [_("调整金额不能为负")]
    elif override_fen > MAX_FEN:
        errors["override_fen"] = [_("调整金额超出可记录的范围（最多 %s）") % yuan(MAX_FEN)]
    elif override_fen > (most := claim.override_ceiling()):
        errors["override_fen"] = [
            _("调整金额不能超过方案对本案所报项目的最高给付 %s（各项单次、年度上限）") % yuan(most)
        ]
    reason = (override_reason or "").strip()
    if len(reason) < OVERRIDE_REASON_MIN_CHARS:
        errors["override_reason"] = [
            _("请写明调整理由（至少 %d 个字）：依据哪份材料、为何与方案计算不同")
            % OVERRIDE_REASON_MIN_CHARS
        ]
    if errors:
        raise ValidationError(errors)
    return reason


def _needs_second_approver(amount: int) -> bool:
    return amount > settings.AID_OVERRIDE_SECOND_APPROVER_FEN


def _pay(claim: Claim, payable: benefits.Payable, amount: int, fields: list[str]) -> Payout:
    """Freeze what was computed and the amount to pay, mark the (locked) claim approved and
    insert its one live payout: the single way into the approved state."""
    claim.payable_lines = payable.as_dict()["lines"]
    claim.computed_fen = payable.total
    claim.approved_fen = amount
    claim.status = S.APPROVED
    claim.save(
        update_fields=[
            *fields,
            "payable_lines",
            "computed_fen",
            "approved_fen",
            "status",
            "updated_at",
        ]
    )
    return _payout_insert(claim)


def claim_approve(
    *,
    claim: Claim,
    actor: Any,
    override_fen: int | None = None,
    override_reason: str = "",
    request: Any = None,
) -> Payout | None:
    """City approval: freeze the computed amount (or an override, with a reason) and create the
    payout, exactly once. Approving an approved claim again returns its payout unchanged.

    An override stays within what the plan could ever pay on the claim. Above
    AID_OVERRIDE_SECOND_APPROVER_FEN it creates no payout: the claim waits (override_pending,
    None is returned) until another city approver confirms it (claim_override_confirm)."""
    if not can_approve_claims(actor):
        raise PermissionError
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status in (S.APPROVED, S.PAID):
            live = _live_payout(claim)
            if live is not None:
                return live
        _next_status(claim, "approve")
        payable = claim.payable_amount()
        if not payable.covered:
            raise ClaimStateError(payable.lines[0].explanation)
        amount = payable.total
        claim.override_fen, claim.override_reason = None, ""
        if override_fen is not None and override_fen != payable.total:
            claim.override_reason = _override_checked(claim, override_fen, override_reason)
            amount = claim.override_fen = override_fen
        if amount <= 0:
            raise ValidationError({"override_fen": ["应付金额为 0，请不予通过或填写调整金额"]})
        claim.approved_by = actor
        claim.approved_at = timezone.now()
        fields = ["override_fen", "override_reason", "approved_by", "approved_at"]
        if claim.override_fen is not None and _needs_second_approver(amount):
            claim.status = S.OVERRIDE_PENDING
            claim.save(update_fields=[*fields, "status", "updated_at"])
            audit_record(
                action="aid.claim_override_request",
                actor=actor,
                obj=claim,
                reason=claim.override_reason,
                detail={
                    "computed_fen": payable.total,
                    "override_fen": amount,
                    "threshold_fen": settings.AID_OVERRIDE_SECOND_APPROVER_FEN,
                },
                request=request,
            )
            return None
        payout = _pay(claim, payable, amount, fields)
        audit_record(
            action="aid.claim_approve",
            actor=actor,
            obj=claim,
            reason=claim.override_reason,
            detail={
                "computed_fen": payable.total,
                "approved_fen": amount,
                "payout": payout.pk,
            },
            request=request,
        )
    return payout


def claim_override_confirm(*, claim: Claim, actor: Any, request: Any = None) -> Payout:
    """The second city approver confirms an override that waits for it: the amount is frozen
    and the payout created, exactly once, as in claim_approve. The approver who set the amount
    cannot confirm it; the plan's limits are checked again (another claim may have used the
    yearly cap meanwhile). Confirming a confirmed claim returns its payout."""
    if not can_approve_claims(actor):
        raise PermissionError
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status in (S.APPROVED, S.PAID):
            live = _live_payout(claim)
            if live is not None:
                return live
        _next_status(claim, "override_confirm")
        if claim.approved_by_id == actor.pk:
            raise ValidationError(
                {"override": [_("调整金额须由另一位市级审批人复核确认，不能确认自己提出的调整")]}
            )
        payable = claim.payable_amount()
        assert claim.override_fen is not None  # override_pending always carries one
        _override_checked(claim, claim.override_fen, claim.override_reason)
        claim.override_confirmed_by = actor
        claim.override_confirmed_at = timezone.now()
        payout = _pay(
            claim,
            payable,
            claim.override_fen,
            ["override_confirmed_by", "override_confirmed_at"],
        )
        audit_record(
            action="aid.claim_override_confirm",
            actor=actor,
            obj=claim,
            reason=claim.override_reason,
            detail={
                "computed_fen": payable.total,
                "approved_fen": claim.approved_fen,
                "requested_by": claim.approved_by_id,
                "payout": payout.pk,
            },
            request=request,
        )
    return payout


@transaction.atomic
def claim_override_decline(*, claim: Claim, actor: Any, note: str, request: Any = None) -> Claim:
    """A city approver (the second one, or the first withdrawing it) sends an override back: the
    claim waits for city approval again, without the override, and the note says why."""
    if not can_approve_claims(actor):
        raise PermissionError
    note = _reason(note, "note")
    claim = _locked(claim)
    claim.status = _next_status(claim, "override_decline")
    declined = {"override_fen": claim.override_fen, "requested_by": claim.approved_by_id}
    claim.override_fen, claim.override_reason = None, ""
    claim.approved_by, claim.approved_at = None, None
    claim.status_note = note
    claim.save(
        update_fields=[
            "status",
            "override_fen",
            "override_reason",
            "approved_by",
            "approved_at",
            "status_note",
            "updated_at",
        ]
    )
    audit_record(
        action="aid.claim_override_decline",
        actor=actor,
        obj=claim,
        reason=note,
        detail=declined,
        request=request,
    )
    return claim


def _payout_insert(claim: Claim, supersedes: Payout | None = None) -> Payout:
    """Insert the claim's live payout; if one exists (the constraint says so), return it."""
    try:
        with transaction.atomic():
            return Payout.objects.create(
                claim=claim, amount_fen=claim.approved_fen or 0, supersedes=supersedes
            )
    except IntegrityError:
        live = _live_payout(claim)
        if live is None:
            raise
        return live


def payout_create(*, claim: Claim, actor: Any = None) -> Payout:
    """The payout of an approved claim: the existing live one, or a new one. Never two."""
    with transaction.atomic():
        claim = _locked(claim)
        live = _live_payout(claim)
        if live is not None:
            return live
        if claim.status != S.APPROVED:
            raise ClaimStateError(f"当前状态“{claim.get_status_display()}”不能生成付款")
        payout = _payout_insert(claim)
        audit_record(action="aid.payout_create", actor=actor, obj=payout, detail={})
        return payout


def payout_batch_export(
    *, actor: Any, payouts: Iterable[Payout] | None = None, request: Any = None
) -> tuple[PayoutBatch, bytes]:
    """Put the chosen payouts (None: every pending one) into a new bank batch and return its
    .xlsx, the only place full account numbers appear; audited. Only pending payouts may go in:
    a payout already in a batch is refused by name, so none goes out in two bank files."""
    if not can_approve_claims(actor):
        raise PermissionError
    with transaction.atomic():
        qs = Payout.objects.select_for_update().order_by("id")
        if payouts is None:
            rows = list(qs.filter(status=Payout.Status.PENDING))
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
            if refused:
                raise ValidationError({"payouts": ["不能导出：" + "；".join(refused)]})
        if not rows:
            raise ValidationError({"payouts": ["没有待导出的付款"]})
        batch = PayoutBatch.objects.create(
            created_by=actor, count=len(rows), total_fen=sum(p.amount_fen for p in rows)
        )
        Payout.objects.filter(pk__in=[p.pk for p in rows]).update(
            status=Payout.Status.EXPORTED, batch=batch
        )
    return batch, payout_batch_file(batch=batch, actor=actor, request=request)


def payout_batch_file(*, batch: PayoutBatch, actor: Any, request: Any = None) -> bytes:
    if not can_approve_claims(actor):
        raise PermissionError
    payouts = list(
        batch.payouts.select_related("claim__member").order_by("id")  # type: ignore[attr-defined]
    )
    data = xlsx_bytes(
        ["序号", "付款编号", "申请编号", "收款人", "开户银行", "银行账号", "金额（元）", "用途"],
        (
            [
                i,
                p.pk,
                p.claim.number,
                p.claim.account_name,
                p.claim.bank_name,
                p.claim.bank_card,
                str(Decimal(p.amount_fen) / 100),
                f"互助保障给付 {p.claim.number}",
            ]
            for i, p in enumerate(payouts, start=1)
        ),
        title="银行批量代付",
    )
    audit_record(
        action="aid.payout_batch_export",
        actor=actor,
        obj=batch,
        reason="银行批量代付文件（含完整账号）",
        detail={
            "count": len(payouts),
            "total_fen": batch.total_fen,
            "payouts": [p.pk for p in payouts],
        },
        request=request,
    )
    return data


@transaction.atomic
def payout_mark_paid(
    *, payout: Payout, bank_reference: str, actor: Any, request: Any = None
) -> Payout:
    if not can_approve_claims(actor):
        raise PermissionError
    ref = (bank_reference or "").strip()
    if not ref:
        raise ValidationError({"bank_reference": ["请填写银行回单号"]})
    claim = _locked(payout.claim)
    payout = Payout.objects.select_for_update().get(pk=payout.pk)
    if payout.status == Payout.Status.PAID:
        if payout.bank_reference == ref:
            return payout
        raise ClaimStateError("该笔付款已标记支付")
    if payout.status not in (Payout.Status.PENDING, Payout.Status.EXPORTED):
        raise ClaimStateError(f"付款状态“{payout.get_status_display()}”不能标记支付")
    if Payout.objects.filter(bank_reference=ref).exclude(pk=payout.pk).exists():
        raise ValidationError({"bank_reference": ["该银行回单号已用于其他付款"]})
    payout.status = Payout.Status.PAID
    payout.bank_reference = ref[:64]
    payout.paid_at = timezone.now()
    payout.save(update_fields=["status", "bank_reference", "paid_at"])
    claim.status = _next_status(claim, "paid")
    claim.save(update_fields=["status", "updated_at"])
    audit_record(
        action="aid.payout_paid",
        actor=actor,
        obj=payout,
        detail={"claim": claim.number, "bank_reference": payout.bank_reference},
        request=request,
    )
    return payout


@transaction.atomic
def payout_mark_failed(*, payout: Payout, reason: str, actor: Any, request: Any = None) -> Payout:
    if not can_approve_claims(actor):
        raise PermissionError
    reason = _reason(reason)
    _locked(payout.claim)
    payout = Payout.objects.select_for_update().get(pk=payout.pk)
    if payout.status not in (Payout.Status.PENDING, Payout.Status.EXPORTED):
        raise ClaimStateError(f"付款状态“{payout.get_status_display()}”不能标记失败")
    payout.status = Payout.Status.FAILED
    payout.failure_reason = reason[:200]
    payout.save(update_fields=["status", "failure_reason"])
    audit_record(
        action="aid.payout_failed", actor=actor, obj=payout, reason=reason, request=request
    )
    return payout


@transaction.atomic
def payout_reissue(
    *,
    payout: Payout,
    actor: Any,
    bank_name: str = "",
    bank_card: str = "",
    request: Any = None,
) -> Payout:
    """A failed transfer goes out again as a new payout that supersedes it; the constraint keeps
    it to one live payout, so re-issuing twice still pays once."""
    if not can_approve_claims(actor):
        raise PermissionError
    claim = _locked(payout.claim)
    payout = Payout.objects.select_for_update().get(pk=payout.pk)
    if payout.status != Payout.Status.FAILED:
        raise ClaimStateError("只有支付失败的付款才能重新发放")
    if hasattr(payout, "reissued_as"):
        return payout.reissued_as
    live = _live_payout(claim)
    if live is not None:
        return live
    fields = []
    card = "".join(ch for ch in bank_card if ch.isdigit())
    if card:
        if not 12 <= len(card) <= 19:
            raise ValidationError({"bank_card": ["银行卡号应为 12–19 位数字"]})
        claim.bank_card_enc = crypto.encrypt(card)
        claim.bank_card_masked = mask_bank_card(card)
        fields += ["bank_card_enc", "bank_card_masked"]
    if bank_name.strip():
        claim.bank_name = bank_name.strip()[:50]
        fields.append("bank_name")
    if fields:
        claim.save(update_fields=[*fields, "updated_at"])
    new = _payout_insert(claim, supersedes=payout)
    audit_record(
        action="aid.payout_reissue",
        actor=actor,
        obj=new,
        detail={"supersedes": payout.pk, "card_changed": bool(card)},
        request=request,
    )
    return new


# --- condolence --------------------------------------------------------------------------------


@transaction.atomic
def condolence_record(
    *,
    member: Any,
    visited_on: date,
    cash_fen: int,
    goods: str,
    goods_value_fen: int,
    reason: str,
    approver: Any,
    actor: Any,
    unit: OrgUnit,
    plan: Plan | None = None,
    request: Any = None,
) -> Condolence:
    if not can_review_claims(actor):
        raise PermissionError
    reason = _reason(reason)
    if cash_fen < 0 or goods_value_fen < 0:
        raise ValidationError({"cash": ["金额不能为负"]})
    if cash_fen == 0 and not goods.strip():
        raise ValidationError({"cash": ["请填写慰问金或慰问品"]})
    if approver is None:
        raise ValidationError({"approver": ["请选择审批人"]})
    c = Condolence.objects.create(
        member=member,
        plan=plan,
        visited_on=visited_on,
        cash_fen=cash_fen,
        goods=goods.strip()[:200],
        goods_value_fen=goods_value_fen,
        reason=reason,
        approver=approver,
        recorded_by=actor,
        unit=unit,
    )
    audit_record(
        action="aid.condolence",
        actor=actor,
        obj=c,
        reason=reason,
        detail={"cash_fen": cash_fen, "member": member.member_number},
        request=request,
    )
    return c


def plans_ensure_examples(year: int) -> list[Plan]:
    """The three example plans for a year, created if missing (idempotent)."""
    from ..examples import example_plans

    out = []
    for fields in example_plans(year):
        plan = Plan.objects.filter(code=fields["code"]).first()
        out.append(plan or plan_create(**fields))
    return out


def platform_token_issue(*, platform: Platform, actor: Any = None) -> str:
    """A new API token for a platform; only its keyed hash is stored, the token is shown once."""
    import secrets

    token = secrets.token_urlsafe(32)
    platform.api_token_hash = crypto.keyed_hash(token)
    platform.save(update_fields=["api_token_hash"])
    audit_record(action="aid.platform_token", actor=actor, obj=platform, detail={})
    return token


def asks_from_form(plan: Plan, *, incident_type: str, medical_fen: int = 0, days: int = 0) -> dict:
    """What a member's phone form means in schedule terms: bills → the reimbursement item,
    hospital days → the daily item, a diagnosis or death → the fixed sums of the plan."""
    asks: dict[str, dict] = {}
    for item in plan.schedule:
        kind, code = item["type"], item["code"]
        if kind == "reimbursement" and medical_fen:
            asks[code] = {"amount": medical_fen}
        elif kind == "daily" and days:
            asks[code] = {"days": days}
        elif (kind == "fixed" and incident_type == "illness") or (
            kind == "death" and incident_type == "death"
        ):
            asks[code] = {}
    return asks
