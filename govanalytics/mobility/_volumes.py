"""Relative volumes from inflow and outflow shares, flows from shares, balances, alerts.

Share products (百度迁徙: each city's inflow by origin and outflow by destination, in percent)
say nothing about how many people travel. But an inflow and an outflow matrix of the same
day describe the same trips twice: the trips from B to A are ``in[A←B] · IN(A)`` and
``out[B→A] · OUT(B)``, so

    ln in[A←B] − ln out[B→A] = ln OUT(B) − ln IN(A),

one equation per pair listed in both matrices. Solved by least squares per day, it gives
every city's outflow and inflow volume up to one factor common to the day: relative volumes
per city and day, without any index. The fit's R² says how consistent the two matrices are
(real products: above 0.99). With a volume index (迁徙规模指数), the day's factor is fitted to
it, giving volumes in index units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import polars as pl
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import lsqr

from govanalytics.calendar import LUNAR_YEARS, lunar_new_year
from govanalytics.errors import InsufficientDataError, ParameterError

__all__ = [
    "CHANGE_HIGH",
    "CHANGE_MEDIUM",
    "flow_balance",
    "flow_change_alerts",
    "flow_changes",
    "flows_from_shares",
    "relative_volumes",
]

#: Change against the baseline (absolute, as a fraction) from which an area is alerted.
CHANGE_MEDIUM = 0.30
#: A fall of at least this much (or a rise of twice it) is a high-severity alert.
CHANGE_HIGH = 0.50
_VOLUME_SCHEMA = {
    "region_code": pl.String,
    "date": pl.Date,
    "outflow": pl.Float64,
    "inflow": pl.Float64,
    "n_pairs": pl.Int64,
}


def relative_volumes(
    flows: pl.DataFrame,
    *,
    volume_index: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each city's daily outflow and inflow volumes from inflow and outflow shares.

    Parameters
    ----------
    flows
        ``origin``, ``destination``, ``date``, ``value`` (a share, 0–1) and ``flow``
        (``"inflow"`` rows: the share of the destination's inflow coming from the origin;
        ``"outflow"`` rows: the share of the origin's outflow going to the destination), as
        :attr:`ODProduct.flows` of a share product.
    volume_index
        Optional ``region_code``, ``date``, ``flow``, ``index``: each day's common factor
        is then chosen so that the volumes match the index (least squares on logs).

    Returns
    -------
    volumes, fit
        ``region_code``, ``date``, ``outflow``, ``inflow``, ``n_pairs`` (the equations the
        city's volumes rest on): relative volumes, the geometric mean of the day's
        outflows being 1 (or index units with ``volume_index``); cities outside the day's
        largest connected set of pairs are left out. And per day ``date``, ``n_pairs``,
        ``n_areas``, ``r2`` (share of the variance of ``ln in − ln out`` explained),
        ``rmse`` (log scale), ``scale`` (``"relative"`` or ``"index"``).

    Raises
    ------
    InsufficientDataError
        No pair is listed in both an inflow and an outflow matrix of the same day.

    References
    ----------
    The consistency of inflow and outflow shares is the flow-conservation identity of
    origin–destination matrices (Wilson 1970, *Entropy in Urban and Regional Modelling*);
    its use for Baidu Migration's shares follows the analyses of the 2020 Wuhan lockdown
    (e.g. Kraemer et al. 2020, *Science* 368(6490)).
    """
    pairs = _pair_equations(flows)
    if not pairs.height:
        msg = (
            "relative volumes need pairs listed in both an inflow and an outflow share "
            "matrix of the same day; none found (give both 迁入 and 迁出 files)"
        )
        raise InsufficientDataError(msg)
    vol_parts, fit_rows = [], []
    for (day,), group in pairs.group_by("date", maintain_order=True):
        day_volumes, day_fit = _solve_day(group)
        vol_parts.append(day_volumes.with_columns(date=pl.lit(day, dtype=pl.Date)))
        fit_rows.append({"date": day, **day_fit})
    volumes = pl.concat(vol_parts).select(list(_VOLUME_SCHEMA)).cast(_VOLUME_SCHEMA)  # type: ignore[arg-type]
    fit = pl.DataFrame(fit_rows).with_columns(
        pl.col("date").cast(pl.Date), scale=pl.lit("relative")
    )
    if volume_index is not None and volume_index.height:
        volumes, factors = _scale_to_index(volumes, volume_index)
        fit = (
            fit.join(factors, on="date", how="left")
            .with_columns(scale=pl.when(pl.col("indexed")).then(pl.lit("index")).otherwise("scale"))
            .drop("indexed")
        )
    return volumes.sort("date", "region_code"), fit.sort("date")


