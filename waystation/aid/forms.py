import json
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waystation.accounts.models import City, Industry, OrgUnit, Platform
from waystation.core import xlsx
from waystation.members.models import Member

from .benefits import ASK_SHAPES
from .models import Claim, ClaimDocument, Enrolment, Plan
from .services import PLAN_FIELDS, ClaimReport, Gift, PlanTerms, clean_asks, fen_from_yuan

CENT = Decimal("0.01")


class YuanField(forms.CharField):
    """An amount typed in yuan ("3200", "3,200.50", "¥3200"), cleaned to integer fen."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if text in self.empty_values:
            return None
        try:
            return fen_from_yuan(text)
        except ValidationError as exc:  # fen_from_yuan names a field; here the field is this one
            raise ValidationError(exc.messages) from exc


class AssessForm(forms.Form):
    """The reviewer's assessed figures: one field per item of the claim's plan, shaped by its
    type (benefits.ASK_SHAPES): an amount in yuan, days, a disability grade; for a fixed sum,
    anything typed asks for it. An empty field leaves the item out."""

    def __init__(self, *args: Any, schedule: list[dict], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items: dict[str, dict] = {}
        for item in schedule:
            shape = ASK_SHAPES[item["type"]]
            label = f"{item['label']}（{shape.hint}）"
            field: forms.Field
            if shape.key == "amount":
                field = YuanField(label=label, required=False)
            elif shape.key is not None:
                invalid = f"“{item['label']}”的数值无效"
                field = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=shape.low,
                    max_value=shape.high,
                    error_messages={"invalid": invalid, "min_value": invalid, "max_value": invalid},
                )
            else:
                field = forms.CharField(label=label, required=False)
            self.fields[f"ask_{item['code']}"] = field
            self.items[f"ask_{item['code']}"] = item

    def asks(self) -> dict[str, dict[str, int]]:
        """The figures as a claim's asks ({"medical": {"amount": fen}, "diagnosis": {}})."""
        out: dict[str, dict[str, int]] = {}
        for name, item in self.items.items():
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                continue
            key = ASK_SHAPES[item["type"]].key
            out[item["code"]] = {} if key is None else {key: value}
        return out


CARD_MESSAGE = "请填写本人银行卡号（12–19 位数字）"


