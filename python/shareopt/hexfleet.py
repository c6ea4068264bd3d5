"""Fleet distribution on a hexagonal grid: where the free cars should stand at the start of the day.

The seed (Amirgaliyev et al., Urban Sci. 2023) tessellates a city into hexagons, splits the
day into T periods, and places N cars at the start so that the day's trips earn the most:
income (fare per hex step x route length) - fuel - maintenance, with the trips out of a cell
limited by its free cars and the cars carried from period to period. It places cars in
proportion to morning demand and solves a deterministic ILP in CPLEX.

Here demand is uncertain: Monte Carlo scenarios (Poisson trip counts per cell and period,
destinations by the observed probabilities; :mod:`shareopt._kernels_hexfleet`) and a
sample average approximation (SAA): choose whole cars per cell to maximize the mean profit
over the scenarios, each scenario operated at its best (a time-expanded network flow).
Solved exactly by HiGHS (one model) or by Benders cuts from our network simplex, and
evaluated out of sample on fresh scenarios against the proportional rule.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ._hexcells import HexDemand, hex_demand
from ._hexfleet_model import (
    TimeNetwork,
    build_network,
    solve_recourses,
    solve_saa_benders,
    solve_saa_highs,
    whole_cars,
)
from .exceptions import TimeLimitError, ValidationError

__all__ = [
    "Evaluation",
    "FleetPlan",
    "HexDemand",
    "car_trip_probability",
    "evaluate_plan",
    "hex_demand",
    "plan_fleet",
    "proportional_plan",
    "sample_scenarios",
    "simulate_plan",
]


def sample_scenarios(demand: HexDemand, scenarios: int, seed=0) -> np.ndarray:
    """Trip counts per OD entry, (scenarios, K) int32: Poisson counts, multinomial destinations."""
    from ._kernels_hexfleet import sample_demand

    if int(scenarios) < 1:
        raise ValidationError(f"scenarios must be >= 1, got {scenarios}", "bad_scenarios")
    return sample_demand(demand.rate, demand.od_offsets, demand.od_prob, int(scenarios), _seed(seed))


def proportional_plan(demand: HexDemand, fleet: int, period: int = 0) -> np.ndarray:
    """The seed's rule: cars in proportion to the demand of one period (largest remainders)."""
    weight = demand.period_demand(period)
    if weight.sum() <= 0:
        weight = _day_demand(demand)
    return whole_cars(weight / weight.sum() * fleet, fleet)


def _day_demand(demand: HexDemand) -> np.ndarray:
    return demand.rate.reshape(demand.n_cells, demand.periods).sum(axis=1)


@dataclass(frozen=True)
class Evaluation:
    """Profit of a plan on scenarios: per scenario, the mean and its 95% interval."""

    profit: np.ndarray
    served: np.ndarray
    demanded: np.ndarray

    @property
    def mean(self) -> float:
        return float(self.profit.mean())

    @property
    def half_width(self) -> float:
        n = self.profit.size
        return 1.96 * float(self.profit.std(ddof=1)) / math.sqrt(n) if n > 1 else math.inf

    @property
    def served_share(self) -> float:
        return float(self.served.sum() / max(1, self.demanded.sum()))

    def to_dict(self) -> dict:
        return {"mean": self.mean, "ci_low": self.mean - self.half_width, "ci_high": self.mean + self.half_width,
                "served_share": self.served_share, "scenarios": int(self.profit.size)}


def evaluate_plan(network: TimeNetwork, cars: np.ndarray, counts: np.ndarray) -> Evaluation:
    """Operate each scenario at its best with these start cars (network simplex per scenario)."""
    return _evaluate(network, cars, counts)[0]


def _evaluate(network: TimeNetwork, cars: np.ndarray, counts: np.ndarray, bases: list | None = None):
    """:func:`evaluate_plan`, restarting each scenario from ``bases``; also returns the new bases."""
    cars = np.asarray(cars)
    if cars.shape != (network.n_cells,) or np.any(cars < 0) or np.any(cars != np.round(cars)):
        raise ValidationError(f"cars must be {network.n_cells} whole numbers >= 0", "bad_cars")
    results = solve_recourses(network, cars.astype(np.int64), counts, bases=bases)
    profit = np.array([r.profit for r in results])
    served = np.array([r.served.sum() for r in results], dtype=np.int64)
    return Evaluation(profit, served, counts.sum(axis=1).astype(np.int64)), [r.basis for r in results]


