"""Real-time dispatch: decisions against a brute force in Python, the C++ index against its
exhaustive scan, chain feasibility after every insertion, the cost model against the trip
chains', snapshots, and bad orders."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest

import shareopt as so
from shareopt import _core
from shareopt.chaining import chain_params
from shareopt.dispatch import Dispatcher
from shareopt.travel import TravelModel

KW = dict(vehicle_cost=30.0, deadhead_cost_per_km=1.0, max_idle=1800.0)


def split_day(n: int, seed: int, reserved_share: float = 0.5):
    orders = so.synthetic_orders(n, seed=seed, places="xy")
    orders.revenue = 4.0 * orders.distance
    rng = np.random.default_rng(seed)
    chosen = rng.random(n) < reserved_share
    return orders.take(np.flatnonzero(chosen)), orders.take(np.flatnonzero(~chosen)), rng


def brute_force(dispatcher: Dispatcher, table: list[dict], new: dict, request: float,
                params: dict, travel: TravelModel, value=None):
    """Every position of every chain and a new vehicle, by the rules in the docs, in Python:
    (score, vehicle, position, marginal cost), best first. value(place, t): the weighted bid
    price of a vehicle free at place from t on (None: no bid prices)."""
    idle = params.get("max_idle") or math.inf
    dh = params["deadhead_cost_per_km"]

    def dist(a, b):
        return float(travel.distance(np.array([a]), np.array([b]))[0])

    def reaches(a, depart_after, b):
        wait = b["pickup_time"] - a["dropoff_time"]
        if wait < 0 or wait > idle:
            return False
        depart = max(a["dropoff_time"], depart_after)
        t = float(travel.travel_time(np.array([a["dropoff"]]), np.array([b["pickup"]]), depart)[0])
        return depart + t <= b["pickup_time"]

    service = dh * new["distance"] - new["revenue"]
    options = []
    for v, chain in enumerate(dispatcher.chains):
        orders = [table[i] for i in chain]
        for pos in range(len(orders) + 1):
            prev = orders[pos - 1] if pos > 0 else None
            nxt = orders[pos] if pos < len(orders) else None
            if prev is not None and not reaches(prev, request, new):
                continue
            if nxt is not None and not reaches(new, -math.inf, nxt):
                continue
            cost = service
            if prev is not None:
                cost += dh * dist(prev["dropoff"], new["pickup"])
            if nxt is not None:
                cost += dh * dist(new["dropoff"], nxt["pickup"])
                if prev is not None:
                    cost -= dh * dist(prev["dropoff"], nxt["pickup"])
            score = cost
            if value is not None and prev is not None and nxt is None:
                score += value(prev["dropoff"], max(prev["dropoff_time"], request))
                score -= value(new["dropoff"], new["dropoff_time"])
            options.append((score, v, pos, cost))
    fleet_full = params.get("max_vehicles") is not None and dispatcher.num_vehicles >= params["max_vehicles"]
    if not fleet_full:
        cost = params["vehicle_cost"] + service
        released = 0.0 if value is None else value(new["dropoff"], new["dropoff_time"])
        options.append((cost - released, dispatcher.num_vehicles, 0, cost))
    return sorted(options)


def as_dict(orders: so.Orders, i: int) -> dict:
    return {"pickup_time": float(orders.pickup_time[i]), "dropoff_time": float(orders.dropoff_time[i]),
            "pickup": tuple(orders.pickup_xy[i]), "dropoff": tuple(orders.dropoff_xy[i]),
            "revenue": float(orders.revenue[i]), "distance": float(orders.distance[i])}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("policy", ["profit", "always"])
def test_decisions_equal_a_brute_force_in_python(seed, policy):
    reserved, realtime, rng = split_day(160, seed)
    params = dict(KW, max_vehicles=None if seed % 2 else 12)
    travel = TravelModel("manhattan", speed_kmh=25.0)
    plan = so.solve_trip_chains(reserved, travel=travel, **params)
    dispatcher = Dispatcher(plan, reserved, travel=travel, policy=policy, **params)
    table = [as_dict(reserved, i) for i in range(len(reserved))]
    for i in range(len(realtime)):
        new = as_dict(realtime, i)
        request = new["pickup_time"] - float(rng.uniform(0, 1800))
        options = brute_force(dispatcher, table, new, request, params, travel)
        decision = dispatcher.offer(new, request)
        if not options:
            assert decision.reason in ("infeasible", "fleet_limit") and not decision.accepted
            continue
        _, vehicle, position, cost = options[0]
        assert decision.marginal_cost == pytest.approx(cost, abs=1e-9)
        if len(options) == 1 or options[1][0] > options[0][0] + 1e-7:  # a unique best
            assert (decision.vehicle, decision.position) == (vehicle, position)
        assert decision.accepted == (policy == "always" or cost < 0)
        assert decision.reason == ("accepted" if decision.accepted else "unprofitable")
        if decision.accepted:
            table.append(new)
            assert decision.order == len(table) - 1


HOURLY = 12.0 + 20.0 * np.abs(np.sin(np.arange(24) / 4.0))

INDEX_CASES = {
    "manhattan": (dict(), "xy", None),
    "no max_idle": (dict(max_idle=None), "xy", None),
    "max_idle far beyond the day": (dict(max_idle=1e30), "xy", None),
    "euclidean, detour, hourly speeds": (dict(travel=TravelModel("euclidean", 1.3, HOURLY)), "xy", None),
    "haversine": (dict(travel=TravelModel("haversine", 1.2, HOURLY)), "lonlat", None),
    "depot": (dict(depot=(0.0, 0.0)), "xy", None),
    "long trips": (dict(deadhead_cost_per_km=0.2), "xy", 6.0),
}


@pytest.mark.parametrize("case", list(INDEX_CASES))
def test_the_index_finds_what_the_exhaustive_scan_finds(case):
    changes, places, stretch = INDEX_CASES[case]
    orders = so.synthetic_orders(1400, seed=7, places=places)
    if stretch:  # drop-offs far away: gaps that can save much, in the coarse classes of the index
        orders = so.Orders(orders.order_id, orders.pickup_time, orders.dropoff_time + 900.0, orders.pickup_xy,
                           orders.pickup_xy + stretch * (orders.dropoff_xy - orders.pickup_xy),
                           orders.revenue * stretch, distance=orders.distance * stretch)
    orders.revenue = 4.0 * orders.distance
    rng = np.random.default_rng(7)
    chosen = rng.random(len(orders)) < 0.4
    reserved, realtime = orders.take(np.flatnonzero(chosen)), orders.take(np.flatnonzero(~chosen))
    params = dict(KW, **changes)
    plan = so.solve_trip_chains(reserved, **params)
    dispatcher = Dispatcher(plan, reserved, **params)
    assert_index_matches_exhaustive(dispatcher, realtime, rng)


def test_the_index_finds_what_the_exhaustive_scan_finds_with_zones(tlc_2021):
    orders = tlc_2021.take(np.flatnonzero(tlc_2021.pickup_zone >= 0)[:900])
    travel = TravelModel.from_trips(tlc_2021, min_trips=3)
    rng = np.random.default_rng(3)
    chosen = rng.random(len(orders)) < 0.4
    params = dict(KW, travel=travel)
    reserved, realtime = orders.take(np.flatnonzero(chosen)), orders.take(np.flatnonzero(~chosen))
    dispatcher = Dispatcher(so.solve_trip_chains(reserved, **params), reserved, policy="always", **params)
    assert_index_matches_exhaustive(dispatcher, realtime, rng)


def assert_index_matches_exhaustive(dispatcher: Dispatcher, realtime: so.Orders, rng) -> None:
    core = dispatcher._core
    accepted = 0
    for i in range(len(realtime)):
        args = dispatcher._one(realtime.take([i]))
        request = float(realtime.pickup_time[i] - rng.uniform(0, 3600))
        exhaustive = core.offer(*args, request, commit=False, exhaustive=True)
        decision = core.offer(*args, request)
        same = [a == b or (a != a and b != b) for a, b in zip(decision[:5], exhaustive[:5])]  # NaN: no cost
        assert all(same), (i, decision, exhaustive)
        accepted += decision[0] == "accepted"
    assert accepted > len(realtime) // 10  # the case exercises insertions, not only rejects


def test_accepted_orders_keep_every_chain_feasible_and_the_cost_model_is_the_chains():
    reserved, realtime, rng = split_day(2000, 11)
    travel = TravelModel("manhattan", speed_kmh=25.0)
    plan = so.solve_trip_chains(reserved, travel=travel, **KW)
    dispatcher = Dispatcher(plan, reserved, travel=travel, policy="always", **KW)
    # Same cost model: the dispatcher prices the loaded plan exactly as the chain solver did.
    assert dispatcher.objective == pytest.approx(plan.objective, rel=1e-12, abs=1e-9)
    request = realtime.pickup_time - rng.uniform(0, 1200, len(realtime))
    before = dispatcher.objective
    decisions = dispatcher.offer_many(realtime, request)
    accepted = decisions.accepted
    assert accepted.sum() > 0
    # The plan's cost moved by exactly the accepted marginal costs.
    assert dispatcher.objective == pytest.approx(before + decisions.marginal_cost[accepted].sum(), rel=1e-9)
    pickup_time = np.concatenate([reserved.pickup_time, realtime.pickup_time[accepted]])
    dropoff_time = np.concatenate([reserved.dropoff_time, realtime.dropoff_time[accepted]])
    pickup = np.concatenate([reserved.pickup_xy, realtime.pickup_xy[accepted]])
    dropoff = np.concatenate([reserved.dropoff_xy, realtime.dropoff_xy[accepted]])
    requested = np.concatenate([np.full(len(reserved), -np.inf), request[accepted]])
    held = np.concatenate(dispatcher.chains)
    assert len(held) == len(np.unique(held))
    assert set(held) >= set(range(len(reserved), len(pickup_time)))  # every accepted order is held
    for chain in dispatcher.chains:
        a, b = chain[:-1], chain[1:]
        if not len(a):
            continue
        depart = np.maximum(dropoff_time[a], requested[b])
        arrive = depart + travel.travel_time(dropoff[a], pickup[b], depart)
        # A later order's vehicle left no earlier than that order's request.
        assert np.all(arrive <= pickup_time[b] + 1e-9)
        assert np.all(pickup_time[b] - dropoff_time[a] <= KW["max_idle"] + 1e-9)


def test_snapshot_restores_the_same_dispatcher():
    reserved, realtime, rng = split_day(800, 5)
    plan = so.solve_trip_chains(reserved, **KW)
    first = Dispatcher(plan, reserved, **KW)
    half = len(realtime) // 2
    request = realtime.pickup_time - rng.uniform(0, 900, len(realtime))
    first.offer_many(realtime.take(np.arange(half)), request[:half])
    data = first.snapshot()
    second = Dispatcher.restore(data)
    assert second.snapshot() == data
    rest = realtime.take(np.arange(half, len(realtime)))
    a, b = first.offer_many(rest, request[half:]), second.offer_many(rest, request[half:])
    for field in ("reason", "vehicle", "position", "marginal_cost", "order"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert first.snapshot() == second.snapshot()
    # A version-1 snapshot (before bid prices) restores to the same state, without prices.
    no_prices = struct.pack("<6d3iQ", 0.0, 0.0, 1.0, 0.0, 900.0, 0.0, 0, 0, 0, 0)
    assert data.count(no_prices) == 1 and data[8:12] == struct.pack("<I", 2)
    version_one = data[:8] + struct.pack("<I", 1) + data[12:].replace(no_prices, b"")
    assert Dispatcher.restore(version_one).snapshot() == data
    with pytest.raises(ValueError, match="snapshot"):
        Dispatcher.restore(data[:-3])
    with pytest.raises(ValueError, match="snapshot"):
        Dispatcher.restore(b"not a snapshot at all")


def test_the_fleet_limit_is_a_reason_and_is_kept():
    reserved, realtime, rng = split_day(400, 2)
    plan = so.solve_trip_chains(reserved, **KW)
    dispatcher = Dispatcher(plan, reserved, max_vehicles=plan.num_vehicles, policy="always",
                            **{k: v for k, v in KW.items()})
    decisions = dispatcher.offer_many(realtime, realtime.pickup_time)
    assert dispatcher.num_vehicles == plan.num_vehicles
    assert decisions.counts()["fleet_limit"] > 0
    # Without the limit those orders open new vehicles.
    free = Dispatcher(plan, reserved, policy="always", **KW)
    assert free.offer_many(realtime, realtime.pickup_time).counts()["fleet_limit"] == 0
    assert free.num_vehicles > plan.num_vehicles


def test_bad_offers_raise_and_change_nothing():
    reserved, realtime, _ = split_day(200, 3)
    plan = so.solve_trip_chains(reserved, **KW)
    dispatcher = Dispatcher(plan, reserved, **KW)
    good = as_dict(realtime, 0)
    for change, message in [({"pickup_time": math.nan}, "finite"),
                            ({"dropoff_time": good["pickup_time"] - 1}, "drop-off before pickup"),
                            ({"revenue": -1.0}, "revenue")]:
        with pytest.raises(ValueError, match=message):
            dispatcher.offer({**good, **change})
    with pytest.raises(ValueError, match="requested after its pickup"):
        dispatcher.offer(good, request_time=good["pickup_time"] + 1)
    with pytest.raises(ValueError, match="NaN"):
        dispatcher.offer(good, request_time=math.nan)
    with pytest.raises(ValueError, match="lacks"):
        dispatcher.offer({"pickup_time": 0.0})
    before = dispatcher.snapshot()
    request = realtime.pickup_time.copy()
    request[5] = realtime.pickup_time[5] + 60.0  # one bad row in the stream
    with pytest.raises(ValueError, match="offer 5"):
        dispatcher.offer_many(realtime, request)
    assert dispatcher.snapshot() == before
    with pytest.raises(ValueError, match="cannot follow"):
        Dispatcher([[1, 0]], reserved.take([0, 1]), **KW)
    with pytest.raises(ValueError, match="outside"):
        Dispatcher([[0, 7]], reserved.take([0, 1]), **KW)


def test_times_years_apart_are_refused_before_they_size_the_index():
    # The time index is dense from its first bucket to its last: a unit slip (milliseconds
    # for seconds) must be refused with the rows named, not allocate gigabytes.
    reserved, realtime, _ = split_day(200, 3)
    plan = so.solve_trip_chains(reserved, **KW)
    dispatcher = Dispatcher(plan, reserved, **KW)
    year = 366 * 86400.0
    late = as_dict(realtime, 0)
    late["pickup_time"] += year
    late["dropoff_time"] += year
    with pytest.raises(ValueError, match="span .* days"):
        dispatcher.offer(late)
    before = dispatcher.snapshot()
    stream = realtime.take([0, 1, 2])
    stream.pickup_time[2] += 1000 * year
    stream.dropoff_time[2] += 1000 * year
    with pytest.raises(ValueError, match="offer 2: times would span"):
        dispatcher.offer_many(stream)
    assert dispatcher.snapshot() == before
    # Rows that each fit an empty dispatcher but not together: refused as a whole.
    empty = Dispatcher([], realtime.take([]), **KW)
    before = empty.snapshot()
    with pytest.raises(ValueError, match=r"offers \d to 2: times would span"):
        empty.offer_many(stream)
    assert empty.snapshot() == before
    far = reserved.take([0, 1])
    far.pickup_time[1] += year
    far.dropoff_time[1] += year
    with pytest.raises(ValueError, match="reserved orders 0 to 1"):
        Dispatcher([[0], [1]], far, **KW)
    within = realtime.take([3])
    within.pickup_time[0] += 300 * 86400.0
    within.dropoff_time[0] += 300 * 86400.0
    assert dispatcher.offer(within).reason in ("accepted", "unprofitable")


@pytest.mark.parametrize("policy", ["profit", "always"])
def test_reoptimize_keeps_what_started_and_never_costs_more(policy):
    reserved, realtime, rng = split_day(600, 13)
    travel = TravelModel("manhattan", speed_kmh=25.0)
    plan = so.solve_trip_chains(reserved, travel=travel, **KW)
    dispatcher = Dispatcher(plan, reserved, travel=travel, policy=policy, **KW)
    request = realtime.pickup_time - rng.uniform(0, 1800, len(realtime))
    dispatcher.offer_many(realtime, request)
    now = float(np.median(realtime.pickup_time))
    held = set(np.concatenate(dispatcher.chains).tolist())
    table = dispatcher._core.table()
    pickup_time = table[0]
    started = {tuple(c[pickup_time[c] < now].tolist()) for c in dispatcher.chains
               if (pickup_time[c] < now).any()}
    before = dispatcher.objective
    saving = dispatcher.reoptimize(now)
    assert saving >= -1e-6
    assert dispatcher.objective == pytest.approx(before - saving, abs=1e-6)
    assert set(np.concatenate(dispatcher.chains).tolist()) == held  # every promise kept
    after = {tuple(c[pickup_time[c] < now].tolist()) for c in dispatcher.chains
             if (pickup_time[c] < now).any()}
    assert after == started  # what had started stays on its vehicle, in order
    # A second re-optimization at the same time finds nothing more.
    assert dispatcher.reoptimize(now) == pytest.approx(0.0, abs=1e-6)
    # Re-optimizing before anything started equals the offline optimum over the held orders.
    early = Dispatcher(plan, reserved, travel=travel, policy=policy, **KW)
    early.offer_many(realtime, request)
    early.reoptimize(float(min(pickup_time.min(), request.min())) - 1.0)
    kept = np.array(sorted(held))
    tp, td, pxy, _, dxy, _, revenue, km = table
    orders = so.Orders(np.arange(len(kept)), tp[kept], td[kept], pxy[kept], dxy[kept],
                       revenue[kept], distance=km[kept])
    offline = so.solve_trip_chains(orders, travel=travel, must_serve=True, **KW)
    assert early.objective == pytest.approx(offline.objective, abs=1e-6)
    assert early.objective <= dispatcher.objective + 1e-6


@pytest.mark.parametrize("hours", [1.0, 3.0])
def test_reoptimize_within_a_horizon_moves_only_what_it_covers(hours):
    reserved, realtime, rng = split_day(700, 19)
    travel = TravelModel("manhattan", speed_kmh=25.0)
    plan = so.solve_trip_chains(reserved, travel=travel, **KW)
    request = realtime.pickup_time - rng.uniform(0, 1800, len(realtime))

    def loaded():
        d = Dispatcher(plan, reserved, travel=travel, policy="always", **KW)
        d.offer_many(realtime, request)
        return d

    now = float(np.quantile(realtime.pickup_time, 0.3))
    horizon = 3600.0 * hours
    windowed, full = loaded(), loaded()
    pickup_time = windowed._core.table()[0]
    before = windowed.objective
    held = set(np.concatenate(windowed.chains).tolist())
    beyond = [c[pickup_time[c] >= now + horizon] for c in windowed.chains]
    started = {tuple(c[pickup_time[c] < now].tolist()) for c in windowed.chains if (pickup_time[c] < now).any()}
    saving = windowed.reoptimize(now, horizon=horizon)
    assert saving >= -1e-6 and windowed.objective == pytest.approx(before - saving, abs=1e-6)
    assert set(np.concatenate(windowed.chains).tolist()) == held
    assert {tuple(c[pickup_time[c] < now].tolist()) for c in windowed.chains
            if (pickup_time[c] < now).any()} == started
    # Each chain's part beyond the horizon is still together, at the end of some chain.
    ends = {tuple(c[len(c) - len(b):].tolist()) for b in beyond if len(b) for c in windowed.chains
            if len(c) >= len(b) and c[len(c) - len(b)] == b[0]}
    assert ends == {tuple(b.tolist()) for b in beyond if len(b)}
    # A smaller problem than re-chaining everything: never better, and the same past the day.
    full.reoptimize(now)
    assert full.objective <= windowed.objective + 1e-6
    assert windowed.objective < before - 1e-6  # it found something to improve
    whole = loaded()
    whole.reoptimize(now, horizon=10 * 86400.0)
    assert whole.objective == pytest.approx(full.objective, abs=1e-6)
    with pytest.raises(ValueError, match="horizon"):
        whole.reoptimize(now, horizon=0.0)


def test_a_dispatcher_without_reserved_orders_takes_offers():
    _, realtime, rng = split_day(300, 29)
    travel = TravelModel("manhattan", speed_kmh=25.0)
    core = _core.Dispatcher(travel.core, dict(chain_params(**KW), accept_always=True))
    offers = Dispatcher.__new__(Dispatcher)
    offers._core = core
    for i in range(len(realtime)):
        args = offers._one(realtime.take([i]))
        request = float(realtime.pickup_time[i] - rng.uniform(0, 1800))
        exhaustive = core.offer(*args, request, commit=False, exhaustive=True)
        assert core.offer(*args, request)[:3] == exhaustive[:3]
    assert 0 < core.num_vehicles < len(realtime) and core.num_orders == len(realtime)


def test_snapshot_after_reoptimize_restores_and_bad_chains_are_refused():
    reserved, realtime, rng = split_day(500, 17)
    plan = so.solve_trip_chains(reserved, **KW)
    dispatcher = Dispatcher(plan, reserved, policy="always", **KW)
    request = realtime.pickup_time - rng.uniform(0, 1800, len(realtime))
    half = len(realtime) // 2
    dispatcher.offer_many(realtime.take(np.arange(half)), request[:half])
    dispatcher.reoptimize(float(np.median(request[:half])))
    restored = Dispatcher.restore(dispatcher.snapshot())
    rest = realtime.take(np.arange(half, len(realtime)))
    a, b = dispatcher.offer_many(rest, request[half:]), restored.offer_many(rest, request[half:])
    assert np.array_equal(a.vehicle, b.vehicle) and np.array_equal(a.marginal_cost, b.marginal_cost)
    core = dispatcher._core
    chains = [core.chain(v) for v in range(core.num_vehicles)]
    with pytest.raises(ValueError, match="is in chains"):
        core.set_chains(chains + [chains[0][:1]], 0.0, [0] * (len(chains) + 1))
    longest = max(range(len(chains)), key=lambda v: len(chains[v]))
    assert len(chains[longest]) > 1
    swapped = [list(reversed(c)) if v == longest else c for v, c in enumerate(chains)]
    with pytest.raises(ValueError, match="cannot follow"):
        core.set_chains(swapped, -1e9, [0] * len(chains))