class ClaimReportForm(forms.Form):
    """A member's report of an incident: every rule of it, for the phone page (ClaimForm) and the
    API alike (its JSON body is the data). `report()` is what services.claim_report writes."""

    enrolment = forms.TypedChoiceField(
        label="参加的保障",
        coerce=int,
        error_messages={
            "required": "请选择您参加的互助保障",
            "invalid_choice": "请选择您参加的互助保障",
        },
    )
    incident_type = forms.ChoiceField(
        label="事故类型",
        choices=Claim.Incident.choices,
        error_messages={"required": "请选择事故类型", "invalid_choice": "请选择事故类型"},
    )
    incident_date = forms.DateField(
        label="事故日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请填写事故日期", "invalid": "请填写事故日期"},
    )
    incident_place = forms.CharField(
        label="事故地点", max_length=200, error_messages={"required": "请填写事故地点"}
    )
    description = forms.CharField(
        label="事故经过",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=4,
        max_length=2000,
        error_messages={"required": "请简要描述事故经过", "min_length": "请简要描述事故经过"},
    )
    platform = forms.ChoiceField(
        label="事故时为哪个平台工作",
        required=False,
        error_messages={"invalid_choice": "平台无效"},
    )
    # what the claim asks per item of the plan, in the shape of each item's type
    # (benefits.ASK_SHAPES): {"medical": {"amount": fen}, "hospital": {"days": n}}
    asks = forms.JSONField(required=False)
    bank_name = forms.CharField(
        label="开户银行", max_length=50, error_messages={"required": "请填写开户银行"}
    )
    account_name = forms.CharField(label="户名（须为本人）", max_length=50, required=False)
    bank_card = forms.CharField(
        label="银行卡号",
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": CARD_MESSAGE, "max_length": CARD_MESSAGE},
    )

    # the field that shows the messages about what the claim asks
    asks_field = "asks"

    def __init__(
        self,
        *args: Any,
        member: Member,
        enrolments: Iterable[Enrolment] | None = None,
        **kw: Any,
    ) -> None:
        """`enrolments`: those the member may claim on (the member's, by default)."""
        super().__init__(*args, **kw)
        self.member = member
        if enrolments is None:
            enrolments = Enrolment.objects.filter(member=member).select_related("plan")
        self.enrolments = {e.pk: e for e in enrolments}
        cast(forms.ChoiceField, self.fields["enrolment"]).choices = [
            (pk, str(e.plan)) for pk, e in self.enrolments.items()
        ]
        self.platforms = {p.code: p for p in Platform.objects.all()}
        cast(forms.ChoiceField, self.fields["platform"]).choices = [
            ("", "不是在平台接单时发生")
        ] + [(code, p.name) for code, p in self.platforms.items()]

    def clean_incident_date(self) -> date:
        day = self.cleaned_data["incident_date"]
        if day > timezone.localdate():
            raise ValidationError("事故日期不能晚于今天")
        return day

    def clean_bank_card(self) -> str:
        card = "".join(ch for ch in self.cleaned_data["bank_card"] if ch.isdigit())
        if not 12 <= len(card) <= 19:
            raise ValidationError(CARD_MESSAGE)
        return card

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        enrolment = self.enrolments.get(data.get("enrolment") or 0)
        if enrolment is None:
            return data
        day = data.get("incident_date")
        if day is not None and not enrolment.covers(day):
            self.add_error(
                "incident_date",
                f"该日期不在保障期内（保障期 {enrolment.covered_from:%Y-%m-%d} 至 "
                f"{enrolment.covered_to:%Y-%m-%d}，含等待期）",
            )
        try:
            data["asks"] = clean_asks(enrolment.plan, self.asks_of(enrolment.plan, data))
        except ValidationError as exc:
            for message in exc.messages:
                self.add_error(self.asks_field, message)
        return data

    def asks_of(self, plan: Plan, data: dict[str, Any]) -> dict:
        """What the claim asks, as given (the API gives it item by item)."""
        return data.get("asks") or {}

    def report(self) -> ClaimReport:
        """The checked report (call after is_valid())."""
        d = self.cleaned_data
        return ClaimReport(
            enrolment=self.enrolments[d["enrolment"]],
            incident_type=d["incident_type"],
            incident_date=d["incident_date"],
            incident_place=d["incident_place"],
            description=d["description"],
            platform=self.platforms.get(d["platform"]),
            asks=d["asks"],
            bank_name=d["bank_name"],
            account_name=d["account_name"] or self.member.name,
            bank_card=d["bank_card"],
        )

    def checked(self) -> ClaimReport:
        """The checked report, or ValidationError naming every problem by field (the API answers
        it with 400)."""
        if not self.is_valid():
            raise ValidationError(self.errors.as_data())
        return self.report()


