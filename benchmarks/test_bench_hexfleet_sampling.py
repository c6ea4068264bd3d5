"""Monte Carlo trip scenarios on the hexagonal grid (seed 002): our Numba sampler against numpy.

An NYC-like day: 1,500 H3 cells, 24 hourly periods, about 20,000 origin-destination entries
(random, seeded) over the (cell, hour) pairs that have demand, rates heavy-tailed (lognormal)
with a morning and an evening peak, about 400,000 trips a day; 100 scenarios a call.

- ``ours``: :func:`shareopt._kernels_hexfleet.sample_demand`, Poisson counts split by
  sequential conditional binomials, scenarios in parallel (``prange``), compiled and warmed
  before timing;
- ``numpy``: ``Generator.poisson`` for every count at once, then one ``Generator.multinomial``
  per (cell, hour) with two or more destinations, vectorized over scenarios.

Both report ``trips_per_s``: trips sampled (summed over scenarios) over the median time.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import case  # benchmarks/ is on sys.path (rootdir-relative import)
from shareopt._kernels_hexfleet import sample_demand, sample_demand_numpy

CELLS, PERIODS, SCENARIOS = 1_500, 24, 100
DAY_TRIPS = 400_000
GROUP = "hexfleet sampling: 1,500 cells x 24 h, ~20,000 OD entries, ~400,000 trips, 100 scenarios"


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    G = CELLS * PERIODS
    hour = np.arange(PERIODS)
    peaks = np.exp(-0.5 * ((hour - 8.5) / 1.5) ** 2) + 1.2 * np.exp(-0.5 * ((hour - 18) / 2) ** 2)
    profile = 0.3 + peaks  # a morning and an evening peak
    active = np.sort(rng.choice(G, 5_700, replace=False))  # (cell, hour) pairs with demand
    rate = np.zeros(G)
    rate[active] = rng.lognormal(0.0, 1.5, len(active)) * profile[active % PERIODS]
    rate *= DAY_TRIPS / rate.sum()
    width = np.zeros(G, dtype=np.int64)
    width[active] = rng.integers(1, 7, len(active))  # 1..6 destinations each
    offsets = np.concatenate([[0], np.cumsum(width)])
    prob = np.concatenate([rng.dirichlet(np.ones(w)) for w in width[active]])
    return rate, offsets, prob


def _run(benchmark, sampler, table, rounds):
    rate, offsets, prob = table
    counts = benchmark.pedantic(sampler, args=(rate, offsets, prob, SCENARIOS, 1), rounds=rounds,
                                iterations=1)
    trips = int(counts.sum(dtype=np.int64))
    mean = trips / SCENARIOS
    assert abs(mean - rate.sum()) < 5 * np.sqrt(rate.sum() / SCENARIOS)  # Poisson total
    benchmark.extra_info.update(cells=CELLS, periods=PERIODS, od_entries=len(prob),
                                scenarios=SCENARIOS, trips_sampled=trips,
                                trips_per_s=trips / benchmark.stats.stats.median)


@case(GROUP, size=SCENARIOS * DAY_TRIPS, unit="trips sampled", series="shareopt (Numba)", quick=True)
def test_ours_hexfleet_sampling(benchmark, table):
    rate, offsets, prob = table
    sample_demand(rate, offsets, prob, 2, 0)  # compile (or load the cache) before timing
    _run(benchmark, sample_demand, table, rounds=15)


@case(GROUP, size=SCENARIOS * DAY_TRIPS, unit="trips sampled", series="numpy", quick=True)
def test_numpy_hexfleet_sampling(benchmark, table):
    _run(benchmark, sample_demand_numpy, table, rounds=5)
