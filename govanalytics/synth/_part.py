"""What one part of the sample-city generator returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import polars as pl


@dataclass
class SynthPart:
    """Files and planted truths produced by one capability's generator.

    Attributes
    ----------
    files
        Path relative to the city folder (``master/…`` or ``dynamic/…``) → table. Polars
        frames are written as Parquet (or CSV when the path ends in ``.csv``, encoding
        given by ``encodings``); GeoDataFrames as GeoParquet or GeoJSON by suffix.
    truth
        This part's section of ``truth.json`` (JSON-safe values only).
    encodings
        Optional text encoding per CSV path (e.g. ``"gbk"``), default UTF-8.
    """

    files: dict[str, pl.DataFrame | gpd.GeoDataFrame] = field(default_factory=dict)
    truth: dict[str, Any] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)
