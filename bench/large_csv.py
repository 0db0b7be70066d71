"""Benchmark: refusing a large junk CSV without reading it into memory.

Run by hand (never in tests)::

    .venv/bin/python bench/large_csv.py --mb 1024

Writes two CSV files of about ``--mb`` megabytes into a temporary folder:

* ``junk``: a header, then random text with random separators (the issue's 957 MB junk file,
  refused only after 16 min at 9.7 GB peak memory before the streaming check);
* ``late``: well-formed device-count rows with ragged rows only in the last megabyte (the
  worst case: the streaming check must read the whole file before refusing it).

and times, each in its own process,

* baseline: reading the file in 1 MB chunks and counting line breaks (``wc -l``),
* ``read_csv``: the data layer's reader, which refuses the file (:class:`DataError`),

reporting seconds, peak resident memory (both processes import the package first; its
growth during the measured work is shown too) and the ratios to the baseline.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = """
import json, resource, sys, time
from pathlib import Path
path, what = Path(sys.argv[1]), sys.argv[2]
from govanalytics.data._read import read_csv  # imported by both: the import is not measured
from govanalytics.errors import DataError
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
if what == "baseline":
    n = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\\n")
    outcome = f"{n} lines"
else:
    try:
        read_csv(path)
        outcome = "accepted"
    except DataError as exc:
        outcome = "refused: " + str(exc).split("\\n")[0][-60:]
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "growth_mb": peak - before,
                  "outcome": outcome}))
"""


def write_junk(path: Path, mb: int) -> None:
    rng = random.Random(1)
    lines = [
        "".join(rng.choice("ab,;，数据 \t0123") for _ in range(rng.randint(5, 80))) + "\n"
        for _ in range(20_000)
    ]
    block = "".join(lines).encode("utf-8")
    with path.open("wb") as f:
        f.write(b"cell_id,hour,devices\n")
        for _ in range(max(1, mb * 1024**2 // len(block))):
            f.write(block)


def write_late(path: Path, mb: int) -> None:
    rows = "".join(
        f"C{i % 900:05d},2026-11-{1 + i % 28:02d} {i % 24:02d}:00,{(i * 37) % 1000}\n"
        for i in range(50_000)
    ).encode()
    with path.open("wb") as f:
        f.write(b"cell_id,hour,devices\n")
        for _ in range(max(1, mb * 1024**2 // len(rows))):
            f.write(rows)
        f.write(b"C1,2026-11-01 00:00\n" * 30)  # ragged rows at the very end


def run(path: Path, what: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), what],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=1024, help="size of each file in MB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, writer in (("junk", write_junk), ("late", write_late)):
            path = Path(tmp) / f"{name}.csv"
            writer(path, args.mb)
            size = path.stat().st_size / 1024**2
            base = run(path, "baseline")
            got = run(path, "read_csv")
            print(f"{name}: {size:,.0f} MB")
            for label, r in (("baseline (count lines)", base), ("read_csv", got)):
                print(
                    f"  {label:23} {r['seconds']:7.2f} s  peak {r['peak_mb']:6.0f} MB "
                    f"(+{r['growth_mb']:.0f} MB)  {r['outcome']}"
                )
            print(
                f"  ratio to baseline: time {got['seconds'] / base['seconds']:.2f}, "
                f"peak memory {got['peak_mb'] / base['peak_mb']:.2f}"
            )
            path.unlink()


if __name__ == "__main__":
    main()
