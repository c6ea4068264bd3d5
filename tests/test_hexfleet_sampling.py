"""Monte Carlo trip scenarios on the hexagonal grid (seed 002): the Numba kernels and their
numpy reference. Fixed seeds; statistical bounds at 5 standard errors or more."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from scipy import stats

from shareopt._kernels_hexfleet import sample_demand, sample_demand_numpy, simulate_car_driven

# C = 3 cells, T = 2 periods: g = c * T + t.
RATE = np.array([4.0, 2.5, 0.0, 20.0, 0.7, 0.0])
OFFSETS = np.array([0, 3, 4, 4, 6, 10, 12], dtype=np.int64)
PROB = np.array([0.5, 0.3, 0.2,  # g0: three destinations
                 1.0,  # g1: one
                 0.9, 0.1,  # g3 (g2 has none): rate 20, Poisson's large-mean branch
                 0.4, 0.3, 0.2, 0.1,  # g4: small rate, four destinations
                 0.5, 0.5])  # g5: rate 0 with entries
SCENARIOS = 20_000


def _per_g(counts: np.ndarray) -> np.ndarray:
    """N_g per scenario from the per-entry counts."""
    return np.add.reduceat(counts, OFFSETS[:-1], axis=1) * (np.diff(OFFSETS) > 0)


@pytest.fixture(scope="module", params=["numba", "numpy"])
def sampled(request):
    sampler = sample_demand if request.param == "numba" else sample_demand_numpy
    return sampler(RATE, OFFSETS, PROB, SCENARIOS, 11).astype(np.int64)


# ------------------------------------------------------------------------- determinism
def test_sample_demand_is_deterministic_and_seeded():
    a = sample_demand(RATE, OFFSETS, PROB, 500, 3)
    assert a.dtype == np.int32 and a.shape == (500, len(PROB))
    np.testing.assert_array_equal(a, sample_demand(RATE, OFFSETS, PROB, 500, 3))
    assert not np.array_equal(a, sample_demand(RATE, OFFSETS, PROB, 500, 4))
    assert not np.array_equal(a[0], a[1])  # scenarios draw from streams of their own
    # Scenario s does not depend on how many scenarios there are.
    np.testing.assert_array_equal(a[:100], sample_demand(RATE, OFFSETS, PROB, 100, 3))
    b = sample_demand_numpy(RATE, OFFSETS, PROB, 500, 3)
    np.testing.assert_array_equal(b, sample_demand_numpy(RATE, OFFSETS, PROB, 500, 3))
    assert not np.array_equal(b, sample_demand_numpy(RATE, OFFSETS, PROB, 500, 4))


def test_results_do_not_depend_on_the_thread_count():
    car = _two_cells(rate=0.6, duration=1, T=4)
    default = numba.get_num_threads()
    a = sample_demand(RATE, OFFSETS, PROB, 400, 5)
    b = simulate_car_driven(*car, 400, 5)
    numba.set_num_threads(1)
    try:
        one = sample_demand(RATE, OFFSETS, PROB, 400, 5)
        one_b = simulate_car_driven(*car, 400, 5)
    finally:
        numba.set_num_threads(default)
    np.testing.assert_array_equal(a, one)
    for x, y in zip(b, one_b):
        np.testing.assert_array_equal(x, y)


# ------------------------------------------------------------------ sampled frequencies
def test_mean_count_per_entry_is_rate_times_probability(sampled):
    mu = np.repeat(RATE, np.diff(OFFSETS)) * PROB
    mean = sampled.mean(axis=0)
    assert np.all(sampled[:, mu == 0] == 0)
    live = mu > 0
    assert np.all(np.abs(mean[live] - mu[live]) < 5 * np.sqrt(mu[live] / SCENARIOS))


def test_trips_per_cell_and_period_are_poisson(sampled):
    n = _per_g(sampled)
    for g in np.flatnonzero(RATE > 0):
        mu = RATE[g]
        assert abs(n[:, g].mean() - mu) < 5 * np.sqrt(mu / SCENARIOS)
        # Var(sample variance) of a Poisson is about (mu + 2 mu^2) / S.
        assert abs(n[:, g].var(ddof=1) - mu) < 6 * np.sqrt((mu + 2 * mu**2) / SCENARIOS)
    # A split count is itself Poisson (thinning): variance equals mean entry by entry too.
    mu = np.repeat(RATE, np.diff(OFFSETS)) * PROB
    for k in np.flatnonzero(mu > 0):
        assert abs(sampled[:, k].var(ddof=1) - mu[k]) < 6 * np.sqrt((mu[k] + 2 * mu[k] ** 2)
                                                                    / SCENARIOS)


@pytest.mark.parametrize("g", [0, 3, 4])
def test_destination_split_passes_chi_square(sampled, g):
    lo, hi = OFFSETS[g], OFFSETS[g + 1]
    observed = sampled[:, lo:hi].sum(axis=0)
    expected = observed.sum() * PROB[lo:hi]
    assert stats.chisquare(observed, expected).pvalue > 1e-3


def test_split_is_multinomial_given_the_count():
    """Condition on N_g = n: the first entry's share is Binomial(n, p) (a biased sequential
    split, e.g. one not conditioning p on the mass left, fails this)."""
    counts = sample_demand(RATE, OFFSETS, PROB, SCENARIOS, 12).astype(np.int64)
    n = counts[:, 0:3].sum(axis=1)
    for k, p in ((1, 0.3), (2, 0.2)):
        pick = n == 4
        observed = np.bincount(counts[pick, k], minlength=5)[:5]
        expected = stats.binom.pmf(np.arange(5), 4, p) * pick.sum()
        assert stats.chisquare(observed, expected).pvalue > 1e-3


# ------------------------------------------------------------------------ car-driven
def _two_cells(rate: float, duration: int, T: int):
    """Two cells swapping cars: 0 -> 1 and 1 -> 0, ``duration`` periods, gains 10 and 4."""
    C = 2
    offsets = np.arange(C * T + 1, dtype=np.int64)
    dest = np.array([1 - c for c in range(C) for _ in range(T)], dtype=np.int32)
    arrive = np.array([t + duration for _ in range(C) for t in range(T)], dtype=np.int32)
    gain = np.array([10.0 if c == 0 else 4.0 for c in range(C) for _ in range(T)])
    return (np.array([5, 2], dtype=np.int64), np.full(C * T, rate), offsets, dest,
            np.ones(C * T), arrive, gain, np.array([0.5, 1.5]), T)


def _random_network(seed: int, C=4, T=5, per_g=3):
    rng = np.random.default_rng(seed)
    offsets = np.arange(0, C * T * per_g + 1, per_g, dtype=np.int64)
    dest = rng.integers(0, C, C * T * per_g).astype(np.int32)
    prob = rng.dirichlet(np.ones(per_g), C * T).ravel()
    period = np.repeat(np.arange(C * T) % T, per_g)
    arrive = (period + rng.integers(1, 4, len(dest))).astype(np.int32)  # some after the cycle
    gain = rng.uniform(2.0, 20.0, len(dest))
    return (rng.integers(0, 30, C).astype(np.int64), rng.uniform(0.0, 1.0, C * T), offsets, dest,
            prob, arrive, gain, rng.uniform(0.1, 1.0, C), T)


def test_car_balance_holds_in_every_scenario():
    args = _random_network(0)
    initial, T = args[0], args[-1]
    profit, trips, free = simulate_car_driven(*args, 300, 1)
    assert free.shape == (300, T + 1, len(initial)) and free.dtype == np.int32
    assert np.all(free >= 0)
    np.testing.assert_array_equal(free[:, 0], np.broadcast_to(initial, free[:, 0].shape))
    assert np.all(free[:, T].sum(axis=1) == initial.sum())
    assert np.all(free.sum(axis=2) <= initial.sum())  # the rest are travelling
    assert trips.sum() > 0 and np.all(np.isfinite(profit))
    # One-period trips: nobody is travelling at the start of a period.
    args = _two_cells(rate=0.5, duration=1, T=6)
    _, trips, free = simulate_car_driven(*args, 300, 2)
    assert np.all(free.sum(axis=2) == 7) and trips.sum() > 0


def test_no_trips_when_no_car_is_taken():
    args = _random_network(1)
    initial, maintenance, T = args[0], args[7], args[-1]
    args = (initial, np.zeros_like(args[1])) + args[2:]
    profit, trips, free = simulate_car_driven(*args, 50, 3)
    assert np.all(trips == 0)
    np.testing.assert_allclose(profit, -T * np.sum(maintenance * initial))
    assert np.all(free == initial[None, None, :])


def test_every_car_is_taken_when_the_rate_is_one():
    # T = 1: every car makes exactly one trip, arriving at the end of the cycle.
    initial, _, offsets, dest, prob, arrive, gain, maintenance, _ = _two_cells(1.0, 1, T=1)
    profit, trips, free = simulate_car_driven(initial, np.ones(2), offsets, dest, prob, arrive,
                                              gain, maintenance, 1, 20, 4)
    assert np.all(trips == 7)
    np.testing.assert_allclose(profit, 5 * 10 + 2 * 4 - (5 * 0.5 + 2 * 1.5))
    assert np.all(free[:, 1] == [2, 5])
    # T = 3, one-period trips: the fleet swaps cells every period and trips chain.
    args = _two_cells(1.0, 1, T=3)
    _, trips, free = simulate_car_driven(*args, 5, 4)
    assert np.all(trips == 21)
    np.testing.assert_array_equal(free[0], [[5, 2], [2, 5], [5, 2], [2, 5]])
    # Two-period trips: cars are away at period 1, back at 2, and those leaving at 2 arrive
    # after the cycle (counted at T).
    args = _two_cells(1.0, 2, T=3)
    _, trips, free = simulate_car_driven(*args, 5, 4)
    assert np.all(trips == 14)
    np.testing.assert_array_equal(free[0], [[5, 2], [0, 0], [2, 5], [5, 2]])


def test_mean_profit_matches_its_expectation():
    """One cell, T = 1, two entries: profit = gains of Binomial(n, p) trips - maintenance * n."""
    n, p, maint = 50, 0.3, 2.0
    prob, gain = np.array([0.25, 0.75]), np.array([10.0, 20.0])
    S = SCENARIOS
    profit, trips, free = simulate_car_driven(
        np.array([n], dtype=np.int64), np.array([p]), np.array([0, 2], dtype=np.int64),
        np.zeros(2, dtype=np.int32), prob, np.array([1, 5], dtype=np.int32), gain,
        np.array([maint]), 1, S, 9)
    m = prob @ gain
    v = prob @ gain**2 - m**2
    expected = n * p * m - maint * n
    sd = np.sqrt(n * p * v + n * p * (1 - p) * m**2)  # Var of a binomial sum of iid gains
    assert abs(profit.mean() - expected) < 5 * sd / np.sqrt(S)
    assert abs(trips.mean() - n * p) < 5 * np.sqrt(n * p * (1 - p) / S)
    assert np.all(free[:, 1, 0] == n)
