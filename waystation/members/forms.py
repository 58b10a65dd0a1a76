from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from waystation.accounts.models import District, OrgUnit


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=200, min_length=2)


STATUS_CHOICES = [
    ("", _("不变")),
    ("active", _("恢复正常")),
    ("lapsed", _("失效")),
    ("withdrawn", _("退会")),
]


class StatusForm(ReasonForm):
    # "No change" first and chosen, so that saving a form left as it was changes nothing
    status = forms.ChoiceField(label=_("新状态"), choices=STATUS_CHOICES)

    def __init__(self, *args: Any, current: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["status"])
        field.choices = [(k, v) for k, v in STATUS_CHOICES if k != current]


class TransferForm(ReasonForm):
    union = forms.ModelChoiceField(
        queryset=OrgUnit.objects.filter(city__isnull=False), label=_("转入工会")
    )
    # Needed to move to another city, unless the union is a district's (it names the district).
    district = forms.ModelChoiceField(
        queryset=District.objects.all(),
        to_field_name="code",
        required=False,
        label=_("工作区域"),
    )


class CampaignForm(forms.Form):
    code = forms.SlugField(label="活动代码（字母、数字、连字符）", max_length=40)
    name = forms.CharField(label="活动名称", max_length=100)
    owner_kind = forms.ChoiceField(
        label="归属",
        choices=[("union", "工会"), ("station", "驿站"), ("event", "活动"), ("street", "街头点位")],
    )
    place = forms.CharField(label="地点（驿站、活动或点位）", max_length=200, required=False)
    unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label="归属工会")
