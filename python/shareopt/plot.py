"""Figures (matplotlib, the optional ``plot`` extra): one function per kind of result."""

from __future__ import annotations

import numpy as np

__all__ = ["gantt", "hex_map", "rebalance_map", "relay_map"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("plots need matplotlib: pip install 'shareopt[plot]'") from err
    return plt


def save_plot(result, path) -> None:
    """Draw ``result.plot()`` off screen and save it (the command line's ``--plot FILE``)."""
    import matplotlib

    matplotlib.use("Agg")
    ax = result.plot()
    ax.figure.savefig(path, dpi=120, bbox_inches="tight")


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


def rebalance_map(plan, ax=None, max_arrows: int = 2000, lonlat: bool | None = None):
    """Stations colored by their change in bikes, an arrow per transfer (width by bikes).

    Parameters
    ----------
    plan
        A :class:`~shareopt.rebalance.RebalancePlan`.
    ax
        Axes to draw on (default: a new figure).
    max_arrows
        Draw the largest this many transfers.
    lonlat
        Draw in lon/lat (default: when the stations have them), else x, y km.

    Returns
    -------
    matplotlib.axes.Axes
    """
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 8))
    use_lonlat = plan.lonlat is not None if lonlat is None else lonlat and plan.lonlat is not None
    where = plan.lonlat if use_lonlat else plan.xy
    change = plan.final_bikes - plan.bikes
    limit = max(1.0, float(np.abs(change).max(initial=0.0)))
    dots = ax.scatter(where[:, 0], where[:, 1], c=change, cmap="coolwarm_r", vmin=-limit, vmax=limit,
                      s=8 + 40 * plan.capacity / max(1, plan.capacity.max()), zorder=2)
    shown = np.argsort(-plan.transfer_bikes, kind="stable")[:max_arrows]
    width = max(1.0, float(plan.transfer_bikes.max(initial=1.0)))
    for k in shown:
        a, b = where[plan.transfer_from[k]], where[plan.transfer_to[k]]
        ax.annotate("", xy=b, xytext=a, zorder=1,
                    arrowprops={"arrowstyle": "->", "color": "0.3", "alpha": 0.6,
                                "linewidth": 0.4 + 2.0 * plan.transfer_bikes[k] / width})
    ax.figure.colorbar(dots, ax=ax, shrink=0.7, label="bikes gained (red: given away)")
    ax.set_xlabel("longitude" if use_lonlat else "x (km)")
    ax.set_ylabel("latitude" if use_lonlat else "y (km)")
    ax.set_aspect("equal" if not use_lonlat else 1.0 / np.cos(np.radians(np.mean(where[:, 1]))))
    ax.set_title(f"{int(plan.bikes_moved):,} bikes in {len(plan.transfer_bikes):,} transfers, "
                 f"cost {plan.cost:,.1f} (alpha {plan.alpha:g})")
    return ax


def relay_map(plan, ax=None, max_paths: int = 300):
    """Candidate locations, placed scooters (size by count) and served paths (width by demand).

    Parameters
    ----------
    plan
        A :class:`~shareopt.relay.RelayPlan`.
    ax
        Axes to draw on (default: a new figure).
    max_paths
        Draw the paths of the this many largest served commutes.

    Returns
    -------
    matplotlib.axes.Axes
    """
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 8))
    data = plan.data
    lonlat = data.lonlat is not None
    where = data.lonlat if lonlat else data.xy
    ax.scatter(where[:, 0], where[:, 1], s=6, color="0.7", zorder=1, label="candidate locations")
    served = np.flatnonzero(plan.served)
    shown = served[np.argsort(-data.demand[served], kind="stable")[:max_paths]]
    colors = plt.get_cmap("tab20")
    for r, k in enumerate(shown):
        path = where[plan.paths[k]]
        ax.plot(path[:, 0], path[:, 1], color=colors(r % 20), alpha=0.6,
                linewidth=0.6 + 1.4 * data.demand[k] / data.demand.max(), zorder=2)
    has = np.flatnonzero(plan.counts)
    ax.scatter(where[has, 0], where[has, 1], s=18 + 22 * plan.counts[has], color="tab:red", edgecolors="k",
               linewidths=0.4, zorder=3, label="scooters placed")
    ax.set_xlabel("longitude" if lonlat else "x (km)")
    ax.set_ylabel("latitude" if lonlat else "y (km)")
    ax.set_aspect(1.0 / np.cos(np.radians(np.mean(where[:, 1]))) if lonlat else "equal")
    ax.legend(loc="best", fontsize=8)
    ax.set_title(f"{plan.scooters_used} scooters serve {plan.served_share:.0%} of demand "
                 f"({served.size} of {plan.served.size} commutes)")
    return ax


def hex_map(cells, values, ax=None, title: str = "", cmap: str = "viridis"):
    """H3 cells drawn as hexagons (lon/lat), colored by a value per cell.

    Parameters
    ----------
    cells
        H3 indices (integers).
    values
        One number per cell.
    """
    import h3.api.numpy_int as h3n
    from matplotlib.collections import PolyCollection

    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 7))
    polygons = [[(lon, lat) for lat, lon in h3n.cell_to_boundary(int(c))] for c in cells]
    collection = PolyCollection(polygons, array=np.asarray(values, dtype=float), cmap=cmap, edgecolors="0.6",
                                linewidths=0.2)
    ax.add_collection(collection)
    ax.autoscale_view()
    ax.set_aspect(1.0 / np.cos(np.radians(np.mean([p[0][1] for p in polygons]))) if polygons else "auto")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.figure.colorbar(collection, ax=ax, shrink=0.7)
    if title:
        ax.set_title(title)
    return ax
