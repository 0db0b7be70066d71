"""Benchmark: one million comments end to end (mask, segment, count, bursts) vs a jieba loop.

Run by hand (never in tests)::

    .venv/bin/python bench/hotwords.py [--n 1000000] [--baseline-sample 100000]

The comments come from the sample-city generator (``large`` city, volume raised to ``--n``).
The baseline is a plain ``jieba.lcut`` loop over the same comments in the same run; when
``--baseline-sample`` is smaller than ``--n`` the loop runs on that many comments (evenly spread)
and its time is extrapolated linearly (said so in the output). Peak memory is the resident set
size (RSS) of this process and of the largest worker process; the load average of the
(shared) machine is printed with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import time
from pathlib import Path

import numpy as np
import polars as pl


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--baseline-sample", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=None, help="segmentation workers")
    parser.add_argument(
        "--cache", default="", help="folder to keep the generated comments in between runs"
    )
    args = parser.parse_args()

    from govanalytics.synth import _comments
    from govanalytics.synth._base import DEFAULT_END, make_base

    t0 = time.perf_counter()
    cache = Path(args.cache) / f"comments_{args.n}" if args.cache else None
    if cache is not None and (cache / "truth.json").exists():
        comments = pl.read_parquet(cache / "comments.parquet")
        regions = pl.read_parquet(cache / "regions.parquet")
        truth = json.loads((cache / "truth.json").read_text(encoding="utf-8"))["burst"]
    else:
        city = make_base("large", 1, DEFAULT_END, np.random.default_rng(1))
        _comments.VOLUME = {**_comments.VOLUME, "large": args.n}
        part = _comments.generate(city, np.random.default_rng(2))
        comments = part.files["dynamic/comments.parquet"]
        regions = city.regions
        truth = part.truth["burst"]
        if cache is not None:
            cache.mkdir(parents=True, exist_ok=True)
            comments.write_parquet(cache / "comments.parquet")
            regions.write_parquet(cache / "regions.parquet")
            (cache / "truth.json").write_text(json.dumps(part.truth), encoding="utf-8")
    n = comments.height
    mb = comments["text"].str.len_bytes().sum() / 1e6
    distinct = comments["text"].n_unique()
    print(
        f"generated {n:,} comments ({mb:.0f} MB UTF-8, {distinct:,} distinct texts) "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    rss_before = _rss_mb(resource.RUSAGE_SELF)
    load_start = os.getloadavg()

    from govanalytics.hotwords import detect_hot_words, prepare_comments
    from govanalytics.hotwords._segment import _PIECE
    from govanalytics.privacy import mask_personal_data

    cpu0 = _cpu_s()
    t = time.perf_counter()
    prepared = prepare_comments(comments, regions=regions, processes=args.processes)
    t_prep = time.perf_counter() - t
    t = time.perf_counter()
    result = detect_hot_words(prepared)  # defaults: window from the volume, word classes on
    t_detect = time.perf_counter() - t
    cpu_ours = _cpu_s() - cpu0
    ours = t_prep + t_detect
    rss_ours = _rss_mb(resource.RUSAGE_SELF)
    rss_workers = _rss_mb(resource.RUSAGE_CHILDREN)
    print(
        f"prepare (mask, normalise, discover, segment on {prepared.segmenter.engine}, "
        f"agreement {prepared.segmenter.agreement}): {t_prep:7.1f} s"
    )
    print(f"count + bursts + hot list + issues: {t_detect:7.1f} s")
    print(f"window {result.window.window}: {result.window.reason}")
    print(result.funnel_note())
    print(
        f"ours end to end:       {ours:7.1f} s  ({n / ours:,.0f} comments/s; CPU time "
        f"{cpu_ours:.1f} s = {cpu_ours / ours:.2f} cores busy on average)"
    )
    print(
        f"tokens {prepared.tokens.height:,}; bursts {result.bursts.height}; "
        f"issues {result.issues.height}; items masked {sum(prepared.masked.values()):,}"
    )
    top = result.bursts.filter(
        (pl.col("word") == truth["word"]) & (pl.col("scope") == truth["district_code"])
    )
    print(
        f"planted burst {truth['word']} {truth['day']} in {truth['district_code']}: "
        f"{top.select('start', 'end', 'weight').to_dicts()}"
    )
    # not timed: how much the piece cache saves on these comments (real text repeats less)
    t = time.perf_counter()
    masked, _counts = mask_personal_data(comments["text"])
    t_mask = time.perf_counter() - t
    pieces = masked.str.extract_all(_PIECE).explode().drop_nulls()
    print(
        f"mask alone, one thread: {t_mask:.1f} s; pieces cut by the engines {pieces.len():,}, "
        f"distinct {pieces.n_unique():,} (each distinct piece is cut once)"
    )
    del masked, pieces

    import jieba

    jieba.initialize()
    texts = comments["text"].to_list()
    k = min(args.baseline_sample, n)
    idx = np.linspace(0, n - 1, k).astype(int)
    sample = [texts[i] for i in idx]
    t = time.perf_counter()
    for text in sample:
        jieba.lcut(text)
    t_jieba = (time.perf_counter() - t) * (n / k)
    how = "measured" if k == n else f"measured on {k:,} comments, extrapolated linearly"
    print(f"plain jieba.lcut loop: {t_jieba:7.1f} s ({how}; segmentation only)")
    print(f"speed-up: {t_jieba / ours:.1f}x end to end vs jieba segmentation alone")
    print(
        f"peak RSS: this process {rss_ours:,.0f} MB (after generating or reading the data: "
        f"{rss_before:,.0f} MB); largest worker {rss_workers:,.0f} MB"
    )
    print(
        "load average (1, 5, 15 min) at start "
        + ", ".join(f"{x:.2f}" for x in load_start)
        + "; at end "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
        + f" ({os.cpu_count()} cores, shared)"
    )
    print(f"date {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()
