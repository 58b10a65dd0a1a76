from typing import Any

from django import forms
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.translation import gettext_lazy as _

from waystation.accounts.models import City, District, Industry, OrgUnit, Platform


class CityForm(forms.ModelForm):
    class Meta:
        model = City
        fields = ["union_name", "sms_signature"]
        labels = {"union_name": _("工会名称"), "sms_signature": _("短信签名")}
        help_texts = {"sms_signature": _("已在短信服务商报备的签名，不含【】。")}

    def clean_sms_signature(self) -> str:
        value = self.cleaned_data["sms_signature"].strip().strip("【】")
        if not value:
            raise forms.ValidationError(_("请填写短信签名。"))
        return value


# Formset labels (django-stubs wants plain str; lazy ones translate at render time).
NAME: Any = _("名称")
ORDER: Any = _("排序")
UNION: Any = _("工会名称")
INDUSTRY: Any = _("行业")

FormSet = type[BaseModelFormSet]
DistrictFormSet: FormSet = modelformset_factory(
    District, fields=["name", "order"], labels={"name": NAME, "order": ORDER}, extra=0
)
UnitFormSet: FormSet = modelformset_factory(
    OrgUnit, fields=["name"], labels={"name": UNION}, extra=0
)
IndustryFormSet: FormSet = modelformset_factory(
    Industry, fields=["name", "order"], labels={"name": NAME, "order": ORDER}, extra=0
)
PlatformFormSet: FormSet = modelformset_factory(
    Platform, fields=["name", "industry"], labels={"name": NAME, "industry": INDUSTRY}, extra=0
)


class IndustryAddForm(forms.ModelForm):
    class Meta:
        model = Industry
        fields = ["code", "name"]
        labels = {"code": _("代码"), "name": _("名称")}


class PlatformAddForm(forms.ModelForm):
    class Meta:
        model = Platform
        fields = ["code", "name", "industry"]
        labels = {"code": _("代码"), "name": _("名称"), "industry": _("行业")}