def _pair_equations(flows: pl.DataFrame) -> pl.DataFrame:
    key = ["origin", "destination", "date"]
    share = pl.col("value")
    inn = flows.filter((pl.col("flow") == "inflow") & (share > 0)).select(
        *key, share.log().alias("ln_in")
    )
    out = flows.filter((pl.col("flow") == "outflow") & (share > 0)).select(
        *key, share.log().alias("ln_out")
    )
    return (
        inn.join(out, on=key, how="inner")
        .filter(pl.col("origin") != pl.col("destination"))
        .select(*key, (pl.col("ln_in") - pl.col("ln_out")).alias("y"))
        .sort("date", "origin", "destination")
    )


def _solve_day(group: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """Least squares of ``y = u[origin] − v[destination]`` on the largest connected set."""
    places = pl.concat([group["origin"], group["destination"]]).unique().sort()
    index = {c: i for i, c in enumerate(places.to_list())}
    n = len(index)
    o = np.array([index[c] for c in group["origin"].to_list()])
    d = np.array([index[c] for c in group["destination"].to_list()])
    y = group["y"].to_numpy()
    # unknowns: u (ln OUT) at 0..n-1, v (ln IN) at n..2n-1
    graph = sp.coo_matrix((np.ones(len(o)), (o, n + d)), shape=(2 * n, 2 * n))
    _, label = connected_components(graph, directed=False)
    main = np.bincount(label[o]).argmax()
    keep = label[o] == main
    o, d, y = o[keep], d[keep], y[keep]
    rows = np.arange(len(o))
    design = sp.csr_matrix(
        (np.r_[np.ones(len(o)), -np.ones(len(o))], (np.r_[rows, rows], np.r_[o, n + d])),
        shape=(len(o), 2 * n),
    )
    x = lsqr(design, y, atol=1e-10, btol=1e-10)[0]
    resid = y - design @ x
    ss_tot = float(((y - y.mean()) ** 2).sum())
    counted = np.bincount(o, minlength=n) + np.bincount(d, minlength=n)
    has_u = np.bincount(o, minlength=n) > 0
    has_v = np.bincount(d, minlength=n) > 0
    u = np.where(has_u, x[:n], np.nan)
    v = np.where(has_v, x[n:], np.nan)
    centre = float(np.nanmean(u))
    codes = places.to_list()
    in_main = (label[:n] == main) | (label[n:] == main)
    volumes = pl.DataFrame(
        {
            "region_code": codes,
            "outflow": np.exp(u - centre),
            "inflow": np.exp(v - centre),
            "n_pairs": counted.astype(np.int64),
        }
    ).filter(pl.Series(in_main & (counted > 0)))
    volumes = volumes.with_columns(pl.col("outflow", "inflow").fill_nan(None))
    fit = {
        "n_pairs": len(y),
        "n_areas": int(volumes.height),
        "r2": 1 - float((resid**2).sum()) / ss_tot if ss_tot > 0 else float("nan"),
        "rmse": float(np.sqrt((resid**2).mean())) if len(y) else float("nan"),
    }
    return volumes, fit


def _scale_to_index(
    volumes: pl.DataFrame, index: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each day's factor: the median of ln(index) − ln(relative volume) over cities."""
    long = volumes.unpivot(
        index=["region_code", "date"], on=["outflow", "inflow"], variable_name="flow"
    ).join(index, on=["region_code", "date", "flow"], how="inner")
    factors = (
        long.filter((pl.col("value") > 0) & (pl.col("index") > 0))
        .group_by("date")
        .agg((pl.col("index").log() - pl.col("value").log()).median().exp().alias("factor"))
    )
    scaled = volumes.join(factors, on="date", how="left").with_columns(
        pl.col("outflow") * pl.col("factor").fill_null(1.0),
        pl.col("inflow") * pl.col("factor").fill_null(1.0),
    )
    return scaled.drop("factor"), factors.select("date", pl.lit(True).alias("indexed"))


def flows_from_shares(flows: pl.DataFrame, volumes: pl.DataFrame) -> pl.DataFrame:
    """Trips between cities in the volumes' units: share × the city's volume.

    A pair listed in the outflow matrix gives ``out[B→A] · OUT(B)``, in the inflow matrix
    ``in[A←B] · IN(A)``; where both are listed their geometric mean is taken.

    Parameters
    ----------
    flows
        Shares as in :func:`relative_volumes` (or only inflow or only outflow rows).
    volumes
        ``region_code``, ``date``, ``outflow``, ``inflow`` (:func:`relative_volumes`, or a
        volume index reshaped to these columns).

    Returns
    -------
    pl.DataFrame
        ``origin``, ``destination``, ``date``, ``volume`` (Float64; relative units unless
        the volumes are in index units — never a number of trips).
    """
    key = ["origin", "destination", "date"]
    out = (
        flows.filter(pl.col("flow") == "outflow")
        .join(
            volumes.select(pl.col("region_code").alias("origin"), "date", "outflow"),
            on=["origin", "date"],
        )
        .select(*key, (pl.col("value") * pl.col("outflow")).alias("by_out"))
    )
    inn = (
        flows.filter(pl.col("flow") == "inflow")
        .join(
            volumes.select(pl.col("region_code").alias("destination"), "date", "inflow"),
            on=["destination", "date"],
        )
        .select(*key, (pl.col("value") * pl.col("inflow")).alias("by_in"))
    )
    both = out.join(inn, on=key, how="full", coalesce=True)
    volume = (
        pl.when(pl.col("by_out").is_not_null() & pl.col("by_in").is_not_null())
        .then((pl.col("by_out") * pl.col("by_in")).sqrt())
        .otherwise(pl.coalesce("by_out", "by_in"))
    )
    return (
        both.select(*key, volume.alias("volume"))
        .filter(pl.col("volume") > 0)
        .sort("date", "origin", "destination")
    )


def flow_balance(volumes: pl.DataFrame) -> pl.DataFrame:
    """In/out balance per area and day.

    Parameters
    ----------
    volumes
        ``region_code``, ``date``, ``inflow``, ``outflow`` (relative or index units, or
        trips).

    Returns
    -------
    pl.DataFrame
        ``area``, ``date``, ``inflow``, ``outflow``, ``net`` (inflow − outflow, in the same
        units) and ``ratio`` (inflow / outflow: above 1 the area gains people that day).
    """
    return volumes.select(
        pl.col("region_code").alias("area"),
        "date",
        "inflow",
        "outflow",
        (pl.col("inflow") - pl.col("outflow")).alias("net"),
        (pl.col("inflow") / pl.col("outflow")).alias("ratio"),
    ).sort("date", "area")


def _lunar_same_day(day: dt.date) -> dt.date | None:
    """The day at the same distance from the previous year's lunar new year."""
    if day.year not in LUNAR_YEARS or day.year - 1 not in LUNAR_YEARS:
        return None
    this, last = lunar_new_year(day.year), lunar_new_year(day.year - 1)
    nxt = lunar_new_year(day.year + 1) if day.year + 1 in LUNAR_YEARS else None
    if nxt is not None and (nxt - day).days < (day - this).days:  # closer to next year's
        return day - (nxt - this)
    return day - (this - last)


def flow_changes(
    volumes: pl.DataFrame,
    *,
    column: str = "outflow",
    weeks: int = 4,
) -> pl.DataFrame:
    """Each day's volume against the same weekday of previous weeks and the previous year.

    Parameters
    ----------
    volumes
        ``region_code``, ``date`` and ``column``.
    column
        ``"outflow"`` or ``"inflow"`` (or any value column).
    weeks
        Previous weeks whose same weekday forms the baseline (their median; at least two
        of them must be present).

    Returns
    -------
    pl.DataFrame
        ``area``, ``date``, ``value``, ``weekday_baseline``, ``weekday_change``
        (value / baseline − 1), ``lunar_baseline`` (mean of the days 3 before to 3 after
        the same day relative to the previous year's lunar new year, so the Spring
        Festival is compared with the Spring Festival; null where the data do not reach
        back a year), ``lunar_change``.
    """
    if column not in volumes.columns:
        msg = f"parameter 'column': {column!r} is not a column of 'volumes' ({volumes.columns})"
        raise ParameterError(msg)
    if weeks < 2:
        msg = f"parameter 'weeks' must be at least 2, got {weeks!r}"
        raise ParameterError(msg)
    base = volumes.select(
        pl.col("region_code").alias("area"), "date", pl.col(column).alias("value")
    )
    lag = base.rename({"value": "past", "date": "past_date"})
    weekly = []
    for k in range(1, weeks + 1):
        weekly.append(
            base.select(
                "area", "date", (pl.col("date") - pl.duration(days=7 * k)).alias("past_date")
            )
        )
    week_base = (
        pl.concat(weekly)
        .join(lag, on=["area", "past_date"], how="inner")
        .group_by("area", "date")
        .agg(pl.col("past").median().alias("weekday_baseline"), pl.len().alias("n"))
        .filter(pl.col("n") >= 2)
        .drop("n")
    )
    dates = base["date"].unique().sort()
    mapping = pl.DataFrame(
        {"date": dates, "lunar_date": [_lunar_same_day(d) for d in dates.to_list()]},
        schema={"date": pl.Date, "lunar_date": pl.Date},
    ).drop_nulls()
    near = pl.concat(
        [
            mapping.with_columns(past_date=pl.col("lunar_date") + pl.duration(days=s))
            for s in range(-3, 4)
        ]
    )
    lunar_base = (
        base.select("area", "date")
        .join(near, on="date", how="inner")
        .join(lag, on=["area", "past_date"], how="inner")
        .group_by("area", "date")
        .agg(pl.col("past").mean().alias("lunar_baseline"))
    )
    return (
        base.join(week_base, on=["area", "date"], how="left")
        .join(lunar_base, on=["area", "date"], how="left")
        .with_columns(
            weekday_change=pl.col("value") / pl.col("weekday_baseline") - 1,
            lunar_change=pl.col("value") / pl.col("lunar_baseline") - 1,
        )
        .select(
            "area",
            "date",
            "value",
            "weekday_baseline",
            "weekday_change",
            "lunar_baseline",
            "lunar_change",
        )
        .sort("date", "area")
    )


def flow_change_alerts(
    changes: pl.DataFrame,
    *,
    start: dt.date,
    end: dt.date,
    what: str = "迁出规模",
    names: Mapping[str, str] | None = None,
    threshold: float = CHANGE_MEDIUM,
) -> list[dict]:
    """Alerts of areas whose daily volume departs from its usual level.

    An area and day is alerted when its change against the same weekday of the previous
    weeks is at least ``threshold`` (a fall of 30 % or a rise of 30 % by default) and, where
    the data reach back a year, its change against the same lunar-calendar days of the
    previous year is too (the Spring Festival exodus is then expected, not alerted). A
    fall of at least 50 % (or a doubling) is of high severity. Only the first day of each
    area's run of alerted days in the window is reported.

    Parameters
    ----------
    changes
        :func:`flow_changes`.
    start, end
        The days of the report (inclusive).
    what
        What the value is, in Chinese (迁出规模, 迁入规模): the message says it and calls
        it a scale, not a number of trips.
    names
        Code → name.
    threshold
        The change alerted.

    Returns
    -------
    list of dict
        ``summary.json`` alerts (kind ``population_change``), first days first.
    """
    names = dict(names or {})
    big = (pl.col("weekday_change").abs() >= threshold) & (
        pl.col("lunar_change").is_null() | (pl.col("lunar_change").abs() >= threshold)
    )
    window = changes.filter(pl.col("date").is_between(start, end)).with_columns(
        hit=big.fill_null(False)
    )
    window = window.sort("area", "date").with_columns(
        first=pl.col("hit") & ~pl.col("hit").shift(1).over("area").fill_null(False)
    )
    alerts = []
    for r in window.filter(pl.col("first")).sort("date", "area").iter_rows(named=True):
        change = r["weekday_change"]
        high = change <= -CHANGE_HIGH or change >= 2 * CHANGE_HIGH
        way = "减少" if change < 0 else "增加"
        place = names.get(r["area"], r["area"])
        lunar = (
            f"，比上年农历同期{'减少' if r['lunar_change'] < 0 else '增加'}{abs(r['lunar_change']):.0%}"
            if r["lunar_change"] is not None
            else ""
        )
        alerts.append(
            {
                "kind": "population_change",
                "severity": "high" if high else "medium",
                "place_code": r["area"],
                "place": place,
                "date": r["date"].isoformat(),
                "message": (
                    f"{place}{r['date']:%m月%d日}{what}比前几周同一星期几的中位数{way}"
                    f"{abs(change):.0%}{lunar}（规模指数，非人数）。"
                ),
            }
        )
    return alerts
