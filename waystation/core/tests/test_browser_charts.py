"""Headless Chromium at 1440×900: the statistics charts draw every label whole (no "…"), none
over another and none outside its chart; the data table opens beside each chart."""

import os
import tempfile
from pathlib import Path

import pytest

from waystation.aid.tests.conftest import make_member
from waystation.core.tests.test_browser_staff import sign_in

# screenshots to look at after a run (WAYSTATION_SHOTS, else the temporary directory)
SHOTS = Path(os.environ.get("WAYSTATION_SHOTS", Path(tempfile.gettempdir()) / "shots-plan18"))
UNIONS = [
    "常州市天宁区快递物流与即时配送行业工会联合委员会",
    "常州市钟楼区网约配送员工会",
    "常州市新北区外卖送餐行业工会联合会",
]

# every <text> of each chart's SVG: its string and box, and the chart's own box
LABELS_JS = """(id) => {
  const el = document.getElementById(id);
  const box = el.getBoundingClientRect();
  const texts = [...el.querySelectorAll("svg text")].filter(t => t.textContent.trim())
    .map(t => { const r = t.getBoundingClientRect();
      return {s: t.textContent, l: r.left, t: r.top, r: r.right, b: r.bottom}; });
  return {box: {l: box.left, t: box.top, r: box.right, b: box.bottom}, texts};
}"""


def _overlaps(a, b) -> bool:
    pad = 0.5  # sub-pixel anti-aliasing at touching edges
    return not (
        a["r"] <= b["l"] + pad
        or b["r"] <= a["l"] + pad
        or a["b"] <= b["t"] + pad
        or b["b"] <= a["t"] + pad
    )


def _check_labels(page, chart_id: str) -> list[str]:
    found = page.evaluate(LABELS_JS, chart_id)
    texts, box = found["texts"], found["box"]
    assert texts, f"{chart_id}: nothing drawn"
    for t in texts:
        assert "…" not in t["s"] and "..." not in t["s"], (chart_id, t["s"])
        assert t["l"] >= box["l"] - 1 and t["r"] <= box["r"] + 1, (chart_id, t["s"], box)
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            assert not _overlaps(a, b), (chart_id, a["s"], b["s"])
    return [t["s"] for t in texts]


@pytest.fixture
def many_members(orgs):
    from waystation.accounts.models import OrgUnit

    numbers = 0
    industries = ["food_delivery", "express", "ride_hailing", "truck"]
    for d, n in (("tianning", 9), ("zhonglou", 5), ("xinbei", 3), ("wujin", 2), ("jintan", 1)):
        for _ in range(n):
            numbers += 1
            industry = industries[numbers % len(industries)]
            make_member(f"CZ{numbers:08d}", district=d, industry=industry, id_tail=f"{numbers:04d}")
    # the members' unions under long names, as offices name them
    unions = list(OrgUnit.objects.filter(members__isnull=False).distinct())
    for unit, name in zip(unions, UNIONS, strict=False):
        unit.name = name
        unit.save(update_fields=["name"])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_member_charts_draw_every_label_whole_and_apart(
    live_server, desk_page, people, many_members
):
    page = desk_page
    page.set_viewport_size({"width": 1440, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, live_server, "carl", "pw-carl")
    page.goto(f"{live_server.url}/staff/stats/")
    page.wait_for_selector("#chart-union svg text")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "member-stats-1440.png"), full_page=True)
    for chart in ("union", "district", "industry", "channel", "weeks"):
        _check_labels(page, f"chart-{chart}")
    union_text = "".join(_check_labels(page, "chart-union"))
    assert UNIONS[0] in union_text  # wrapped onto lines, but whole
    page.click("#panel-district .chart-data > summary")
    assert page.locator("#panel-district table").is_visible()
    assert "天宁区" in page.inner_text("#panel-district table")
    with page.expect_download() as dl:
        page.click("#panel-district .chart-actions a")
    assert dl.value.suggested_filename == "会员统计-按区域.xlsx"
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_aid_charts_draw_without_errors_and_keep_their_tables(
    live_server, desk_page, people, many_members
):
    page = desk_page
    page.set_viewport_size({"width": 1440, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, live_server, "carl", "pw-carl")
    page.goto(f"{live_server.url}/staff/aid/stats/")
    page.wait_for_selector(".chart-data")
    page.screenshot(path=str(SHOTS / "aid-stats-1440.png"), full_page=True)
    assert page.locator(".chart-data").count() == 9
    assert page.locator("[data-chart] svg").count() == page.locator("[data-chart]").count()
    assert errors == []
