"""Real-time dispatch: offers per second and per-offer latency, against the seed's method.

A synthetic NYC-like day: a quarter of its orders reserved and chained exactly (phase one),
the rest offered in request order (each requested up to 30 minutes before its pickup), the
seed's costs, max_idle 20 minutes. The peer is the seed's own phase-two method: for each
offer, a scan in Python over every position of every chain (here vectorized per chain with
numpy, kinder to it than the seed's loops); it runs on the first offers only, and must take the
same decisions. Days of 20,000 and 80,000 orders (``offer_many`` on both: time against the
day's size; one-by-one offers and the seed's scan on the 80,000-order day);
SHAREOPT_BENCH_LARGE=1 adds the full day (380,000 orders, about 10,000 vehicles).
"""

from __future__ import annotations

import math
import os
import time

import numpy as np
import pytest
import shareopt as so
from conftest import case  # benchmarks/ is on sys.path (rootdir-relative import)
from shareopt.data.synthetic import NYC_HOURLY_SPEED_KMH

MILE_KM = 1.609344
LARGE = os.environ.get("SHAREOPT_BENCH_LARGE") == "1"
large = pytest.mark.skipif(not LARGE, reason="set SHAREOPT_BENCH_LARGE=1 (minutes)")


class Day:
    """Reserved chains and a stream of real-time offers."""

    def __init__(self, n: int, reserved_share: float = 0.25):
        orders = so.synthetic_orders(n, seed=0, places="xy")
        orders.revenue = 100.0 * orders.distance / MILE_KM
        rng = np.random.default_rng(0)
        chosen = rng.random(n) < reserved_share
        self.reserved = orders.take(np.flatnonzero(chosen))
        stream = orders.take(np.flatnonzero(~chosen))
        request = stream.pickup_time - rng.uniform(0.0, 1800.0, len(stream))
        order = np.argsort(request, kind="stable")
        self.stream, self.request = stream.take(order), request[order]
        self.travel = so.TravelModel("manhattan", speed_kmh=NYC_HOURLY_SPEED_KMH)
        self.kwargs = dict(vehicle_cost=160.0, deadhead_cost_per_km=5.0 / MILE_KM, max_idle=1200.0,
                           travel=self.travel)
        self.plan = so.solve_trip_chains(self.reserved, **self.kwargs)

    def dispatcher(self) -> so.Dispatcher:
        return so.Dispatcher(self.plan, self.reserved, **self.kwargs)


def seed_scan(dispatcher: so.Dispatcher, table: dict, k: int, day: Day):
    """The seed's phase two for one offer: every position of every chain, in Python."""
    s = day.stream
    pick_t, drop_t = s.pickup_time[k], s.dropoff_time[k]
    pick, drop = s.pickup_xy[k], s.dropoff_xy[k]
    request, idle = day.request[k], day.kwargs["max_idle"]
    dh = day.kwargs["deadhead_cost_per_km"]
    best = (day.kwargs["vehicle_cost"], dispatcher.num_vehicles, 0)  # a new vehicle
    for v, chain in enumerate(dispatcher.chains):
        tp, td = table["tp"][chain], table["td"][chain]
        pxy, dxy = table["pxy"][chain], table["dxy"][chain]
        n = len(chain)
        for pos in range(n + 1):
            cost = 0.0
            if pos > 0:
                wait = pick_t - td[pos - 1]
                if wait < 0 or wait > idle:
                    continue
                depart = max(td[pos - 1], request)
                t = float(day.travel.travel_time(dxy[pos - 1:pos], pick[None], depart)[0])
                if depart + t > pick_t:
                    continue
                cost += dh * np.abs(dxy[pos - 1] - pick).sum()
            if pos < n:
                wait = tp[pos] - drop_t
                if wait < 0 or wait > idle:
                    continue
                t = float(day.travel.travel_time(drop[None], pxy[pos:pos + 1], drop_t)[0])
                if drop_t + t > tp[pos]:
                    continue
                cost += dh * np.abs(drop - pxy[pos]).sum()
                if pos > 0:
                    cost -= dh * np.abs(dxy[pos - 1] - pxy[pos]).sum()
            if cost < best[0]:
                best = (cost, v, pos)
    return best


def single_offers(dispatcher: so.Dispatcher, day: Day) -> np.ndarray:
    """Each offer of the stream through the binding, one call each; latencies in us."""
    core = dispatcher._core
    s = day.stream
    args = [(float(s.pickup_time[k]), float(s.dropoff_time[k]),
             (float(s.pickup_xy[k, 0]), float(s.pickup_xy[k, 1]), -1),
             (float(s.dropoff_xy[k, 0]), float(s.dropoff_xy[k, 1]), -1),
             float(s.revenue[k]), float(s.distance[k]), float(day.request[k])) for k in range(len(s))]
    latency = np.empty(len(args))
    clock = time.perf_counter_ns
    for i, a in enumerate(args):
        start = clock()
        core.offer(*a)
        latency[i] = clock() - start
    return latency / 1000.0


