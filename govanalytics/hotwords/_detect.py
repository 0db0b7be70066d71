"""Counting words per window and scope, bursts scored over their whole run, the hot list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from govanalytics.hotwords._burst import (
    DEFAULT_GAMMA,
    DEFAULT_S,
    baseline_scores,
    burst_runs,
    kleinberg_states,
    likelihood_ratio,
    run_likelihood_ratio,
)
from govanalytics.hotwords._issues import burst_areas, burst_tokens, group_issues
from govanalytics.hotwords._prepare import PreparedComments
from govanalytics.hotwords._windows import (
    ALL,
    WINDOW_ZH,
    WindowChoice,
    check_window,
    choose_window,
    count_floor,
    first_day,
    volume_span,
    window_end,
    window_index,
    window_start,
)
from govanalytics.validation import int_like

#: Trailing baseline, in windows: four weeks of days, eight weeks, six months.
DEFAULT_BASELINE = {"day": 28, "week": 8, "month": 6}
#: A burst is a spell of use: the word unused for more than this many windows ends it (a week
#: of days, two weeks, one month). See :func:`burst_runs`.
DEFAULT_MAX_GAP = {"day": 7, "week": 2, "month": 1}
#: Words bursting together belong to one issue when the Jaccard index of the comments (in the
#: overlap of their bursts) that contain them is at least this.
DEFAULT_MIN_JACCARD = 0.2
#: A burst is reported only if the log-likelihood ratio of its rate over the whole run against
#: the word's baseline before the run reaches this: 2·LLR = 20 is p ≈ 1e-5 under χ²(1), a
#: guard for testing thousands of words × windows (Kleinberg's model alone flags random
#: spikes of frequent words now and then).
DEFAULT_MIN_LLR = 10.0
#: An area is where a burst concentrates when its location quotient is at least this.
DEFAULT_MIN_LQ = 1.5

#: Columns of the candidate bursts (one row per run of the burst state, before filtering).
_RUN_SCHEMA: dict[str, type[pl.DataType]] = {
    "scope": pl.String,
    "word": pl.String,
    "t_start": pl.Int32,
    "t_end": pl.Int32,
    "weight": pl.Float64,
    "peak_count": pl.Int64,
    "total_count": pl.Int64,
    "expected": pl.Float64,
    "score": pl.Float64,
    "floor": pl.Int64,
}
#: Columns of :attr:`HotWords.hot_words` and :attr:`HotWords.bursts`, in order.
_HOT_COLUMNS = (
    "scope",
    "window",
    "word",
    "count",
    "expected",
    "z",
    "score",
    "rank",
    "rank_change",
    "bursting",
)
_BURST_COLUMNS = (
    "scope",
    "word",
    "start",
    "end",
    "weight",
    "score",
    "peak_count",
    "total_count",
    "n_writers",
    "areas",
)
#: The filters a candidate burst goes through, in order, with their Chinese description.
FUNNEL_STEPS = {
    "candidates": "候选（Kleinberg 突发状态的使用期）",
    "rise": "相对自身基线的升高不显著（整段似然比）",
    "writers": "留言人数不足检测下限",
    "kept": "保留为突发",
}


@dataclass
class HotWords:
    """Results of :func:`detect_hot_words` (all frames have English snake_case columns).

    Attributes
    ----------
    hot_words
        ``scope``, ``window``, ``word``, ``count``, ``expected``, ``z``, ``score`` (log-
        likelihood ratio vs the trailing baseline), ``rank``,
        ``rank_change`` (``new``/``up``/``down``/``same``), ``bursting``.
    bursts
        ``scope``, ``word``, ``start``, ``end``, ``weight``, ``score`` (log-likelihood ratio
        of the whole run), ``peak_count``, ``total_count`` (writer-windows), ``n_writers``
        (distinct writers over the run), ``areas`` (region codes where it concentrates).
    issues
        ``scope``, ``issue``, ``label``, ``words`` (most evidently bursting first),
        ``start``, ``end`` (the burst of its first word), ``weight``, ``n_comments``,
        ``areas``, ``comment_ids``.
    totals
        ``scope``, ``window``, ``n_units`` (documents per window: distinct users or comments).
    counts
        ``scope``, ``window``, ``word``, ``count`` for every word above the floor somewhere.
    funnel
        ``scope``, ``step`` (see :data:`FUNNEL_STEPS`), ``n``: candidate bursts, how many each
        filter dropped, how many were kept.
    floors
        ``scope``, ``writers_per_window`` (typical, over the last year), ``floor`` (the count
        floor used in that scope).
    window
        The window chosen (:class:`WindowChoice`: which and why).
    parameters
        The parameters used.
    """

    hot_words: pl.DataFrame
    bursts: pl.DataFrame
    issues: pl.DataFrame
    totals: pl.DataFrame
    counts: pl.DataFrame
    funnel: pl.DataFrame
    floors: pl.DataFrame
    window: WindowChoice
    parameters: dict = field(default_factory=dict)

    def funnel_note(self, scope: str = ALL) -> str:
        """One Chinese sentence: how many candidates were found and what each filter dropped."""
        n = dict(self.funnel.filter(pl.col("scope") == scope).select("step", "n").iter_rows())
        floor = self.floors.filter(pl.col("scope") == scope)["floor"]
        shown = f"{floor[0]}" if floor.len() else "—"
        unit = WINDOW_ZH[self.window.window]
        return (
            f"按{unit}计数，候选突发 {n.get('candidates', 0)} 个（Kleinberg 突发状态的使用期）："
            "相对该词平时的使用率升高不显著"
            f"（整段似然比小于 {self.parameters['min_llr']:g}）剔除 {n.get('rise', 0)} 个，"
            f"留言人数不足下限（整段至少 {shown} 位不同留言人）剔除 {n.get('writers', 0)} 个，"
            f"保留 {n.get('kept', 0)} 个。"
        )


def count_words(
    prepared: PreparedComments,
    *,
    window: str = "day",
    by: Sequence[str] = ("district_code", "channel"),
) -> pl.DataFrame:
    """Distinct comments and distinct users per window × ``by`` × word.

    Repetitions do not inflate counts: a comment counts once however often it repeats a word,
    and ``n_users`` counts each writer once per window (comments without a user id count as
    their own writer).

    Parameters
    ----------
    prepared
        From :func:`prepare_comments`.
    window
        ``"day"``, ``"week"`` (ISO weeks, Monday first) or ``"month"``.
    by
        Columns of the comments to break down by (``district_code``, ``community_code``,
        ``channel``). Default district and channel.

    Returns
    -------
    pl.DataFrame
        ``window_start``, the ``by`` columns, ``word``, ``n_comments``, ``n_users``.
    """
    check_window(window)
    first = first_day(prepared.comments, window)
    meta = _meta(prepared.comments, window, first)
    return (
        prepared.tokens.join(meta, on="row")
        .group_by("t", *by, "word")
        .agg(pl.len().alias("n_comments"), pl.col("unit").n_unique().alias("n_users"))
        .with_columns(window_start(first, window).alias("window_start"))
        .select("window_start", *by, "word", "n_comments", "n_users")
        .sort(
            "window_start",
            *by,
            "n_comments",
            "word",
            descending=[False] * (1 + len(by)) + [True, False],
        )
    )


def _meta(comments: pl.DataFrame, window: str, first: dt.date) -> pl.DataFrame:
    unit = pl.coalesce(pl.col("user_id"), pl.lit("#") + pl.col("row").cast(pl.String))
    return comments.select(
        "row",
        window_index(pl.col("created_at").dt.date(), first, window).alias("t"),
        "district_code",
        "community_code",
        "channel",
        unit.cast(pl.Categorical).to_physical().cast(pl.UInt32).alias("unit"),
    )


@dataclass
class _Options:
    window: str
    s: float
    gamma: float
    baseline: int
    max_gap: int
    min_count: int | None
    min_llr: float


@dataclass
class _ScopeCounts:
    """Writers per window (``d``) and per word and window (``rc``: ``wid``, ``t``, ``r``)."""

    scope: str
    d: np.ndarray
    rc: pl.DataFrame
    typical: float


def detect_hot_words(
    prepared: PreparedComments,
    *,
    window: str = "auto",
    s: float = DEFAULT_S,
    gamma: float = DEFAULT_GAMMA,
    min_count: int | None = None,
    baseline: int | None = None,
    top_n: int = 20,
    distinct_users: bool = True,
    min_llr: float = DEFAULT_MIN_LLR,
    min_jaccard: float = DEFAULT_MIN_JACCARD,
    min_lq: float = DEFAULT_MIN_LQ,
    max_gap: int | None = None,
) -> HotWords:
    """Hot words, bursts and issues per window for the whole city and each district.

    For every scope (``"all"`` and each district) and word, ``r_t`` is the number of distinct
    writers (``distinct_users``; else distinct comments) whose comments in window ``t`` contain
    the word, ``d_t`` the number of writers in the window.

    * **Window**: with ``"auto"`` (default) chosen from the board's volume
      (:func:`choose_window`): by day on a city hotline, by week on a board of about ten
      writers a day, by month on one of a few a week.
    * **Count floor** (``min_count``; default from each scope's volume, :func:`count_floor`):
      five writers, lowered to one writer in twenty of a typical window, never below three.
    * **Bursts**: Kleinberg's two-state batched model decoded exactly by Viterbi
      (:func:`kleinberg_states`, ``s`` = 2, ``γ`` = 1 by default); a run of the burst state is
      cut to the spells in which the word is used (``max_gap``). A spell is a candidate; it is
      kept when at least ``min_count`` distinct writers used the word over the spell and the
      log-likelihood ratio of the spell's rate against the word's rate in the ``baseline``
      windows before it reaches ``min_llr`` (:func:`run_likelihood_ratio`: scored over the
      whole run, not its best window). :attr:`HotWords.funnel` says how many candidates each
      filter dropped. A burst's weight is Kleinberg's: the cost saved by the burst state over
      the spell. A word used at a constant rate, however frequent, does not burst.
    * **Hot list**: per window, words with ``r_t ≥ min_count`` above their baseline, ranked
      by ``score``, the binomial log-likelihood ratio of the window's rate against the word's
      trailing ``baseline`` rate (:func:`likelihood_ratio`; the z-score of
      :func:`baseline_scores` is given beside it); ``rank_change`` compares with the previous
      window's list.
    * **Areas**: where a burst concentrates — the districts (for the city) or communities (for
      a district) whose location quotient over the burst, ``(r_a/r)/(d_a/d)`` with counts
      summed over the burst's windows, is at least ``min_lq`` with ``r_a`` at least two.
    * **Issues**: bursting words of one scope whose burst comments overlap (Jaccard index ≥
      ``min_jaccard``) are grouped, as in TwitterMonitor (Mathioudakis & Koudas 2010), so the
      list reads as one issue ("停水 · 锦绣华庭").

    Parameters
    ----------
    prepared
        From :func:`prepare_comments`.
    window
        ``"auto"`` (default), ``"day"``, ``"week"`` or ``"month"``.
    s, gamma
        Kleinberg parameters (defaults 2 and 1).
    min_count
        Count floor; default None: from each scope's volume (:func:`count_floor`).
    baseline
        Trailing windows of the baseline (default 28 days, 8 weeks or 6 months).
    top_n
        Length of each window's hot list (default 20).
    distinct_users
        Count writers rather than comments (default True).
    min_llr
        Log-likelihood ratio a burst must reach over its run (default 10).
    min_jaccard, min_lq
        Issue grouping and concentration thresholds.
    max_gap
        Unused windows that end a burst (default 7 days, 2 weeks or 1 month).

    Returns
    -------
    HotWords

    References
    ----------
    Kleinberg (2002), bursty and hierarchical structure in streams; Mathioudakis & Koudas
    (2010), TwitterMonitor: trend detection over the Twitter stream.
    """
    choice = choose_window(prepared.comments, window)
    win = choice.window
    opts = _options(win, s, gamma, baseline, max_gap, min_count, min_llr)
    comments = prepared.comments
    first = first_day(comments, win)
    meta = _meta(comments, win, first)
    if not distinct_users:
        meta = meta.with_columns(pl.col("row").alias("unit"))
    span = volume_span(comments["created_at"].dt.date())
    typical_windows = (
        _index_of(span[0], first, win),
        _index_of(span[1], first, win),
    )
    word_of, scopes = _scope_counts(prepared, meta, typical_windows)
    hot_parts, run_parts, count_parts, floors = [], [], [], []
    for sc in scopes:
        floor = opts.min_count if opts.min_count is not None else count_floor(sc.typical)
        floors.append((sc.scope, sc.typical, floor))
        hot, runs, counts = _score_scope(sc, word_of, floor, opts)
        hot_parts.append(hot)
        run_parts.append(runs)
        count_parts.append(counts)
    candidates = pl.concat(run_parts)
    bursts, funnel = _filter_runs(
        candidates, [sc.scope for sc in scopes], opts.min_llr, prepared, meta
    )
    hot = _rank(_flag_bursting(pl.concat(hot_parts), bursts), top_n)
    bursts = burst_areas(bursts, prepared, meta, min_lq)
    issues = group_issues(bursts, prepared, meta, min_jaccard)
    n_win = int(meta["t"].max() or 0) + 1  # type: ignore[arg-type]
    totals = pl.concat(
        pl.DataFrame({"scope": sc.scope, "t": np.arange(n_win, dtype=np.int32), "n_units": sc.d})
        for sc in scopes
    ).with_columns(window_start(first, win).alias("window"))
    return HotWords(
        hot_words=hot.with_columns(window_start(first, win).alias("window")).select(_HOT_COLUMNS),
        bursts=_dated(bursts, first, win)
        .select(_BURST_COLUMNS)
        # ties of weight broken by word and start: the published order never depends on threads
        .sort("scope", "weight", "word", "start", descending=[False, True, False, False]),
        issues=_dated(issues, first, win),
        totals=totals.select("scope", "window", "n_units"),
        counts=pl.concat(count_parts)
        .with_columns(window_start(first, win).alias("window"))
        .select("scope", "window", "word", pl.col("r").cast(pl.Int64).alias("count")),
        funnel=funnel,
        floors=pl.DataFrame(
            floors,
            schema={"scope": pl.String, "writers_per_window": pl.Float64, "floor": pl.Int64},
            orient="row",
        ),
        window=choice,
        parameters={
            "window": win,
            "s": s,
            "gamma": gamma,
            "min_count": min_count,
            "baseline": opts.baseline,
            "top_n": top_n,
            "distinct_users": distinct_users,
            "min_llr": min_llr,
            "min_jaccard": min_jaccard,
            "min_lq": min_lq,
            "max_gap": opts.max_gap,
        },
    )


def _options(
    window: str,
    s: float,
    gamma: float,
    baseline: int | None,
    max_gap: int | None,
    min_count: int | None,
    min_llr: float,
) -> _Options:
    int_like(min_count, "min_count", optional=True, low=1)
    int_like(max_gap, "max_gap", optional=True, low=0)
    int_like(baseline, "baseline", optional=True, low=1)
    return _Options(
        window=window,
        s=s,
        gamma=gamma,
        baseline=baseline if baseline is not None else DEFAULT_BASELINE[window],
        max_gap=max_gap if max_gap is not None else DEFAULT_MAX_GAP[window],
        min_count=min_count,
        min_llr=min_llr,
    )


def _index_of(day: dt.date, first: dt.date, window: str) -> int:
    return int(pl.select(window_index(pl.lit(day), first, window)).item())


def _scope_counts(
    prepared: PreparedComments, meta: pl.DataFrame, typical_windows: tuple[int, int]
) -> tuple[pl.DataFrame, list[_ScopeCounts]]:
    """Writers per window and per (word, window): the whole city, then every district at once.

    Returns the word of each integer id and one :class:`_ScopeCounts` per scope.
    """
    n_win = int(meta["t"].max() or 0) + 1  # type: ignore[arg-type]
    # rows are positions (prepare_comments numbers them 0..n-1): numpy gathers, integer keys
    wid = prepared.tokens["word"].cast(pl.Categorical).to_physical().alias("wid")
    word_of = pl.DataFrame({"wid": wid, "word": prepared.tokens["word"]}).unique("wid")
    districts = sorted(meta["district_code"].drop_nulls().unique().to_list())
    d_all = meta.group_by("t").agg(pl.col("unit").n_unique().alias("d"))
    d_dist = (
        meta.filter(pl.col("district_code").is_not_null())
        .group_by("district_code", "t")
        .agg(pl.col("unit").n_unique().alias("d"))
        .partition_by("district_code", as_dict=True, include_key=False)
    )
    rows = prepared.tokens["row"].to_numpy()
    t_tok = meta["t"].to_numpy()[rows]
    unit_tok = meta["unit"].to_numpy()[rows]
    # comments without a district form one more group, dropped after counting
    dist_of_row = (
        meta["district_code"]
        .replace_strict(
            districts, list(range(len(districts))), default=len(districts), return_dtype=pl.Int64
        )
        .to_numpy()
    )
    wid_np = wid.to_numpy()
    r_all = _distinct_units(wid_np, t_tok, unit_tok)
    r_dist = {
        districts[g]: part
        for (g,), part in _distinct_units(wid_np, t_tok, unit_tok, dist_of_row[rows])
        .partition_by("g", as_dict=True, include_key=False)
        .items()
        if g < len(districts)
    }
    lo, hi = typical_windows
    out = []
    for scope in [ALL, *districts]:
        d_frame = d_all if scope == ALL else d_dist[(scope,)]
        d = np.zeros(n_win)
        d[d_frame["t"].to_numpy()] = d_frame["d"].to_numpy()
        rc = r_all if scope == ALL else r_dist.get(scope, r_all.clear())
        typical = float(d[max(lo, 0) : hi + 1].mean()) if hi >= lo else float(d.mean())
        out.append(_ScopeCounts(scope, d, rc, typical))
    return word_of, out


def _score_scope(
    sc: _ScopeCounts, word_of: pl.DataFrame, floor: int, opts: _Options
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Hot-list rows, candidate bursts and counts of one scope.

    Words enter when some window holds at least three writers of them (or ``floor`` when
    lower): bursts are judged on their whole run, so a word that never reaches the floor in
    one window can still burst.
    """
    n_win = sc.d.size
    entry = min(floor, 3)
    vocab = (
        sc.rc.group_by("wid")
        .agg(pl.col("r").max().alias("mx"), pl.col("r").sum().alias("sum"))
        .filter((pl.col("mx") >= entry) | (pl.col("sum") >= floor))
        .join(word_of, on="wid")
        .sort("word")
        .with_row_index("i")
    )
    words = vocab["word"].to_list()
    if not words:
        return _empty_hot(), pl.DataFrame(schema=_RUN_SCHEMA), _empty_counts()
    rc = sc.rc.join(vocab.select("wid", "i", "word"), on="wid")
    r = np.zeros((len(words), n_win))
    r[rc["i"].to_numpy(), rc["t"].to_numpy()] = rc["r"].to_numpy()
    states, gain = kleinberg_states(r, sc.d, s=opts.s, gamma=opts.gamma)
    z, expected = baseline_scores(r, sc.d, baseline=opts.baseline)
    llr = likelihood_ratio(r, sc.d, expected)
    spells = burst_runs(states, gain, r, max_gap=opts.max_gap)
    idx = np.array([(w, a, b) for w, a, b, _ in spells], dtype=np.int64).reshape(-1, 3)
    run_llr, run_expected = run_likelihood_ratio(r, sc.d, idx, baseline=opts.baseline)
    runs = pl.DataFrame(
        {
            "scope": sc.scope,
            "word": [words[w] for w, _, _, _ in spells],
            "t_start": [a for _, a, _, _ in spells],
            "t_end": [b for _, _, b, _ in spells],
            "weight": [weight for _, _, _, weight in spells],
            "peak_count": [int(r[w, a : b + 1].max()) for w, a, b, _ in spells],
            "total_count": [int(r[w, a : b + 1].sum()) for w, a, b, _ in spells],
            "expected": run_expected,
            "score": run_llr,
            "floor": floor,
        },
        schema=_RUN_SCHEMA,
    )
    ok = (r >= floor) & np.isfinite(z) & (llr > 0)
    wv, tv = np.nonzero(ok)
    hot = pl.DataFrame(
        {
            "scope": sc.scope,
            "t": tv.astype(np.int32),
            "word": [words[i] for i in wv],
            "count": r[wv, tv].astype(np.int64),
            "expected": expected[wv, tv],
            "z": z[wv, tv],
            "score": llr[wv, tv],
        },
        schema=_HOT_SCHEMA,
    )
    counts = rc.filter(pl.col("r") >= entry).select(
        pl.lit(sc.scope).alias("scope"), "t", "word", "r"
    )
    return hot, runs, counts


_HOT_SCHEMA: dict[str, type[pl.DataType]] = {
    "scope": pl.String,
    "t": pl.Int32,
    "word": pl.String,
    "count": pl.Int64,
    "expected": pl.Float64,
    "z": pl.Float64,
    "score": pl.Float64,
}


def _empty_hot() -> pl.DataFrame:
    return pl.DataFrame(schema=_HOT_SCHEMA)


def _empty_counts() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"scope": pl.String, "t": pl.Int32, "word": pl.String, "r": pl.UInt32}
    )


