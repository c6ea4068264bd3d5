"""Tables (orders, stations, zones, charging), their loaders and validation, and synthetic generators."""

from .acn import read_acn_sessions
from .charging_tables import ChargingData, read_charging
from .loaders import MILE_KM, NYC_BBOX, ORDER_FORMATS, detect_format, read_orders
from .orders import Orders
from .report import DataWarning, LoadReport
from .stations import STATION_FORMATS, Stations, read_stations
from .synthetic import synthetic_orders, synthetic_stations
from .synthetic_charging import synthetic_charging
from .zones import ZoneTable

__all__ = [
    "Orders",
    "Stations",
    "ZoneTable",
    "LoadReport",
    "DataWarning",
    "read_orders",
    "read_stations",
    "detect_format",
    "synthetic_orders",
    "synthetic_stations",
    "ChargingData",
    "read_charging",
    "synthetic_charging",
    "read_acn_sessions",
    "ORDER_FORMATS",
    "STATION_FORMATS",
    "NYC_BBOX",
    "MILE_KM",
]
