"""Publishing step: the small-count rule applied to the health tables before they leave.

Detection, forecasting and the risk view run on full counts; only what is published (the
notebook's Parquet tables, its displayed tables, chart and summary) goes through the functions
here.

Disclosure rule (规则)
----------------------
1. **Observed counts of patients are counts of people.** ``observed`` (alarms), ``count``,
   ``previous``, ``year_ago`` and ``population`` (risk) below ``k`` (zero included) are
   withheld — null, row flag ``suppressed`` — by
   :func:`govanalytics.privacy.suppress_small_counts`.
2. **Secondary suppression.** Totals of these counts are published or easily known: the
   weekly total of all series in the summary headline (本周病例) and the city total of a
   disease per week (a figure the disease-control centre publishes itself). For every week, the
   groups ``(week_start, disease)`` and ``(week_start,)`` therefore never hold exactly one
   withheld cell (:func:`govanalytics.privacy.secondary_suppress`). The same cell is withheld
   in every table: the decision is taken per period on all series of the data, ordered by
   key, so ``previous`` in the risk table and last period's ``observed`` in the alarm table
   agree. For this decision only, a period without a row or with a null count (not
   reported) is treated as a small count: withheld, so that it can never be what makes a
   neighbouring cell recoverable. Analyses never read it as zero. "Week" here means the
   period of the data: a month for monthly counts.
3. **Derived figures that give a withheld count back are withheld with it**: incidence per
   100,000 (count / population), 环比 ``change_week`` (needs count and previous) and 同比
   ``change_year`` (needs count and year-ago count), as declared in
   ``govanalytics.privacy.DERIVED_FROM["risk"]`` (:func:`govanalytics.privacy.withhold_derived`).
4. **Model outputs are kept**, except forecasts from a withheld count. ``expected``,
   ``upper_bound`` and WIS are statistics of a model fitted to many weeks, not counts of
   people; none equals a single week's count of a series. Forecasts are not: the FluSight
   baseline's median is the count of the forecast origin, and the ensemble falls back to the
   baseline for some series. Every forecast from an origin whose count is withheld is
   withheld too (:func:`publishable_forecasts`; in the risk table ``forecast_next``,
   ``forecast_upper`` and the bed figures, declared in ``DERIVED_FROM["risk"]``). Residual disclosure, accepted and stated: on a withheld row,
   ``alarm`` true says the count lies above ``upper_bound`` (and below ``k``); ``alarm`` false
   says it lies at or below ``upper_bound``. That is an interval for a count already known to
   be small, never the count itself unless the interval holds one whole number; such rows are
   counted by :func:`interval_disclosures` (0 on the sample city's published weeks, see the
   tests). The alarm is kept because a withheld alarm would hide the one thing surveillance
   exists to tell. EARS baselines are means of the previous 7 weeks, so differences of
   consecutive weeks' ``expected`` relate a count to the count 7 weeks earlier (divided by
   7); with only 4 published weeks the older counts are not published and the chain does not
   close.

References
----------
Hundepool, A. et al. (2012), *Statistical Disclosure Control*, Wiley, ch. 4 (primary and
secondary cell suppression).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.errors import ParameterError
from govanalytics.health._series import detect_frequency, shift_period, year_before
from govanalytics.privacy import secondary_suppress, suppress_small_counts, withhold_derived

WEEK = "week_start"
FLAG = "suppressed"

#: Groupings whose totals are treated as published: per week and disease (the city total of a
#: disease), and per week (the summary's weekly total over all series).
TOTALS: tuple[tuple[str, ...], ...] = ((WEEK, "disease"), (WEEK,))


def _series_keys(frame: pl.DataFrame, value: str) -> list[str]:
    return [c for c in frame.columns if c not in (WEEK, value)]


def withheld_cells(
    series: pl.DataFrame,
    *,
    weeks: Sequence[dt.date] | None = None,
    k: int = DEFAULT_MIN_COUNT,
    value: str = "count",
    groups: Sequence[Sequence[str]] = TOTALS,
) -> pl.DataFrame:
    """The publication mask: each series × week cell as published (null = withheld).

    Parameters
    ----------
    series
        Long weekly counts: key columns, ``week_start`` and ``value`` (the output of
        :func:`aggregate_counts`).
    weeks
        Weeks to decide (default: every week in ``series``). Every series gets a cell in each
        of them; a missing row counts as zero, as in :func:`flag_aberrations`.
    k
        Threshold of the small-count rule: counts below ``k`` are withheld. Default 15.
    value
        The count column.
    groups
        Groupings whose totals are published (see :data:`TOTALS`); only groupings whose
        columns the table has are used. Each group ends with zero or at least two withheld
        cells.

    Returns
    -------
    pl.DataFrame
        Key columns, ``week_start``, ``value`` (null when withheld) and ``suppressed``, sorted
        by week and key so that the decision is the same wherever the cells are published.
    """
    keys = _series_keys(series, value)
    if weeks is None:
        weeks = series[WEEK].unique().sort().to_list()
    grid = (
        series.select(keys)
        .unique()
        .join(pl.DataFrame({WEEK: list(weeks)}, schema={WEEK: pl.Date}), how="cross")
    )
    cells = (
        grid.join(
            series.group_by([*keys, WEEK]).agg(pl.col(value).sum()),
            on=[*keys, WEEK],
            how="left",
        )
        .with_columns(pl.col(value).fill_null(0))
        .sort([WEEK, *keys])
    )
    cells = suppress_small_counts(cells, value, k=k, flag=FLAG)
    usable = [list(g) for g in groups if set(g) <= set(cells.columns)]
    if usable:
        cells = secondary_suppress(cells, value, groups=usable, flag=FLAG)
    return cells


def publishable_alarms(
    alarms: pl.DataFrame,
    *,
    k: int = DEFAULT_MIN_COUNT,
    groups: Sequence[Sequence[str]] = TOTALS,
) -> pl.DataFrame:
    """The alarm table as published: small observed counts withheld (module rule 1-2, 4).

    Parameters
    ----------
    alarms
        Output of :func:`flag_aberrations` (one or several methods stacked; extra columns such
        as ``region_name`` are kept).
    k
        Threshold of the small-count rule. Default 15.
    groups
        Groupings whose totals are published (default :data:`TOTALS`).

    Returns
    -------
    pl.DataFrame
        ``alarms`` with ``observed`` null where withheld and a ``suppressed`` flag. The same
        series × week is withheld under every method. ``expected``, ``upper_bound``, ``alarm``
        are kept (model outputs; see the module's rule 4).
    """
    if "observed" not in alarms.columns or WEEK not in alarms.columns:
        msg = f"alarms need columns 'observed' and '{WEEK}'; columns present: {alarms.columns}"
        raise ParameterError(msg)
    keys = [c for c in _alarm_keys(alarms) if c in alarms.columns]
    cells = alarms.select([*keys, WEEK, "observed"]).unique([*keys, WEEK])
    mask = withheld_cells(cells, k=k, value="observed", groups=groups)
    return alarms.drop("observed", FLAG, strict=False).join(
        mask, on=[*keys, WEEK], how="left", maintain_order="left"
    )


def _alarm_keys(alarms: pl.DataFrame) -> list[str]:
    """Series keys of an alarm table: what :func:`flag_aberrations` put before week_start."""
    cols = alarms.columns
    return [c for c in cols[: cols.index(WEEK)] if c != "observed"]


def publishable_risk(
    risk: pl.DataFrame,
    series: pl.DataFrame,
    *,
    k: int = DEFAULT_MIN_COUNT,
    groups: Sequence[Sequence[str]] = TOTALS,
    frequency: str | None = None,
) -> pl.DataFrame:
    """The risk table as published: small counts and the figures that give them back withheld.

    Parameters
    ----------
    risk
        Output of :func:`risk_table`.
    series
        The weekly counts the risk table was built from (the withholding decision is taken on
        all its series for this week, last week and the same week a year ago, exactly as in
        :func:`publishable_alarms`).
    k
        Threshold of the small-count rule. Default 15.
    groups
        Groupings whose totals are published (default :data:`TOTALS`).
    frequency
        ``"week"`` or ``"month"`` (which periods are "previous" and "a year ago"); detected
        from ``series`` by default.

    Returns
    -------
    pl.DataFrame
        ``risk`` with ``count``, ``previous``, ``year_ago``, ``population`` below ``k``
        withheld (secondary cells too), ``incidence_per_100k``, ``change_week``,
        ``change_year`` withheld with the counts they are computed from, and ``suppressed``.
        Forecasts, bed demand, alarm and rank are kept (model outputs; the rank was computed
        on full counts and orders by alarm and *forecast* incidence).
    """
    if risk.is_empty():
        return risk.with_columns(pl.lit(False).alias(FLAG))
    keys = ["region_code", "disease"]
    last: dt.date = risk[WEEK].max()  # type: ignore[assignment]
    freq = detect_frequency(series[WEEK], frequency=frequency)
    cols = {"count": last, "previous": shift_period(last, -1, frequency=freq)}
    cols["year_ago"] = year_before(last, frequency=freq)
    have = set(series[WEEK].unique().to_list())
    weeks = [w for w in cols.values() if w in have]
    mask = withheld_cells(series, weeks=weeks, k=k, groups=groups).select(
        [*keys, WEEK, pl.col("count").is_null().alias("_withheld")]
    )
    out = risk.drop(FLAG, strict=False)
    for col, week in cols.items():
        w = mask.filter(pl.col(WEEK) == week).select([*keys, pl.col("_withheld").alias(f"_{col}")])
        out = out.join(w, on=keys, how="left", maintain_order="left").with_columns(
            pl.col(f"_{col}").fill_null(False)
        )
    flag = pl.col("_count") | pl.col("_previous") | pl.col("_year_ago")
    out = out.with_columns(
        *[pl.when(pl.col(f"_{c}")).then(None).otherwise(pl.col(c)).alias(c) for c in cols],
        flag.alias(FLAG),
    )
    if "population" in out.columns:
        out = suppress_small_counts(out, "population", k=k, flag=FLAG)
    out = withhold_derived(out, "risk", flag=FLAG)  # incidence, 环比, 同比 (module rule 3)
    return out.drop("_count", "_previous", "_year_ago")


def publishable_forecasts(
    forecasts: pl.DataFrame,
    series: pl.DataFrame,
    *,
    k: int = DEFAULT_MIN_COUNT,
    groups: Sequence[Sequence[str]] = TOTALS,
) -> pl.DataFrame:
    """Forecasts as published: every forecast from a withheld count withheld (module rule 4).

    Disclosure rule: the FluSight baseline forecasts the count of its origin as its median,
    and the ensemble falls back to it for some series, so the forecasts of a series from an
    origin whose count is withheld (decided as in :func:`withheld_cells`, secondary cells
    included) are withheld — ``value`` null and ``suppressed`` set — for every model, horizon
    and quantile. Rows of series not in ``series`` (the city total) are kept.

    Parameters
    ----------
    forecasts
        Output of :func:`forecast_counts` or :func:`backtest` (``origin``, ``value`` and the
        series keys of ``series``).
    series
        The counts the forecasts were made from.
    k
        Threshold of the small-count rule. Default 15.
    groups
        Groupings whose totals are published (default :data:`TOTALS`).

    Returns
    -------
    pl.DataFrame
        ``forecasts`` with ``value`` null where its origin's count is withheld, and
        ``suppressed``.
    """
    for col in ("origin", "value"):
        if col not in forecasts.columns:
            msg = f"forecasts need column {col!r}; columns present: {forecasts.columns}"
            raise ParameterError(msg)
    keys = [c for c in _series_keys(series, "count") if c in forecasts.columns]
    origins = forecasts["origin"].unique().to_list()
    mask = withheld_cells(series, weeks=origins, k=k, groups=groups).select(
        *keys, pl.col(WEEK).alias("origin"), pl.col("count").is_null().alias("_withheld")
    )
    out = forecasts.drop(FLAG, strict=False).join(
        mask, on=[*keys, "origin"], how="left", maintain_order="left"
    )
    hide = pl.col("_withheld").fill_null(False)
    return out.with_columns(
        pl.when(hide).then(None).otherwise(pl.col("value")).alias("value"), hide.alias(FLAG)
    ).drop("_withheld")


def publishable_series(
    series: pl.DataFrame,
    *,
    k: int = DEFAULT_MIN_COUNT,
    groups: Sequence[Sequence[str]] = TOTALS,
) -> pl.DataFrame:
    """Weekly counts as shown in charts: the rows of ``series`` with small counts withheld.

    Parameters
    ----------
    series
        Long weekly counts (key columns, ``week_start``, ``count``), e.g. from
        :func:`aggregate_counts`.
    k
        Threshold of the small-count rule: counts below ``k`` are withheld. Default 15.
    groups
        Groupings whose totals are published (default :data:`TOTALS`).

    Returns
    -------
    pl.DataFrame
        The rows of ``series`` with ``count`` null where withheld (secondary cells included,
        decided as in :func:`withheld_cells`) and a ``suppressed`` flag.
    """
    keys = _series_keys(series, "count")
    mask = withheld_cells(series, k=k, groups=groups)
    return series.drop("count", FLAG, strict=False).join(
        mask, on=[*keys, WEEK], how="left", maintain_order="left"
    )


def interval_disclosures(published: pl.DataFrame, *, k: int = DEFAULT_MIN_COUNT) -> pl.DataFrame:
    """Withheld alarm rows whose alarm flag and upper bound leave one possible count.

    On a withheld row (``observed`` null) the count ``x`` is a whole number below ``k``;
    ``alarm`` true says ``x > upper_bound``, false ``x <= upper_bound``. Rows where that leaves
    a single value are returned (empty = the alarm flags disclose no withheld count).

    Parameters
    ----------
    published
        Output of :func:`publishable_alarms`.
    k
        The threshold the table was published with. Default 15.

    Returns
    -------
    pl.DataFrame
        The withheld rows of ``published`` whose count the alarm and bound give away.
    """
    x_low = (pl.col("upper_bound").floor() + 1).clip(lower_bound=0)
    x_high = pl.col("upper_bound").floor().clip(upper_bound=k - 1)
    withheld = published.filter(
        pl.col("observed").is_null() & pl.col("alarm").is_not_null() & pl.col(FLAG)
    )
    return withheld.filter(
        pl.when(pl.col("alarm")).then(x_low >= k - 1).otherwise(x_high <= 0).fill_null(False)
    )