def car_trip_probability(demand: HexDemand, fleet: int) -> np.ndarray:
    """Chance that a free car in cell c makes a trip in period t, (C * T,), for the car-driven model.

    The seed estimates it from an operator's records (trips / free cars). From a trips table
    alone it is calibrated on a reference fleet: ``fleet`` cars in proportion to each cell's
    day demand would make the observed trips, ``min(1, rate[c, t] / (fleet * share_c))``.
    """
    share = _day_demand(demand)
    share = share / share.sum()
    cars = np.repeat(share * float(fleet), demand.periods)
    return np.minimum(1.0, np.divide(demand.rate, cars, out=np.zeros_like(demand.rate), where=cars > 0))


def simulate_plan(demand: HexDemand, cars: np.ndarray, scenarios: int = 200, seed=0, *,
                  trip_probability: np.ndarray | None = None) -> Evaluation:
    """The seed's car-driven model: each free car draws its own trip, period by period.

    In period t each free car in cell c makes a trip with chance ``trip_probability[c * T + t]``
    (default :func:`car_trip_probability` for this fleet), to a destination drawn by the
    observed shares; no one is turned away, so ``served`` counts the trips made and
    ``demanded`` the observed day's trips (``served_share`` may exceed 1 when cars are many).
    Numba kernel, one seeded stream per scenario.
    """
    from ._kernels_hexfleet import simulate_car_driven

    cars = np.asarray(cars)
    if cars.shape != (demand.n_cells,) or np.any(cars < 0) or np.any(cars != np.round(cars)):
        raise ValidationError(f"cars must be {demand.n_cells} whole numbers >= 0", "bad_cars")
    if int(scenarios) < 1:
        raise ValidationError(f"scenarios must be >= 1, got {scenarios}", "bad_scenarios")
    fleet = int(cars.sum())
    if trip_probability is None:
        trip_probability = car_trip_probability(demand, max(fleet, 1))
    chance = np.asarray(trip_probability, dtype=np.float64)
    if chance.shape != demand.rate.shape or not np.all((chance >= 0) & (chance <= 1)):
        bad = np.flatnonzero(~((chance >= 0) & (chance <= 1)))[:5] if chance.shape == demand.rate.shape else []
        raise ValidationError(f"trip_probability must be {demand.rate.size} numbers in [0, 1]"
                              + (f"; entries {list(map(int, bad))} are not" if len(bad) else ""), "bad_probability")
    profit, trips, _ = simulate_car_driven(cars.astype(np.int64), chance, demand.od_offsets, demand.od_dest,
                                           demand.od_prob, demand.od_arrive, demand.od_gain, demand.maintenance,
                                           demand.periods, int(scenarios), _seed(seed))
    observed = np.full(int(scenarios), round(float(demand.rate.sum())), dtype=np.int64)
    return Evaluation(profit, trips, observed)


@dataclass(frozen=True)
class FleetPlan:
    """Start cars per cell, with in-sample and out-of-sample figures against the baseline.

    Attributes
    ----------
    cells : ndarray of uint64
        H3 cells (``demand.cells``).
    cars, baseline : ndarray of int64
        Free cars per cell at the start: the plan and the proportional rule.
    in_sample : float
        Mean profit of the plan on the scenarios it was chosen on.
    bound : float
        No plan earns more than this on those scenarios (the SAA's upper bound).
    proven : bool
        The plan is optimal for the SAA within the relative ``gap`` of :func:`plan_fleet`
        (HiGHS's MIP gap, or Benders' bound - in_sample).
    fallback : str or None
        Why the plan is the baseline when the solve could not give a better one (a time limit).
    test, test_baseline : Evaluation
        Out of sample, on fresh scenarios (same ones for both).
    """

    demand: HexDemand = field(repr=False)
    cars: np.ndarray
    baseline: np.ndarray
    fleet: int
    scenarios: int
    method: str
    in_sample: float
    in_sample_baseline: float
    bound: float
    proven: bool
    test: Evaluation
    test_baseline: Evaluation
    time_s: float
    iterations: int = 0
    fallback: str | None = None

    @property
    def improvement_pct(self) -> float:
        base = self.test_baseline.mean
        return 100.0 * (self.test.mean - base) / abs(base) if base else math.inf

    def improvement_interval(self) -> tuple[float, float]:
        """95% interval of the mean paired difference plan - baseline, out of sample."""
        diff = self.test.profit - self.test_baseline.profit
        half = 1.96 * float(diff.std(ddof=1)) / math.sqrt(diff.size) if diff.size > 1 else math.inf
        return float(diff.mean() - half), float(diff.mean() + half)

    def to_dict(self) -> dict:
        """JSON-safe summary (non-finite numbers become None)."""
        test = self.test.to_dict()
        low, high = self.improvement_interval()
        return _finite({"cells": self.demand.n_cells, "periods": self.demand.periods, "scenarios": self.scenarios,
                "fleet": self.fleet, "method": self.method, "expected_profit": test["mean"],
                "baseline_profit": self.test_baseline.mean, "improvement_pct": self.improvement_pct,
                "ci_low": test["ci_low"], "ci_high": test["ci_high"],
                "baseline_ci_low": self.test_baseline.to_dict()["ci_low"],
                "baseline_ci_high": self.test_baseline.to_dict()["ci_high"],
                "difference_ci": [low, high], "served_share": test["served_share"],
                "baseline_served_share": self.test_baseline.served_share,
                "in_sample_profit": self.in_sample, "in_sample_baseline": self.in_sample_baseline,
                "saa_bound": self.bound, "proven": bool(self.proven), "test_scenarios": int(self.test.profit.size),
                "cells_with_cars": int(np.count_nonzero(self.cars)), "fallback": self.fallback,
                "time_s": round(self.time_s, 3)})

    def to_frame(self):
        """One row per cell: H3 index, lon, lat, cars (plan), cars (baseline)."""
        import h3.api.numpy_int as h3n
        import pandas as pd

        lonlat = self.demand.cell_lonlat()
        return pd.DataFrame({"cell": [h3n.int_to_str(int(c)) for c in self.demand.cells], "lon": lonlat[:, 0],
                             "lat": lonlat[:, 1], "cars": self.cars, "baseline": self.baseline})

    def plot(self, ax=None, which: str = "cars"):
        """A map of the cells colored by start cars (``which="cars"``, ``"baseline"`` or ``"change"``)."""
        from .plot import hex_map

        values = {"cars": self.cars, "baseline": self.baseline, "change": self.cars - self.baseline}[which]
        return hex_map(self.demand.cells, values, ax=ax, title=f"start cars ({which})")


