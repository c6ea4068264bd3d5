"""Re-optimization of a dispatcher's chains at a time ``now`` (see Dispatcher.reoptimize).

What has started stays: every order picked up before ``now``, and the next order of a vehicle
that must already be on its way to make it. Each vehicle with started orders becomes a
pseudo-order at its last started drop-off (leaving no earlier than ``now``; its next pickup at
most ``max_idle`` after the drop-off itself, as for an offer), which nothing can precede; every
held order that has not started must be served. The trip-chain solver (lazy
arcs, certified) then re-chains the rest exactly; vehicles with nothing started are new
vehicles in that model.
"""

from __future__ import annotations

import time

import numpy as np

from . import _core
from .chaining import _solve_network, chain_params


def started_prefix(chain: np.ndarray, now: float, pickup_time, dropoff_time, travel_time,
                   has_depot: bool, depot_time) -> int:
    """How many orders of a chain have started, or are committed because the vehicle must
    already be on its way to the next one."""
    k = int(np.searchsorted(pickup_time[chain], now, side="left"))
    while k < len(chain):
        j = chain[k]
        if k > 0:
            i = chain[k - 1]
            depart = max(dropoff_time[i], now)
            if depart + travel_time(i, j, depart) <= pickup_time[j]:
                break
        elif not has_depot or now + depot_time(j, now) <= pickup_time[j]:
            break
        k += 1
    return k


def reoptimize(core, now: float, time_limit: float | None, progress: bool) -> float:
    tp, td, pxy, pz, dxy, dz, rev, km = core.table()
    travel = core.travel
    params = core.params
    depot = params["depot"]
    before = core.objective()
    chains = [np.asarray(core.chain(v), dtype=np.int64) for v in range(core.num_vehicles)]

    def travel_time(i, j, depart):
        return float(travel.pair_time(np.array([depart]), dxy[[i]], dz[[i]], pxy[[j]], pz[[j]])[0])

    def depot_time(j, depart):
        home = np.array([[depot[0], depot[1]]])
        return float(travel.pair_time(np.array([depart]), home, np.array([depot[2]], np.int32),
                                      pxy[[j]], pz[[j]])[0])

    prefixes, rest = [], []
    for chain in chains:
        k = started_prefix(chain, now, tp, td, travel_time, depot is not None, depot_time)
        prefixes.append(chain[:k])
        rest.extend(chain[k:].tolist())
    carriers = [v for v, prefix in enumerate(prefixes) if len(prefix)]
    if not rest:
        return 0.0
    # Pseudo-orders first (one per vehicle on the road), then the orders not started.
    last = np.array([prefixes[v][-1] for v in carriers], dtype=np.int64)
    rest = np.asarray(rest, dtype=np.int64)
    earliest = min(tp.min(), now) - 10 * 86400.0  # nothing can precede a pseudo-order
    m = len(last)
    sub_tp = np.concatenate([np.full(m, earliest), tp[rest]])
    sub_td = np.concatenate([np.maximum(td[last], now), td[rest]])
    sub_pxy = np.concatenate([dxy[last], pxy[rest]])
    sub_pz = np.concatenate([dz[last], pz[rest]]).astype(np.int32)
    sub_dxy = np.concatenate([dxy[last], dxy[rest]])
    sub_dz = np.concatenate([dz[last], dz[rest]]).astype(np.int32)
    sub_rev = np.concatenate([np.zeros(m), rev[rest]])
    sub_km = np.concatenate([np.zeros(m), km[rest]])
    if np.isnan(sub_km).any():  # unknown service distances: the travel model's
        unknown = np.isnan(sub_km)
        sub_km[unknown] = travel.pair_distance(sub_pxy[unknown], sub_pz[unknown],
                                               sub_dxy[unknown], sub_dz[unknown])
    max_vehicles = params["max_vehicles"]
    solver_params = chain_params(
        vehicle_cost=params["vehicle_cost"], deadhead_cost_per_km=params["deadhead_cost_per_km"],
        service_cost_per_km=params["service_cost_per_km"],
        depot=None if depot is None else depot,
        max_vehicles=None if max_vehicles < 0 else max_vehicles,
        max_idle=None if not np.isfinite(params["max_idle_s"]) else params["max_idle_s"],
        must_serve=True)
    # A vehicle on the road leaves no earlier than now, but its wait still counts from its
    # drop-off: its next pickup is at most max_idle after that.
    latest = np.full(len(sub_tp), np.inf)
    latest[:m] = td[last] + params["max_idle_s"]
    chainer = _core.TripChainer(travel, sub_tp, sub_td, sub_pxy, sub_pz, sub_dxy, sub_dz,
                                sub_rev, sub_km, solver_params, latest)
    deadline = np.inf if time_limit is None else time.perf_counter() + time_limit
    solved = _solve_network(chainer, deadline, progress, True)
    if solved["status"] != "optimal":  # cut short: keep the plan there is
        return 0.0
    successor, starts = solved["successor"], solved["starts"]
    index = np.concatenate([last, rest])  # sub-problem row -> dispatcher order

    def follow(first: int) -> list[int]:
        out, u = [], first
        while u >= 0:
            out.append(int(u))
            u = int(successor[u])
        return out

    new_chains, fixed = [], []
    for p, v in enumerate(carriers):
        tail = follow(p)[1:]  # the pseudo-order itself is the started prefix
        new_chains.append(prefixes[v].tolist() + index[tail].tolist())
        fixed.append(len(prefixes[v]))
    for first in np.flatnonzero(starts):
        if first >= m:
            new_chains.append(index[follow(int(first))].tolist())
            fixed.append(0)
    core.set_chains(new_chains, float(now), fixed)
    return before - core.objective()
