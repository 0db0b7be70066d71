"""Service suggestions: "A then B" association rules turned into proactive offers per group.

Rules are counted over people, not events. For services A and B, within the persons seen in
the application history (and portal activity, if given):

- ``persons_a``, ``persons_b``: persons with an A (resp. B) event;
- ``persons_ab``: persons with an A event followed by a B event within ``window_days``
  (B strictly later than A);
- ``support = persons_ab / persons``, ``confidence = persons_ab / persons_a``,
  ``lift = confidence / (persons_b / persons)``.

This is Agrawal & Srikant's (1995) sequential-pattern support restricted to ordered pairs in
a time window, with the lift of Brin et al. (1997). Offers are then made per resident group
(district, age band, household status): residents whose recent A application has not been
followed by a B application yet. Reports show group counts only (withheld below ``k``),
never named persons.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.data.schemas import SERVICE_TYPES
from govanalytics.errors import ParameterError
from govanalytics.privacy import suppress_small_counts
from govanalytics.validation import int_like

__all__ = [
    "AGE_BANDS",
    "association_rules",
    "publishable_rules",
    "recommendable_rules",
    "service_events",
    "suggest_offers",
]

#: Age bands (lower bounds, years) used to group residents for offers.
AGE_BANDS = (0, 18, 30, 45, 60, 75)


def service_events(
    applications: pl.DataFrame,
    portal_activity: pl.DataFrame | None = None,
    *,
    views: bool = False,
) -> pl.DataFrame:
    """One row per person, service and day with an application (or a portal action).

    Parameters
    ----------
    applications
        ``applications`` table.
    portal_activity
        ``portal_activity`` table (optional): its ``apply`` actions are added (applications
        made on the portal that another system may not have forwarded).
    views
        Also count portal ``view`` actions as events (interest, not use; default ``False``:
        browsing is frequent and undirected, it dilutes the rules).

    Returns
    -------
    DataFrame
        ``person_key``, ``service_type``, ``day`` (unique rows).
    """
    parts = [
        applications.select(
            "person_key", "service_type", pl.col("submitted_at").dt.date().alias("day")
        )
    ]
    if portal_activity is not None and portal_activity.height:
        acts = portal_activity if views else portal_activity.filter(pl.col("action") == "apply")
        parts.append(
            acts.select("person_key", "service_type", pl.col("occurred_at").dt.date().alias("day"))
        )
    return pl.concat(parts).unique().sort("person_key", "day", "service_type")


def association_rules(
    events: pl.DataFrame,
    *,
    window_days: int = 90,
    min_persons: int = DEFAULT_MIN_COUNT,
) -> pl.DataFrame:
    """Ordered association rules "A then B within ``window_days``" between services.

    Parameters
    ----------
    events
        From :func:`service_events` (``person_key``, ``service_type``, ``day``).
    window_days
        Largest gap in days between A and a later B.
    min_persons
        Rules followed by fewer persons are dropped (also the disclosure floor: no rule
        rests on fewer than this many people; default 15).

    Returns
    -------
    DataFrame
        ``antecedent``, ``consequent``, ``persons_ab``, ``persons_a``, ``persons_b``,
        ``persons``, ``support``, ``confidence``, ``lift``, sorted by lift.
    """
    int_like(window_days, "window_days", low=1)
    persons = events["person_key"].n_unique()
    if persons == 0:
        return pl.DataFrame(schema=_RULES_SCHEMA)
    per_service = events.group_by("service_type").agg(pl.col("person_key").n_unique().alias("n"))
    a = events.rename({"service_type": "antecedent", "day": "day_a"})
    b = events.rename({"service_type": "consequent", "day": "day_b"})
    pairs = (
        a.lazy()
        .join(b.lazy(), on="person_key")
        .filter(
            (pl.col("antecedent") != pl.col("consequent"))
            & (pl.col("day_b") > pl.col("day_a"))
            & ((pl.col("day_b") - pl.col("day_a")).dt.total_days() <= window_days)
        )
        .select("person_key", "antecedent", "consequent")
        .unique()
        .group_by("antecedent", "consequent")
        .agg(pl.len().cast(pl.Int64).alias("persons_ab"))
        .collect()
    )
    na = per_service.rename({"service_type": "antecedent", "n": "persons_a"})
    nb = per_service.rename({"service_type": "consequent", "n": "persons_b"})
    out = (
        pairs.join(na, on="antecedent")
        .join(nb, on="consequent")
        .with_columns(pl.lit(persons, dtype=pl.Int64).alias("persons"))
        .with_columns(
            (pl.col("persons_ab") / pl.col("persons")).alias("support"),
            (pl.col("persons_ab") / pl.col("persons_a")).alias("confidence"),
        )
        .with_columns(
            (pl.col("confidence") / (pl.col("persons_b") / pl.col("persons"))).alias("lift")
        )
        .filter(pl.col("persons_ab") >= min_persons)
    )
    return (
        out.select(list(_RULES_SCHEMA))
        .cast(_RULES_SCHEMA)
        .sort(["lift", "antecedent", "consequent"], descending=[True, False, False])
    )


_RULES_SCHEMA = pl.Schema(
    {
        "antecedent": pl.String(),
        "consequent": pl.String(),
        "persons_ab": pl.Int64(),
        "persons_a": pl.Int64(),
        "persons_b": pl.Int64(),
        "persons": pl.Int64(),
        "support": pl.Float64(),
        "confidence": pl.Float64(),
        "lift": pl.Float64(),
    }
)


#: Counts of people a reader can work out from one published rule by subtraction.
_DERIVED = {
    "a_not_followed_by_b": pl.col("persons_a") - pl.col("persons_ab"),
    "b_not_after_a": pl.col("persons_b") - pl.col("persons_ab"),
}
_MARGINS = {
    "without_a": pl.col("persons") - pl.col("persons_a"),
    "without_b": pl.col("persons") - pl.col("persons_b"),
}


def publishable_rules(rules: pl.DataFrame, *, k: int = DEFAULT_MIN_COUNT) -> pl.DataFrame:
    """Association rules as a report may show them: no count of fewer than ``k`` people.

    Disclosure rule (every count of people in the table, and every count of people a reader
    can derive from it by subtraction, is at least ``k`` or withheld):

    1. A rule followed by fewer than ``k`` people (``persons_ab < k``) is **not published at
       all**: its ratios would give the count back (``persons_ab = support × persons =
       confidence × persons_a``), and the pair's mere presence would say that 1 to ``k`` − 1
       people did A then B.
    2. The remaining counts go through :func:`govanalytics.privacy.suppress_small_counts`
       (``persons_ab``, ``persons_a``, ``persons_b``, ``persons``; a no-op after rule 1, since
       each is at least ``persons_ab``, kept as the guard of the shared rule).
    3. Secondary suppression by subtraction. ``persons_a`` is a total over the rules with the
       same antecedent, but not an additive one (a person may follow A with several B or with
       none), so no dropped rule's count is ``persons_a`` minus the published parts; what a
       reader *can* subtract within one rule is ``persons_a − persons_ab`` (people who did A and
       not B after it) and ``persons_b − persons_ab``. Where either is below ``k`` (zero
       included: a confidence of 100 % tells of anyone known to have done A that they did B),
       the rule's ``persons_ab``, ``support``, ``confidence`` and ``lift`` are withheld and the
       row is flagged ``suppressed`` (what stays known is that the complement is below ``k``,
       the same as any withheld cell). Where ``persons − persons_a`` or ``persons − persons_b``
       is below ``k`` for some published rule, ``persons``, ``support`` and ``lift`` are
       withheld in every row (``persons`` is one figure repeated on all rows).

    Parameters
    ----------
    rules
        From :func:`association_rules`.
    k
        Threshold (default 15).

    Returns
    -------
    DataFrame
        The columns of :func:`association_rules` plus ``suppressed``.
    """
    int_like(k, "k", low=1)
    counts = ["persons_ab", "persons_a", "persons_b", "persons"]
    kept = suppress_small_counts(rules.filter(pl.col("persons_ab") >= k), counts, k=k)
    inner = pl.any_horizontal(*[(e < k).fill_null(True) for e in _DERIVED.values()])
    kept = kept.with_columns(
        *[
            pl.when(inner).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("persons_ab", "support", "confidence", "lift")
        ],
        (pl.col("suppressed") | inner).alias("suppressed"),
    )
    margin = kept.select(
        pl.any_horizontal(*[(e < k).fill_null(False) for e in _MARGINS.values()]).any()
    ).item()
    if margin:
        kept = kept.with_columns(
            *[pl.lit(None).cast(kept.schema[c]).alias(c) for c in ("persons", "support", "lift")],
            pl.lit(True).alias("suppressed"),
        )
    return kept


def _age_band(age: pl.Expr) -> pl.Expr:
    bands = list(AGE_BANDS)
    expr: Any = pl.when(age >= bands[-1]).then(pl.lit(f"{bands[-1]}+"))
    for lo, hi in itertools.pairwise(reversed(bands)):
        expr = expr.when(age >= hi).then(pl.lit(f"{hi}-{lo - 1}"))
    return expr


def suggest_offers(
    rules: pl.DataFrame,
    applications: pl.DataFrame,
    register: pl.DataFrame,
    *,
    regions: pl.DataFrame,
    as_of: dt.date,
    recent_days: int = 90,
    min_lift: float = 1.5,
    min_confidence: float = 0.3,
    k: int = DEFAULT_MIN_COUNT,
    by: tuple[str, ...] = ("district_code", "age_band", "household_registered"),
) -> pl.DataFrame:
    """Proactive offers per resident group from strong rules.

    For each rule with ``lift >= min_lift`` and ``confidence >= min_confidence``: residents
    whose latest A application lies in the ``recent_days`` up to ``as_of`` and who have not
    applied for B since, counted per district, age band (:data:`AGE_BANDS`) and household
    status.

    Parameters
    ----------
    rules
        From :func:`association_rules`.
    applications, register, regions
        ``applications``, ``population_register`` and ``regions`` tables.
    as_of
        Last day considered.
    recent_days
        How recent the A application must be.
    min_lift, min_confidence
        Which rules become offers.
    k
        Groups with fewer residents are withheld by the shared small-count rule (default 15).
    by
        Group columns, among ``district_code``, ``community_code``, ``age_band`` and
        ``household_registered`` (coarser groups withhold fewer counts).

    Returns
    -------
    DataFrame
        ``antecedent``, ``consequent``, ``confidence``, ``lift``, ``district_code``,
        ``district_name``, ``age_band``, ``household_registered``, ``residents`` (null when
        withheld), the suppression flag and ``suggestion_zh``. Disclosure rule: groups only,
        no person keys, no value below ``k``.
    """
    strong = rules.filter((pl.col("lift") >= min_lift) & (pl.col("confidence") >= min_confidence))
    start = as_of - dt.timedelta(days=recent_days)
    apps = applications.select(
        "person_key", "service_type", pl.col("submitted_at").dt.date().alias("day")
    ).filter(pl.col("day") <= as_of)
    last_a = (
        apps.filter(pl.col("day") > start)
        .group_by("person_key", "service_type")
        .agg(pl.col("day").max().alias("day_a"))
        .rename({"service_type": "antecedent"})
    )
    targets = strong.select("antecedent", "consequent", "confidence", "lift").join(
        last_a, on="antecedent"
    )
    b_apps = apps.rename({"service_type": "consequent", "day": "day_b"})
    done = targets.join(b_apps, on=["person_key", "consequent"]).filter(
        pl.col("day_b") >= pl.col("day_a")
    )
    targets = targets.join(
        done.select("person_key", "antecedent", "consequent").unique(),
        on=["person_key", "antecedent", "consequent"],
        how="anti",
    )
    districts = regions.filter(pl.col("level") == "district").select(
        "district_code", pl.col("region_name").alias("district_name")
    )
    comm = regions.filter(pl.col("level") == "community").select(
        pl.col("region_code").alias("community_code"), "district_code"
    )
    people = (
        register.select(
            "person_key",
            "community_code",
            "household_registered",
            _age_band(pl.lit(as_of.year) - pl.col("birth_date").dt.year().cast(pl.Int64)).alias(
                "age_band"
            ),
        )
        .join(comm, on="community_code", how="left")
        .join(districts, on="district_code", how="left")
    )
    allowed = ("district_code", "community_code", "age_band", "household_registered")
    bad = [c for c in by if c not in allowed]
    if bad or not by:
        msg = f"parameter 'by' must be a non-empty selection of {allowed}, got {by!r}"
        raise ParameterError(msg)
    keys = ["antecedent", "consequent", "confidence", "lift", *by]
    if "district_code" in by:
        keys.insert(keys.index("district_code") + 1, "district_name")
    counted = (
        targets.join(people, on="person_key")
        .group_by(keys)
        .agg(pl.len().cast(pl.Int64).alias("residents"))
    )
    # every rule × every group of the register, zero included: a group missing from the
    # table would tell "nobody" apart from a withheld 1 to k - 1
    grid = (
        strong.select("antecedent", "consequent", "confidence", "lift")
        .unique()
        .join(people.select(keys[4:]).unique(), how="cross")
    )
    groups = (
        grid.join(counted, on=keys, how="left", nulls_equal=True)
        .with_columns(pl.col("residents").fill_null(0))
        .sort(keys[:2] + keys[4:], nulls_last=True)
        .sort("lift", descending=True, maintain_order=True)
    )
    groups = suppress_small_counts(groups, ["residents"], k=k)
    a_zh = pl.col("antecedent").replace_strict(SERVICE_TYPES, default=pl.col("antecedent"))
    b_zh = pl.col("consequent").replace_strict(SERVICE_TYPES, default=pl.col("consequent"))
    status = (
        pl.when(pl.col("household_registered")).then(pl.lit("户籍")).otherwise(pl.lit("非户籍"))
    )
    where = pl.concat_str(
        [
            pl.col("district_name") if "district_code" in by else pl.lit("全市"),
            pl.col("community_code") if "community_code" in by else pl.lit(""),
            pl.col("age_band") + pl.lit("岁") if "age_band" in by else pl.lit(""),
            status if "household_registered" in by else pl.lit(""),
        ]
    )
    text = pl.format(
        "向{}居民中近{}天办理「{}」、尚未办理「{}」者主动推送「{}」（置信度{}%，提升度{}）",
        where,
        pl.lit(recent_days),
        a_zh,
        b_zh,
        b_zh,
        (pl.col("confidence") * 100).round(0).cast(pl.Int64),
        pl.col("lift").round(1),
    )
    return groups.with_columns(text.alias("suggestion_zh"))


def recommendable_rules(rules: pl.DataFrame, *, min_lift: float = 1.0) -> pl.DataFrame:
    """Rules that may be offered as recommendations: a positive association only.

    A lift at or below 1 says that people who did A are *no more* likely (below 1: less
    likely) to do B than anyone else — not a reason to offer B. Rules whose lift is withheld
    (null, see :func:`publishable_rules`) are not offered either.

    Parameters
    ----------
    rules
        From :func:`association_rules` or :func:`publishable_rules`.
    min_lift
        Rules need ``lift`` strictly above this (default 1).

    Returns
    -------
    DataFrame
        The same columns, only rules with ``lift > min_lift``, by lift (highest first).
    """
    return rules.filter(pl.col("lift").is_not_null() & (pl.col("lift") > min_lift)).sort(
        "lift", descending=True, maintain_order=True
    )
