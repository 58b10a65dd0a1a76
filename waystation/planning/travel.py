"""Travel models: straight line × detour factor (default), or a road network from GraphML.

The straight-line model covers a demand point when its great-circle distance to a station is
at most ``speed × minutes / detour``. The network model snaps demand and stations to their
nearest graph nodes and runs one multi-source Dijkstra from all stations at once; the two snap
legs (point → node) are added as straight lines. Networks are treated as undirected: riders on
foot or e-bike are not bound by one-way streets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from waystation.geo.distance import chord_to_metres, haversine_m, unit_vectors
from waystation.planning.layers import PlanningError

MODES: dict[str, float] = {"walk": 5.0, "ebike": 15.0}  # km/h
DEFAULT_DETOUR = 1.3
DEFAULT_MINUTES = 15.0


def speed_for(mode: str, speed_kmh: float | None = None) -> float:
    """Speed in km/h for a named mode, or the explicit ``speed_kmh`` when given."""
    if speed_kmh is not None:
        if not np.isfinite(speed_kmh) or speed_kmh <= 0:
            raise PlanningError(f"速度须为正数 (speed must be positive): {speed_kmh}")
        return float(speed_kmh)
    if mode not in MODES:
        raise PlanningError(
            f"未知出行方式 “{mode}”，可选 {'、'.join(MODES)} (unknown mode {mode!r})"
        )
    return MODES[mode]


def budget_metres(speed_kmh: float, minutes: float) -> float:
    """Distance travelled in ``minutes`` at ``speed_kmh``: 15 min at 15 km/h is 3,750 m."""
    if not np.isfinite(minutes) or minutes <= 0:
        raise PlanningError(f"时间预算须为正数 (minutes must be positive): {minutes}")
    return speed_kmh * 1000.0 * minutes / 60.0


def straight_radius_m(speed_kmh: float, minutes: float, detour: float = DEFAULT_DETOUR) -> float:
    """Straight-line reach: budget distance divided by the detour factor."""
    if not np.isfinite(detour) or detour < 1.0:
        raise PlanningError(f"绕行系数须不小于 1 (detour factor must be >= 1): {detour}")
    return budget_metres(speed_kmh, minutes) / detour


@dataclass(frozen=True, eq=False)
class Network:
    """A road graph as arrays: node coordinates (WGS-84) and a symmetric CSR of metres."""

    node_ids: list[object]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    lengths: csr_matrix

    def snap(self, lon: NDArray[np.float64], lat: NDArray[np.float64]):  # type: ignore[no-untyped-def]
        """Nearest node index and straight-line distance (m) for each point."""
        tree = cKDTree(unit_vectors(self.lon, self.lat))
        chord, idx = tree.query(unit_vectors(lon, lat))
        return idx.astype(np.intp), chord_to_metres(chord)


def network_from_graph(graph: nx.Graph) -> Network:
    """Build a :class:`Network` from a networkx graph with node ``x``/``y`` (lon/lat, WGS-84).

    Edge length is the ``length`` attribute (metres) when present, else the great-circle
    distance between its ends. Parallel edges keep the shortest.
    """
    nodes = list(graph.nodes)
    if not nodes:
        raise PlanningError("路网没有节点 (the network has no nodes)")
    index = {n: i for i, n in enumerate(nodes)}
    try:
        lon = np.array([float(graph.nodes[n]["x"]) for n in nodes])
        lat = np.array([float(graph.nodes[n]["y"]) for n in nodes])
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanningError(
            "路网节点缺少 x/y 坐标 (network nodes need x and y attributes, lon/lat)"
        ) from exc
    rows, cols, vals = [], [], []
    for u, v, data in graph.edges(data=True):
        i, j = index[u], index[v]
        if i == j:
            continue
        length = data.get("length")
        metres = (
            float(length)
            if length is not None
            else float(haversine_m(lon[i], lat[i], lon[j], lat[j]))
        )
        rows += [i, j]
        cols += [j, i]
        vals += [metres, metres]
    n = len(nodes)
    if not vals:
        return Network(nodes, lon, lat, csr_matrix((n, n)))
    r = np.asarray(rows)
    c = np.asarray(cols)
    v = np.asarray(vals)
    # Keep the shortest of parallel edges: sort by length, first occurrence wins.
    order = np.lexsort((v, c, r))
    r, c, v = r[order], c[order], v[order]
    first = np.ones(r.size, dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    # A zero-length edge would vanish from a sparse matrix; keep it as a tiny positive length.
    lengths = coo_matrix((np.maximum(v[first], 1e-9), (r[first], c[first])), shape=(n, n)).tocsr()
    return Network(nodes, lon, lat, lengths)


def load_graphml(path: str | Path) -> Network:
    """Read a GraphML road network (e.g. an OSMnx export) into a :class:`Network`."""
    try:
        graph = nx.read_graphml(str(path))
    except (OSError, nx.NetworkXError, SyntaxError, ValueError) as exc:
        raise PlanningError(f"无法读取路网文件 {path} (cannot read GraphML): {exc}") from exc
    return network_from_graph(graph)


def network_nearest(
    network: Network,
    st_lon: NDArray[np.float64],
    st_lat: NDArray[np.float64],
    d_lon: NDArray[np.float64],
    d_lat: NDArray[np.float64],
    limit_m: float = np.inf,
) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Network distance (m) from each demand point to its nearest station, and that station.

    One Dijkstra from all stations at once: each station is a virtual node joined to its
    snapped node by its snap distance. Beyond ``limit_m`` the distance is inf and station -1.
    """
    n = network.lengths.shape[0]
    s_node, s_snap = network.snap(st_lon, st_lat)
    m = s_node.size
    # Virtual station nodes n..n+m-1, one directed edge each into the road graph.
    aug = coo_matrix(
        (np.maximum(s_snap, 1e-9), (n + np.arange(m), s_node)), shape=(n + m, n + m)
    ).tocsr()
    base = network.lengths.tocoo()
    graph = (aug + coo_matrix((base.data, (base.row, base.col)), shape=(n + m, n + m))).tocsr()
    dist, _pred, sources = dijkstra(
        graph,
        directed=True,
        indices=n + np.arange(m),
        min_only=True,
        limit=limit_m,
        return_predecessors=True,
    )
    d_node, d_snap = network.snap(d_lon, d_lat)
    total = dist[d_node] + d_snap
    # Virtual nodes have no incoming edges, so no path passes through another station's leg.
    total = np.where(total <= limit_m, total, np.inf)
    station = np.where(np.isfinite(total), sources[d_node] - n, -1)
    return total, station.astype(np.intp)


def network_cover_pairs(
    network: Network,
    c_lon: NDArray[np.float64],
    c_lat: NDArray[np.float64],
    d_lon: NDArray[np.float64],
    d_lat: NDArray[np.float64],
    limit_m: float,
    chunk: int = 256,
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """(demand index, candidate index) pairs within ``limit_m`` by network distance."""
    c_node, c_snap = network.snap(c_lon, c_lat)
    d_node, d_snap = network.snap(d_lon, d_lat)
    rows: list[NDArray[np.intp]] = []
    cols: list[NDArray[np.intp]] = []
    for start in range(0, c_node.size, chunk):
        sl = slice(start, start + chunk)
        dist = dijkstra(network.lengths, directed=False, indices=c_node[sl], limit=limit_m)
        total = dist[:, d_node] + d_snap[None, :] + c_snap[sl, None]
        ci, di = np.nonzero(total <= limit_m)
        rows.append(di.astype(np.intp))
        cols.append((ci + start).astype(np.intp))
    if not rows:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    return np.concatenate(rows), np.concatenate(cols)
