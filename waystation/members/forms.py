from django import forms
from django.conf import settings

from waystation.accounts.models import OrgUnit, Platform
from waystation.accounts.orgs import DISTRICTS, INDUSTRIES

from .validators import clean_id_number, clean_name, clean_phone


class JoinForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=40)
    id_number = forms.CharField(label="身份证号码", max_length=18)
    phone = forms.CharField(label="手机号码", max_length=14)
    sms_code = forms.CharField(label="短信验证码", max_length=6, required=False)
    industry = forms.ChoiceField(label="所在行业", choices=[("", "请选择"), *INDUSTRIES])
    platforms = forms.ModelMultipleChoiceField(
        label="服务平台（可多选）",
        queryset=Platform.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    district = forms.ChoiceField(label="工作所在区域", choices=[("", "请选择"), *DISTRICTS])
    consent = forms.BooleanField(
        label="我已阅读并同意《个人信息保护告知书》",
        error_messages={"required": "请阅读并同意个人信息保护告知书"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update(autocomplete="off", inputmode="text")
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="tel")
        self.fields["sms_code"].widget.attrs.update(
            inputmode="numeric", autocomplete="one-time-code"
        )
        self.fields["name"].widget.attrs.update(autocomplete="name")
        self.fields["name"].error_messages["required"] = "请填写姓名"
        self.fields["id_number"].error_messages["required"] = "请填写身份证号码"
        self.fields["phone"].error_messages["required"] = "请填写手机号码"
        self.fields["industry"].error_messages["required"] = "请选择所在行业"
        self.fields["district"].error_messages["required"] = "请选择工作所在区域"

    # The same rules as the service, so that every field's message shows at once.
    def clean_name(self) -> str:
        return clean_name(self.cleaned_data["name"])

    def clean_id_number(self) -> str:
        return clean_id_number(self.cleaned_data["id_number"])

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def service_data(self, campaign_code: str) -> dict:
        d = self.cleaned_data
        return {
            "campaign": campaign_code,
            "name": d["name"],
            "id_number": d["id_number"],
            "phone": d["phone"],
            "sms_code": d.get("sms_code", ""),
            "industry": d["industry"],
            "platforms": [p.code for p in d["platforms"]],
            "district": d["district"],
            "consent_version": settings.PRIVACY_NOTICE_VERSION if d.get("consent") else "",
        }


class LoginForm(forms.Form):
    phone = forms.CharField(label="手机号码", max_length=14)
    sms_code = forms.CharField(label="短信验证码", max_length=6, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=200, min_length=2)


class StatusForm(ReasonForm):
    status = forms.ChoiceField(
        choices=[("active", "恢复正常"), ("lapsed", "失效"), ("withdrawn", "退会")]
    )


class TransferForm(ReasonForm):
    union = forms.ModelChoiceField(queryset=OrgUnit.objects.all(), label="转入工会")


class CampaignForm(forms.Form):
    code = forms.SlugField(label="活动代码（字母、数字、连字符）", max_length=40)
    name = forms.CharField(label="活动名称", max_length=100)
    owner_kind = forms.ChoiceField(
        label="归属",
        choices=[("union", "工会"), ("station", "驿站"), ("event", "活动"), ("street", "街头点位")],
    )
    place = forms.CharField(label="地点（驿站、活动或点位）", max_length=200, required=False)
    unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label="归属工会")
