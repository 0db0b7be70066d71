"""Where bursts concentrate and which bursting words form one issue; trends and areas of words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from govanalytics.errors import ParameterError
from govanalytics.hotwords._prepare import PreparedComments
from govanalytics.hotwords._windows import ALL

if TYPE_CHECKING:
    from govanalytics.hotwords._detect import HotWords


def burst_tokens(
    bursts: pl.DataFrame, prepared: PreparedComments, meta: pl.DataFrame
) -> pl.DataFrame:
    """Rows of comments inside each burst (scope, word, interval) containing its word."""
    words = bursts["word"].unique().implode()
    x = prepared.tokens.filter(pl.col("word").is_in(words)).join(
        meta.select("row", "t", "district_code", "community_code", "unit"), on="row"
    )
    b = bursts.select("scope", "word", "t_start", "t_end").with_row_index("burst")
    joined = x.join(b, on="word").filter(
        pl.col("t").is_between(pl.col("t_start"), pl.col("t_end"))
        & ((pl.col("scope") == ALL) | (pl.col("scope") == pl.col("district_code")))
    )
    return joined


def burst_areas(
    bursts: pl.DataFrame, prepared: PreparedComments, meta: pl.DataFrame, min_lq: float
) -> pl.DataFrame:
    """Areas where each burst concentrates (location quotient of writer-windows)."""
    if bursts.height == 0:
        return bursts.with_columns(pl.lit(None, pl.List(pl.String)).alias("areas"))
    area = (
        pl.when(pl.col("scope") == ALL)
        .then(pl.col("district_code"))
        .otherwise(pl.col("community_code"))
        .alias("area")
    )
    x = burst_tokens(bursts, prepared, meta).with_columns(area)
    r_area = (
        x.filter(pl.col("area").is_not_null())
        .group_by("burst", "area", "t")
        .agg(pl.col("unit").n_unique().alias("r_a"))
        .group_by("burst", "area")
        .agg(pl.col("r_a").sum())
    )
    r_tot = r_area.group_by("burst").agg(pl.col("r_a").sum().alias("r"))
    # writers per area and window, for districts (city bursts) and communities (district bursts)
    per_district = (
        meta.filter(pl.col("district_code").is_not_null())
        .group_by("district_code", "t")
        .agg(pl.col("unit").n_unique().alias("d_a"))
        .select(pl.lit(ALL).alias("scope"), pl.col("district_code").alias("area"), "t", "d_a")
    )
    per_community = (
        meta.filter(pl.col("community_code").is_not_null() & pl.col("district_code").is_not_null())
        .group_by("district_code", "community_code", "t")
        .agg(pl.col("unit").n_unique().alias("d_a"))
        .select(
            pl.col("district_code").alias("scope"),
            pl.col("community_code").alias("area"),
            "t",
            "d_a",
        )
    )
    b = bursts.select("scope", "t_start", "t_end").with_row_index("burst")
    d_area = (
        b.join(pl.concat([per_district, per_community]), on="scope")
        .filter(pl.col("t").is_between(pl.col("t_start"), pl.col("t_end")))
        .group_by("burst", "area")
        .agg(pl.col("d_a").sum())
        .with_columns(pl.col("d_a").sum().over("burst").alias("d"))
    )
    lq = (
        r_area.join(r_tot, on="burst")
        .join(d_area, on=["burst", "area"])
        .with_columns(((pl.col("r_a") / pl.col("r")) / (pl.col("d_a") / pl.col("d"))).alias("lq"))
        .filter((pl.col("lq") >= min_lq) & (pl.col("r_a") >= 2))
        .sort("burst", "lq", "area", descending=[False, True, False])
        .group_by("burst", maintain_order=True)
        .agg(pl.col("area").alias("areas"))
    )
    return (
        bursts.with_row_index("burst")
        .join(lq, on="burst", how="left", maintain_order="left")
        .with_columns(pl.col("areas").fill_null(pl.lit([], pl.List(pl.String))))
        .drop("burst")
    )


def group_issues(
    bursts: pl.DataFrame, prepared: PreparedComments, meta: pl.DataFrame, min_jaccard: float
) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {
        "scope": pl.String(),
        "issue": pl.Int32(),
        "label": pl.String(),
        "words": pl.List(pl.String),
        "t_start": pl.Int32(),
        "t_end": pl.Int32(),
        "weight": pl.Float64(),
        "n_comments": pl.Int64(),
        "areas": pl.List(pl.String),
        "comment_ids": pl.List(pl.String),
    }
    if bursts.height == 0:
        return pl.DataFrame(schema=schema)
    x = burst_tokens(bursts, prepared, meta).select("burst", "row")
    sizes = x.group_by("burst").agg(pl.len().alias("n"))
    pairs = (
        x.join(x, on="row", suffix="_b")
        .filter(pl.col("burst") < pl.col("burst_b"))
        .group_by("burst", "burst_b")
        .agg(pl.len().alias("both"))
        .join(sizes, on="burst")
        .join(sizes.rename({"burst": "burst_b", "n": "n_b"}), on="burst_b")
        .with_columns((pl.col("both") / (pl.col("n") + pl.col("n_b") - pl.col("both"))).alias("j"))
        .filter(pl.col("j") >= min_jaccard)
    )
    b = bursts.with_row_index("burst")
    scope_of = dict(zip(b["burst"].to_list(), b["scope"].to_list(), strict=True))
    parent = list(range(b.height))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs.select("burst", "burst_b").iter_rows():
        if scope_of[i] == scope_of[j]:
            parent[find(i)] = find(j)
    b = b.with_columns(pl.Series("group", [find(i) for i in range(b.height)], dtype=pl.UInt32))
    rows = x.join(b.select("burst", "group"), on="burst")
    ids = prepared.comments.select("row", "message_id")
    examples = (
        rows.group_by("group", "row")
        .agg(pl.col("burst").n_unique().alias("k"))
        .sort("group", "k", "row", descending=[False, True, False])
        .group_by("group", maintain_order=True)
        .agg(pl.col("row").head(5).alias("ex_rows"), pl.len().alias("n_comments"))
        .explode("ex_rows")
        .join(ids, left_on="ex_rows", right_on="row")
        .group_by("group", maintain_order=True)
        .agg(pl.col("message_id").alias("comment_ids"), pl.col("n_comments").first())
    )
    issues = (
        # the issue's words, most evidently bursting first (its label and its dates)
        b.sort("score", "word", descending=[True, False])
        .group_by("group", maintain_order=True)
        .agg(
            pl.col("scope").first(),
            pl.col("word").unique(maintain_order=True).alias("words"),
            pl.col("t_start").first(),
            pl.col("t_end").first(),
            pl.col("weight").sum(),
            pl.col("areas").first(),
        )
        .join(examples, on="group", how="left")
        .with_columns(
            pl.col("words").list.head(5).list.join(" · ").alias("label"),
            pl.col("n_comments").cast(pl.Int64),
        )
        # ties of weight broken by label and start, so issue numbers are reproducible
        .sort("scope", "weight", "label", "t_start", descending=[False, True, False, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("scope").cast(pl.Int32).alias("issue"))
    )
    return issues.select(list(schema))


def word_trend(result: HotWords, words: Sequence[str], *, scope: str = ALL) -> pl.DataFrame:
    """Counts of some words in every window of a scope, zeros filled, with their share.

    Parameters
    ----------
    result
        From :func:`detect_hot_words`.
    words
        Words to follow (words below the count floor everywhere have no counts).
    scope
        ``"all"`` or a district code.

    Returns
    -------
    pl.DataFrame
        ``window``, ``word``, ``count``, ``n_units``, ``share`` (count / writers in the window).
    """
    totals = result.totals.filter(pl.col("scope") == scope).select("window", "n_units")
    grid = totals.join(pl.DataFrame({"word": list(words)}, schema={"word": pl.String}), how="cross")
    counts = result.counts.filter(
        (pl.col("scope") == scope) & pl.col("word").is_in(pl.Series(list(words)).implode())
    ).select("window", "word", "count")
    return (
        grid.join(counts, on=["window", "word"], how="left")
        .with_columns(pl.col("count").fill_null(0))
        .with_columns(
            pl.when(pl.col("n_units") > 0)
            .then(pl.col("count") / pl.col("n_units"))
            .otherwise(0.0)
            .alias("share")
        )
        .select("window", "word", "count", "n_units", "share")
        .sort("word", "window")
    )


def area_concentration(
    prepared: PreparedComments,
    words: Sequence[str],
    start: dt.date,
    end: dt.date,
    *,
    level: str = "district_code",
    scope: str = ALL,
) -> pl.DataFrame:
    """Where comments holding any of ``words`` between ``start`` and ``end`` come from.

    Parameters
    ----------
    prepared
        From :func:`prepare_comments`.
    words
        The words of an issue.
    start, end
        First and last day (inclusive).
    level
        ``"district_code"`` or ``"community_code"``.
    scope
        ``"all"`` or a district code to look inside.

    Returns
    -------
    pl.DataFrame
        ``region_code``, ``count`` (distinct comments), ``n_comments`` (all comments of the
        area in the period), ``share`` and ``lq`` (location quotient: the area's share of the
        issue's comments over its share of all comments), largest ``lq`` first.
    """
    if level not in ("district_code", "community_code"):
        msg = f"level must be 'district_code' or 'community_code', got {level!r}"
        raise ParameterError(msg)
    c = prepared.comments.filter(
        pl.col("created_at").dt.date().is_between(start, end) & pl.col(level).is_not_null()
    )
    if scope != ALL:
        c = c.filter(pl.col("district_code") == scope)
    rows = (
        prepared.tokens.filter(pl.col("word").is_in(pl.Series(list(words)).implode()))
        .select("row")
        .unique()
    )
    hit = c.join(rows, on="row").group_by(level).agg(pl.len().alias("count"))
    allc = c.group_by(level).agg(pl.len().alias("n_comments"))
    out = allc.join(hit, on=level, how="left").with_columns(pl.col("count").fill_null(0))
    total_hit = max(int(out["count"].sum()), 1)
    total = max(int(out["n_comments"].sum()), 1)
    return (
        out.with_columns(
            (pl.col("count") / total_hit).alias("share"),
            ((pl.col("count") / total_hit) / (pl.col("n_comments") / total)).alias("lq"),
        )
        .rename({level: "region_code"})
        .select("region_code", "count", "n_comments", "share", "lq")
        .sort("lq", "region_code", descending=[True, False])
    )


def issues_in_period(
    issues: pl.DataFrame, start: dt.date, end: dt.date, *, area: str = ""
) -> pl.DataFrame:
    """The issues a page shows for ``start…end``: overlapping it, each reported once.

    An issue found in a district is usually found for the whole city too, with the same
    words: the city-wide one is dropped when a district issue holds any of its words (the
    district one says where). With ``area``, only that district's issues.

    Parameters
    ----------
    issues
        :attr:`HotWords.issues`.
    start, end
        The period (inclusive).
    area
        A district code, or empty for the whole city.

    Returns
    -------
    pl.DataFrame
        Rows of ``issues``, heaviest first (ties by scope and label).
    """
    inside = issues.filter((pl.col("start") <= end) & (pl.col("end") >= start))
    if area:
        inside = inside.filter(pl.col("scope") == area)
    else:
        district_words = (
            inside.filter(pl.col("scope") != ALL)["words"].explode().drop_nulls().unique()
        )
        repeated = pl.col("words").list.eval(pl.element().is_in(district_words.implode()))
        inside = inside.filter((pl.col("scope") != ALL) | ~repeated.list.any())
    return inside.sort("weight", "scope", "label", descending=[True, False, False])


def earlier_issues(
    issues: pl.DataFrame, before: dt.date, *, days: int = 365, area: str = ""
) -> pl.DataFrame:
    """Issues that ended before ``before`` within ``days`` days, latest first.

    For a page whose period shows none: what the board's recent past held.
    """
    since = before - dt.timedelta(days=days)
    out = issues_in_period(issues, since, before - dt.timedelta(days=1), area=area)
    return out.filter(pl.col("end") < before).sort(
        "start", "weight", "label", descending=[True, True, False]
    )