def plan_fleet(demand: HexDemand, fleet: int, *, scenarios: int = 50, test_scenarios: int = 200, seed=0,
               method: str = "auto", cyclic: bool = False, relocation_cost: float | None = None,
               baseline_period: int = 0, time_limit: float | None = None, gap: float = 1e-6,
               progress: bool = False) -> FleetPlan:
    """Start cars per cell maximizing the mean profit over Monte Carlo scenarios (SAA).

    Parameters
    ----------
    demand
        :func:`hex_demand` of a trips table.
    fleet
        N, cars to place.
    scenarios, test_scenarios
        Scenarios the plan is chosen on, and fresh ones it is evaluated on (with the baseline).
    seed
        Integer seed (or a Generator, from which one integer is drawn): same seed, same plan.
    method
        ``"highs"``: the whole SAA as one HiGHS model (every scenario's flows; its relaxation
        first, the MIP with integer start cars only when the relaxation's cars are not
        whole); ``"benders"``: a HiGHS master with cuts from our network simplex, one per
        scenario and iteration (the level method, then a MIP master; each scenario's flow
        restarts from its last basis); ``"auto"``: highs up to 200,000 flow columns (about
        13 scenarios of an NYC day at resolution 8, 24 periods), else benders.
    cyclic
        Each cell ends the day with the cars it started with.
    relocation_cost
        Cost of moving a free car one hex step in a period (None: no relocations). Moves go
        between neighbouring cells of the demand (cells where some trip starts or ends).
    baseline_period
        The period whose demand the proportional baseline follows (the seed: the morning).
    time_limit
        Seconds for the solve; the plan then says it is not proven and gives the bound.
    gap
        Stop when the best plan is within this relative gap of the bound: Benders' stopping
        rule, and HiGHS's MIP gap (HiGHS's own default, 1e-4, can leave 1e-5 on the table: on
        the NYC day at 20 scenarios it returned a plan 1.75 a day below the optimum).
    """
    started = time.perf_counter()
    fleet = int(fleet)
    if fleet < 1:
        raise ValidationError(f"fleet must be >= 1, got {fleet}", "bad_fleet")
    if not (0 < gap < 1):
        raise ValidationError(f"gap must be in (0, 1), got {gap}", "bad_gap")
    if method not in ("auto", "highs", "benders"):
        raise ValidationError(f"method must be auto, highs or benders, got {method!r}", "bad_method")
    if int(test_scenarios) < 2:
        raise ValidationError(f"test_scenarios must be >= 2 (an interval needs two), got {test_scenarios}",
                              "bad_scenarios")
    if not 0 <= int(baseline_period) < demand.periods:
        raise ValidationError(f"baseline_period must be 0..{demand.periods - 1}, got {baseline_period}",
                              "bad_period")
    if relocation_cost is not None and not (math.isfinite(relocation_cost) and relocation_cost >= 0):
        raise ValidationError(f"relocation_cost must be a finite number >= 0, got {relocation_cost}",
                              "bad_relocation_cost")
    base_seed = _seed(seed)
    counts = sample_scenarios(demand, scenarios, base_seed)
    neighbours = _neighbours(demand.cells) if relocation_cost is not None else None
    network = build_network(demand.od_origin, demand.od_period, demand.od_dest, demand.od_arrive, demand.od_gain,
                            demand.maintenance, demand.periods, cyclic=cyclic, neighbours=neighbours,
                            relocation_cost=relocation_cost)
    baseline = proportional_plan(demand, fleet, baseline_period)
    columns = network.fixed_tail.size * scenarios + int(np.count_nonzero(counts))
    use = ("highs" if columns <= _MONOLITHIC_COLUMNS else "benders") if method == "auto" else method
    iterations, fallback = 0, None
    if use == "highs":
        try:
            saa = solve_saa_highs(network, counts, fleet, time_limit=time_limit, mip_gap=gap)
            cars, bound, proven = saa.cars, saa.bound, saa.proven
        except TimeLimitError:
            cars, proven, fallback = baseline.copy(), False, "time limit before any plan: the baseline"
            bound = float(np.mean(counts @ np.maximum(network.trip_gain(), 0.0)))  # every trip served
    else:
        # Start from the plan that is optimal for the first few scenarios (one small HiGHS
        # model): on the NYC day it is within 0.03% of the full optimum, and the cuts around
        # it close the gap in half the iterations the baseline needs.
        few = min(_START_SCENARIOS, counts.shape[0])
        starts = [baseline, _demand_plan(demand, fleet)]
        try:
            starts.insert(0, solve_saa_highs(network, counts[:few], fleet, time_limit=time_limit).cars)
        except TimeLimitError:
            pass
        left = None if time_limit is None else max(0.0, time_limit - (time.perf_counter() - started))
        result = solve_saa_benders(network, counts, fleet, starts, gap=gap, time_limit=left, progress=progress)
        cars, bound, proven, iterations = result.cars, result.upper, result.proven, result.iterations
    # Each evaluation restarts every scenario from the previous one's basis (same arcs).
    in_sample, bases = _evaluate(network, cars, counts)
    in_sample_baseline = _evaluate(network, baseline, counts, bases)[0]
    if in_sample.mean < in_sample_baseline.mean:  # a time limit can stop short of the baseline: keep the better
        cars, in_sample = baseline.copy(), in_sample_baseline
        fallback = fallback or "time limit: the baseline was better than the plan found"
    test = sample_scenarios(demand, test_scenarios, base_seed + 1_000_003)
    test_plan, bases = _evaluate(network, cars, test)
    return FleetPlan(demand, cars, baseline, fleet, int(scenarios), use, in_sample.mean, in_sample_baseline.mean,
                     float(bound), proven, test_plan, _evaluate(network, baseline, test, bases)[0],
                     time.perf_counter() - started, iterations, fallback)


