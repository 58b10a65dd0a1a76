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

MODE_CHOICES = [("walk", "步行"), ("ebike", "电动自行车")]
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
        label="分析",
        choices=[
            ("coverage", "覆盖分析：现有驿站覆盖多少需求"),
            ("selection", "新站选址：k 个新站放在哪里"),
        ],
    )
    service = forms.ChoiceField(
        label="只算提供此服务的驿站",
        choices=lambda: [("", "全部开放驿站"), *service_choices()],
        required=False,
    )
    demand = forms.ChoiceField(label="需求图层", choices=DEMAND_SOURCES)
    demand_n = forms.IntegerField(
        label="合成需求点数", min_value=100, max_value=2_000_000, initial=50_000
    )
    demand_file = forms.FileField(label="需求 CSV", required=False)
    datum = forms.ChoiceField(
        label="上传文件的坐标系", choices=[(d, d.upper()) for d in DATUMS], initial="gcj02"
    )
    mode = forms.ChoiceField(label="出行方式", choices=MODE_CHOICES, initial="ebike")
    speed_kmh = forms.FloatField(
        label="速度 km/h（留空用默认：步行 5、电动车 15）",
        required=False,
        min_value=1,
        max_value=60,
    )
    minutes = forms.FloatField(label="时间预算（分钟）", initial=15, min_value=1, max_value=120)
    detour = forms.FloatField(label="绕行系数", initial=1.3, min_value=1.0, max_value=3.0)
    k = forms.IntegerField(label="新站数 k", initial=58, min_value=1, max_value=1000)
    candidates = forms.ChoiceField(label="候选点", choices=CANDIDATE_SOURCES)
    n_candidates = forms.IntegerField(
        label="热点候选点数", initial=2000, min_value=10, max_value=20000
    )
    candidates_file = forms.FileField(label="候选点 CSV", required=False)
    time_limit = forms.FloatField(label="求解时限（秒）", initial=60, min_value=1, max_value=600)

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
            self.add_error("demand_file", "请上传需求 CSV")
        if (
            data.get("kind") == "selection"
            and data.get("candidates") == "upload"
            and not data.get("candidates_file")
        ):
            self.add_error("candidates_file", "请上传候选点 CSV")
        for f in ("demand_file", "candidates_file"):
            upload = data.get(f)
            if upload and upload.size > 50 * 1024 * 1024:
                self.add_error(f, "文件不能超过 50 MB")
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