class ClaimForm(ClaimReportForm):
    """The phone page's report: the bills and the hospital days stand for the plan's items."""

    asks = None  # type: ignore[assignment]  # the page asks in the member's words instead
    medical_yuan = forms.DecimalField(
        label="医疗费用合计（元，可稍后由工作人员核定）",
        required=False,
        min_value=0,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    hospital_days = forms.IntegerField(label="住院天数", required=False, min_value=0, max_value=366)

    field_order = [
        "enrolment",
        "incident_type",
        "incident_date",
        "incident_place",
        "description",
        "platform",
        "medical_yuan",
        "hospital_days",
    ]
    asks_field = "medical_yuan"

    def asks_of(self, plan: Plan, data: dict[str, Any]) -> dict:
        """Bills → the reimbursement item, hospital days → the daily item, a diagnosis or a
        death → the plan's fixed sum for it."""
        figures = {
            "amount": fen_from_yuan(data.get("medical_yuan")),
            "days": data.get("hospital_days") or 0,
        }
        fixed_for = {"illness": "fixed", "death": "death"}.get(data.get("incident_type", ""))
        asks: dict[str, dict] = {}
        for item in plan.schedule:
            key = ASK_SHAPES[item["type"]].key
            if key is None:
                if item["type"] == fixed_for:
                    asks[item["code"]] = {}
            elif figures.get(key):
                asks[item["code"]] = {key: figures[key]}
        return asks


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label="材料类型", choices=ClaimDocument.DocType.choices)
    file = forms.FileField(label="文件（JPG、PNG 或 PDF）")


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PlanForm(forms.Form):
    """Every field of a plan year, in the units people use (yuan, days, years of age); the
    service checks the rules that need the database (enrolments, claims)."""

    code = forms.SlugField(
        label="方案代码",
        max_length=40,
        help_text="英文字母、数字和连字符，如 accident-2027；创建后不可修改",
    )
    name = forms.CharField(label="方案名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=Plan.Kind.choices)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    start_date = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    # the city that sets the plan: asked on a new plan of an account that manages several cities
    city = forms.ModelChoiceField(
        label=gettext_lazy("城市"),
        queryset=City.objects.none(),
        to_field_name="adcode",
        required=False,
    )
    industries = forms.MultipleChoiceField(
        label="适用行业",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选即全部行业",
    )
    member_statuses = forms.MultipleChoiceField(
        label="会员状态",
        choices=Member.Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选即仅限状态正常的会员",
    )
    min_age = forms.IntegerField(label="最低年龄（周岁）", min_value=0, max_value=120)
    max_age = forms.IntegerField(label="最高年龄（周岁）", min_value=0, max_value=120)
    waiting_days = forms.IntegerField(label="等待期（天）", min_value=0, max_value=365)
    funding = forms.ChoiceField(label="缴费方式", choices=Plan.Funding.choices)
    contribution_yuan = forms.DecimalField(
        label="每人每年缴费（元）",
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text="会员自费时由会员缴纳；工会赠送时为工会为每人支付的金额",
    )
    self_enrol = forms.BooleanField(label="允许会员自行参保", required=False)
    is_example = forms.BooleanField(label="示例方案（金额为示例值）", required=False)
    schedule = forms.CharField(
        label="保障责任（JSON）",
        widget=forms.Textarea(attrs={"rows": 18, "style": "font-family:monospace"}),
        help_text=(
            "金额以“分”为单位的整数；比例为百分数整数。类型：fixed 定额（amount）、"
            "reimbursement 报销（deductible 免赔、ratio 比例、cap_incident 单次上限、"
            "cap_year 年度上限）、daily 住院津贴（per_day、max_days）、"
            "disability 伤残（sum、grades 1–10 级比例）、death 身故（amount）"
        ),
    )
    note = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    reason = forms.CharField(label="修改理由（记入审计日志）", max_length=500)

    # form field → plan field, where they differ
    FIELD_OF = {"contribution_yuan": "contribution_fen"}

    def __init__(
        self,
        *args: Any,
        plan: Plan | None = None,
        cities: QuerySet[City] | None = None,
        **kwargs: Any,
    ) -> None:
        """`cities`: those whose plans the account manages (a new plan is in one of them); the
        city of an existing plan is fixed, like its code."""
        if plan is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{
                    f: getattr(plan, f)
                    for f in self.base_fields
                    if hasattr(plan, f) and f != "city"
                },
                "contribution_yuan": (Decimal(plan.contribution_fen) / 100).quantize(CENT),
                "schedule": json.dumps(plan.schedule, ensure_ascii=False, indent=2),
            }
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["industries"]).choices = [
            (i.code, i.name) for i in Industry.objects.all()
        ]
        self.only_city: City | None = None
        if plan is not None and plan.pk:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = ""
            del self.fields["city"]
            return
        choices = list(cities) if cities is not None else []
        city_field = cast(forms.ModelChoiceField, self.fields["city"])
        city_field.queryset = cities if cities is not None else City.objects.none()
        if len(choices) == 1:
            self.only_city = choices[0]
            city_field.widget = forms.HiddenInput()
            city_field.initial = choices[0].adcode

    def clean_city(self) -> City:
        city = self.cleaned_data.get("city") or self.only_city
        if city is None:
            raise ValidationError(_("请选择城市"))
        return city

    def clean_schedule(self) -> list:
        text = self.cleaned_data["schedule"]
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"不是合法的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）"
            ) from exc

    def plan_fields(self) -> PlanTerms:
        """The cleaned values as plan fields (yuan → integer fen, exactly), without the code and
        the city."""
        data = {self.FIELD_OF.get(k, k): v for k, v in self.cleaned_data.items()}
        data["contribution_fen"] = int(self.cleaned_data["contribution_yuan"] * 100)
        return cast(PlanTerms, {k: data[k] for k in PLAN_FIELDS})

    def add_service_errors(self, exc: ValidationError) -> None:
        """A service's ValidationError, each message beside its field."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        to_form = {v: k for k, v in self.FIELD_OF.items()}
        for key, msgs in exc.message_dict.items():
            field = to_form.get(key, key)
            for msg in msgs:
                self.add_error(field if field in self.fields else None, msg)


class PlanCopyForm(forms.Form):
    year = forms.IntegerField(label="复制到年度", min_value=2000, max_value=2100)
    reason = forms.CharField(label="理由", max_length=500, required=False)


GIFT_CHOOSE = "请选择方案和赠送工会"
MEMBER_NUMBER = re.compile(r"[A-Z]{1,6}[0-9]{4,}")
GIFT_LIST_MAX_BYTES = 10 * 1024 * 1024


class GiftForm(forms.Form):
    """A union's gift of a plan year to many members: every rule of it (the plans page's schema).
    The members are those of an uploaded list (member numbers in the first column of an .xlsx or
    a text/CSV file) or else those the member list's filters select. `gift()` is what
    services.gift_batch_start records."""

    plan = forms.ModelChoiceField(
        queryset=Plan.objects.none(),
        error_messages={"required": GIFT_CHOOSE, "invalid_choice": GIFT_CHOOSE},
    )
    unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(),
        error_messages={"required": GIFT_CHOOSE, "invalid_choice": GIFT_CHOOSE},
    )
    file = forms.FileField(required=False)
    district = forms.CharField(required=False)
    industry = forms.CharField(required=False)
    platform = forms.CharField(required=False)
    status = forms.CharField(required=False)

    FILTERS = ("district", "industry", "platform", "status")

    def __init__(
        self, *args: Any, units: QuerySet[OrgUnit], plans: QuerySet[Plan], **kwargs: Any
    ) -> None:
        """`units`: the unions the giver acts for; `plans`: the plans they may gift."""
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        cast(forms.ModelChoiceField, self.fields["plan"]).queryset = plans

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        plan, unit = data.get("plan"), data.get("unit")
        if plan is not None and unit is not None and unit.city_id != plan.city_id:
            self.add_error("unit", _("赠送工会须与方案属于同一城市"))
        return data

    def clean_file(self) -> tuple[str, ...] | None:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > GIFT_LIST_MAX_BYTES:
            raise ValidationError("名单文件过大")
        head = upload.read(4)
        upload.seek(0)
        if head.startswith(b"PK"):  # checked, then read in a child process (XlsxError: a message)
            rows = xlsx.read(upload.read(), skip_empty_area=True)
            values = [str(r[0]) for r in rows if r and r[0]]
        else:
            text = upload.read().decode("utf-8-sig", errors="replace")
            values = [line.split(",")[0] for line in text.splitlines()]
        numbers = {v.strip().upper() for v in values}
        # a member number: a city's letters, then digits (a header or a blank line is not one)
        numbers = {n for n in numbers if MEMBER_NUMBER.fullmatch(n)}
        if not numbers:
            raise ValidationError("名单中没有会员号")
        return tuple(sorted(numbers))

    def gift(self) -> Gift:
        """The checked gift (call after is_valid())."""
        d = self.cleaned_data
        return Gift(
            plan=d["plan"],
            unit=d["unit"],
            filters={k: d[k] for k in self.FILTERS if d[k]},
            member_numbers=d["file"],
        )