# Up to about this many flow columns one HiGHS model is faster than Benders; beyond, Benders.
# Measured on the 2021-01-01 NYC day, resolution 8, 24 periods, gap 1e-6 (2 cores): 10
# scenarios (0.15 M columns) 3.7 s against 6.3 s; 20 scenarios 37 s against 13 s; 40
# scenarios 39 s against 20 s; 100 scenarios (1.3 M columns) 283-326 s against 29 s.
_MONOLITHIC_COLUMNS = 200_000
_START_SCENARIOS = 10  # Benders starts from the plan optimal for this many scenarios


def _finite(summary: dict) -> dict:
    """inf and nan become None, in nested lists too (strict JSON has no Infinity)."""
    def clean(value):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    return {key: clean(value) for key, value in summary.items()}


def _demand_plan(demand: HexDemand, fleet: int) -> np.ndarray:
    """Cars in proportion to the whole day's departures (a second start for Benders)."""
    weight = _day_demand(demand)
    return whole_cars(weight / weight.sum() * fleet, fleet)


def _neighbours(cells: np.ndarray):
    """Pairs (a, b) of the cells that are one hex step apart."""
    import h3.api.numpy_int as h3n

    index = {int(c): i for i, c in enumerate(cells)}
    a, b = [], []
    for i, c in enumerate(cells):
        for n in h3n.grid_ring(int(c), 1):
            j = index.get(int(n))
            if j is not None:
                a.append(i)
                b.append(j)
    return np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)


def _seed(seed) -> int:
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**31 - 1))
    value = int(seed)
    if value < 0:
        raise ValidationError(f"seed must be >= 0, got {seed}", "bad_seed")
    return value
