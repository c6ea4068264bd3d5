"""A synthetic electric car-sharing network whose five tables agree with each other.

Customers ask for cars at stations (more from homes in the morning, from work in the
afternoon, destinations by a gravity rule); the C++ network simulation then lets the cars
really drive the trips: a served customer takes the least charged plugged car that holds the
trip (best fit), its battery drops
with the distance, it asks for a port at the destination and waits for one until its
patience runs out (then the operator takes it to a depot and brings it back charged);
plugged cars charge at the station's rate. What the simulation records is the tables, so a
replay of a station with its real ports gives back exactly the recorded outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import _core
from .charging_tables import ChargingData, read_charging, write_charging

__all__ = ["CHARGING_HOURLY_PROFILE", "SyntheticCharging", "synthetic_charging"]

# Share of a weekday's car-sharing requests by hour (commute peaks, quiet nights).
CHARGING_HOURLY_PROFILE = np.array([0.4, 0.2, 0.1, 0.1, 0.2, 0.8, 2.5, 6.0, 8.0, 6.5, 5.0, 4.8,
                                    5.2, 5.0, 5.0, 5.6, 7.0, 8.5, 8.0, 6.0, 4.5, 3.5, 2.2, 1.0])
CHARGING_HOURLY_PROFILE = CHARGING_HOURLY_PROFILE / CHARGING_HOURLY_PROFILE.sum()

_HALF_DAY_HOUR = int(np.searchsorted(np.cumsum(CHARGING_HOURLY_PROFILE), 0.5))
_BASE = np.datetime64("2026-01-05T00:00:00", "s").astype(np.int64)  # a Monday
_SPEED_KMH = 30.0
_GRAVITY_KM = 6.0


@dataclass
class SyntheticCharging:
    """The generated network: its tables, the validated data, and the demand behind them.

    ``tables`` maps table names to columns (datetimes in seconds since 1970); ``data`` is
    :func:`read_charging` of them; ``demand`` holds what the network simulation needs to
    run again with other ports (:func:`shareopt.charging.resimulate_network`).
    """

    tables: dict[str, dict[str, np.ndarray]]
    data: ChargingData
    demand: dict[str, np.ndarray | float] = field(repr=False)

    def write(self, folder) -> Path:
        """Write the tables as CSV files (``stations.csv``, ``car_queue.csv``, ...)."""
        return write_charging(self.tables, folder)


def synthetic_charging(stations: int = 100, cars: int = 2_000, *, days: float = 7.0,
                       requests_per_car_day: float = 2.5, seed=0, charge_rate: float = 0.25,
                       range_km: float = 180.0, reserve: float = 0.1, max_added: int = 8,
                       equal_costs: bool = False, park_patience_min: float = 15.0,
                       depot_hours: float = 2.0) -> SyntheticCharging:
    """Generate a charging-port study with a seed: stations, cars, trips and both queues.

    Parameters
    ----------
    stations, cars
        Network size; the ports are sized so that cars fill about 80% of them.
    days
        Length of the history.
    requests_per_car_day
        Car requests per car and day (about twice as many reservation events in all).
    seed
        Integer or numpy Generator: same arguments and seed, same tables.
    charge_rate
        Battery share gained per plugged hour.
    range_km, reserve
        A full battery's range, and the share a customer wants left at the end of the trip.
    max_added
        Most ports that may be added at a station.
    equal_costs
        One cost per port everywhere (5,000); else 3,000 to 9,000 by station, in steps of 500.
    park_patience_min, depot_hours
        How long a returning car waits for a port; how long the depot keeps a car that found
        none before it comes back charged.

    Returns
    -------
    SyntheticCharging
    """
    rng = np.random.default_rng(seed)
    n, m = _count(stations, "stations"), _count(cars, "cars")
    if not (days > 0 and requests_per_car_day > 0 and 0 <= reserve < 1 and range_km > 0 and charge_rate >= 0):
        raise ValueError("need days > 0, requests_per_car_day > 0, 0 <= reserve < 1, range_km > 0, charge_rate >= 0")
    xy = rng.normal(scale=5.0, size=(n, 2))
    home = rng.lognormal(0.0, 0.6, n)
    work = rng.lognormal(0.0, 0.6, n) * np.exp(-np.hypot(*xy.T) / 6.0)  # work clusters downtown
    ports = np.maximum(2, np.round(1.25 * m * (home + work) / (home + work).sum())).astype(np.int32)
    car_station = _place_cars(ports, m, rng)

    count = round(m * requests_per_car_day * days)
    day = rng.integers(0, int(np.ceil(days)), count)
    hour = rng.choice(24, size=count, p=CHARGING_HOURLY_PROFILE)
    when = np.sort(day * 86_400 + hour * 3_600 + rng.integers(0, 3_600, count))
    when = when[when < days * 86_400]
    count = when.size
    # Split the day where half its requests are made, so both halves carry the same volume.
    morning = (when % 86_400) < _HALF_DAY_HOUR * 3_600
    origin, destination = _trips(xy, home, work, morning, rng)
    km = 1.3 * np.hypot(*(xy[origin] - xy[destination]).T) + rng.lognormal(np.log(8.0), 0.8, count)
    km = np.minimum(km, (1.0 - reserve) * range_km)
    use = km / range_km
    need = np.minimum(1.0, use + reserve)
    trip_seconds = np.ceil(km / _SPEED_KMH * 3_600 + rng.exponential(45 * 60, count)) + 60
    patience = rng.integers(10, 46, count) * 60
    first = float(when[0]) if count else 0.0
    rel = (when - first).astype(np.float64)
    demand = {"ports": ports, "rate": np.full(n, charge_rate / 3_600), "car_station": car_station,
              "car_charge": rng.uniform(0.4, 1.0, m), "request_time": rel, "request_expiry": rel + patience,
              "need": need, "use": use, "trip_seconds": trip_seconds, "origin": origin, "destination": destination,
              "start": 0.0, "end": float(days * 86_400 - first), "park_patience": float(round(park_patience_min * 60)),
              "depot_delay": float(round(depot_hours * 3_600))}
    log = _core.simulate_charging_network(**demand)
    epoch = float(_BASE) + first
    demand["epoch"] = epoch
    demand["km"] = km
    cost = np.full(n, 5_000.0) if equal_costs else rng.integers(6, 19, n) * 500.0
    tables = _tables(log, demand, xy, cost, np.full(n, int(max_added)), charge_rate, epoch)
    return SyntheticCharging(tables, read_charging(tables), demand)


def _count(value, name: str) -> int:
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _place_cars(ports: np.ndarray, cars: int, rng: np.random.Generator) -> np.ndarray:
    """Cars at stations in proportion to ports, never more than a station's ports."""
    share = ports * (cars / ports.sum())
    count = np.floor(share).astype(np.int64)
    extra = cars - count.sum()
    if extra > 0:
        room = np.flatnonzero(count < ports)
        count[rng.choice(room, size=extra, replace=False, p=(share - count)[room] / (share - count)[room].sum())] += 1
    return rng.permutation(np.repeat(np.arange(ports.size, dtype=np.int32), count))


