"""Sample-city generator part: aggregated mobile-signal data (owned by the mobility capability).

Writes

* ``master/grid_cells.parquet`` — square grid cells (GeoParquet, ``cell_id`` + polygon) over the
  city; many cells cross district boundaries;
* ``master/market_share.parquet`` — one operator's market share per district (varies);
* ``dynamic/device_counts.parquet`` — that operator's devices per cell and hour;
* ``dynamic/od_counts.parquet`` — daily device trips between streets (origin ≠ destination).

How the counts are made. The *true* resident (常住) population of each district differs from
the register (some districts hold many unregistered migrants, in others people are registered but
gone); true residents are spread over communities in proportion to the register and within a
community uniformly over its area. Each night (21:00–07:00) residents are at home, with a small
night-to-night wobble and, in some districts, short-stay visitors present on about 30 % of nights.
In the daytime commuters move to their work street along a gravity-shaped commuting matrix (a
CBD district gains). Devices = people × the operator's market share of the home district,
Poisson noise per cell and hour. Nights in the Spring Festival window lose part of their
population (marked in the truth).

``truth["mobility"]``::

    {"month": "2026-10", "k": 15, "night_hours": [21, ..., 6],
     "resident": {district: n}, "registered": {district: n}, "household_registered": {d: n},
     "floating": {district: n}, "short_stay": {district: n}, "day": {district: n},
     "market_share": {district: s}, "register_ratio": {district: resident / registered},
     "commuting": {"level": "street", "decay": "exponential", "scale_km": ..,
                   "pairs": [{"origin", "destination", "share"}], "district_matrix": {o: {d: s}}},
     "cbd_district": code, "spring_festival_nights": [...], "period": [first, last],
     "od_period": [first, last], "cell_size_deg": ..}
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import polars as pl
import shapely

from govanalytics.calendar import is_spring_festival_period
from govanalytics.constants import CRS
from govanalytics.synth._base import CityBase
from govanalytics.synth._part import SynthPart

#: Grid cell edge in degrees by city size (small stays small for the tests).
_CELL_DEG = {"small": 0.025, "default": 0.0125, "large": 0.0045}
#: Months of hourly data before the estimation month (small: none).
_EXTRA_MONTHS = {"small": 0, "default": 1, "large": 11}
#: Share of commuters away from home by hour (0 at night).
_AWAY = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0.3, 0.8, 1, 1, 1, 1, 1, 1, 1, 1, 0.8, 0.4, 0.15, 0, 0, 0, 0]
)
NIGHT_HOURS = [21, 22, 23, 0, 1, 2, 3, 4, 5, 6]
#: Register → true residents by district, cycled (≥ 10 % off in most districts).
_REGISTER_RATIO = (1.28, 0.86, 1.0, 1.14, 0.9, 1.06, 1.2, 0.95)
#: Operator market share by district, cycled.
_SHARES = (0.62, 0.38, 0.5, 0.44, 0.57, 0.35, 0.65, 0.47)
_KM_PER_DEG = 111.0
_SCALE_KM = 6.0


def _estimation_month(end: dt.date) -> dt.date:
    """First day of the latest complete month ending on or before ``end``."""
    nxt = end + dt.timedelta(days=1)
    if nxt.day == 1:
        return dt.date(end.year, end.month, 1)
    first = dt.date(end.year, end.month, 1) - dt.timedelta(days=1)
    return dt.date(first.year, first.month, 1)


def _grid(city: CityBase) -> gpd.GeoDataFrame:
    step = _CELL_DEG[city.size]
    outline = city.boundaries[city.boundaries["level"] == "district"].union_all()
    minx, miny, maxx, maxy = outline.bounds
    # offset the grid so that cell edges do not coincide with anything in the geography
    xs = np.arange(minx - step * 0.37, maxx, step)
    ys = np.arange(miny - step * 0.61, maxy, step)
    ids, geoms = [], []
    for r, y in enumerate(ys):
        for c, x in enumerate(xs):
            cell = shapely.box(round(x, 6), round(y, 6), round(x + step, 6), round(y + step, 6))
            if cell.intersection(outline).area > 0.05 * cell.area:
                ids.append(f"C{r:03d}{c:03d}")
                geoms.append(cell)
    return gpd.GeoDataFrame({"cell_id": ids}, geometry=geoms, crs=CRS)


def generate(city: CityBase, rng: np.random.Generator) -> SynthPart:
    """Generate grid cells, market share, hourly device counts, OD counts and the truths."""
    districts = city.district_codes
    nd = len(districts)
    regions = city.regions
    comm = regions.filter(pl.col("level") == "community").sort("region_code")
    comm_codes = comm["region_code"].to_list()
    comm_street = dict(zip(comm["region_code"], comm["parent_code"], strict=True))
    comm_district = dict(zip(comm["region_code"], comm["district_code"], strict=True))
    streets = regions.filter(pl.col("level") == "street").sort("region_code")
    street_codes = streets["region_code"].to_list()
    street_district = dict(zip(streets["region_code"], streets["district_code"], strict=True))
    ns = len(street_codes)
    s_index = {s: i for i, s in enumerate(street_codes)}
    d_index = {d: i for i, d in enumerate(districts)}

    # --- who lives where: register vs truth -------------------------------------------------
    reg = city.register.with_columns(
        district_code=pl.col("community_code").replace_strict(comm_district)
    )
    reg_comm = dict(reg.group_by("community_code").len().iter_rows())
    reg_d = dict(reg.group_by("district_code").len().iter_rows())
    hh_d = dict(
        reg.filter(pl.col("household_registered")).group_by("district_code").len().iter_rows()
    )
    perm = rng.permutation(nd)
    ratio = {d: _REGISTER_RATIO[perm[i] % len(_REGISTER_RATIO)] for i, d in enumerate(districts)}
    share = {d: _SHARES[(i * 3 + 1) % len(_SHARES)] for i, d in enumerate(districts)}
    true_comm = {c: reg_comm.get(c, 0) * ratio[comm_district[c]] for c in comm_codes}
    # short-stay visitors: present on ~30 % of nights, in about half the districts
    visitors = {
        d: (0.06 if i % 2 == 0 else 0.0)
        * sum(v for c, v in true_comm.items() if comm_district[c] == d)
        for i, d in enumerate(districts)
    }

    # --- grid and cell × community pieces ---------------------------------------------------
    cells = _grid(city)
    cbounds = city.boundaries[city.boundaries["level"] == "community"][["region_code", "geometry"]]
    pieces = gpd.overlay(cells, cbounds, how="intersection", keep_geom_type=True)
    pieces = pieces.sort_values(["cell_id", "region_code"]).reset_index(drop=True)
    comm_area = dict(
        zip(cbounds["region_code"], shapely.area(cbounds.geometry.values), strict=True)
    )
    p_area = shapely.area(pieces.geometry.values)
    p_comm = pieces["region_code"].to_numpy()
    p_frac = p_area / np.array([comm_area[c] for c in p_comm])
    p_dist = np.array([d_index[comm_district[c]] for c in p_comm])
    p_street = np.array([s_index[comm_street[c]] for c in p_comm])
    cell_ids = cells["cell_id"].to_list()
    c_index = {c: i for i, c in enumerate(cell_ids)}
    p_cell = np.array([c_index[c] for c in pieces["cell_id"]])
    nc = len(cell_ids)
    p_res = p_frac * np.array([true_comm[c] for c in p_comm])
    p_share = np.array([share[districts[i]] for i in p_dist])

    # --- commuting: gravity-shaped street → street matrix -------------------------------------
    sgeo = city.boundaries.set_index("region_code").loc[street_codes].geometry
    cx = np.array([g.centroid.x for g in sgeo])
    cy = np.array([g.centroid.y for g in sgeo])
    dist_km = np.hypot(
        (cx[:, None] - cx[None, :]) * _KM_PER_DEG * np.cos(np.radians(22.65)),
        (cy[:, None] - cy[None, :]) * _KM_PER_DEG,
    )
    cbd = districts[int(rng.integers(nd))]
    jobs = rng.gamma(3.0, 1.0, ns)
    jobs[[i for i, s in enumerate(street_codes) if street_district[s] == cbd]] *= 4.0
    kernel = jobs[None, :] * np.exp(-dist_km / _SCALE_KM)
    np.fill_diagonal(kernel, 0.0)
    commute_rate = 0.42  # share of residents who work in another street
    commute = commute_rate * kernel / kernel.sum(axis=1, keepdims=True)
    street_res = np.bincount(p_street, weights=p_res, minlength=ns)
    # workers arriving at street t spread over t's communities by a job weight
    c_jobs = {c: rng.gamma(2.0, 1.0) for c in comm_codes}
    p_jobw = p_frac * np.array([c_jobs[c] for c in p_comm])
    street_jobw = np.bincount(p_street, weights=p_jobw, minlength=ns)
    p_jobw = p_jobw / street_jobw[p_street]
    # device-weighted arrivals per street (each commuter carries the home district's share)
    s_share = np.array([share[street_district[s]] for s in street_codes])
    arrive_dev = (street_res * s_share) @ commute  # per street t
    leave_frac = commute.sum(axis=1)  # per street s

    # --- hourly device counts --------------------------------------------------------------
    month0 = _estimation_month(city.end)
    start = month0
    for _ in range(_EXTRA_MONTHS[city.size]):
        start = dt.date(
            (start - dt.timedelta(days=1)).year, (start - dt.timedelta(days=1)).month, 1
        )
    days = [start + dt.timedelta(days=i) for i in range((city.end - start).days + 1)]
    nday = len(days)
    # per (night, district) wobble and visitor presence; night n = evening of day n
    wobble = 1.0 + rng.normal(0.0, 0.02, (nday + 1, nd))
    visit_on = rng.random((nday + 1, nd)) < 0.3
    sf = np.array(
        [
            is_spring_festival_period(days[0] + dt.timedelta(days=i - 1), before=3, after=7)
            for i in range(nday + 1)
        ]
    )  # index 0 = the night before the first day
    sf_factor = np.where(sf, 0.65, 1.0)
    weekday = np.array([d.weekday() < 5 for d in days])
    home_dev = p_res * p_share  # devices at home per piece
    visit_dev = (
        p_res
        / np.array([sum(p_res[p_dist == i]) for i in range(nd)])[p_dist]
        * np.array([visitors[d] for d in districts])[p_dist]
        * p_share
    )
    counts = np.empty((nday, 24, nc), dtype=np.int32)
    for di in range(nday):
        for h in range(24):
            night = di + 1 if h >= 12 else di  # the night this hour belongs to (evening index)
            w = wobble[night, p_dist] * sf_factor[night]
            away = _AWAY[h] * (1.0 if weekday[di] else 0.25)
            lam = home_dev * w * (1.0 - away * leave_frac[p_street])
            lam = lam + visit_dev * visit_on[night, p_dist]
            lam = lam + away * arrive_dev[p_street] * p_jobw * sf_factor[night]
            counts[di, h] = rng.poisson(np.bincount(p_cell, weights=lam, minlength=nc))
    epoch = dt.date(1970, 1, 1)
    day_num = np.array([(d - epoch).days for d in days], dtype=np.int32)
    device_counts = pl.DataFrame(
        {
            "cell_id": np.tile(np.array(cell_ids), nday * 24),
            "date": np.repeat(day_num, 24 * nc),
            "hour": np.tile(np.repeat(np.arange(24, dtype=np.int8), nc), nday),
            "device_count": counts.reshape(-1),
        }
    ).with_columns(pl.col("date").cast(pl.Date))

    # --- OD: daily device trips between streets (≥ 60 days) ---------------------------------
    od_start = min(start, city.end - dt.timedelta(days=69))
    od_days = [od_start + dt.timedelta(days=i) for i in range((city.end - od_start).days + 1)]
    base = (street_res * s_share)[:, None] * commute
    o_idx, t_idx = np.nonzero(base > 0)
    rows_o, rows_d, rows_day, rows_n = [], [], [], []
    for day in od_days:
        f = 1.0 if day.weekday() < 5 else 0.3
        if is_spring_festival_period(day, before=3, after=7):
            f *= 0.5
        n = rng.poisson(base[o_idx, t_idx] * f)
        rows_o.append(o_idx)
        rows_d.append(t_idx)
        rows_day.append(np.full(len(o_idx), (day - epoch).days, dtype=np.int32))
        rows_n.append(n)
    scodes = np.array(street_codes)
    od = pl.DataFrame(
        {
            "origin": scodes[np.concatenate(rows_o)],
            "destination": scodes[np.concatenate(rows_d)],
            "date": np.concatenate(rows_day),
            "count": np.concatenate(rows_n).astype(np.int64),
        }
    ).with_columns(pl.col("date").cast(pl.Date))

    market_share = pl.DataFrame(
        {"district_code": districts, "market_share": [share[d] for d in districts]}
    )

    # --- truths ------------------------------------------------------------------------------
    resident = {d: sum(v for c, v in true_comm.items() if comm_district[c] == d) for d in districts}
    street_day = street_res * (1.0 - leave_frac) + (street_res @ commute)
    day_d = {d: 0.0 for d in districts}
    for i, s in enumerate(street_codes):
        day_d[street_district[s]] += street_day[i]
    dm = np.zeros((nd, nd))
    for i, s in enumerate(street_codes):
        for j, t in enumerate(street_codes):
            dm[d_index[street_district[s]], d_index[street_district[t]]] += (
                street_res[i] * commute[i, j]
            )
    dm = dm / np.array([resident[d] for d in districts])[:, None]
    truth = {
        "month": f"{month0:%Y-%m}",
        "k": 15,
        "night_hours": NIGHT_HOURS,
        "period": [days[0].isoformat(), days[-1].isoformat()],
        "od_period": [od_days[0].isoformat(), od_days[-1].isoformat()],
        "cell_size_deg": _CELL_DEG[city.size],
        "resident": {d: round(resident[d]) for d in districts},
        "registered": {d: reg_d.get(d, 0) for d in districts},
        "household_registered": {d: hh_d.get(d, 0) for d in districts},
        "floating": {d: round(resident[d]) - hh_d.get(d, 0) for d in districts},
        "short_stay": {d: round(visitors[d]) for d in districts},
        "day": {d: round(v) for d, v in day_d.items()},
        "register_ratio": ratio,
        "market_share": share,
        "cbd_district": cbd,
        "commuting": {
            "level": "street",
            "decay": "exponential",
            "scale_km": _SCALE_KM,
            "rate": commute_rate,
            "pairs": [
                {
                    "origin": street_codes[i],
                    "destination": street_codes[j],
                    "share": round(float(commute[i, j]), 6),
                }
                for i, j in zip(o_idx, t_idx, strict=True)
            ],
            "district_matrix": {
                o: {t: round(float(dm[i, j]), 6) for j, t in enumerate(districts) if i != j}
                for i, o in enumerate(districts)
            },
        },
        "spring_festival_nights": [
            (days[0] + dt.timedelta(days=int(i) - 1)).isoformat() for i in np.nonzero(sf)[0]
        ],
    }
    return SynthPart(
        files={
            "master/grid_cells.parquet": cells,
            "master/market_share.parquet": market_share,
            "dynamic/device_counts.parquet": device_counts,
            "dynamic/od_counts.parquet": od,
        },
        truth=truth,
    )
