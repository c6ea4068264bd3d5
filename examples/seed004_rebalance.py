"""Seed 004: bike rebalancing, the seed's linprog model next to ours.

The seed (Deha Ay, 2022) balances a bike-share system with ``scipy.optimize.linprog``: one
variable S_ij per ordered pair of stations (bikes moved from i to j), rectilinear distance as
cost, and each station's final fill (b_i + in_i - out_i) / C_i within eps +- alpha. Its document
gives the model but not its 27-station mock data (its run reports objective 5611.63 at alpha
0.01), so this script builds a 27-station mock of the same shape (``mock_stations``, seeded) and
compares, at several alphas:

- ``seed``: the seed's dense LP through ``linprog`` (HiGHS), continuous bikes;
- ``continuous``: :func:`shareopt.rebalance.rebalance` with ``integer_bikes=False`` (the same
  LP through our transshipment model): it must equal ``seed``;
- ``integer``: whole bikes (our default, network simplex): never below ``seed``; the rise is
  the price of whole bikes (and of widened bands, when a band holds no whole number).

Then the same on the real Citi Bike snapshot (845 stations, 2019-07-05) with timings.

Run it: ``python examples/seed004_rebalance.py [--alphas 0.01,0.05,0.1] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import scipy.optimize
import scipy.sparse as sp

import shareopt as so
from shareopt.rebalance import rebalance

CITIBIKE = Path(__file__).resolve().parents[2] / "shared" / "data" / "bike" / "citibike_gbfs_2019-07-05"


def seed_linprog(xy, capacity, bikes, alpha: float, time_limit: float | None = None):
    """The seed's model as it wrote it: S_ij >= 0 for i != j, cost = rectilinear distance,
    (eps - alpha) <= (b_i + sum_j S_ji - sum_j S_ij) / C_i <= (eps + alpha). Returns
    (objective, S as an (n, n) array, seconds); objective NaN and S None when the time limit
    stopped it."""
    xy, capacity, bikes = (np.asarray(a, dtype=np.float64) for a in (xy, capacity, bikes))
    n = len(capacity)
    eps = bikes.sum() / capacity.sum()
    i, j = np.nonzero(~np.eye(n, dtype=bool))
    cost = np.abs(xy[i] - xy[j]).sum(axis=1)
    # Row r: (in_r - out_r) / C_r, one +1/C at the head and -1/C at the tail of each pair.
    rows = np.concatenate([j, i])
    cols = np.concatenate([np.arange(len(i)), np.arange(len(i))])
    vals = np.concatenate([1.0 / capacity[j], -1.0 / capacity[i]])
    change = sp.csr_array((vals, (rows, cols)), shape=(n, len(i)))
    fill = bikes / capacity
    # The seed's two inequalities: change <= eps + alpha - fill and -change <= -(eps - alpha - fill).
    a_ub = sp.vstack([change, -change]).tocsr()
    b_ub = np.concatenate([eps + alpha - fill, -(eps - alpha - fill)])
    start = time.perf_counter()
    options = {} if time_limit is None else {"time_limit": float(time_limit)}
    result = scipy.optimize.linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs",
                                    options=options)
    seconds = time.perf_counter() - start
    if result.status == 1 and time_limit is not None:
        return float("nan"), None, seconds
    if result.status != 0:
        raise RuntimeError(f"linprog: {result.message}")
    moved = np.zeros((n, n))
    moved[i, j] = result.x
    return float(result.fun), moved, seconds


def mock_stations(seed: int = 0, n: int = 27) -> so.Stations:
    """A mock system like the seed's: n stations named A, B, ... on a few km of city grid, docks
    of 10-40, fills that swing from nearly empty to nearly full."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0.0, 6.0, (n, 2)).round(2)
    capacity = rng.integers(10, 41, n)
    bikes = rng.binomial(capacity, rng.uniform(0.05, 0.95, n))
    names = [chr(ord("A") + k) if k < 26 else f"A{chr(ord('A') + k - 26)}" for k in range(n)]
    return so.Stations(names, xy, capacity, bikes)


def compare(stations: so.Stations, alpha: float) -> dict:
    seed_objective, _, seed_s = seed_linprog(stations.xy, stations.capacity, stations.bikes, alpha)
    continuous = rebalance(stations, alpha, integer_bikes=False, method="highs")
    start = time.perf_counter()
    integer = rebalance(stations, alpha)
    ours_s = time.perf_counter() - start
    return {"stations": len(stations), "alpha": alpha, "seed_objective": round(seed_objective, 6),
            "continuous_objective": round(continuous.cost, 6), "integer_objective": round(integer.cost, 6),
            "integer_rise_pct": round(100.0 * (integer.cost - seed_objective) / max(seed_objective, 1e-12), 4),
            "widened_stations": int(integer.widened.sum()), "bikes_moved": int(integer.bikes_moved),
            "seed_s": round(seed_s, 4), "ours_s": round(ours_s, 4), "certified": integer.certified}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alphas", default="0.01,0.05,0.1", help="comma-separated alphas")
    parser.add_argument("--seed", type=int, default=0, help="seed of the mock system")
    parser.add_argument("--no-citibike", action="store_true", help="mock system only")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    alphas = [float(a) for a in args.alphas.split(",")]
    rows = [dict(system="mock27", **compare(mock_stations(args.seed), a)) for a in alphas]
    if not args.no_citibike and CITIBIKE.is_dir():
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", so.DataWarning)
            citibike = so.read_stations(CITIBIKE)
        rows += [dict(system="citibike", **compare(citibike, a)) for a in alphas]
    if args.json:
        print(json.dumps({"rows": rows}))
        return
    print(f"{'system':9} {'alpha':>6} {'seed LP':>12} {'ours cont.':>12} {'ours int.':>12} "
          f"{'rise %':>7} {'widened':>7} {'seed s':>7} {'ours s':>7}")
    for r in rows:
        print(f"{r['system']:9} {r['alpha']:6g} {r['seed_objective']:12.3f} {r['continuous_objective']:12.3f} "
              f"{r['integer_objective']:12.3f} {r['integer_rise_pct']:7.3f} {r['widened_stations']:7d} "
              f"{r['seed_s']:7.3f} {r['ours_s']:7.3f}")


if __name__ == "__main__":
    main()