def _trips(xy, home, work, morning, rng):
    """Origins and destinations: home to work in the morning, back in the afternoon."""
    n = xy.shape[0]
    count = morning.size
    distance = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    decay = np.exp(-distance / _GRAVITY_KM)
    np.fill_diagonal(decay, 0.0 if n > 1 else 1.0)
    origin = np.empty(count, dtype=np.int32)
    destination = np.empty(count, dtype=np.int32)
    for is_morning, source, target in ((True, home, work), (False, work, home)):
        rows = np.flatnonzero(morning == is_morning)
        # Flow o -> d in proportion to source_o target_d decay_od: the morning's flows are the
        # evening's reversed, so a day leaves each station about as many cars as it found.
        weight = decay * target[None, :]
        reach = weight.sum(axis=1)
        origin[rows] = rng.choice(n, size=rows.size, p=source * reach / (source * reach).sum())
        weight /= reach[:, None]
        order = np.argsort(origin[rows], kind="stable")
        groups = np.split(rows[order], np.cumsum(np.bincount(origin[rows], minlength=n))[:-1])
        for o, members in enumerate(groups):
            if members.size:
                destination[members] = rng.choice(n, size=members.size, p=weight[o])
    return origin, destination


def _tables(log, demand, xy, cost, max_added, charge_rate, epoch):
    n = xy.shape[0]
    sid = np.array([f"S{i:04d}" for i in range(n)], dtype=object)
    cars = np.array([f"V{i:05d}" for i in range(demand["car_station"].size)], dtype=object)
    customers = np.array([f"C{i:07d}" for i in range(demand["request_time"].size)], dtype=object)
    status = np.array(["failed", "served"], dtype=object)
    served = log["served"].astype(bool)
    order = log["park_order"]
    source = log["park_source"][order]
    end = demand["end"]
    session_out = log["session_out"]
    open_at_end = np.isnan(session_out)
    hours_in = np.where(open_at_end, end - log["session_in"], 0.0) / 3_600
    charge_out = np.where(open_at_end, np.minimum(1.0, log["session_charge_in"] + charge_rate * hours_in),
                          log["session_charge_out"])
    return {
        "stations": {"station_id": sid, "ports": demand["ports"], "max_added_ports": max_added,
                     "cost_per_port": cost, "charge_rate_per_hour": np.full(n, charge_rate),
                     "x": xy[:, 0], "y": xy[:, 1]},
        "car_queue": {"customer_id": customers, "event_creation_datetime": epoch + demand["request_time"],
                      "event_expiry_datetime": epoch + demand["request_expiry"], "station_id": sid[demand["origin"]],
                      "event_status": status[log["served"]], "required_charge": demand["need"]},
        "park_queue": {"customer_id": np.where(source >= 0, customers[np.maximum(source, 0)], "depot"),
                       "event_creation_datetime": epoch + log["park_time"][order],
                       "event_expiry_datetime": epoch + log["park_expiry"][order],
                       "station_id": sid[log["park_station"][order]], "event_status": status[log["parked"][order]],
                       "car_id": cars[log["park_car"][order]], "charge_level": log["park_charge"][order]},
        "charge_status": {"car_id": cars[log["session_car"]], "station_id": sid[log["session_station"]],
                          "datetime_in": epoch + log["session_in"], "datetime_out": epoch + session_out,
                          "charge_level_in": log["session_charge_in"], "charge_level_out": charge_out},
        "trips": {"trip_start_datetime": epoch + log["served_time"][served],
                  "trip_end_datetime": epoch + log["served_time"][served] + demand["trip_seconds"][served],
                  "start_station_id": sid[demand["origin"][served]],
                  "end_station_id": sid[demand["destination"][served]],
                  "distance_travelled": demand["km"][served], "car_id": cars[log["served_car"][served]],
                  "customer_id": customers[served]},
    }
