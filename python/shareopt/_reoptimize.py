"""Re-optimization of a dispatcher's chains at a time ``now`` (see Dispatcher.reoptimize).

What has started stays: every order picked up before ``now``, and the next order of a vehicle
that must already be on its way to make it. Each vehicle with started orders becomes a
pseudo-order at its last started drop-off (leaving no earlier than ``now``; its next pickup at
most ``max_idle`` after the drop-off itself, as for an offer), which nothing can precede; every
held order that has not started must be served. With a horizon, only orders picked up before
``now + horizon`` are re-chained: the rest of each chain stays together and becomes a
pseudo-order at its first pickup, which nothing can follow and some vehicle must reach. The
trip-chain solver (lazy arcs, certified) then re-chains exactly; vehicles with nothing started
are new vehicles in that model.
"""

from __future__ import annotations

import time

import numpy as np

from . import _core
from .chaining import _solve_network, chain_params


def started_counts(chains: list[np.ndarray], now: float, tp, td, pxy, pz, dxy, dz, travel,
                   depot) -> np.ndarray:
    """How many orders of each chain have started, or are committed because the vehicle must
    already be on its way to the next one (all chains at once)."""
    counts = np.array([np.searchsorted(tp[c], now, side="left") for c in chains], dtype=np.int64)
    lengths = np.array([len(c) for c in chains], dtype=np.int64)
    while True:
        open_ = np.flatnonzero(counts < lengths)
        if not len(open_):
            return counts
        j = np.array([chains[v][counts[v]] for v in open_], dtype=np.int64)
        i = np.array([chains[v][counts[v] - 1] if counts[v] > 0 else -1 for v in open_], dtype=np.int64)
        committed = np.zeros(len(open_), dtype=bool)
        after = i >= 0
        if after.any():  # the vehicle leaves its last drop-off, no earlier than now
            a, b = i[after], j[after]
            depart = np.maximum(td[a], now)
            arrive = depart + travel.pair_time(depart, dxy[a], dz[a], pxy[b], pz[b])
            committed[after] = arrive > tp[b]
        if depot is not None and (~after).any():  # a first order: from the depot, leaving now
            b = j[~after]
            home = np.tile([depot[0], depot[1]], (len(b), 1))
            zone = np.full(len(b), depot[2], dtype=np.int32)
            arrive = now + travel.pair_time(np.full(len(b), now), home, zone, pxy[b], pz[b])
            committed[~after] = arrive > tp[b]
        if not committed.any():
            return counts
        counts[open_[committed]] += 1


def reoptimize(core, now: float, time_limit: float | None, progress: bool,
               horizon: float | None = None) -> float:
    tp, td, pxy, pz, dxy, dz, rev, km = core.table()
    travel = core.travel
    params = core.params
    depot = params["depot"]
    before = core.objective()
    chains = [np.asarray(core.chain(v), dtype=np.int64) for v in range(core.num_vehicles)]
    started = started_counts(chains, now, tp, td, pxy, pz, dxy, dz, travel, depot)
    prefixes = [c[:k] for c, k in zip(chains, started)]
    windows, beyond = [], []
    for chain, k in zip(chains, started):
        cut = len(chain) if horizon is None else k + int(np.searchsorted(tp[chain[k:]], now + horizon, side="left"))
        windows.append(chain[k:cut])
        beyond.append(chain[cut:])
    carriers = [v for v, prefix in enumerate(prefixes) if len(prefix)]
    tails = [v for v, rest in enumerate(beyond) if len(rest)]
    rest = np.concatenate([np.zeros(0, dtype=np.int64)] + windows)
    if not len(rest):
        return 0.0
    # Rows: carriers (one per vehicle on the road), tails (one per chain cut by the horizon),
    # then the orders to re-chain.
    last = np.array([prefixes[v][-1] for v in carriers], dtype=np.int64)
    head = np.array([beyond[v][0] for v in tails], dtype=np.int64)
    earliest = min(tp.min(), now) - 10 * 86400.0  # nothing can precede a carrier
    m, q = len(last), len(head)
    sub_tp = np.concatenate([np.full(m, earliest), tp[head], tp[rest]])
    sub_td = np.concatenate([np.maximum(td[last], now), tp[head], td[rest]])
    sub_pxy = np.concatenate([dxy[last], pxy[head], pxy[rest]])
    sub_pz = np.concatenate([dz[last], pz[head], pz[rest]]).astype(np.int32)
    sub_dxy = np.concatenate([dxy[last], pxy[head], dxy[rest]])
    sub_dz = np.concatenate([dz[last], pz[head], dz[rest]]).astype(np.int32)
    sub_rev = np.concatenate([np.zeros(m + q), rev[rest]])
    sub_km = np.concatenate([np.zeros(m + q), km[rest]])
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
    # drop-off: its next pickup is at most max_idle after that. Nothing follows a tail.
    latest = np.full(len(sub_tp), np.inf)
    latest[:m] = td[last] + params["max_idle_s"]
    latest[m:m + q] = -np.inf
    # A new vehicle leaves the depot now at the earliest: orders it could not reach in time
    # need a vehicle already on the road (or another order first).
    no_start = np.zeros(len(sub_tp), dtype=np.uint8)
    if depot is not None and len(sub_tp) > m:
        later = np.arange(m, len(sub_tp))
        home = np.tile([depot[0], depot[1]], (len(later), 1))
        zone = np.full(len(later), depot[2], dtype=np.int32)
        arrive = now + travel.pair_time(np.full(len(later), now), home, zone, sub_pxy[later], sub_pz[later])
        no_start[later] = arrive > sub_tp[later]
    chainer = _core.TripChainer(travel, sub_tp, sub_td, sub_pxy, sub_pz, sub_dxy, sub_dz,
                                sub_rev, sub_km, solver_params, latest, no_start)
    deadline = np.inf if time_limit is None else time.perf_counter() + time_limit
    solved = _solve_network(chainer, deadline, progress, True)
    if solved["status"] != "optimal":  # cut short: keep the plan there is
        return 0.0
    successor, starts = solved["successor"], solved["starts"]

    def follow(first: int) -> list[int]:
        """A re-chained vehicle as dispatcher orders: its carrier's prefix, the orders, and the
        rest of the chain its tail stands for."""
        out, u = [], first
        while u >= 0:
            if u < m:
                out.extend(prefixes[carriers[u]].tolist())
            elif u < m + q:
                out.extend(beyond[tails[u - m]].tolist())
            else:
                out.append(int(rest[u - m - q]))
            u = int(successor[u])
        return out

    new_chains, fixed = [], []
    for first in np.flatnonzero(starts):
        new_chains.append(follow(int(first)))
        fixed.append(len(prefixes[carriers[first]]) if first < m else 0)
    core.set_chains(new_chains, float(now), fixed)
    return before - core.objective()
