"""Figures (matplotlib, the optional ``plot`` extra): one function per kind of result."""

from __future__ import annotations

import numpy as np

__all__ = ["gantt"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("plots need matplotlib: pip install 'shareopt[plot]'") from err
    return plt


def gantt(solution, ax=None, max_vehicles: int = 60):
    """Vehicles over time: a bar per served order, a thin line while driving empty or waiting.

    Parameters
    ----------
    solution
        A :class:`~shareopt.chaining.TripChainSolution`.
    ax
        Axes to draw on (default: a new figure).
    max_vehicles
        Draw the first this many vehicles (chains in the solution's order).

    Returns
    -------
    matplotlib.axes.Axes
    """
    plt = _pyplot()
    if ax is None:
        height = 1.5 + 0.18 * min(max_vehicles, max(1, solution.num_vehicles))
        _, ax = plt.subplots(figsize=(10, height))
    shown = solution.chains[:max_vehicles]
    hours = 3600.0
    for v, chain in enumerate(shown):
        pick = solution.pickup_time[chain] / hours
        drop = solution.dropoff_time[chain] / hours
        ax.hlines(v, pick[0], drop[-1], color="0.75", linewidth=0.8, zorder=1)
        ax.broken_barh(list(zip(pick, np.maximum(drop - pick, 1e-3))), (v - 0.35, 0.7),
                       facecolors="tab:blue", edgecolors="none", zorder=2)
    ax.set_ylim(len(shown) - 0.5, -0.5)
    ax.set_xlabel("hours from the start of the day")
    ax.set_ylabel("vehicle")
    served = int(solution.served.sum())
    ax.set_title(f"{solution.num_vehicles:,} vehicles, {served:,} orders served "
                 f"(first {len(shown)} shown)")
    return ax
