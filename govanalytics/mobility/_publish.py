"""Tables fit to publish: small counts withheld, nothing recoverable from published totals."""

from __future__ import annotations

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.privacy import secondary_suppress, suppress_small_counts, withhold_derived

__all__ = ["publish_flows", "publish_population"]

#: Columns of the published population table that count people.
POPULATION_COUNTS = ("night", "day", "resident", "registered", "short_stay")


def publish_population(
    estimates: pl.DataFrame,
    *,
    k: int = DEFAULT_MIN_COUNT,
    city_totals: bool = True,
) -> pl.DataFrame:
    """The population table as published: rounded people, small counts withheld.

    Disclosure rule (FlowKit's: no value below ``k``, default 15):

    * every count of people (``night``, ``day``, ``resident``, ``registered``,
      ``short_stay``) is rounded to whole people and withheld when below ``k``;
    * ``floating`` (= resident − household-registered, may be negative) is withheld when its
      absolute value is below ``k``, when ``resident`` is withheld, and when the
      household-registered count behind it is below ``k`` (resident − floating would give that
      small count away); ``household_registered`` itself is not published, so a withheld
      floating value cannot be rebuilt from the other columns;
    * the interval bounds go with ``resident`` (withheld together);
    * with ``city_totals`` (the city totals per period are published, e.g. in the summary),
      each column gets secondary suppression over the areas of a period so that no single
      withheld area can be recovered as total − published areas.

    ``household_registered`` is not published (only what floating needs is).

    Parameters
    ----------
    estimates
        Output of :func:`population_estimates`.
    k
        Threshold.
    city_totals
        Protect against subtraction from per-period city totals.

    Returns
    -------
    pl.DataFrame
        ``area``, ``period``, ``night``, ``day``, ``resident``, ``resident_low``,
        ``resident_high``, ``short_stay``, ``registered``, ``floating``, ``spring_festival``,
        ``suppressed`` (Int64 people, null where withheld).
    """
    people = [*POPULATION_COUNTS, "resident_low", "resident_high", "floating"]
    out = estimates.with_columns([pl.col(c).round(0).cast(pl.Int64) for c in people])
    out = suppress_small_counts(out, list(POPULATION_COUNTS), k=k)
    out = out.with_columns(
        floating=pl.when(
            pl.col("resident").is_null()
            | (pl.col("floating").abs() < k).fill_null(True)
            | (pl.col("household_registered") < k).fill_null(True)
        )
        .then(None)
        .otherwise(pl.col("floating"))
    )
    out = withhold_derived(out, "population")  # interval and floating go with resident
    columns = (*POPULATION_COUNTS, "floating")
    # secondary cells of resident withhold floating too, which may need a secondary cell again
    while city_totals:
        before = out.select(pl.col(c).null_count() for c in columns).row(0)
        for c in columns:
            out = secondary_suppress(out, c, groups=[["period"]])
        out = withhold_derived(out, "population")
        if out.select(pl.col(c).null_count() for c in columns).row(0) == before:
            break
    out = out.with_columns(
        suppressed=pl.any_horizontal(
            pl.col("suppressed"), *[pl.col(c).is_null() for c in (*POPULATION_COUNTS, "floating")]
        ),
    )
    return out.select(
        "area",
        "period",
        "night",
        "day",
        "resident",
        "resident_low",
        "resident_high",
        "short_stay",
        "registered",
        "floating",
        "spring_festival",
        "suppressed",
    )


def publish_flows(
    flows: pl.DataFrame,
    *,
    k: int = DEFAULT_MIN_COUNT,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """OD flows and in/out/net totals as published.

    Disclosure rule: in-flows and out-flows are computed from the *unsuppressed* flows
    (:func:`in_out_flows`) and are withheld when below ``k``; flows below ``k`` are withheld,
    then secondary suppression over each origin's row and each destination's column (per
    period) withholds complementary flows so that no withheld flow equals a published total
    minus published flows; in- and out-flows get the same protection against the period's
    grand total (which may be published as a headline). ``net`` (a balance, not a count of people) is published only where
    both in-flow and out-flow are.

    Parameters
    ----------
    flows
        ``origin``, ``destination``, ``period``, ``count`` (unsuppressed, internal flows
        excluded), e.g. from :func:`od_by_period`.
    k
        Threshold.

    Returns
    -------
    flows, totals
        ``origin``, ``destination``, ``period``, ``count``, ``suppressed``; and ``area``,
        ``period``, ``inflow``, ``outflow``, ``net``, ``suppressed``.
    """
    from govanalytics.mobility._flows import in_out_flows

    totals = in_out_flows(flows)
    totals = suppress_small_counts(totals, ["inflow", "outflow"], k=k)
    for col in ("inflow", "outflow"):  # the period's grand total may be published
        totals = secondary_suppress(totals, col, groups=[["period"]])
    totals = withhold_derived(totals, "flow_totals")  # net = inflow − outflow
    pub = suppress_small_counts(
        flows.select("origin", "destination", "period", "count"), "count", k=k
    )
    pub = secondary_suppress(pub, "count", groups=[["period", "origin"], ["period", "destination"]])
    return pub.sort("period", "origin", "destination"), totals
