"""Enrolments (person-times): a member joins a plan year from the phone, or a union gifts it to
many members at once in a background job (100,000 members is a normal batch). A plan enrols the
members of its own city only; the enrolment carries the plan's city."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waystation.accounts.access import NotInScope
from waystation.accounts.models import OrgUnit
from waystation.members.access import members_visible_to
from waystation.members.models import Member
from waystation.privacy.audit import AuditAction, audit_record

from ..access import can_act_for_unit, can_review_claims, plans_visible_to
from ..models import Enrolment, GiftBatch, Plan

GIFT_CHUNK = 5000


@transaction.atomic
def enrolment_self(*, member: Member, plan: Plan, today: date | None = None) -> Enrolment:
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
                city_id=plan.city_id,
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
        action=AuditAction.AID_ENROL_SELF,
        actor_label=member.member_number,
        obj=enrolment,
        detail={},
    )
    return enrolment


def coverage_on(member: Member, day: date) -> list[Enrolment]:
    """The enrolments that cover this member on that day (waiting period counted)."""
    return list(
        Enrolment.objects.filter(member=member, covered_from__lte=day, covered_to__gte=day)
        .select_related("plan")
        .order_by("plan__kind")
    )


def _eligible_ids(plan: Plan, member_ids: Sequence[int], on: date) -> list[int]:
    """Those of the given members that the plan's eligibility admits, in one query."""
    from waystation.members.models import Member

    qs = Member.objects.filter(
        pk__in=member_ids,
        union__city_id=plan.city_id,  # the plan's city's members only
        status__in=plan.member_statuses or ["active"],
    )
    if plan.industries:
        qs = qs.filter(industry__in=plan.industries)
    oldest = date(on.year - plan.max_age - 1, on.month, min(on.day, 28))
    youngest = date(on.year - plan.min_age, on.month, min(on.day, 28))
    qs = qs.filter(birth_date__gt=oldest, birth_date__lte=youngest)
    return list(qs.values_list("pk", flat=True))


# No actor: the gift job's writer, after gift_batch_start checked the giver (members: their scope).
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
                        city_id=plan.city_id,
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


@dataclass(frozen=True)
class Gift:
    """A union's gift of a plan year to many members, checked at the boundary by forms.GiftForm
    (the plans page's schema): what gift_batch_start records. The members are those of a list
    (`member_numbers`, upper case, unique, sorted, at least one) or else of the member list's
    `filters`; either way only those in the giver's scope."""

    plan: Plan
    unit: OrgUnit
    filters: dict[str, str]  # district, industry, platform, status; empty ones left out
    member_numbers: tuple[str, ...] | None = None


@transaction.atomic
def gift_batch_start(*, gift: Gift, actor: User, enrol_on: date | None = None) -> GiftBatch:
    """Record a gift and queue it as a background job (100,000 members is a normal batch), in the
    name of a union the actor acts for, of a plan of that union's city."""
    from waystation.jobs.runner import job_enqueue

    if not can_review_claims(actor) or not can_act_for_unit(actor, gift.unit):
        raise NotInScope
    if not plans_visible_to(actor).filter(pk=gift.plan.pk).exists():
        raise NotInScope
    if gift.unit.city_id != gift.plan.city_id:
        raise ValidationError({"unit": [_("赠送工会须与方案属于同一城市")]})
    params: dict[str, Any]
    if gift.member_numbers is not None:
        source, params = "list", {"member_numbers": list(gift.member_numbers)}
    else:
        source, params = "filter", dict(gift.filters)
    plan, unit = gift.plan, gift.unit
    batch = GiftBatch.objects.create(
        city_id=plan.city_id,
        plan=plan,
        unit=unit,
        source=source,
        params=params,
        enrol_on=enrol_on or max(timezone.localdate(), plan.start_date),
        created_by=actor,
    )
    batch.job = job_enqueue(
        kind="aid.gift", params={"batch": batch.pk}, user=actor, city=plan.city_id
    )
    batch.save(update_fields=["job"])
    audit_record(
        action=AuditAction.AID_GIFT_START,
        actor=actor,
        obj=batch,
        detail={"plan": plan.code, "unit": unit.code, "source": source},
    )
    return batch


def gift_batch_member_ids(batch: GiftBatch) -> list[int]:
    """The members a gift batch covers: its list or its filter, within the creator's scope and the
    plan's city."""
    from waystation.members.selectors import members_filtered

    if batch.source == "list":
        qs = members_visible_to(batch.created_by).filter(
            member_number__in=batch.params["member_numbers"]
        )
    else:
        qs = members_filtered(batch.created_by, batch.params)
    qs = qs.filter(union__city_id=batch.city_id)
    return list(qs.order_by().values_list("pk", flat=True).distinct())


# No actor: the gift job runs what gift_batch_start checked, within the creator's scope.
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
