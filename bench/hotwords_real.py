"""Benchmark: the hot-words steps on the shared real message board, and on long letters.

Run by hand (never in tests)::

    .venv/bin/python bench/hotwords_real.py [--long 5000] [--processes N]

Reads ``../shared/data/citizen_messages_sample.xlsx`` (495 real messages, 2011–2020, up to
3,736 characters each) relative to the repository, and times each step: load, masking,
new-word discovery, segmentation, detection. ``--long N`` adds N long letters of 500–7,000
characters (issue 13's case: 5,000 of them), made by chaining the board's own messages, and
times masking, discovery and segmentation on them. Peak memory is this process's resident
set size (RSS) and that of its largest worker; the machine's load average is printed with the
figures (the machine may be shared).

Measured on the 2-core development machine (December 2026), before and after discovery
became linear (n-grams as packed integers counted once per length, instead of one lazy slice
per character offset up to the longest text):

=============================  ==================  ==================
step (494 messages)            before              after
=============================  ==================  ==================
``discover_words``             217 s               0.1–0.2 s
``prepare_comments``           128 s, 1.0 GB RSS   2–3 s, ~0.4 GB
whole notebook (papermill)     > 2 min             ~10 s
=============================  ==================  ==================
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import numpy as np
import polars as pl

BOARD = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "citizen_messages_sample.xlsx"
)
COLUMN_MAP = {
    "留言编号": "message_id",
    "留言用户": "user_id",
    "留言时间": "created_at",
    "一级分类": "category",
    "text": ["留言主题", "留言详情"],
}


def _rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
    return own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


class _Clock:
    def __init__(self) -> None:
        self.t = time.perf_counter()
        self.cpu = time.process_time()

    def lap(self, what: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        own, child = _rss_mb()
        print(
            f"  {what:<34} {now - self.t:7.2f} s wall {cpu - self.cpu:7.2f} s CPU   "
            f"peak RSS {own:6.0f} MB (workers {child:.0f} MB)"
        )
        self.t, self.cpu = now, cpu


def _long_letters(texts: list[str], n: int, seed: int = 1) -> list[str]:
    """``n`` letters of 500–7,000 characters chained from the board's own messages."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        target, parts, size = int(rng.integers(500, 7001)), [], 0
        while size < target:
            part = texts[int(rng.integers(len(texts)))]
            parts.append(part)
            size += len(part)
        out.append("".join(parts)[:target])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--long", type=int, default=5000, help="long letters (0: none)")
    parser.add_argument("--processes", type=int, default=None, help="segmentation workers")
    args = parser.parse_args()

    from govanalytics import data, hotwords
    from govanalytics.privacy import mask_personal_data

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{BOARD.name}:")
    clock = _Clock()
    comments, _ = data.load_with_report(
        "comments", path=BOARD, column_map=COLUMN_MAP, on_duplicate="keep_first"
    )
    clock.lap(f"load ({comments.height} messages)")
    masked, _ = mask_personal_data(comments["text"])
    masked, _ = hotwords.mask_introduced_names(masked)
    text = hotwords.normalise_text(masked)
    clock.lap(f"mask, normalise ({int(text.str.len_chars().sum()):,} chars)")
    new = hotwords.discover_words(text, exclude=hotwords.stopwords())
    clock.lap(f"discover_words ({new.height} words)")
    clock = _Clock()
    prepared = hotwords.prepare_comments(comments, processes=args.processes)
    clock.lap(f"prepare_comments ({prepared.segmenter.engine})")
    result = hotwords.detect_hot_words(prepared)
    clock.lap(f"detect_hot_words ({result.window.window}, {result.bursts.height} bursts)")
    print(f"  {result.funnel_note()}")

    if args.long:
        letters = _long_letters(text.to_list(), args.long)
        series = pl.Series("text", letters)
        print(f"{args.long:,} long letters ({int(series.str.len_chars().sum()):,} chars):")
        clock = _Clock()
        masked, _ = mask_personal_data(series)
        masked, _ = hotwords.mask_introduced_names(masked)
        long_text = hotwords.normalise_text(masked)
        clock.lap("mask, normalise")
        new = hotwords.discover_words(long_text, exclude=hotwords.stopwords())
        clock.lap(f"discover_words ({new.height} words)")
        places = hotwords.place_names(long_text, cut=hotwords.dictionary_cut)
        clock.lap(f"place_names ({places.height} names)")
        for engine in ("rjieba", "jieba"):
            seg = hotwords.build_segmenter(new["word"].to_list(), engine=engine)
            tokens = hotwords.segment(
                long_text, seg, stopwords=hotwords.stopwords(), processes=args.processes
            )
            clock.lap(f"segment, {engine} ({tokens.height:,} tokens)")


if __name__ == "__main__":
    main()
