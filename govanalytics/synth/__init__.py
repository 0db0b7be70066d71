"""The sample city: a deterministic synthetic Chinese city with planted truths.

``generate_city`` writes the master and dynamic data of a fictional city (江海市) and a
``truth.json`` describing what was planted in it (an outbreak, a bursting word, resident
counts, a surge, …). Only tests and benchmarks read ``truth.json``; package code outside
``govanalytics.synth`` never does (a test enforces this).

``truth.json`` layout::

    {
      "city": {"name", "size", "seed", "end", "districts": {code: name}, "ageing_communities": [...]},
      "health":   {...},   # see govanalytics/synth/_health.py
      "hotwords": {...},   # see govanalytics/synth/_comments.py
      "mobility": {...},   # see govanalytics/synth/_mobile.py
      "services": {...}    # see govanalytics/synth/_services.py
    }
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import polars as pl

from govanalytics.errors import GovAnalyticsError
from govanalytics.synth import _comments, _health, _mobile, _services
from govanalytics.synth._base import DEFAULT_END, SIZES, CityBase
from govanalytics.synth._base import make_base as _make_base
from govanalytics.synth._names import CITY_NAME as _CITY_NAME
from govanalytics.synth._part import SynthPart
from govanalytics.validation import string_like

__all__ = ["DEFAULT_END", "SIZES", "CityBase", "SynthPart", "generate_city"]

#: Capability parts, each with its own random stream so that changing one part never changes
#: the bytes of another.
_PARTS = {"health": _health, "hotwords": _comments, "mobility": _mobile, "services": _services}


def _write(path: Path, table: pl.DataFrame | gpd.GeoDataFrame, encoding: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(table, gpd.GeoDataFrame):
        if path.suffix == ".geojson":
            path.write_text(table.to_json(drop_id=True, to_wgs84=False), encoding="utf-8")
        else:
            table.to_parquet(path, index=False)
    elif path.suffix == ".csv":
        path.write_bytes(table.write_csv().encode(encoding))
    elif path.suffix == ".xlsx":
        table.write_excel(path)
    else:
        table.write_parquet(path, statistics=False)


def generate_city(
    out: str | Path = "data/sample",
    *,
    size: str = "default",
    seed: int = 1,
    end: dt.date = DEFAULT_END,
) -> Path:
    """Generate the sample city into ``out`` and return that folder.

    Parameters
    ----------
    out
        Target folder; replaced atomically (written beside it, then moved into place).
    size
        ``"small"`` (tests), ``"default"`` (demo, hundreds of thousands of residents) or
        ``"large"`` (benchmarks).
    seed
        Random seed; the same seed, size and end give byte-identical files.
    end
        Last day of data (a Sunday is best: reports are by ISO week).

    Returns
    -------
    Path
        The folder written.
    """
    string_like(size, "size", options=sorted(SIZES))
    out = Path(out)
    root = np.random.SeedSequence([seed, list(SIZES).index(size)])
    base_seq, *part_seqs = root.spawn(1 + len(_PARTS))
    city = _make_base(size, seed, end, np.random.default_rng(base_seq))
    files: dict[str, pl.DataFrame | gpd.GeoDataFrame] = {
        "master/regions.parquet": city.regions,
        "master/boundaries.geojson": city.boundaries,
        "master/population_register.parquet": city.register,
    }
    encodings: dict[str, str] = {}
    truth: dict = {
        "city": {
            "name": _CITY_NAME,
            "size": size,
            "seed": seed,
            "end": end.isoformat(),
            "districts": dict(
                city.regions.filter(pl.col("level") == "district")
                .select("region_code", "region_name")
                .iter_rows()
            ),
            "ageing_communities": city.ageing_communities,
        }
    }
    for (name, module), seq in zip(_PARTS.items(), part_seqs, strict=True):
        part: SynthPart = module.generate(city, np.random.default_rng(seq))
        clash = set(part.files) & set(files)
        if clash:
            msg = f"sample-city part {name!r} writes files already written: {sorted(clash)}"
            raise GovAnalyticsError(msg)
        files.update(part.files)
        encodings.update(part.encodings)
        truth[name] = part.truth
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for rel, table in sorted(files.items()):
            _write(tmp / rel, table, encodings.get(rel, "utf-8"))
        (tmp / "truth.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