def _with_writers(
    candidates: pl.DataFrame, prepared: PreparedComments, meta: pl.DataFrame
) -> pl.DataFrame:
    """``candidates`` with ``n_writers``: distinct writers of the word over each run."""
    if candidates.height == 0:
        return candidates.with_columns(pl.lit(0, pl.Int64).alias("n_writers"))
    x = burst_tokens(candidates, prepared, meta)
    writers = x.group_by("burst").agg(pl.col("unit").n_unique().cast(pl.Int64).alias("n_writers"))
    return (
        candidates.with_row_index("burst")
        .join(writers, on="burst", how="left")
        .with_columns(pl.col("n_writers").fill_null(0))
        .drop("burst")
    )


def _filter_runs(
    candidates: pl.DataFrame,
    scopes: list[str],
    min_llr: float,
    prepared: PreparedComments,
    meta: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Kept bursts, and the funnel: per scope, candidates and what each filter dropped.

    The rise is tested first (it needs only the counts); distinct writers over the run are
    counted for the candidates that rose (a join of their tokens, the costly step).
    """
    rise = pl.col("score") >= min_llr
    rose = _with_writers(candidates.filter(rise), prepared, meta)
    enough = pl.col("n_writers") >= pl.col("floor")
    steps = (
        candidates.group_by("scope")
        .agg(pl.len().alias("candidates"), (~rise).sum().alias("rise"))
        .join(
            rose.group_by("scope").agg(
                (~enough).sum().alias("writers"), enough.sum().alias("kept")
            ),
            on="scope",
            how="left",
        )
    )
    funnel = (
        pl.DataFrame({"scope": scopes})
        .join(steps, on="scope", how="left")
        .fill_null(0)
        .unpivot(index="scope", on=list(FUNNEL_STEPS), variable_name="step", value_name="n")
        .with_columns(pl.col("n").cast(pl.Int64))
        .sort(pl.col("scope") != ALL, "scope", maintain_order=True)
    )
    return rose.filter(enough).drop("expected", "floor"), funnel


def _flag_bursting(hot: pl.DataFrame, bursts: pl.DataFrame) -> pl.DataFrame:
    """``hot`` with ``bursting``: the word is in a kept burst of its scope in that window."""
    inside = (
        hot.select("scope", "t", "word")
        .join(bursts.select("scope", "word", "t_start", "t_end"), on=["scope", "word"])
        .filter(pl.col("t").is_between(pl.col("t_start"), pl.col("t_end")))
        .select("scope", "t", "word", pl.lit(True).alias("bursting"))
        .unique()
    )
    return hot.join(inside, on=["scope", "t", "word"], how="left").with_columns(
        pl.col("bursting").fill_null(False)
    )


def _dated(frame: pl.DataFrame, first: dt.date, window: str) -> pl.DataFrame:
    """``t_start``/``t_end`` window numbers as ``start``/``end`` days (end inclusive)."""
    return frame.with_columns(
        window_start(first, window, pl.col("t_start")).alias("start"),
        window_end(first, window, pl.col("t_end")).alias("end"),
    ).drop("t_start", "t_end")


def _rank(hot: pl.DataFrame, top_n: int) -> pl.DataFrame:
    ranked = (
        hot.sort("scope", "t", "score", "word", descending=[False, False, True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("scope", "t").alias("rank"))
        .filter(pl.col("rank") <= top_n)
    )
    prev = ranked.select(
        "scope", (pl.col("t") + 1).alias("t"), "word", pl.col("rank").alias("prev_rank")
    )
    return (
        ranked.join(prev, on=["scope", "t", "word"], how="left")
        .with_columns(
            pl.when(pl.col("prev_rank").is_null())
            .then(pl.lit("new"))
            .when(pl.col("rank") < pl.col("prev_rank"))
            .then(pl.lit("up"))
            .when(pl.col("rank") > pl.col("prev_rank"))
            .then(pl.lit("down"))
            .otherwise(pl.lit("same"))
            .alias("rank_change"),
            pl.col("rank").cast(pl.Int32),
        )
        .drop("prev_rank")
        .sort("scope", "t", "rank")
    )


def _distinct_units(
    wid: np.ndarray, t: np.ndarray, unit: np.ndarray, group: np.ndarray | None = None
) -> pl.DataFrame:
    """Distinct units (writers or comments) per (group,) word and window.

    The same result as ``group_by(group, wid, t).agg(unit.n_unique())``, computed by packing
    (group, word, window, unit) into one 64-bit integer, sorting, and counting the distinct
    keys of each (group, word, window) run: several times faster than a grouped ``n_unique``
    on millions of tokens. Falls back to the group-by when the key does not fit.

    Returns
    -------
    pl.DataFrame
        ``g`` (Int64, when ``group`` is given), ``wid`` (UInt32), ``t`` (Int32), ``r`` (UInt32).
    """
    cols = {"wid": wid.astype(np.uint64), "t": t.astype(np.uint64), "unit": unit.astype(np.uint64)}
    if group is not None:
        cols = {"g": group.astype(np.uint64), **cols}
    bits = {k: max(int(v.max()).bit_length(), 1) if v.size else 1 for k, v in cols.items()}
    keys = [k for k in cols if k != "unit"]
    out_schema = {"g": pl.Int64, "wid": pl.UInt32, "t": pl.Int32, "r": pl.UInt32}
    if sum(bits.values()) > 64:
        frame = pl.DataFrame(cols)
        counted = frame.group_by(keys).agg(pl.col("unit").n_unique().alias("r"))
    else:
        packed = np.zeros(len(wid), dtype=np.uint64)
        for k, v in cols.items():
            packed = (packed << np.uint64(bits[k])) | v
        # sorted, the distinct keys are where the value changes, and the count of a cell is
        # the length of its run of distinct keys
        ordered = pl.Series(packed).sort().to_numpy()
        first = np.ones(len(ordered), dtype=bool)
        np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
        cells = ordered[first] >> np.uint64(bits["unit"])
        starts = np.ones(len(cells), dtype=bool)
        np.not_equal(cells[1:], cells[:-1], out=starts[1:])
        at = np.flatnonzero(starts)
        r = np.diff(np.append(at, len(cells)))
        cell = cells[at]
        decoded: dict[str, np.ndarray] = {}
        for k in reversed(keys):
            decoded[k] = cell & np.uint64((1 << bits[k]) - 1)
            cell = cell >> np.uint64(bits[k])
        counted = pl.DataFrame({**{k: decoded[k] for k in keys}, "r": r})
    return counted.select(
        [pl.col(k).cast(out_schema[k]) for k in keys] + [pl.col("r").cast(pl.UInt32)]
    )
