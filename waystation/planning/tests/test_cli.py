import json

import networkx as nx
import pytest

from waystation.geo import cnmaps
from waystation.geo.boundaries import Boundaries
from waystation.planning.cli import main


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def files(tmp_path):
    return {
        "stations": _write(tmp_path / "s.csv", "id,lon,lat\nst-1,119.95,31.78\n"),
        "demand": _write(
            tmp_path / "d.csv",
            "id,lon,lat,weight\na,119.95,31.78,1\nb,119.484,31.416,2\nc,119.485,31.417,1\n",
        ),
        "candidates": _write(
            tmp_path / "c.csv", "id,lon,lat\nL,119.4845,31.4165\nZ,119.95,31.79\n"
        ),
        "dir": tmp_path,
    }


def test_coverage_prints_the_documented_json(files, capsys):
    code = main(
        ["coverage", "--stations", files["stations"], "--demand", files["demand"], "--json"]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["covered_share"] == 0.25
    assert out["detour"] == 1.3 and out["speed_kmh"] == 15.0 and out["minutes"] == 15.0
    assert out["n_stations"] == 1 and out["n_demand"] == 3 and out["total_weight"] == 4.0
    assert out["by_district"]["320481"]["name"] == "溧阳市"
    assert out["by_district"]["320481"]["covered_share"] == 0.0


def test_select_prints_chosen_ids_and_optimality(files, capsys):
    args = ["select", "--stations", files["stations"], "--demand", files["demand"]]
    code = main([*args, "--candidates", files["candidates"], "--k", "1", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["chosen"] == ["L"]
    assert out["covered_share_after"] == 1.0
    assert out["proven_optimal"] is True and out["mip_gap"] == 0.0
    assert {"objective", "seconds", "covered_share_before"} <= out.keys()


def test_network_travel_model_from_graphml(files, capsys):
    g = nx.Graph()
    g.add_node("a", x=119.95, y=31.78)
    g.add_node("b", x=119.484, y=31.416)
    g.add_edge("a", "b", length=3700.0)  # a fictional 3.7 km road
    path = files["dir"] / "g.graphml"
    nx.write_graphml(g, path)
    args = ["coverage", "--stations", files["stations"], "--demand", files["demand"]]
    assert main([*args, "--network", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["travel_model"] == "network"
    assert out["covered_share"] == 0.75  # c is 146 m off node b: 3,846 m > 3,750 m


def _fails(capsys, argv, needle):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err
    assert "Traceback" not in err
    return err


def test_missing_columns_exit_2_with_a_chinese_message(files, capsys):
    bad = _write(files["dir"] / "bad.csv", "name,lon\nx,119.9\n")
    err = _fails(capsys, ["coverage", "--stations", bad, "--demand", files["demand"]], "缺少列")
    assert err.startswith("错误：")


def test_empty_layer_exits_2(files, capsys):
    empty = _write(files["dir"] / "empty.csv", "id,lon,lat\n")
    _fails(capsys, ["coverage", "--stations", files["stations"], "--demand", empty], "为空")


def test_k_larger_than_candidates_exits_2(files, capsys):
    args = ["select", "--stations", files["stations"], "--demand", files["demand"]]
    _fails(capsys, [*args, "--candidates", files["candidates"], "--k", "3"], "k=3")


def test_coordinates_out_of_range_exit_2(files, capsys):
    swapped = _write(files["dir"] / "swapped.csv", "id,lon,lat\na,31.78,119.95\n")
    _fails(capsys, ["coverage", "--stations", files["stations"], "--demand", swapped], "超出范围")


def test_non_numeric_coordinate_names_the_row(files, capsys):
    bad = _write(files["dir"] / "nan.csv", "id,lon,lat\na,119.9,31.7\nb,east,31.7\n")
    _fails(capsys, ["coverage", "--stations", files["stations"], "--demand", bad], "第 3 行")


def test_unknown_datum_exits_2(files, capsys):
    argv = ["coverage", "--stations", files["stations"], "--demand", files["demand"]]
    _fails(capsys, [*argv, "--datum", "cgcs2000"], "未知坐标系")


def test_missing_required_argument_exits_2(files, capsys):
    _fails(capsys, ["coverage", "--demand", files["demand"]], "--stations")


def test_city_option_reports_on_that_citys_units(files, capsys):
    demand = _write(files["dir"] / "wx.csv", "id,lon,lat\na,120.301,31.571\nb,119.82,31.34\n")
    argv = ["coverage", "--stations", files["stations"], "--demand", demand, "--json"]
    assert main([*argv, "--city", "320200"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {k: v["name"] for k, v in out["by_district"].items()} == {
        "320213": "梁溪区",
        "320282": "宜兴市",
    }


def test_synthetic_demand_lies_in_the_named_city(files, capsys):
    out = files["dir"] / "syn.csv"
    assert main(["synth", "--n", "50", "--city", "320200", "--out", str(out)]) == 0
    rows = out.read_text(encoding="utf-8").splitlines()[1:]
    wuxi = Boundaries.from_city(cnmaps.city("320200"))
    lon = [float(r.split(",")[1]) for r in rows]
    lat = [float(r.split(",")[2]) for r in rows]
    assert len(rows) == 50 and wuxi.contains(lon, lat).all()


def test_a_province_as_city_exits_2_saying_so(files, capsys):
    argv = ["coverage", "--stations", files["stations"], "--demand", files["demand"]]
    _fails(capsys, [*argv, "--city", "320000"], "是省级行政区")
