"""Numba kernels for charging-port planning: replay parking sessions on a pool of ports.

The model is a loss (or, with patience, a delayed-loss) system: ``ports`` identical ports,
cars in arrival order, each wanting a port from its arrival until its own fixed departure.
Each car needs ``need_s`` seconds plugged to take its ``need_kwh`` and charges linearly, so
a car plugged for less gets that fraction of its energy.
Inputs are validated by the caller (:mod:`shareopt.charging_site`); these kernels trust them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._kernels_heap import heap_pop, heap_push

__all__ = ["occupancy_curve", "occupancy_replay"]


@njit(cache=True)
def _hand_over(freed, heap, cars, size, queue, head, tail, arrival, departure, patience, plugged_from,
               refused):
    """Give the port freed at ``freed`` to the first waiting car that can still use it.

    Returns the new (head, heap size, refused count).
    """
    while head < tail:
        j = queue[head]
        head += 1
        if freed <= arrival[j] + patience and freed < departure[j]:
            plugged_from[j] = freed
            return head, heap_push(heap, cars, size, departure[j], j), refused
        refused += 1  # ran out of patience (or its departure came) before a port
    return head, size, refused


@njit(cache=True)
def occupancy_replay(arrival, departure, need_kwh, need_s, ports, patience):
    """Replay cars (sorted by arrival) on ``ports`` ports; FIFO waiting up to ``patience`` s.

    Returns
    -------
    refused : int
        Cars that never got a port.
    plugged_from : float64[n]
        When each car got a port (NaN when refused).
    shortfall_kwh : float
        Sum of ``need_kwh * max(0, 1 - plugged seconds / need_s)`` over plugged cars (the
        part of its energy a car had no time to take; 0 when ``need_s`` is 0), plus the
        whole need of refused cars. With one power ``P`` kW for every car,
        ``need_s = 3600 * need_kwh / P`` and this is ``max(0, need_kwh - P * plugged h)``.

    Notes
    -----
    A car that gets a port at ``s`` keeps it until its own ``departure``: in a workplace car
    park the driver leaves when the working day ends, not when charging would be done, so
    waiting eats into the plugged time instead of pushing the departure back. It can get a
    port while ``s <= arrival + patience`` and ``s < departure`` (a port at or after its
    departure is of no use to it).

    The heap holds only the departures of plugged cars: those are the only moments a port
    frees, so jumping from one to the next (instead of stepping a clock) is exact and costs
    O(n log ports). A departure at ``t`` is handled before an arrival at ``t``, so a port
    freed at ``t`` serves a car arriving at ``t`` (a back-to-back handover is no conflict).
    Waiting cars form one FIFO queue in arrival order; a car whose patience ran out is
    dropped lazily when it reaches the head, which gives the same result as dropping it on
    time because nothing but the head can take a freed port.
    """
    n = arrival.shape[0]
    plugged_from = np.full(n, np.nan)
    capacity = min(ports, n)
    heap = np.empty(max(capacity, 1), dtype=np.float64)
    cars = np.empty(max(capacity, 1), dtype=np.int64)  # the car of each departure in the heap
    size = 0
    queue = np.empty(n, dtype=np.int64)  # cars waiting, in arrival order: queue[head:tail]
    head = 0
    tail = 0
    refused = 0

    for i in range(n):
        t = arrival[i]
        # Free every port whose car left at or before t, handing each to the queue head.
        while size > 0 and heap[0] <= t:
            freed, _, size = heap_pop(heap, cars, size)
            head, size, refused = _hand_over(freed, heap, cars, size, queue, head, tail, arrival,
                                             departure, patience, plugged_from, refused)
        if size < capacity:
            # A free port implies an empty queue: every freed port went to the queue first.
            plugged_from[i] = t
            size = heap_push(heap, cars, size, departure[i], i)
        elif patience > 0.0:
            queue[tail] = i
            tail += 1
        else:
            refused += 1

    # No more arrivals: drain the remaining departures so the queue can still be served.
    while head < tail:
        if size == 0:
            refused += tail - head
            break
        freed, _, size = heap_pop(heap, cars, size)
        head, size, refused = _hand_over(freed, heap, cars, size, queue, head, tail, arrival,
                                         departure, patience, plugged_from, refused)

    shortfall = 0.0
    for i in range(n):
        if np.isnan(plugged_from[i]):
            shortfall += need_kwh[i]
        else:
            plugged = departure[i] - plugged_from[i]
            if plugged < need_s[i]:
                shortfall += need_kwh[i] * (1.0 - plugged / need_s[i])
    return refused, plugged_from, shortfall


@njit(cache=True)
def occupancy_curve(arrival, departure, need_kwh, need_s, port_counts, patience):
    """:func:`occupancy_replay` for each entry of ``port_counts``: (refused, shortfall_kwh).

    A plain loop, not ``prange``: one replay of a few thousand sessions takes microseconds,
    so threads would cost more to start (and a parallel build to compile) than they save.
    """
    m = port_counts.shape[0]
    refused = np.empty(m, dtype=np.int64)
    shortfall = np.empty(m, dtype=np.float64)
    for k in range(m):
        r, _, s = occupancy_replay(arrival, departure, need_kwh, need_s, port_counts[k],
                                   patience)
        refused[k] = r
        shortfall[k] = s
    return refused, shortfall
