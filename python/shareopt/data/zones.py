"""Zone tables: zone ids with a centroid, such as the NYC TLC taxi zones."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .. import _core
from ..exceptions import FormatError
from ..geo import LocalProjection, plausible_lonlat
from .sources import open_source

__all__ = ["ZoneTable", "NYC_TAXI_ZONES_PATH"]

# Area-weighted centroids of the TLC taxi zone polygons (derived from the TLC taxi_zones
# shapefile, EPSG:2263 to WGS84). Zones 264 and 265 ("Unknown") have no polygon, so no entry.
NYC_TAXI_ZONES_PATH = Path(__file__).with_name("nyc_taxi_zones.csv")

_ID_COLUMNS = ("objectid_as_locationid", "locationid", "zone_id", "id")


@dataclass(frozen=True, eq=False)
class ZoneTable:
    """Zones with a centroid.

    Parameters
    ----------
    zone_id
        (K,) non-negative integer ids.
    lonlat
        (K, 2) centroid lon/lat in degrees; NaN for a zone without a place (TLC zones 264 and
        265, "Unknown"). Trips from or to such a zone cannot be placed.
    name
        (K,) zone names (may be empty strings).
    """

    zone_id: np.ndarray
    lonlat: np.ndarray
    name: np.ndarray

    def __post_init__(self):
        ids = np.asarray(self.zone_id, dtype=np.int64)
        lonlat = np.asarray(self.lonlat, dtype=np.float64).reshape(-1, 2)
        if len(ids) == 0:
            raise FormatError("zone table is empty")
        if len(lonlat) != len(ids) or len(self.name) != len(ids):
            raise FormatError("zone ids, centroids and names differ in length")
        if (ids < 0).any() or ids.max() > 1_000_000:
            raise FormatError("zone ids must be integers in 0..1,000,000")
        if len(np.unique(ids)) != len(ids):
            raise FormatError("zone ids are duplicated")
        placed = np.isfinite(lonlat).all(axis=1)
        if not (np.isnan(lonlat[~placed]).all() and plausible_lonlat(lonlat[placed]).all()):
            raise FormatError("zone centroids must be valid lon/lat (or NaN for no place)")
        object.__setattr__(self, "zone_id", ids)
        object.__setattr__(self, "lonlat", lonlat)

    def __len__(self) -> int:
        return len(self.zone_id)

    @classmethod
    def read(cls, path) -> ZoneTable:
        """Read a CSV of zone ids with centroid lon/lat and names.

        The id column is the first of ``OBJECTID_as_LocationID``, ``LocationID``,
        ``zone_id``, ``id``; centroids come from ``lon``/``lat`` (or ``longitude``/
        ``latitude``) and are optional (a zone list such as TLC's taxi_zone_lookup.csv has
        none); names from ``zone`` or ``name``. A zone with an empty centroid has no place.
        """
        source = open_source(path)  # a path, or a source already opened
        id_col = source.find(*_ID_COLUMNS, what="zone id")
        lon_col = source.find("lon", "longitude", required=False)
        lat_col = source.find("lat", "latitude", required=lon_col is not None)
        name_col = source.find("zone", "name", required=False)
        wanted = {id_col: "int"}
        if lon_col:
            wanted.update({lon_col: "float", lat_col: "float"})
        if name_col:
            wanted[name_col] = "string"
        cols = source.read(wanted)
        ids = cols[id_col]
        missing = np.flatnonzero(ids == _core.MISSING_INT)
        if len(missing):
            raise FormatError(f"{source.label}: line {int(cols.lines[missing[0]])} has no zone id")
        lonlat = (np.column_stack([cols[lon_col], cols[lat_col]]) if lon_col
                  else np.full((len(ids), 2), np.nan))
        lonlat[~np.isfinite(lonlat).all(axis=1)] = np.nan
        names = cols[name_col] if name_col else np.full(len(ids), "", dtype=object)
        return cls(ids, lonlat, names)

    @classmethod
    def nyc(cls) -> ZoneTable:
        """The 263 NYC TLC taxi zones that have a polygon (ids 1-263)."""
        return _nyc_zones()

    @property
    def placed(self) -> np.ndarray:
        """Mask of zones that have a centroid."""
        return np.isfinite(self.lonlat).all(axis=1)

    @property
    def projection(self) -> LocalProjection:
        """Projection about the zones' median centroid."""
        return LocalProjection.around(self.lonlat[self.placed])

    def to_dict(self) -> dict:
        """JSON-safe summary."""
        unplaced = self.zone_id[~self.placed]
        return {"zones": len(self), "with_centroid": int(self.placed.sum()),
                "without_centroid": len(unplaced),
                "without_centroid_ids": [int(z) for z in unplaced[:20]]}

    def centroids(self, zone_ids) -> tuple[np.ndarray, np.ndarray]:
        """Centroid lon/lat for each zone id, and a mask of ids that have one."""
        ids = np.asarray(zone_ids, dtype=np.int64)
        lookup = np.full(int(self.zone_id.max()) + 1, -1, dtype=np.int64)
        lookup[self.zone_id] = np.arange(len(self.zone_id))
        inside = (ids >= 0) & (ids < len(lookup))
        position = np.where(inside, lookup[np.where(inside, ids, 0)], -1)
        lonlat = np.full((len(ids), 2), np.nan)
        lonlat[position >= 0] = self.lonlat[position[position >= 0]]
        return lonlat, np.isfinite(lonlat).all(axis=1)


@lru_cache(maxsize=1)
def _nyc_zones() -> ZoneTable:
    return ZoneTable.read(NYC_TAXI_ZONES_PATH)
