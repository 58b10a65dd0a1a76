import itertools

import numpy as np
import pytest
from scipy import sparse

from waystation.geo import cnmaps
from waystation.geo.boundaries import Boundaries
from waystation.planning.layers import PlanningError, make_layer
from waystation.planning.selection import _lazy_greedy, run_selection, solve_mclp


def _cover(rows):
    return sparse.csr_matrix(np.array(rows, dtype=bool))


# Demand p(3) q(3) r(2) s(2); candidates A={p,r}, B={q,s}, C={p,q}. With k=2 greedy takes C
# first (6) and ends at 8; the optimum A+B is 10.
TRAP = _cover([[1, 0, 1], [0, 1, 1], [1, 0, 0], [0, 1, 0]])
TRAP_W = np.array([3.0, 3.0, 2.0, 2.0])


def _brute_force(cover, w, k):
    dense = cover.toarray()
    return max(
        w[dense[:, list(s)].any(axis=1)].sum()
        for s in itertools.combinations(range(dense.shape[1]), k)
    )


def test_exact_solver_finds_the_optimum_greedy_misses():
    sol = solve_mclp(TRAP, TRAP_W, 2)
    assert sorted(sol.chosen.tolist()) == [0, 1]
    assert sol.objective == 10.0
    assert sol.proven_optimal is True
    assert sol.mip_gap == 0.0


def test_plain_lazy_greedy_falls_into_the_trap():
    col = TRAP.tocsc()
    assert _lazy_greedy(col, TRAP_W, 2)[0] == 2


def test_greedy_with_swap_reports_a_valid_bound():
    sol = solve_mclp(TRAP, TRAP_W, 2, exact=False)
    assert sol.method in ("greedy+swap", "lp-bound")  # never the MIP
    assert sol.objective <= 10.0 <= sol.bound


def test_optimum_matches_brute_force_on_random_small_instances():
    rng = np.random.default_rng(5)
    for _ in range(25):
        n, m = int(rng.integers(6, 30)), int(rng.integers(3, 9))
        cover = sparse.csr_matrix(rng.random((n, m)) < 0.3)
        w = rng.integers(1, 9, n).astype(float)
        k = int(rng.integers(1, m))
        best = _brute_force(cover, w, k)
        exact = solve_mclp(cover, w, k)
        greedy = solve_mclp(cover, w, k, exact=False)
        assert exact.objective == pytest.approx(best)
        assert exact.proven_optimal
        assert greedy.objective <= best + 1e-9
        assert greedy.bound >= best - 1e-9


def test_fractional_weights_are_solved_exactly_too():
    w = np.array([0.3, 0.3, 0.25, 0.25])
    sol = solve_mclp(TRAP, w, 2)
    assert sol.objective == pytest.approx(1.1)
    assert sol.proven_optimal


def test_already_covered_demand_counts_for_nothing():
    sol = solve_mclp(TRAP, TRAP_W, 1, already_covered=np.array([True, True, False, False]))
    assert sol.objective == 2.0
    assert sol.stats["n_groups"] == 2


def test_identical_demand_rows_merge_and_dominated_candidates_drop():
    # Rows 0 and 1 have the same candidate set; candidate 1 covers a subset of candidate 0.
    cover = _cover([[1, 1, 0], [1, 1, 0], [1, 0, 0], [0, 0, 1]])
    sol = solve_mclp(cover, np.ones(4), 1)
    assert sol.stats["n_groups"] == 3
    assert sol.stats["n_candidates_kept"] == 2
    assert sol.chosen.tolist() == [0]
    assert sol.objective == 3.0


def test_sites_come_in_order_of_marginal_gain_and_stop_when_nothing_is_left():
    cover = _cover([[1, 0, 0], [0, 1, 0], [0, 1, 0]])
    sol = solve_mclp(cover, np.ones(3), 3)
    assert sol.chosen.tolist() == [1, 0]
    assert sol.gains.tolist() == [2.0, 1.0]


def test_k_larger_than_the_candidates_is_rejected():
    with pytest.raises(PlanningError, match="k=5"):
        solve_mclp(TRAP, TRAP_W, 5)


def test_run_selection_picks_the_uncovered_cluster_and_reports_before_and_after():
    stations = make_layer([119.95], [31.78], ids=["st-1"])
    demand = make_layer([119.95, 119.484, 119.485, 119.60], [31.78, 31.416, 31.417, 31.735])
    candidates = make_layer(
        [119.4845, 119.60, 119.95], [31.4165, 31.735, 31.79], ids=["L", "J", "Z"]
    )
    seen = []
    result = run_selection(
        stations,
        demand,
        candidates,
        1,
        boundaries=Boundaries.from_city(cnmaps.city("320400")),
        progress=lambda f, m: seen.append(f),
    )
    assert result["chosen"] == ["L"]
    assert result["covered_share_before"] == 0.25
    assert result["covered_share_after"] == 0.75
    assert result["by_district"]["320481"] == {
        "name": "溧阳市",
        "before": 0.0,
        "after": 1.0,
        "total_weight": 2.0,
    }
    assert result["proven_optimal"] is True
    assert result["layers"]["chosen_sites"]["features"][0]["properties"]["id"] == "L"
    assert seen[-1] == 1.0


def test_demand_reachable_from_one_candidate_only_is_folded_into_its_site():
    cover = sparse.identity(3, format="csr", dtype=bool)
    sol = solve_mclp(cover, np.array([1.0, 2.0, 3.0]), 2)
    assert sol.chosen.tolist() == [2, 1]
    assert sol.objective == 5.0 and sol.proven_optimal
