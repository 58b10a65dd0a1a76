from django import forms

from waystation.accounts.models import Platform

from .models import Claim, ClaimDocument


class ClaimForm(forms.Form):
    enrolment = forms.TypedChoiceField(label="参加的保障", coerce=int)
    incident_type = forms.ChoiceField(label="事故类型", choices=Claim.Incident.choices)
    incident_date = forms.DateField(
        label="事故日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    incident_place = forms.CharField(label="事故地点", max_length=200)
    description = forms.CharField(
        label="事故经过", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    platform = forms.ChoiceField(label="事故时为哪个平台工作", required=False)
    medical_yuan = forms.DecimalField(
        label="医疗费用合计（元，可稍后由工作人员核定）",
        required=False,
        min_value=0,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    hospital_days = forms.IntegerField(label="住院天数", required=False, min_value=0, max_value=366)
    bank_name = forms.CharField(label="开户银行", max_length=50)
    account_name = forms.CharField(label="户名（须为本人）", max_length=50, required=False)
    bank_card = forms.CharField(
        label="银行卡号",
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, enrolments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].choices = [(e.pk, str(e.plan)) for e in enrolments]
        self.fields["platform"].choices = [("", "不是在平台接单时发生")] + [
            (p.code, p.name) for p in Platform.objects.all()
        ]


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label="材料类型", choices=ClaimDocument.DocType.choices)
    file = forms.FileField(label="文件（JPG、PNG 或 PDF）")


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)