@pytest.fixture(scope="module")
def day():
    return Day(80_000)


@pytest.fixture(scope="module")
def small_day():
    return Day(20_000)


def measure_offer_many(benchmark, day: Day) -> None:
    decisions = benchmark.pedantic(
        lambda d: d.offer_many(day.stream, day.request),
        setup=lambda: ((day.dispatcher(),), {}), rounds=3, iterations=1)
    assert len(decisions) == len(day.stream)
    counts = decisions.counts()
    assert counts["accepted"] > 0 and sum(counts.values()) == len(day.stream)
    if benchmark.stats is None:  # --benchmark-disable: nothing timed
        return
    seconds = benchmark.stats.stats.median
    benchmark.extra_info.update(offers=len(decisions), offers_per_s=len(decisions) / seconds, **counts)


@case("dispatch: 15,000 offers against 5,000 reserved orders", size=20_000, unit="orders in the day",
      series="shareopt offer_many", quick=True)
def test_ours_offer_many_20k(benchmark, small_day):
    """The same construction on a day of 20,000 orders (15,107 offers, 4,893 reserved)."""
    measure_offer_many(benchmark, small_day)


@case("dispatch: 60,000 offers against 20,000 reserved orders", size=80_000, unit="orders in the day",
      series="shareopt offer_many", quick=True)
def test_ours_offer_many(benchmark, day):
    measure_offer_many(benchmark, day)


def measure_latency(benchmark, day: Day) -> None:
    dispatcher = day.dispatcher()
    latency = benchmark.pedantic(lambda: single_offers(dispatcher, day), rounds=1, iterations=1)
    assert len(latency) == len(day.stream) and dispatcher.num_vehicles >= day.plan.num_vehicles
    benchmark.extra_info.update(offers=len(latency), p50_us=float(np.percentile(latency, 50)),
                                p99_us=float(np.percentile(latency, 99)),
                                vehicles=dispatcher.num_vehicles)


@case("dispatch: one offer from Python", size=80_000, unit="orders in the day", series="shareopt offer()",
      quick=True)
def test_ours_offer_latency(benchmark, day):
    """Offers one by one from Python through the binding (the fast path of a service)."""
    measure_latency(benchmark, day)


@case("dispatch: one offer from Python", series="seed's scan (Python)", quick=True)
def test_peer_seed_scan(benchmark, day):
    """The seed's full scan on the first 100 offers (it is slow), same decisions as ours."""
    ours = day.dispatcher()
    count = 100

    def run():
        d = day.dispatcher()
        latency = []
        for k in range(count):
            table = dict(zip(("tp", "td", "pxy", "pz", "dxy", "dz", "rev", "km"), d._core.table()))
            start = time.perf_counter()
            best = seed_scan(d, table, k, day)
            latency.append(time.perf_counter() - start)
            d.offer(day.stream.take([k]), request_time=float(day.request[k]))
            decision = ours.offer(day.stream.take([k]), request_time=float(day.request[k]))
            service = day.kwargs["deadhead_cost_per_km"] * day.stream.distance[k] - day.stream.revenue[k]
            assert math.isclose(decision.marginal_cost, best[0] + service, rel_tol=1e-9, abs_tol=1e-6)
        return np.asarray(latency) * 1e6

    latency = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info.update(offers=count, p50_us=float(np.percentile(latency, 50)),
                                p99_us=float(np.percentile(latency, 99)))


@pytest.fixture(scope="module")
def full_day():
    return Day(so.data.synthetic.NYC_DAY_ORDERS)


@large
@case("dispatch: a full day, 285,000 offers against 95,000 reserved", size=380_000, unit="orders in the day",
      series="shareopt offer_many")
def test_ours_offer_many_full_day(benchmark, full_day):
    decisions = benchmark.pedantic(lambda d: d.offer_many(full_day.stream, full_day.request),
                                   setup=lambda: ((full_day.dispatcher(),), {}), rounds=1, iterations=1)
    if benchmark.stats is None:  # --benchmark-disable: nothing timed
        return
    benchmark.extra_info.update(offers=len(decisions),
                                offers_per_s=len(decisions) / benchmark.stats.stats.median,
                                reserved_vehicles=full_day.plan.num_vehicles, **decisions.counts())


@large
@case("dispatch: a full day, 285,000 offers against 95,000 reserved", size=380_000, unit="orders in the day",
      series="shareopt offer()")
def test_ours_offer_latency_full_day(benchmark, full_day):
    measure_latency(benchmark, full_day)
