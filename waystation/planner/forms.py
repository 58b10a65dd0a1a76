from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waystation.accounts.models import City
from waystation.geo.datums import DATUMS
from waystation.planning import MODES
from waystation.stations.catalogue import service_choices

from .inputs import CANDIDATE_SOURCES, DEMAND_SOURCES

MODE_CHOICES = [("walk", gettext_lazy("步行")), ("ebike", gettext_lazy("电动自行车"))]
DATUM_NAMES = {
    "gcj02": gettext_lazy("GCJ-02（高德、腾讯地图的坐标）"),
    "wgs84": gettext_lazy("WGS-84（手机定位、GPS 的坐标）"),
    "bd09": gettext_lazy("BD-09（百度地图的坐标）"),
}
assert {m for m, _ in MODE_CHOICES} <= set(MODES)


class AnalysisForm(forms.Form):
    # the city analysed: asked of an account that plans for several cities
    city = forms.ModelChoiceField(
        label=gettext_lazy("城市"),
        queryset=City.objects.none(),
        to_field_name="adcode",
        required=False,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("分析"),
        choices=[
            ("coverage", gettext_lazy("覆盖分析：现有驿站覆盖多少需求")),
            ("selection", gettext_lazy("新站选址：新站放在哪里")),
        ],
    )
    service = forms.ChoiceField(
        label=gettext_lazy("只算提供此服务的驿站"),
        choices=lambda: [("", _("全部开放驿站")), *service_choices()],
        required=False,
    )
    demand = forms.ChoiceField(label=gettext_lazy("需求来源"), choices=DEMAND_SOURCES)
    demand_n = forms.IntegerField(
        label=gettext_lazy("需求点数（合成或按会员撒点时）"),
        min_value=100,
        max_value=2_000_000,
        initial=50_000,
    )
    demand_file = forms.FileField(label=gettext_lazy("需求点文件（CSV 表格）"), required=False)
    datum = forms.ChoiceField(
        label=gettext_lazy("上传文件的坐标系"),
        choices=[(d, DATUM_NAMES.get(d, d.upper())) for d in DATUMS],
        initial="gcj02",
    )
    mode = forms.ChoiceField(label=gettext_lazy("出行方式"), choices=MODE_CHOICES, initial="ebike")
    speed_kmh = forms.FloatField(
        label=gettext_lazy("速度（公里/小时，留空用默认：步行 5、电动自行车 15）"),
        required=False,
        min_value=1,
        max_value=60,
    )
    minutes = forms.FloatField(
        label=gettext_lazy("时间预算（分钟）"), initial=15, min_value=1, max_value=120
    )
    detour = forms.FloatField(
        label=gettext_lazy("绕行系数（实际路程 ÷ 直线距离）"),
        initial=1.3,
        min_value=1.0,
        max_value=3.0,
    )
    k = forms.IntegerField(label=gettext_lazy("新站数量"), initial=58, min_value=1, max_value=1000)
    candidates = forms.ChoiceField(label=gettext_lazy("候选站址"), choices=CANDIDATE_SOURCES)
    n_candidates = forms.IntegerField(
        label=gettext_lazy("热点候选站址数"), initial=2000, min_value=10, max_value=20000
    )
    candidates_file = forms.FileField(
        label=gettext_lazy("候选站址文件（CSV 表格）"), required=False
    )
    time_limit = forms.FloatField(
        label=gettext_lazy("求解时限（秒）"), initial=60, min_value=1, max_value=600
    )

    def __init__(self, *args: Any, cities: QuerySet[City], **kwargs: Any) -> None:
        """`cities`: those the account plans for."""
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["city"])
        field.queryset = cities
        self.cities = list(cities)  # read once; the page lists them too
        self.only_city = self.cities[0] if len(self.cities) == 1 else None
        if self.only_city is not None:
            field.widget = forms.HiddenInput()

    def clean_city(self) -> City:
        city = self.cleaned_data.get("city") or self.only_city
        if city is None:
            raise forms.ValidationError(_("请选择城市"))
        return city

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("demand") == "upload" and not data.get("demand_file"):
            self.add_error("demand_file", _("请上传需求点文件"))
        if (
            data.get("kind") == "selection"
            and data.get("candidates") == "upload"
            and not data.get("candidates_file")
        ):
            self.add_error("candidates_file", _("请上传候选站址文件"))
        for f in ("demand_file", "candidates_file"):
            upload = data.get(f)
            if upload and upload.size > 50 * 1024 * 1024:
                self.add_error(f, _("文件不能超过 50 MB"))
        return data

    def params(self) -> dict:
        d = self.cleaned_data
        keys = (
            "service",
            "demand",
            "demand_n",
            "mode",
            "speed_kmh",
            "minutes",
            "detour",
            "k",
            "candidates",
            "n_candidates",
            "time_limit",
            "datum",
        )
        return {key: d.get(key) for key in keys}


TASKS = [
    ("coverage", gettext_lazy("本区覆盖率")),
    ("selection", gettext_lazy("再建 N 个站选在哪里")),
]
# What a one-click task leaves as the expert form has it: one place for the defaults.
DEFAULTS = {
    name: field.initial
    for name, field in AnalysisForm.base_fields.items()
    if name in ("demand_n", "datum", "mode", "minutes", "detour", "n_candidates", "time_limit")
}


class TaskForm(forms.Form):
    """A one-click task for a district officer: a district (the officer's own by default, or the
    whole city) and, to choose sites, how many; the city's own demand and the defaults do the
    rest (`inputs.city_demand_source`, DEFAULTS)."""

    task = forms.ChoiceField(choices=TASKS, widget=forms.HiddenInput)
    district = forms.ChoiceField(label=gettext_lazy("区"), required=False)
    n = forms.IntegerField(
        label=gettext_lazy("再建几个站"), initial=3, min_value=1, max_value=50, required=False
    )

    def __init__(
        self,
        *args: Any,
        cities: list[City],
        districts: dict[int, list],
        own: str = "",
        **kwargs: Any,
    ) -> None:
        """`districts`: the cities' districts by city id; `own`: the officer's district code."""
        super().__init__(*args, **kwargs)
        self.city_of: dict[str, City] = {}
        choices: list[Any] = []
        for city in cities:
            rows = districts.get(city.pk, [])
            for d in rows:
                self.city_of[d.code] = city
            whole = [(f"city:{city.adcode}", _("%(city)s全市") % {"city": city.name})]
            options = whole + [(d.code, d.name) for d in rows]
            choices.append((city.name, options) if len(cities) > 1 else options)
        field = cast(forms.ChoiceField, self.fields["district"])
        field.choices = choices if len(cities) > 1 else (choices[0] if choices else [])
        field.initial = own or (f"city:{cities[0].adcode}" if cities else "")
        self.cities = {c.adcode: c for c in cities}

    def clean(self) -> dict[str, Any]:
        super().clean()
        d = self.cleaned_data
        picked = d.get("district") or ""
        if picked.startswith("city:"):
            d["city"], d["district"] = self.cities.get(picked[5:]), ""
        else:
            d["city"] = self.city_of.get(picked)
        if d.get("city") is None:
            self.add_error("district", _("请选择区"))
        if d.get("task") == "selection" and not d.get("n"):
            self.add_error("n", _("请填写再建几个站"))
        return d

    def params(self, demand: str) -> dict:
        d = self.cleaned_data
        return {
            **DEFAULTS,
            "service": "",
            "demand": demand,
            "speed_kmh": None,
            "k": d.get("n") or DEFAULTS.get("k", 3),
            "candidates": "hotspots",
            "district": d["district"],
            "task": True,
        }
