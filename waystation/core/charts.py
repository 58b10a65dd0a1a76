"""The charts of the statistics pages, each with its figures as a table (its text alternative,
in the page) and as an Excel download, from the same rows.

A view lists its charts and answers `?download=<key>` with that chart's workbook:

    charts = [Chart("union", _("按工会"), "bar", stats["by_union"], _("工会"), _("人数"))]
    if (file := chart_download(request, charts, _("会员统计"))) is not None:
        return file
    return render(request, "...", {"charts": charts})

and the template includes `core/_chart.html` for each (`{% include "core/_chart.html" with
chart=c %}`); static/js/charts.js draws every `[data-chart]` element. Rows are `{name, n}`.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from waystation.core.http import attachment, filter_params
from waystation.members.exports import XLSX, xlsx_bytes

_SHEET_UNSAFE = re.compile(r"[\\/?*\[\]:]")  # characters a sheet's name may not hold


@dataclass(frozen=True)
class Chart:
    key: str
    title: Any
    kind: str  # "bar", "pie" or "line" (static/js/charts.js)
    rows: list[dict[str, Any]]
    name_label: Any  # the table's and the workbook's first column: 工会, 区域…
    value_label: Any  # and its second: 人数, 金额（元）…
    # the query string of the page (its filters), kept by the download link
    query: str = field(default="", compare=False)

    @property
    def element_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def total(self) -> int | float:
        return sum(r.get("n") or 0 for r in self.rows)

    @property
    def rows_id(self) -> str:
        return f"chart-{self.key}-rows"

    @property
    def summary(self) -> str:
        """A line for the chart's accessible name: its largest items, the table has them all."""
        top = sorted(self.rows, key=lambda r: -(r.get("n") or 0))[:3]
        items = "，".join(f"{r.get('name')} {r.get('n')}" for r in top)
        return str(_("%(title)s：共 %(count)s 项，最多的是 %(items)s；全部数字见数据表")) % {
            "title": self.title,
            "count": len(self.rows),
            "items": items or "—",
        }

    def download_query(self) -> str:
        return f"{self.query}&download={self.key}" if self.query else f"download={self.key}"


def with_query(request: HttpRequest, charts: list[Chart]) -> list[Chart]:
    """The charts, each with the page's filters for its download link."""
    params = filter_params(request)
    params.pop("download", None)
    query = params.urlencode()
    return [
        Chart(c.key, c.title, c.kind, c.rows, c.name_label, c.value_label, query) for c in charts
    ]


def chart_download(
    request: HttpRequest, charts: list[Chart], page_title: Any
) -> HttpResponse | None:
    """The workbook of the chart `?download=` names (None when it names none of them)."""
    key = request.GET.get("download")
    chart = next((c for c in charts if c.key == key), None)
    if chart is None:
        return None
    body = xlsx_bytes(
        [str(chart.name_label), str(chart.value_label)],
        ([r.get("name"), r.get("n")] for r in chart.rows),
        title=_SHEET_UNSAFE.sub("", str(chart.title))[:31] or "Sheet1",
    )
    return attachment(body, f"{page_title}-{chart.title}.xlsx", XLSX)
