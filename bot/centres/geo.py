"""Great-circle distance (haversine on a spherical Earth) and the nearest of a set of points."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TypeVar

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG); the error against WGS 84 stays under 0.5 %
T = TypeVar("T")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def valid_point(lat: float, lon: float) -> bool:
    """True for a finite latitude in [-90, 90] and longitude in [-180, 180]."""
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def nearest(
    lat: float, lon: float, items: Iterable[T], point: Callable[[T], tuple[float, float]]
) -> tuple[T, float] | None:
    """The item closest to a point and its distance in km (ties: the first); None if empty."""
    best: tuple[T, float] | None = None
    for item in items:
        d = haversine_km(lat, lon, *point(item))
        if best is None or d < best[1]:
            best = (item, d)
    return best
