"""Synthetic OD products with known volumes, written the way real products come.

For tests, benchmarks and trying the recipe without real data: daily wide CSV files of
inflow (迁入) and outflow (迁出) shares in percent, a blank first header, city names as row
and column headers, the date only in the file name, each city listing only its largest
partners, multiplicative noise, missing days, a province row mixed in, and an optional
planted lockdown (a city's outflow falls from a date).
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

__all__ = ["SimulatedProduct", "simulate_od_product"]


@dataclass
class SimulatedProduct:
    """What :func:`simulate_od_product` wrote and the truth behind it.

    Attributes
    ----------
    folder
        The folder holding ``迁入_YYYYMMDD.csv`` and ``迁出_YYYYMMDD.csv`` files.
    volumes
        The true volumes: ``region_code``, ``date``, ``inflow``, ``outflow`` (trips).
    trips
        The true flows: ``origin``, ``destination``, ``date``, ``count``.
    cities
        ``region_code``, ``region_name`` of the simulated cities.
    missing_days
        Days without files.
    lockdown
        ``(region_code, first_day)`` of the planted lockdown, or None.
    """

    folder: Path
    volumes: pl.DataFrame
    trips: pl.DataFrame
    cities: pl.DataFrame
    missing_days: list[dt.date]
    lockdown: tuple[str, dt.date] | None


def _cities(n: int, rng: np.random.Generator) -> pl.DataFrame:
    from govanalytics.mobility._products import city_level_codes

    pool = (
        city_level_codes()
        .drop_nulls(["longitude", "latitude"])
        .filter(pl.col("region_name").str.len_chars() >= 2)
        .sort("region_code")
    )
    pick = np.sort(rng.choice(pool.height, size=min(n, pool.height), replace=False))
    return pool[pick.tolist()]


def simulate_od_product(
    folder: str | os.PathLike,
    *,
    n_cities: int = 40,
    start: dt.date = dt.date(2020, 1, 1),
    days: int = 35,
    top: int = 15,
    noise: float = 0.10,
    missing: int = 2,
    lockdown_day: int | None = 25,
    lockdown_drop: float = 0.8,
    province_rows: bool = True,
    seed: int = 0,
) -> SimulatedProduct:
    """Write a synthetic inflow/outflow share product with known volumes.

    Parameters
    ----------
    folder
        Where the files go (created).
    n_cities
        City-level units of the gazetteer drawn at random (with coordinates).
    start, days
        The days simulated.
    top
        Partners each city lists (the rest are not published, as real products do).
    noise
        Standard deviation of the multiplicative (log-normal) noise on every share.
    missing
        Days without files (chosen at random, never the lockdown's first day).
    lockdown_day
        Index of the day from which the outflow of the largest city falls by
        ``lockdown_drop`` (None: no lockdown).
    province_rows
        Add a row and a column for the province of the first city not itself a province,
        as products that mix provinces among cities do.
    seed
        Random seed.

    Returns
    -------
    SimulatedProduct
    """
    rng = np.random.default_rng(seed)
    cities = _cities(n_cities, rng)
    n = cities.height
    codes = cities["region_code"].to_numpy()
    names = cities["region_name"].to_list()
    lon = np.radians(cities["longitude"].to_numpy())
    lat = np.radians(cities["latitude"].to_numpy())
    cos = np.sin(lat[:, None]) * np.sin(lat[None, :]) + np.cos(lat[:, None]) * np.cos(
        lat[None, :]
    ) * np.cos(lon[:, None] - lon[None, :])
    dist = 6371.0 * np.arccos(np.clip(cos, -1, 1)) + 10.0
    mass = rng.lognormal(0.0, 1.0, n)
    attract = mass[None, :] * dist**-1.5
    np.fill_diagonal(attract, 0.0)
    choice = attract / attract.sum(axis=1, keepdims=True)
    big = int(np.argmax(mass))
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    skip_pool = [i for i in range(days) if lockdown_day is None or i != lockdown_day]
    gone = sorted(rng.choice(skip_pool, size=min(missing, len(skip_pool)), replace=False).tolist())
    out_dir = Path(folder)
    out_dir.mkdir(parents=True, exist_ok=True)
    vol_rows, trip_frames = [], []
    first = next(str(c) for c in codes if str(c)[2:6] != "0000")  # a city inside a province
    province = first[:2] + "0000000000"
    in_province = np.array([str(c).startswith(province[:2]) for c in codes])
    for i, day in enumerate(dates):
        weekday = 1.0 + 0.15 * (day.weekday() >= 4)
        out_vol = 1000.0 * mass * weekday * rng.lognormal(0.0, 0.05, n)
        if lockdown_day is not None and i >= lockdown_day:
            out_vol[big] *= 1 - lockdown_drop
        trips = out_vol[:, None] * choice
        in_vol = trips.sum(axis=0)
        vol_rows.append(
            pl.DataFrame(
                {"region_code": codes, "date": [day] * n, "inflow": in_vol, "outflow": out_vol}
            )
        )
        o, d = np.nonzero(trips > 0)
        trip_frames.append(
            pl.DataFrame(
                {"origin": codes[o], "destination": codes[d], "date": [day] * len(o)},
            ).with_columns(pl.Series("count", trips[o, d]))
        )
        if i in gone:
            continue
        inflow = trips.T / in_vol[:, None]  # row: destination A, column: origin B
        outflow = trips / out_vol[:, None]  # row: origin B, column: destination A
        for kind, share in (("迁入", inflow), ("迁出", outflow)):
            noisy = share * rng.lognormal(0.0, noise, share.shape)
            _write_day(
                out_dir / f"{kind}_{day:%Y%m%d}.csv",
                noisy,
                names,
                top,
                province_name=_province_name(province) if province_rows else None,
                in_province=in_province,
            )
    volumes = pl.concat(vol_rows).with_columns(pl.col("date").cast(pl.Date))
    lock = (str(codes[big]), dates[lockdown_day]) if lockdown_day is not None else None
    return SimulatedProduct(
        folder=out_dir,
        volumes=volumes,
        trips=pl.concat(trip_frames).with_columns(pl.col("date").cast(pl.Date)),
        cities=cities.select("region_code", "region_name"),
        missing_days=[dates[i] for i in gone],
        lockdown=lock,
    )


def _province_name(code: str) -> str:
    from govanalytics.data import gazetteer

    g = gazetteer().filter((pl.col("region_code") == code) & pl.col("current"))
    return str(g["region_name"][0])


def _write_day(
    path: Path,
    share: np.ndarray,
    names: list[str],
    top: int,
    *,
    province_name: str | None,
    in_province: np.ndarray,
) -> None:
    """One wide CSV: blank first header, percent with 2 decimals, top partners per row."""
    n = len(names)
    keep = np.zeros_like(share, dtype=bool)
    order = np.argsort(-share, axis=1)[:, :top]
    keep[np.arange(n)[:, None], order] = True
    percent = np.where(keep & (share > 0), np.round(share * 100, 2), np.nan)
    header = ["", *names]
    lines = [",".join(header + ([province_name] if province_name else []))]
    for r in range(n):
        cells = ["" if math.isnan(v) or v == 0 else f"{v:.2f}" for v in percent[r]]
        if province_name:
            part = share[r, in_province].sum() * 100
            cells.append(f"{part:.2f}")
        lines.append(",".join([names[r], *cells]))
    if province_name:
        rows = share[in_province].mean(axis=0) * 100
        lines.append(",".join([province_name, *[f"{v:.2f}" for v in rows], ""]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
