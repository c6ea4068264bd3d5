"""Scooter relays: the MIP against brute force over every placement, paths, errors, determinism."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import shareopt.relay as relay_module
from scipy.sparse.csgraph import shortest_path
from shareopt._kernels_relay import build_network, greedy_placement, served_by_placement
from shareopt._relay_model import build_model, paths_from_flow
from shareopt.exceptions import SolverError, TimeLimitError, ValidationError
from shareopt.lp import LinearProgram
from shareopt.relay import (
    UNSERVABLE,
    RelayData,
    _reach_of,
    read_relay,
    solve_relays,
    synthetic_relay,
)
from shareopt.travel import TravelModel

SPEED = 15.0  # km/h, the default


# ---------------------------------------------------------------- tiny cases and brute force
def tiny(seed, n=6, scooters=3, commutes=4, homes=False, length=3.5, width=0.8):
    """Random places in a corridor (x, y km), ranges 0.5-1.5 km, budgets 1.0-1.7 x the direct time:
    most commutes need a relay or two, and some budgets leave no room for a detour."""
    rng = np.random.default_rng(seed)
    xy = np.column_stack([rng.uniform(0, length, n), rng.uniform(0, width, n)])
    ranges = rng.uniform(0.5, 1.5, scooters)
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    chosen = rng.choice(len(pairs), commutes, replace=False)
    origin = np.array([pairs[c][0] for c in chosen])
    dest = np.array([pairs[c][1] for c in chosen])
    direct = np.abs(xy[origin] - xy[dest]).sum(1) / SPEED * 3600
    tables = {
        "locations": {"location_id": [f"L{i}" for i in range(n)], "x": xy[:, 0], "y": xy[:, 1]},
        "scooters": {"scooter_id": [f"S{s}" for s in range(scooters)], "range_km": ranges},
        "commutes": {"origin": [f"L{i}" for i in origin], "destination": [f"L{j}" for j in dest],
                     "demand": rng.integers(1, 10, commutes).astype(float),
                     "budget_s": direct * rng.uniform(1.0, 1.7, commutes)},
    }
    if homes:
        tables["scooters"]["location_id"] = [f"L{i}" for i in rng.integers(0, n, scooters)]
    return tables


def arrays(tables):
    loc = tables["locations"]
    index = {name: i for i, name in enumerate(loc["location_id"])}
    sc, cm = tables["scooters"], tables["commutes"]
    home = np.array([index[h] for h in sc["location_id"]]) if "location_id" in sc else np.full(len(sc["range_km"]), -1)
    return (np.column_stack([loc["x"], loc["y"]]), np.asarray(sc["range_km"]), home,
            np.array([index[o] for o in cm["origin"]]), np.array([index[d] for d in cm["destination"]]),
            np.asarray(cm["demand"]), np.asarray(cm["budget_s"]))


def simple_paths(n, origin, dest):
    """Every simple path from origin to dest as a location tuple."""
    others = [v for v in range(n) if v not in (origin, dest)]
    for size in range(len(others) + 1):
        for middle in itertools.permutations(others, size):
            yield (origin, *middle, dest)


def brute_force(tables, *, swap=0.0, capacity=None, move_cost=None, move_budget=None):
    """Best served demand over every placement (ties: fewest moved), computed independently."""
    xy, ranges, home, origin, dest, demand, budget = arrays(tables)
    n, n_scooters = len(xy), len(ranges)
    dist = np.abs(xy[:, None, :] - xy[None, :, :]).sum(-1)
    time = dist / SPEED * 3600
    paths = []  # per commute: (legs as (tail, need), time) of paths within budget
    for i, j, c in zip(origin, dest, budget):
        ok = []
        for path in simple_paths(n, i, j):
            legs = list(itertools.pairwise(path))
            total = sum(time[a, b] for a, b in legs) + swap * (len(legs) - 1)
            if total <= c + 1e-9:
                ok.append([(a, dist[a, b]) for a, b in legs])
        paths.append(ok)
    has_home = home >= 0
    choices = range(n) if has_home.all() else range(-1, n)  # with homes a scooter is always somewhere
    best = (-1.0, 0)
    for place in itertools.product(choices, repeat=n_scooters):
        place = np.array(place)
        if move_budget is not None and (dist[home, place] * move_cost).sum() > move_budget + 1e-9:
            continue
        value = best_service(place, ranges, paths, demand, capacity)
        moved = int(np.count_nonzero((place >= 0) & (place != home)))
        if value > best[0] + 1e-9 or (abs(value - best[0]) <= 1e-9 and moved < best[1]):
            best = (value, moved)
    return best


def best_service(place, ranges, paths, demand, capacity):
    def open_path(legs):
        return all(any(place[s] == a and ranges[s] >= need for s in range(len(place))) for a, need in legs)

    usable = [[p for p in options if open_path(p)] for options in paths]
    if capacity is None:
        return float(sum(h for h, options in zip(demand, usable) if options))
    best = 0.0
    for pick in itertools.product(*[[None, *options] for options in usable]):
        value = sum(h for h, p in zip(demand, pick) if p is not None)
        if value > best and riders_fit(pick, demand, place, ranges, capacity):
            best = value
    return best


def riders_fit(pick, demand, place, ranges, capacity):
    """Assign every rider a scooter at each stop (longest leg first, shortest range that reaches)."""
    for a in set(place[place >= 0]):
        left = {s: capacity for s in np.flatnonzero(place == a)}
        needs = sorted((need for p, h in zip(pick, demand) if p is not None for tail, need in p if tail == a
                        for _ in range(int(h))), reverse=True)
        for need in needs:
            fits = [s for s in left if left[s] >= 1 and ranges[s] >= need]
            if not fits:
                return False
            left[min(fits, key=lambda s: (ranges[s], s))] -= 1
    return True


@pytest.mark.parametrize("seed", range(24))
def test_tiny_cases_match_brute_force(seed):
    tables = tiny(seed)
    plan = solve_relays(**tables)
    served, moved = brute_force(tables)
    assert plan.proven and plan.served_demand == pytest.approx(served)
    assert plan.tie_break in ("optimal", "not needed") and plan.scooters_moved == moved
    assert plan.greedy_status == "complete"
    assert plan.mip_objective is None or plan.served_demand >= plan.mip_objective - 1e-6
    assert plan.greedy_demand <= plan.served_demand + 1e-9
    assert plan.bound >= plan.served_demand - 1e-9


@pytest.mark.parametrize("seed", range(12))
def test_swap_time_matches_brute_force(seed):
    tables = tiny(seed + 100)
    plan = solve_relays(**tables, swap_time_s=120.0)
    assert plan.served_demand == pytest.approx(brute_force(tables, swap=120.0)[0])
    xy = arrays(tables)[0]
    for k in np.flatnonzero(plan.served):  # path_time_s: the legs' times and a swap at every relay
        path = plan.paths[k]
        legs = np.abs(xy[path[1:]] - xy[path[:-1]]).sum(1) / SPEED * 3600
        assert plan.path_time_s[k] == pytest.approx(legs.sum() + 120.0 * (path.size - 2))
        assert plan.path_time_s[k] <= tables["commutes"]["budget_s"][k] * (1 + 1e-9)


def test_direct_commute_path_time_has_no_swap():
    """A commute served by one scooter, no relay: its path time is the direct time, no swap in it."""
    tables = {
        "locations": {"location_id": ["a", "b"], "x": [0.0, 1.0], "y": [0.0, 0.0]},
        "scooters": {"scooter_id": ["s"], "range_km": [1.5]},
        "commutes": {"origin": ["a"], "destination": ["b"], "demand": [2.0], "budget_s": [300.0]},
    }
    plan = solve_relays(**tables, swap_time_s=120.0)
    assert plan.served[0] and plan.path_time_s[0] == pytest.approx(1.0 / SPEED * 3600)


CAPACITY_CASES = [(seed, {"n": 4, "scooters": 3, "commutes": 3, "width": 2.0}, 4) for seed in range(6)] + [
    (seed, {"n": 5, "scooters": 4, "commutes": 3}, 5) for seed in range(3)]


@pytest.mark.parametrize("seed, shape, capacity", CAPACITY_CASES)
def test_capacity_matches_brute_force(seed, shape, capacity):
    tables = tiny(seed + 200, **shape)
    plan = solve_relays(**tables, capacity=capacity)
    assert plan.proven and plan.greedy_status == "not run"
    assert plan.served_demand == pytest.approx(brute_force(tables, capacity=capacity)[0])
    assert plan.served_demand <= solve_relays(**tables).served_demand + 1e-9
    for k in np.flatnonzero(plan.served):  # riders of a commute share one path
        assert plan.paths[k][0] == plan.data.origin[k] and plan.paths[k][-1] == plan.data.destination[k]


def test_capacity_cases_are_not_all_unlimited():
    """The capacity cases above would pass without a capacity model if it never bound."""
    binding = [brute_force(tiny(seed + 200, **shape), capacity=capacity)[0] < brute_force(tiny(seed + 200, **shape))[0]
               for seed, shape, capacity in CAPACITY_CASES]
    assert sum(binding) >= 3


@pytest.mark.parametrize("seed", range(8))
def test_move_budget_is_respected_and_optimal(seed):
    tables = tiny(seed + 300, homes=True)
    plan = solve_relays(**tables, move_cost_per_km=1.0, move_budget=2.0)
    served, moved = brute_force(tables, move_cost=1.0, move_budget=2.0)
    assert plan.served_demand == pytest.approx(served) and plan.scooters_moved == moved
    assert plan.move_cost <= 2.0 + 1e-9
    assert np.all(plan.location >= 0)  # a scooter with a place stays somewhere


@pytest.mark.parametrize("seed", range(3))
def test_current_locations_change_moves_not_demand(seed):
    with_homes = tiny(seed + 400, homes=True)
    plain = {**with_homes, "scooters": {k: v for k, v in with_homes["scooters"].items() if k != "location_id"}}
    a, b = solve_relays(**with_homes), solve_relays(**plain)  # count and level formulations
    assert a.served_demand == pytest.approx(b.served_demand)
    assert a.scooters_moved == brute_force(with_homes)[1]


# ---------------------------------------------------------------- paths and invariants
@pytest.fixture(scope="module")
def square():
    data = synthetic_relay(25, 10, 40, seed=5, places="square", square_km=4.0, full_range_km=1.5,
                           commute_km=(1.0, 3.5))
    return data, solve_relays(data, time_limit=30)


def test_every_served_commute_has_a_real_open_path(square):
    data, plan = square
    dist = np.abs(data.xy[:, None, :] - data.xy[None, :, :]).sum(-1)
    time = dist / SPEED * 3600
    reach = np.full(data.n_locations, -np.inf)
    np.maximum.at(reach, plan.location[plan.location >= 0], data.range_km[plan.location >= 0])
    open_arc = (dist <= reach[:, None]) & ~np.eye(data.n_locations, dtype=bool)
    fastest = shortest_path(np.where(open_arc, time, 0.0), method="D")
    for k in range(data.n_commutes):
        i, j = data.origin[k], data.destination[k]
        if plan.served[k]:
            path = plan.paths[k]
            assert path[0] == i and path[-1] == j and len(set(path)) == len(path)
            assert all(open_arc[a, b] for a, b in itertools.pairwise(path))
            assert time[path[:-1], path[1:]].sum() <= data.budget_s[k] * (1 + 1e-9)
        else:
            assert fastest[i, j] > data.budget_s[k] * (1 + 1e-12)
    everywhere = shortest_path(np.where((dist <= data.range_km.max()) & (dist > 0), time, 0.0), method="D")
    np.testing.assert_array_equal(plan.servable, everywhere[data.origin, data.destination] <= data.budget_s * (1 + 1e-9))
    assert 0 < plan.served.sum() < plan.servable.sum()  # scooters are the binding resource here
    assert plan.served_demand >= plan.mip_objective - 1e-6
    assert plan.greedy_demand <= plan.served_demand


def assert_feasible(program, x, tol=1e-9):
    """Every column within its bounds (integer columns whole), every row within its bounds."""
    lower = np.broadcast_to(program.col_lower, x.shape)
    upper = np.broadcast_to(program.col_upper, x.shape)
    assert np.all(x >= lower - tol) and np.all(x <= upper + tol)
    whole = program.integrality.astype(bool) if program.integrality is not None else np.zeros(x.size, bool)
    assert np.all(np.abs(x[whole] - np.round(x[whole])) <= tol)
    activity = program.A @ x
    assert np.all(activity >= program.row_lower - tol) and np.all(activity <= program.row_upper + tol)


@pytest.mark.parametrize("kind", ["levels", "current locations", "capacity"])
def test_starts_are_feasible_mip_starts(kind):
    """Phase one's starts (greedy, LP rounding) and phase two's (the MIP's placement), built by
    start_vector, are feasible for the level model and for the count model."""
    capacity = 3.0 if kind == "capacity" else None
    size = (25, 10, 40, 4.0) if capacity else (40, 20, 80, 5.0)  # the capacity MIP is slower
    data = synthetic_relay(*size[:3], seed=1, places="square", square_km=size[3], full_range_km=1.5,
                           commute_km=(1.0, 3.0), current_locations=kind == "current locations")
    net = network_of(data)
    model = build_model(net, data.range_km, data.home, capacity=capacity)
    assert type(model.coverage).__name__ == ("LevelCoverage" if kind == "levels" else "CountCoverage")
    program = model.program
    if capacity is None:
        greedy, status = greedy_placement(net, data.range_km)
        assert status == "complete"
        assert np.bincount(greedy[greedy >= 0]).max() >= 2  # two scooters at a place: columns capped at 1
        rounded, lp_bound = model.rounded_start(None, None)
        for location in (greedy, model.placement(rounded.x, net.n)):
            served, _, paths = served_by_placement(net, _reach_of(location, data.range_km, net.n))
            start = model.start_vector(net, location, paths)
            assert_feasible(program, start)
            assert program.c @ start == pytest.approx(data.demand[served].sum())
            assert program.c @ start <= lp_bound + 1e-6
    solution = program.solve(mip_gap=0.05)  # any MIP solution will do
    location = model.placement(solution.x, net.n)
    if capacity is None:
        paths = served_by_placement(net, _reach_of(location, data.range_km, net.n))[2]
    else:
        paths = paths_from_flow(net, model, solution.x)
    start = model.start_vector(net, location, paths)
    assert_feasible(program, start)
    assert program.c @ start == pytest.approx(solution.objective, abs=1e-6)
    assert_feasible(model.tie_break(program.c @ start * (1 - 1e-9)), start)


def network_of(data, swap=0.0, out_of_time=None):
    travel = TravelModel("manhattan", speed_kmh=SPEED)  # what solve_relays uses for x, y places
    dist = travel.distance_matrix(data.xy)
    return build_network(dist, travel.drive_time(dist.ravel()).reshape(dist.shape), data.range_km.max(), swap,
                         data.origin, data.destination, data.demand, data.budget_s, out_of_time=out_of_time)


@pytest.mark.parametrize("seed", range(8))
def test_seed_linking_and_nested_linking_agree(seed):
    """P <= H with H <= cover (the seed's H) and the nested out-flow rows give the same optimum;
    the nested relaxation is never weaker."""
    data = read_relay(tiny(seed + 500))
    net = network_of(data)
    values = {}
    for linking in ("arc", "nested"):
        program = build_model(net, data.range_km, data.home, linking=linking).program
        values[linking] = program.solve().objective
        relaxed = LinearProgram(program.c, program.A, program.row_lower, program.row_upper, program.col_lower,
                                program.col_upper, sense="max")
        values[linking + "_lp"] = relaxed.solve().objective
    assert values["arc"] == pytest.approx(values["nested"]) == pytest.approx(brute_force(tiny(seed + 500))[0])
    assert values["nested_lp"] <= values["arc_lp"] + 1e-7


def test_commute_no_placement_can_serve_is_reported():
    tables = {
        "locations": {"location_id": ["a", "b", "c", "far"], "x": [0.0, 1.0, 2.0, 9.0], "y": [0.0, 0.0, 0.0, 0.0]},
        "scooters": {"scooter_id": ["s1", "s2"], "range_km": [1.2, 1.0]},
        "commutes": {"origin": ["a", "a"], "destination": ["c", "far"], "demand": [3.0, 50.0],
                     "budget_s": [2.0 / SPEED * 3600 * 1.1, 9.0 / SPEED * 3600 * 1.5]},
    }
    plan = solve_relays(**tables)
    assert list(plan.servable) == [True, False] and list(plan.served) == [True, False]
    assert plan.reasons()[1] == UNSERVABLE and plan.served_demand == 3.0
    assert plan.paths[0].tolist() == [0, 1, 2] and plan.scooters_used == 2
    # one scooter fewer: the relay at b cannot be opened, nothing is served
    fewer = {**tables, "scooters": {"scooter_id": ["s1"], "range_km": [1.2]}}
    assert solve_relays(**fewer).served_demand == 0.0


def test_same_input_same_plan():
    """Without a time limit no stage is cut by the clock: the same input gives the same plan."""
    a = synthetic_relay(30, 12, 50, seed=11, square_km=5.0, full_range_km=1.5, commute_km=(1, 4),
                        current_locations=True)
    b = synthetic_relay(30, 12, 50, seed=11, square_km=5.0, full_range_km=1.5, commute_km=(1, 4),
                        current_locations=True)
    assert a.lonlat is None  # places="square" is the default
    for name in ("xy", "range_km", "home", "origin", "destination", "demand", "budget_s"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    first, second = solve_relays(a), solve_relays(b)
    assert first.proven and first.tie_break in ("optimal", "not needed")
    for name in ("location", "served", "path_time_s"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    assert (first.served_demand, first.scooters_moved, first.status) == (second.served_demand,
                                                                        second.scooters_moved, second.status)
    other = synthetic_relay(30, 12, 50, seed=12, square_km=5.0, full_range_km=1.5, commute_km=(1, 4))
    assert not np.array_equal(a.xy, other.xy)


def test_path_exactly_at_the_budget_is_served():
    """Relays along a line in the manhattan metric take exactly the direct time: with the budget
    equal to it the MIP and the placement check both count the commute served."""
    tables = {
        "locations": {"location_id": ["a", "b", "c"], "x": [0.0, 0.7, 1.9], "y": [0.0, 0.0, 0.0]},
        "scooters": {"scooter_id": ["s1", "s2"], "range_km": [1.2, 0.7]},
        "commutes": {"origin": ["a"], "destination": ["c"], "demand": [4.0], "budget_s": [1.9 / SPEED * 3600]},
    }
    plan = solve_relays(**tables)
    assert plan.served.tolist() == [True] and plan.paths[0].tolist() == [0, 1, 2]
    assert plan.proven and plan.served_demand == 4.0 and plan.bound == pytest.approx(4.0)


def test_tables_round_trip_and_outputs(square, tmp_path):
    data, plan = square
    data.write(tmp_path)
    again = read_relay(tmp_path)
    for name in ("xy", "range_km", "origin", "destination", "demand", "budget_s"):
        np.testing.assert_array_equal(getattr(again, name), getattr(data, name))
    assert set(plan.timings) == {"network", "greedy", "model", "rounding", "mip", "tie_break"} - (
        {"mip"} if plan.status == "optimal (LP bound)" else set())
    summary = plan.to_dict()
    json.dumps(summary, allow_nan=False)
    for key in ("locations", "scooters", "commutes", "served_demand", "total_demand", "scooters_used", "mip_gap",
                "time_s", "bound", "arcs_kept", "arcs_unpruned"):
        assert key in summary
    assert summary["arcs_kept"] < summary["arcs_usable"] < summary["arcs_unpruned"]
    frame = plan.to_frame()
    assert list(frame.columns) == ["scooter", "location", "range_km", "home", "moved"]
    assert frame["location"].notna().sum() == plan.scooters_used
    commutes = plan.commutes_frame()
    assert commutes["served"].sum() == plan.served.sum()
    import matplotlib

    matplotlib.use("Agg")
    ax = plan.plot()
    assert len(ax.lines) == plan.served.sum()


def test_citibike_places(shared_data):
    data = synthetic_relay(40, 15, 30, seed=2, places="citibike", full_range_km=1.5, commute_km=(1.0, 3.0),
                           stations=shared_data / "bike" / "citibike_gbfs_2019-07-05")
    assert data.lonlat is not None and data.n_locations == 40
    plan = solve_relays(data, time_limit=20)
    assert plan.metric == "haversine" and plan.served_demand <= plan.bound + 1e-9


# ---------------------------------------------------------------- bad input
def _with(tables, table, **columns):
    out = {name: dict(value) for name, value in tables.items()}
    out[table].update(columns)
    return out


BASE = tiny(0)


@pytest.mark.parametrize("tables, words", [
    (_with(BASE, "scooters", range_km=[1.0, -0.5, 2.0]), ["scooters", "row 1", "range_km"]),
    (_with(BASE, "commutes", origin=["L0", "L9", "L1", "L2"]), ["commutes", "row 1", "not in the locations"]),
    (_with(BASE, "locations", x=[0.0, np.nan, 1.0, 2.0, 3.0, 3.5]), ["locations", "row 1", "coordinate"]),
    (_with(BASE, "locations", location_id=["L0", "L1", "L1", "L3", "L4", "L5"]), ["locations", "row 2", "repeat"]),
    (_with(BASE, "commutes", destination=list(BASE["commutes"]["origin"])), ["commutes", "row 0", "itself"]),
    (_with(BASE, "commutes", demand=[1.0, 0.0, 2.0, 3.0]), ["commutes", "row 1", "demand"]),
    (_with(BASE, "scooters", location_id=["L0", "nowhere", "L1"]), ["scooters", "row 1", "not in the locations"]),
    (_with(BASE, "commutes", budget_s=[1.0, 1.0, 1e6, 1e6]), ["commutes", "row 0", "row 1", "below the direct"]),
    ({**BASE, "commutes": {"origin": [], "destination": [], "demand": [], "budget_s": []}}, ["commutes", "no rows"]),
])
def test_bad_tables_name_table_and_rows(tables, words):
    with pytest.raises(ValidationError) as error:
        solve_relays(**tables)
    for word in words:
        assert word in str(error.value)


def test_bad_charges_and_parameters():
    charged = _with(BASE, "scooters", charge=[0.5, 1.2, 0.3])
    del charged["scooters"]["range_km"]
    with pytest.raises(ValidationError, match="full_range_km"):
        solve_relays(**charged)
    with pytest.raises(ValidationError, match=r"row 1 \(have a charge outside"):
        solve_relays(**charged, full_range_km=2.0)
    charged["scooters"]["charge"] = [0.5, 1.0, 0.3]
    assert solve_relays(**charged, full_range_km=2.0).data.range_km.tolist() == [1.0, 2.0, 0.6]
    with pytest.raises(ValidationError, match="move budget needs"):
        solve_relays(**BASE, move_budget=3.0)
    for keyword in ({"speed_kmh": -1}, {"swap_time_s": float("nan")}, {"capacity": 0}, {"time_limit": 0}):
        with pytest.raises(ValidationError):
            solve_relays(**BASE, **keyword)
    with pytest.raises(ValidationError, match="haversine"):
        solve_relays(**BASE, metric="haversine")


def test_relay_data_is_what_solve_reads():
    data = read_relay(BASE)
    assert isinstance(data, RelayData) and read_relay(data) is data
    assert data.n_locations == 6 and data.n_scooters == 3 and data.n_commutes == 4 and not data.has_homes


def test_ragged_csv_rows_are_rejected_by_line(tmp_path):
    (tmp_path / "locations.csv").write_text("location_id,x,y\nA,0,0\nB,1,0,7\nC,2,0\n")
    (tmp_path / "scooters.csv").write_text("scooter_id,range_km\ns1,1.2\n")
    (tmp_path / "commutes.csv").write_text("origin,destination,demand,budget_s\nA,C,3,600\n")
    with pytest.raises(ValidationError, match=r"locations rows are invalid: line 3 \(have more or fewer fields"):
        read_relay(tmp_path)
    (tmp_path / "locations.csv").write_text("location_id,x,y\nA,0,0\nB,1,0\nC,2,0\n")
    (tmp_path / "commutes.csv").write_text("origin,destination,demand,budget_s\nA,C,3,600\nA,B,2\n")
    with pytest.raises(ValidationError, match=r"commutes rows are invalid: line 3 \(have more or fewer fields"):
        read_relay(tmp_path)


def test_ids_with_commas_and_quotes_round_trip(tmp_path):
    tables = tiny(0)
    names = ["L0", "Main St, 5", 'the "depot"', "L3", "L4", "L5"]
    rename = dict(zip(tables["locations"]["location_id"], names))
    tables["locations"]["location_id"] = names
    for column in ("origin", "destination"):
        tables["commutes"][column] = [rename[v] for v in tables["commutes"][column]]
    tables["scooters"]["location_id"] = ["Main St, 5", "", 'the "depot"']
    data = read_relay(tables)
    again = read_relay(data.write(tmp_path))
    assert again.location_id.tolist() == names
    for name in ("xy", "range_km", "home", "origin", "destination", "demand", "budget_s"):
        np.testing.assert_array_equal(getattr(again, name), getattr(data, name))


def _arrays(**change):
    columns = {"location_id": ["a", "b", "c"], "xy": [[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]], "lonlat": None,
               "scooter_id": ["s1", "s2"], "range_km": [1.2, 1.0], "home": [-1, -1], "commute_id": ["0"],
               "origin": [0], "destination": [2], "demand": [3.0], "budget_s": [600.0]}
    columns.update(change)
    return columns


def test_relay_data_built_by_hand_is_checked():
    data = RelayData(**_arrays())
    assert data.home.dtype == np.int64 and data.xy.shape == (3, 2)
    for change, words in [
        ({"scooter_id": [], "range_km": [], "home": []}, "scooters table has no rows"),
        ({"commute_id": [], "origin": [], "destination": [], "demand": [], "budget_s": []}, "commutes table has no rows"),
        ({"range_km": [1.2, np.nan]}, "scooters rows are invalid: row 1 (have a range_km"),
        ({"demand": [np.inf]}, "commutes rows are invalid: row 0 (have a demand"),
        ({"budget_s": [-1.0]}, "row 0 (have a budget"),
        ({"xy": [[0.0, 0.0], [np.nan, 0.0], [2.0, 0.0]]}, "locations rows are invalid: row 1"),
        ({"destination": [3]}, "row 0 (have a destination index out of range"),
        ({"origin": [-1]}, "row 0 (have an origin index out of range"),
        ({"home": [0, 7]}, "scooters rows are invalid: row 1 (have a location index out of range"),
        ({"destination": [0]}, "go from a location to itself"),
        ({"demand": [1.0, 2.0]}, "RelayData.demand has shape"),
    ]:
        with pytest.raises(ValidationError) as error:
            RelayData(**_arrays(**change))
        assert words in str(error.value)


def test_synthetic_relay_checks_its_arguments():
    for keyword, words in [
        ({"scooters": -5}, "scooters must be a whole number >= 1"),
        ({"scooters": 0}, "scooters must be"),
        ({"commutes": 2.5}, "commutes must be a whole number"),
        ({"locations": 1}, "locations must be"),
        ({"min_charge": 2.0}, "min_charge must be a number in [0, 1]"),
        ({"max_demand": 0}, "max_demand must be"),
        ({"full_range_km": "2"}, "full_range_km must be a finite number > 0"),
        ({"full_range_km": -1.0}, "full_range_km must be"),
        ({"commute_km": (3.0, 1.0)}, "commute_km must be a pair"),
        ({"budget_factor": (0.5, 0.9)}, "budget_factor must be a pair of numbers 1 <= low <= high"),
        ({"places": "moon"}, "places must be"),
    ]:
        with pytest.raises(ValidationError) as error:
            synthetic_relay(**{"locations": 30, "scooters": 5, "commutes": 10, **keyword})
        assert words in str(error.value)


def test_range_and_charge_together_are_ambiguous():
    both = _with(BASE, "scooters", charge=[0.5, 1.0, 0.3])
    with pytest.raises(ValidationError, match="both range_km and charge"):
        solve_relays(**both, full_range_km=2.0)
    charged = _with(BASE, "scooters", charge=[0.5, 1.0, 0.3])
    del charged["scooters"]["range_km"]
    with pytest.raises(ValidationError, match="full_range_km"):
        solve_relays(**charged, full_range_km="2")


# ---------------------------------------------------------------- the time limit
def test_time_limit_stops_every_stage_and_keeps_a_valid_plan():
    """A large study (the greedy alone would take many seconds): the limit cuts the greedy between
    rounds and the MIP's stages, and the plan that comes back is a real placement."""
    data = synthetic_relay(400, 200, 2000, seed=0, square_km=9.0, full_range_km=2.0, commute_km=(1.2, 3.0))
    plan = solve_relays(data, time_limit=3.0, tie_break=False)
    assert plan.greedy_status == "time limit" and "time limit" in plan.status.lower()
    assert not plan.proven and plan.tie_break == "skipped"
    assert set(plan.timings) >= {"network", "greedy", "model"}
    placed = plan.location >= 0
    assert np.all(plan.location < data.n_locations) and plan.scooters_used == placed.sum()
    assert plan.served_demand == pytest.approx(data.demand[plan.served].sum())
    assert plan.greedy_demand <= plan.served_demand <= plan.bound
    again = served_by_placement(network_of(data), _reach_of(plan.location, data.range_km, data.n_locations))
    np.testing.assert_array_equal(again[0], plan.served)


def test_greedy_stops_between_rounds():
    data = synthetic_relay(40, 20, 80, seed=1, square_km=5.0, full_range_km=1.5, commute_km=(1.0, 3.0))
    net = network_of(data)
    full, status = greedy_placement(net, data.range_km)
    assert status == "complete"
    nothing, status = greedy_placement(net, data.range_km, out_of_time=lambda: True)
    assert status == "time limit" and np.all(nothing == -1)
    asked = iter(range(100))
    part, status = greedy_placement(net, data.range_km, out_of_time=lambda: next(asked) >= 2)  # two rounds
    assert status == "time limit" and 0 < np.count_nonzero(part >= 0) < np.count_nonzero(full >= 0)
    np.testing.assert_array_equal(part[part >= 0], full[part >= 0])  # the first rounds of the full run


def test_network_and_model_builds_stop_at_the_limit(monkeypatch):
    data = read_relay(tiny(3))
    with pytest.raises(TimeLimitError, match="network"):
        network_of(data, out_of_time=lambda: True)
    net = network_of(data)
    with pytest.raises(TimeLimitError, match="building the MIP"):
        build_model(net, data.range_km, data.home, out_of_time=lambda: True)
    # the clock jumps past the limit at once: solve_relays says so rather than overrun
    ticks = iter([0.0])
    monkeypatch.setattr(relay_module, "_clock", lambda: next(ticks, 1e6))
    with pytest.raises(TimeLimitError, match="network"):
        solve_relays(data, time_limit=5.0)


def test_model_build_cut_keeps_the_greedy_placement(monkeypatch):
    def no_time(*args, **kwargs):
        raise TimeLimitError("time limit reached while building the MIP (flow rows)")

    monkeypatch.setattr(relay_module, "build_model", no_time)
    tables = tiny(5)
    plan = solve_relays(**tables, time_limit=60.0)
    assert plan.status.startswith("time limit while building the MIP") and plan.model_columns == 0
    assert plan.served_demand == plan.greedy_demand and plan.tie_break == "skipped" and not plan.proven


def test_served_above_the_bound_is_an_error(monkeypatch):
    """The plan's served demand is never clamped to the bound: a bound below it is a bug, and says so."""
    def halved(*args, **kwargs):
        net = build_network(*args, **kwargs)
        net.demand = net.demand / 2  # the MIP and its bound see half the demand
        return net

    monkeypatch.setattr(relay_module, "build_network", halved)
    with pytest.raises(SolverError, match="above the bound"):
        solve_relays(**tiny(0))
