"""shareopt: operations research for shared-mobility fleets.

Tables come in through :mod:`shareopt.data` (orders, stations, zones; files, DataFrames,
arrays, synthetic generators), distances and times through :class:`TravelModel`, linear and
integer programs through :func:`shareopt.lp.solve_lp` (HiGHS), min-cost flows through
:func:`shareopt.flow.min_cost_flow` (C++ network simplex). Problems: trip chains
(:func:`solve_trip_chains`), real-time dispatch (:class:`Dispatcher`), bike rebalancing
(:func:`shareopt.rebalance.rebalance`), charging ports (:func:`shareopt.charging.plan_ports`,
and :func:`shareopt.charging_site.site_failure_curve` for a real site's sessions).
"""

from .data import (
    DataWarning,
    LoadReport,
    Orders,
    Stations,
    ZoneTable,
    read_orders,
    read_stations,
    synthetic_orders,
    synthetic_stations,
)
from .exceptions import (
    FormatError,
    InfeasibleError,
    ShareoptError,
    SolverError,
    TimeLimitError,
    UnboundedError,
    ValidationError,
)
from .chaining import TripChainSolution, read_chains, solve_trip_chains
from .dispatch import Decision, Decisions, Dispatcher
from .flow import FlowSolution, min_cost_flow
from .geo import LocalProjection, Locations
from .travel import TravelModel, ZoneMatrix

__version__ = "0.1.0"

__all__ = [
    "Orders",
    "Stations",
    "ZoneTable",
    "LoadReport",
    "DataWarning",
    "read_orders",
    "read_stations",
    "synthetic_orders",
    "synthetic_stations",
    "TravelModel",
    "ZoneMatrix",
    "LocalProjection",
    "Locations",
    "solve_trip_chains",
    "TripChainSolution",
    "read_chains",
    "Dispatcher",
    "Decision",
    "Decisions",
    "min_cost_flow",
    "FlowSolution",
    "ShareoptError",
    "ValidationError",
    "FormatError",
    "SolverError",
    "InfeasibleError",
    "UnboundedError",
    "TimeLimitError",
    "__version__",
]
