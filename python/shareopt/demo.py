"""``shareopt demo``: every part that exists, on built-in synthetic data, in seconds.

Each step is a function ``step(seed) -> (summary dict, one line of text)``; a problem module
adds its own step to :data:`DEMO_STEPS` when it lands.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

from .data import read_orders, synthetic_orders, synthetic_stations
from .travel import TravelModel

__all__ = ["run_demo", "format_demo", "DEMO_STEPS"]

DEMO_ORDERS = 50_000


@lru_cache(maxsize=1)
def _demo_orders(seed: int):
    """One synthetic day shared by the steps (tables are not modified in place)."""
    return synthetic_orders(DEMO_ORDERS, seed=seed)


def _orders_step(seed: int) -> tuple[dict, str]:
    orders = _demo_orders(seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.csv"
        orders.to_csv(path, places="lonlat")
        start = time.perf_counter()
        loaded = read_orders(path)
        seconds = time.perf_counter() - start
    hour = np.floor(orders.pickup_time / 3600.0).astype(int) % 24
    busiest = int(np.bincount(hour, minlength=24).argmax())
    summary = {
        "orders": len(orders),
        "csv_roundtrip_rows": len(loaded),
        "csv_read_s": round(seconds, 4),
        "median_distance_km": round(float(np.median(orders.distance)), 3),
        "median_duration_min": round(float(np.median(orders.duration)) / 60.0, 2),
        "busiest_hour": busiest,
        "revenue_total": round(float(orders.revenue.sum()), 2),
    }
    line = (f"{len(orders):,} synthetic NYC-like orders; CSV round trip {len(loaded):,} rows read "
            f"in {seconds:.3f} s; median trip {summary['median_distance_km']:.1f} km, "
            f"{summary['median_duration_min']:.1f} min; busiest hour {busiest}:00")
    return summary, line


def _travel_step(seed: int) -> tuple[dict, str]:
    orders = _demo_orders(seed)
    model = TravelModel.from_trips(orders, metric="manhattan")
    predicted = model.travel_time(orders.pickups, orders.dropoffs, orders.pickup_time)
    error = np.median(np.abs(predicted - orders.duration) / orders.duration)
    speeds = model.speeds_kmh
    summary = {
        "model": model.to_dict(),
        "median_relative_time_error": round(float(error), 4),
    }
    line = (f"learned from the trips: detour {model.detour:.2f} over manhattan, "
            f"{speeds[8]:.1f} km/h at 8:00, {speeds[3]:.1f} km/h at 3:00; "
            f"median time error {error:.1%}")
    return summary, line


def _stations_step(seed: int) -> tuple[dict, str]:
    stations = synthetic_stations(600, seed=seed)
    share = stations.bikes / stations.capacity
    off_band = int(np.count_nonzero(np.abs(share - stations.fill) > 0.15))
    summary = dict(stations.to_dict(), outside_fill_band_15pct=off_band)
    summary.pop("load_report")
    line = (f"{len(stations):,} Citi-Bike-like stations, {int(stations.capacity.sum()):,} docks, "
            f"fill {stations.fill:.2f}; {off_band} stations more than 15 points off it")
    return summary, line


def _chains_step(seed: int) -> tuple[dict, str]:
    from .chaining import solve_trip_chains

    # Morning peak of the shared day, with the seed's costs (100 per vehicle + 30 dispatch
    # + 30 collection; deadhead 5 per mile; revenue 100 per trip mile).
    orders = _demo_orders(seed)
    morning = orders.take(np.flatnonzero((orders.pickup_time >= 7 * 3600.0)
                                         & (orders.pickup_time < 10 * 3600.0)))
    morning = morning.take(np.arange(0, len(morning), 2))
    morning.revenue = 100.0 * morning.distance / 1.609344
    plan = solve_trip_chains(morning, vehicle_cost=160.0, deadhead_cost_per_km=5.0 / 1.609344,
                             max_idle=1200.0)
    summary = plan.to_dict()
    line = (f"{summary['orders']:,} morning orders: {summary['vehicles']:,} vehicles serve "
            f"{summary['served']:,}, objective {summary['objective']:,.0f}, "
            f"{'certified optimal' if plan.certified else plan.status} in {plan.time_s:.2f} s "
            f"({summary['rounds']} pricing rounds)")
    return summary, line


def _rebalance_step(seed: int) -> tuple[dict, str]:
    from .rebalance import rebalance

    plan = rebalance(synthetic_stations(600, seed=seed), 0.1)
    summary = plan.to_dict()
    line = (f"600 stations to within 10 points of fill {summary['epsilon']:.2f}: "
            f"{summary['bikes_moved']:,} bikes in {summary['transfers']:,} transfers, "
            f"{summary['cost']:,.0f} bike-km, {'certified optimal' if plan.certified else 'not certified'} "
            f"in {plan.time_s:.2f} s")
    return summary, line


def _charging_step(seed: int) -> tuple[dict, str]:
    from .charging import plan_ports
    from .data.synthetic_charging import synthetic_charging

    data = synthetic_charging(100, 2_000, days=7, seed=seed).data
    budget = 0.1 * float((data.cost_per_port * data.max_added).sum())
    plan = plan_ports(data, budget)
    summary = plan.to_dict()
    base, after = summary["baseline_failures"], summary["resimulated_failures"]
    line = (f"{data.n_events:,} reservations at 100 stations: {summary['ports_added']} ports for "
            f"{summary['cost']:,.0f} cut failed car/park reservations {base['car']:,}/{base['park']:,} -> "
            f"{after['car']:,}/{after['park']:,} ({plan.method}, {'optimal' if plan.exact else 'not proved'}) "
            f"in {plan.time_s:.2f} s")
    return summary, line


def _hexfleet_step(seed: int) -> tuple[dict, str]:
    from .hexfleet import hex_demand, plan_fleet

    demand = hex_demand(_demo_orders(seed), resolution=7, periods=6)
    plan = plan_fleet(demand, 500, scenarios=5, test_scenarios=40, seed=seed)
    summary = plan.to_dict()
    line = (f"500 cars on {summary['cells']} H3 cells x 6 periods: {summary['expected_profit']:,.0f} a day out of "
            f"sample, {summary['improvement_pct']:+.1f}% over the proportional rule "
            f"({'proven' if plan.proven else 'not proven'} on 5 scenarios) in {plan.time_s:.2f} s")
    return summary, line


def _relay_step(seed: int) -> tuple[dict, str]:
    from .relay import solve_relays, synthetic_relay

    plan = solve_relays(synthetic_relay(60, 30, 120, seed=seed), time_limit=30)
    summary = plan.to_dict()
    proof = "optimal" if plan.proven else f"gap {summary['mip_gap']:.2%}"
    line = (f"30 scooters on 60 places for 120 commutes: {summary['served_commutes']} served, demand "
            f"{summary['served_demand']:,.0f} of {summary['total_demand']:,.0f} ({proof}) in {summary['time_s']:.2f} s")
    return summary, line


DEMO_STEPS: list[tuple[str, Callable[[int], tuple[dict, str]]]] = [
    ("orders", _orders_step),
    ("travel", _travel_step),
    ("stations", _stations_step),
    ("chains", _chains_step),
    ("rebalance", _rebalance_step),
    ("charging", _charging_step),
    ("hexfleet", _hexfleet_step),
    ("relay", _relay_step),
]

# Problems land one by one (trip chains, dispatch, charging, hexfleet, rebalancing, relays).
PROBLEMS: list[str] = ["trip chains", "bike rebalancing", "charging ports", "fleet distribution", "scooter relays"]


def run_demo(seed: int = 0) -> dict:
    """Run every demo step; a JSON-safe dict of their summaries and texts."""
    steps = {}
    lines = {}
    start = time.perf_counter()
    for name, step in DEMO_STEPS:
        summary, line = step(seed)
        steps[name] = summary
        lines[name] = line
    return {"seed": seed, "steps": steps, "lines": lines, "problems": list(PROBLEMS),
            "seconds": round(time.perf_counter() - start, 3)}


def format_demo(result: dict) -> str:
    """The readable summary of :func:`run_demo`'s result."""
    out = [f"shareopt demo (seed {result['seed']})"]
    out += [f"  {name:<9} {line}" for name, line in result["lines"].items()]
    problems = ", ".join(result["problems"]) or "none yet in this release"
    out.append(f"  problems  {problems}")
    out.append(f"done in {result['seconds']:.1f} s")
    return "\n".join(out)
