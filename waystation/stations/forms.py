from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .catalogue import service_choices
from .models import FaultReport, Station


class ReportForm(forms.Form):
    category = forms.ChoiceField(
        label="问题类型",
        choices=[("", "请选择"), *FaultReport.Category.choices],
        error_messages={"required": "请选择问题类型", "invalid_choice": "请选择问题类型"},
    )
    text = forms.CharField(label="说明", max_length=1000, required=False, widget=forms.Textarea)
    # A plain FileField: the service checks the content with Pillow (ImageField would too, but
    # with English messages and without the size limit).
    photo = forms.FileField(label="照片（可选，≤ 5 MB）", required=False)
    phone = forms.CharField(
        label=_("手机号（可选：工作人员回复时短信通知您）"), max_length=20, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs.update(rows=4, placeholder="例如：饮水机不出热水")
        self.fields["photo"].widget.attrs.update(accept="image/*")
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="tel")


class PhotoForm(forms.Form):
    # A plain FileField, as in ReportForm: the service checks the content.
    photo = forms.FileField(
        label="照片（JPEG、PNG、WebP、GIF，≤ 5 MB）",
        error_messages={"required": "请选择照片"},
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    caption = forms.CharField(label="说明（可选）", max_length=100, required=False)


class StationForm(forms.Form):
    """Everything a union staff member may change; keepers see only the keeper fields."""

    name = forms.CharField(label="名称", max_length=100)
    address = forms.CharField(label="地址", max_length=200, required=False)
    district = forms.ChoiceField(label="区域")  # the districts of the station's city
    host = forms.ChoiceField(label="依托单位", choices=Station.Host.choices)
    status = forms.ChoiceField(label="状态", choices=Station.Status.choices)
    capacity = forms.IntegerField(label="容纳人数", min_value=0, max_value=1000)
    services = forms.MultipleChoiceField(
        label="服务", choices=service_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    is_24h = forms.BooleanField(label="24 小时开放", required=False)
    weekly_text = forms.CharField(
        label="每周开放时间（7 行，周一至周日；如 08:00-20:00，多段用逗号，休息留空）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
    )
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    is_model = forms.BooleanField(label="示范驿站", required=False)
    project_year = forms.IntegerField(
        label="建设/提升年度", min_value=2000, max_value=2100, required=False
    )
    lon = forms.FloatField(label="经度", required=False)
    lat = forms.FloatField(label="纬度", required=False)
    datum = forms.ChoiceField(
        label="坐标系",
        choices=[
            ("wgs84", "WGS-84 (GPS)"),
            ("gcj02", "GCJ-02 (高德/腾讯)"),
            ("bd09", "BD-09 (百度)"),
        ],
        required=False,
    )

    KEEPER_FIELDS = ("status", "capacity", "services", "is_24h", "weekly_text")

    def __init__(
        self,
        *args: Any,
        districts: list[tuple[str, str]] | None = None,
        keeper_only: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["district"]).choices = districts or []
        if keeper_only:
            for name in list(self.fields):
                if name not in self.KEEPER_FIELDS:
                    del self.fields[name]
            cast(forms.ChoiceField, self.fields["status"]).choices = [
                (Station.Status.OPEN, "开放"),
                (Station.Status.TEMP_CLOSED, "暂停开放"),
            ]

    @staticmethod
    def initial_for(station: Station) -> dict:
        return {
            "name": station.name,
            "address": station.address,
            "district": station.district_id,
            "host": station.host,
            "status": station.status,
            "capacity": station.capacity,
            "services": station.services,
            "is_24h": station.is_24h,
            "weekly_text": "\n".join(
                ", ".join(f"{a}-{b}" for a, b in day) for day in (station.weekly_hours or [])
            ),
            "contact_name": station.contact_name,
            "contact_phone": station.contact_phone,
            "is_model": station.is_model,
            "project_year": station.project_year,
            "datum": "wgs84",
        }

    def clean_weekly_text(self) -> list:
        text = self.cleaned_data.get("weekly_text") or ""
        lines = text.replace("\r", "").split("\n")
        lines = (lines + [""] * 7)[:7] if len(lines) <= 7 else lines
        if len(lines) != 7:
            raise forms.ValidationError("请填写 7 行（周一至周日）")
        week = []
        for line in lines:
            pairs = []
            for part in line.replace("，", ",").split(","):
                part = part.strip().replace("–", "-").replace("—", "-")
                if not part:
                    continue
                start, sep, end = part.partition("-")
                if not sep:
                    raise forms.ValidationError(f"时间段格式应为 08:00-20:00：{part}")
                pairs.append([start.strip(), end.strip()])
            week.append(pairs)
        return week

    def service_data(self) -> dict:
        d = dict(self.cleaned_data)
        data = {k: v for k, v in d.items() if k not in ("weekly_text", "lon", "lat", "datum")}
        if "weekly_text" in d:
            data["weekly_hours"] = d["weekly_text"]
        return data


class ExceptionForm(forms.Form):
    start_date = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    closed = forms.BooleanField(label="闭站", required=False, initial=True)
    hours_text = forms.CharField(label="当天开放时间（不闭站时，如 10:00-16:00）", required=False)
    reason = forms.CharField(label="原因", max_length=100, required=False)

    def hours(self) -> list:
        text = self.cleaned_data.get("hours_text") or ""
        out = []
        for part in text.replace("，", ",").split(","):
            start, sep, end = part.strip().partition("-")
            if sep:
                out.append([start.strip(), end.strip()])
        return out


class ReportActionForm(forms.Form):
    to = forms.ChoiceField(choices=FaultReport.Status.choices)
    note = forms.CharField(max_length=300, required=False)


class ReportAssignForm(forms.Form):
    assignee = forms.TypedChoiceField(
        label=_("指派给"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["assignee"])
        field.choices = [("", _("未指派")), *((u.pk, _person(u)) for u in people)]


class ReportReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("回复反馈人"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


def _person(user: Any) -> str:
    full = user.get_full_name()
    return f"{full}（{user.get_username()}）" if full else user.get_username()
