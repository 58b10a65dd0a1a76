from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """Every action the audit log records, with the label the audit page shows.

    The values are the strings stored in `AuditLog.action` since the first release, so old rows
    keep their meaning: never change a value, only add members. They are not the field's
    `choices`, so that a new action needs no migration. `audit_record` accepts nothing else.
    """

    # members
    MEMBER_JOIN = "member.join", _("入会")
    MEMBER_REVEAL = "member.reveal", _("查看完整身份证号或手机号")
    MEMBER_EXPORT = "member.export", _("导出会员名单")
    MEMBER_TRANSFER = "member.transfer", _("会员转会")
    MEMBER_ACTIVE = "member.active", _("会员状态改为正常")
    MEMBER_LAPSED = "member.lapsed", _("会员状态改为失效")
    MEMBER_WITHDRAWN = "member.withdrawn", _("会员退会")
    MEMBER_IMPORT_START = "member.import_start", _("开始导入名册")
    MEMBER_IMPORT_RESUME = "member.import_resume", _("继续导入名册")
    MEMBER_IMPORT = "member.import", _("名册导入完成")
    MEMBER_IMPORT_ERRORS = "member.import_errors", _("下载名册错误文件")
    MEMBER_IMPORT_EXPIRE = "member.import_expire", _("清除过期的名册上传")
    # stations
    STATION_CREATE = "station.create", _("新建驿站")
    STATION_UPDATE = "station.update", _("修改驿站信息")
    STATION_POSTER_REISSUE = "station.poster_reissue", _("重新生成驿站海报")
    STATION_PHOTO_ADD = "station.photo_add", _("上传驿站照片")
    STATION_PHOTO_DELETE = "station.photo_delete", _("删除驿站照片")
    STATION_IMPORT_START = "station.import_start", _("导入驿站名录")
    STATION_REPORT_ACKNOWLEDGED = "station.report.acknowledged", _("受理驿站问题反馈")
    STATION_REPORT_RESOLVED = "station.report.resolved", _("解决驿站问题反馈")
    STATION_REPORT_ASSIGN = "station.report.assign", _("指派驿站问题反馈")
    STATION_REPORT_REPLY = "station.report.reply", _("回复驿站问题反馈")
    # mutual aid: plans and enrolments
    AID_PLAN_CREATE = "aid.plan_create", _("新建互助保障计划")
    AID_PLAN_UPDATE = "aid.plan_update", _("修改互助保障计划")
    AID_ENROL_SELF = "aid.enrol_self", _("会员本人参保")
    AID_GIFT_START = "aid.gift_start", _("开始工会赠送参保")
    AID_CONDOLENCE = "aid.condolence", _("登记慰问")
    AID_PLATFORM_TOKEN = "aid.platform_token", _("签发平台接口令牌")
    # mutual aid: claims
    AID_CLAIM_REPORT = "aid.claim_report", _("会员提交互助申请")
    AID_DOCUMENT_ADD = "aid.document_add", _("上传申请材料")
    AID_CLAIM_RESUBMIT = "aid.claim_resubmit", _("重新提交申请")
    AID_PLATFORM_CONFIRM = "aid.platform_confirm", _("平台确认在岗情况")
    AID_PLATFORM_CORRECT = "aid.platform_correct", _("更正平台在岗确认")
    AID_CLAIM_ASSESS = "aid.claim_assess", _("核定申请项目")
    AID_CLAIM_REVIEW = "aid.claim_review", _("区级审核通过")
    AID_CLAIM_RETURN = "aid.claim_return", _("退回补充材料")
    AID_CLAIM_REJECT = "aid.claim_reject", _("不予通过")
    AID_CLAIM_APPROVE = "aid.claim_approve", _("市级审批通过")
    AID_CLAIM_OVERRIDE_REQUEST = "aid.claim_override_request", _("提出调整金额待复核")
    AID_CLAIM_OVERRIDE_CONFIRM = "aid.claim_override_confirm", _("复核确认调整金额")
    AID_CLAIM_OVERRIDE_DECLINE = "aid.claim_override_decline", _("退回调整金额")
    # mutual aid: payouts
    AID_PAYOUT_CREATE = "aid.payout_create", _("生成待支付款项")
    AID_PAYOUT_BATCH_EXPORT = "aid.payout_batch_export", _("导出银行批量代付文件")
    AID_PAYOUT_PAID = "aid.payout_paid", _("标记已支付")
    AID_PAYOUT_FAILED = "aid.payout_failed", _("标记支付失败")
    AID_PAYOUT_REISSUE = "aid.payout_reissue", _("重新发起支付")
    # the organisation
    ORG_EDIT = "org.edit", _("修改组织与词表")
    ORG_CITY_ADD = "org.city_add", _("新增城市工会")
    # the system itself
    SYSTEM_RETENTION = "system.retention", _("数据保留期清理")


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:  # type: ignore[override]
        raise PermissionError("审计日志只能追加 (the audit log is append-only)")

    def delete(self) -> tuple[int, dict[str, int]]:  # type: ignore[override]
        raise PermissionError("审计日志只能追加 (the audit log is append-only)")


class AuditLog(models.Model):
    """Append-only record of who did what to whose data, and why.

    Rows are never updated or deleted: the model refuses it, and on PostgreSQL a trigger does too.
    `detail` never holds a full ID number, phone or bank card. `city` is the city the act
    belongs to (the object's, else the actor's one home city); NULL for a national one, such
    as a platform's API token.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    city = models.ForeignKey(
        "accounts.City", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    actor_label = models.CharField(max_length=100, blank=True)  # member number, platform, system
    action = models.CharField(max_length=50, db_index=True)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["city", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("审计日志只能追加 (the audit log is append-only)")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计日志只能追加 (the audit log is append-only)")

    @property
    def action_label(self) -> str:
        """The action's label; the stored value itself for one this release does not know."""
        try:
            return str(AuditAction(self.action).label)
        except ValueError:
            return self.action
