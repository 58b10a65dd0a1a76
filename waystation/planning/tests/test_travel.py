import networkx as nx
import numpy as np
import pytest

from waystation.planning.coverage import make_reach
from waystation.planning.layers import PlanningError
from waystation.planning.travel import (
    budget_metres,
    load_graphml,
    network_from_graph,
    network_nearest,
    speed_for,
    straight_radius_m,
)

# One degree of latitude on the mean sphere: 111,195.08 m; 0.009° ≈ 1,000.76 m.
LAT_STEP = 0.009


def test_ebike_fifteen_minutes_is_3750_metres_and_2884_6_straight():
    assert budget_metres(speed_for("ebike"), 15) == 3750.0
    assert straight_radius_m(15.0, 15, 1.3) == pytest.approx(2884.615, abs=1e-3)


def test_walk_fifteen_minutes_is_1250_metres_and_961_5_straight():
    assert budget_metres(speed_for("walk"), 15) == 1250.0
    assert straight_radius_m(5.0, 15, 1.3) == pytest.approx(961.538, abs=1e-3)


def test_explicit_speed_overrides_the_mode():
    assert make_reach("walk", 10, 1.0, speed_kmh=6.0).limit_m == 1000.0


def test_detour_below_one_is_rejected():
    with pytest.raises(PlanningError, match="绕行系数"):
        make_reach("ebike", 15, 0.9)


def test_unknown_mode_is_rejected():
    with pytest.raises(PlanningError, match="未知出行方式"):
        speed_for("horse")


def _line_graph():
    """A—B—C—D along a meridian, 1,000 m per edge by attribute; plus a long A—D edge."""
    g = nx.Graph()
    for i, name in enumerate("ABCD"):
        g.add_node(name, x=120.0, y=31.0 + i * LAT_STEP)
    g.add_edge("A", "B", length=1000.0)
    g.add_edge("B", "C", length=1000.0)
    g.add_edge("C", "D", length=1000.0)
    g.add_edge("A", "D", length=5000.0)
    return g


def test_network_distance_follows_edge_lengths_not_straight_lines():
    net = network_from_graph(_line_graph())
    lat = 31.0 + np.arange(4) * LAT_STEP
    dist, station = network_nearest(
        net, np.array([120.0]), np.array([31.0]), np.full(4, 120.0), lat
    )
    assert dist.tolist() == pytest.approx([0.0, 1000.0, 2000.0, 3000.0], abs=1e-6)
    assert station.tolist() == [0, 0, 0, 0]


def test_network_multi_source_picks_the_nearest_station_and_cuts_at_the_limit():
    net = network_from_graph(_line_graph())
    lat = 31.0 + np.arange(4) * LAT_STEP
    dist, station = network_nearest(
        net,
        np.array([120.0, 120.0]),
        np.array([31.0, 31.0 + 3 * LAT_STEP]),
        np.full(4, 120.0),
        lat,
        limit_m=1250.0,
    )
    assert dist.tolist() == pytest.approx([0.0, 1000.0, 1000.0, 0.0], abs=1e-6)
    assert station.tolist() == [0, 0, 1, 1]
    dist, station = network_nearest(
        net, np.array([120.0]), np.array([31.0]), np.full(4, 120.0), lat, limit_m=1250.0
    )
    assert np.isinf(dist[2]) and station[2] == -1


def test_snap_leg_is_added_to_the_network_distance():
    net = network_from_graph(_line_graph())
    # Demand 0.001° east of B: 1000 m on the network plus ~95 m off it.
    dist, _ = network_nearest(
        net, np.array([120.0]), np.array([31.0]), np.array([120.001]), np.array([31.0 + LAT_STEP])
    )
    assert dist[0] == pytest.approx(1000.0 + 95.27, abs=0.5)


def test_edges_without_length_use_the_great_circle(tmp_path):
    g = nx.Graph()
    g.add_node(1, x=120.0, y=31.0)
    g.add_node(2, x=120.0, y=31.0 + LAT_STEP)
    g.add_edge(1, 2)
    path = tmp_path / "g.graphml"
    nx.write_graphml(g, path)
    net = load_graphml(path)
    assert net.lengths[0, 1] == pytest.approx(1000.76, abs=0.01)


def test_unreadable_graphml_is_a_planning_error(tmp_path):
    path = tmp_path / "bad.graphml"
    path.write_text("not xml", encoding="utf-8")
    with pytest.raises(PlanningError, match="路网"):
        load_graphml(path)
