"""The contract between analysis notebooks and the report runner.

Every notebook in ``notebooks/`` has one cell tagged ``parameters`` that defines at least the
common parameters below, with these names and types, plus its own. It writes its tables as
Parquet and one ``summary.json`` into ``output_dir``. The runner composes the weekly index and
the memo from the summaries alone; it never knows how an analysis works.

``summary.json`` layout (all text shown to people is Chinese)::

    {
      "notebook": "health_risk",              # notebook file stem
      "title": "健康风险预测与预警",            # section title
      "week": "2026-W47",                      # report week (ISO)
      "headlines": [                           # key figures, 1-6 of them
        {"key": "alarms", "label": "本周预警", "value": 3, "unit": "个",
         "previous": 1, "year_ago": 0}         # previous / year_ago optional (环比 / 同比)
      ],
      "alerts": [                              # every alert, each with place and date
        {"kind": "health_alarm", "severity": "high", "place_code": "440305000000",
         "place": "南山区", "date": "2026-11-16", "message": "流感样病例 ……"}
      ],
      "findings": ["……"],                      # sentences for the memo, most important first
      "actions": ["……"],                       # recommended actions derived from the alerts
      "tables": ["alarms.parquet", ...],       # tables written into output_dir
      "figures": ["risk_map.png", ...],        # static images for the memo (optional)
      "notes": ["……"]                          # caveats, data limits
    }
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govanalytics.errors import ParameterError

__all__ = [
    "ALERT_KINDS",
    "COMMON_PARAMETERS",
    "DATA_PARAMETERS",
    "NOTEBOOK_DATA",
    "SEVERITIES",
    "DataNeeds",
    "check_week",
    "latest_complete_week",
    "read_summary",
    "resolve_data_dir",
    "resolve_week",
    "week_bounds",
    "write_summary",
]

#: Parameters every notebook defines, with their types. ``data_dir`` empty means the
#: sample city in ``data/sample``.
COMMON_PARAMETERS: dict[str, type] = {"data_dir": str, "week": str, "output_dir": str}

#: Data parameters of a notebook that reads a user's own file, with their types:
#: ``input_path`` (a file of its main dataset; wins over the folder's declaration) and
#: ``column_map`` (``{"your column": "canonical"}``; on the command line as JSON:
#: ``-p hot_words.column_map='{"留言时间": "created_at"}'``). When ``data_dir`` or
#: ``input_path`` is given the sample city is never used.
DATA_PARAMETERS: dict[str, type] = {"input_path": str, "column_map": dict}


@dataclass(frozen=True)
class DataNeeds:
    """The datasets a report notebook reads.

    Parameters
    ----------
    title
        The chapter's Chinese title (shown for a chapter that could not be rendered).
    required
        Datasets the notebook cannot run without.
    optional
        Datasets it uses when present (a note otherwise).
    any_of
        Groups of which at least one dataset must be present.
    main
        The dataset ``input_path`` and ``column_map`` refer to ("" when none).
    layout_only
        The notebook still reads its data from the sample city's folder layout
        (``master/…``, ``dynamic/…``), not from a project file's declarations.
    """

    title: str
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    any_of: tuple[tuple[str, ...], ...] = ()
    main: str = ""
    layout_only: bool = False

    def missing(self, available: set[str]) -> list[str]:
        """Required datasets (or ``a 或 b`` groups) not in ``available``."""
        out = [d for d in self.required if d not in available]
        out += [" 或 ".join(g) for g in self.any_of if not available & set(g)]
        return out


#: What each report notebook reads — the one place the report runner and
#: ``govanalytics check`` learn which chapters the data allow. A notebook not listed here is
#: run whatever the data.
NOTEBOOK_DATA: dict[str, DataNeeds] = {
    "overview": DataNeeds(
        "城市概况",
        required=("population_register", "regions", "boundaries"),
        optional=("applications", "comments"),
    ),
    "health_risk": DataNeeds(
        "健康风险预测与预警",
        required=("clinic_counts",),
        optional=("regions", "population_register", "capacities", "boundaries"),
        main="clinic_counts",
    ),
    "hot_words": DataNeeds(
        "群众诉求热词", required=("comments",), optional=("regions", "boundaries"), main="comments"
    ),
    "population_flow": DataNeeds(
        "人口与流动",
        optional=(
            "grid_cells",
            "regions",
            "boundaries",
            "population_register",
            "market_share",
        ),
        any_of=(("device_counts", "od_counts"),),
    ),
    "service_demand": DataNeeds(
        "政务服务需求",
        required=("applications", "regions", "population_register", "boundaries"),
        optional=("capacities", "portal_activity", "comments"),
        main="applications",
        layout_only=True,
    ),
}

ALERT_KINDS = ("health_alarm", "hot_issue", "service_surge", "population_change", "data_quality")
SEVERITIES = ("high", "medium", "low")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def check_week(week: str) -> str:
    """Return ``week`` if it is a valid ISO week ``YYYY-Www``, else raise ParameterError."""
    m = _WEEK.match(week or "")
    if not m:
        msg = f"parameter 'week' must look like 2026-W47, got {week!r}"
        raise ParameterError(msg)
    year, num = int(m.group(1)), int(m.group(2))
    try:
        dt.date.fromisocalendar(year, num, 1)
    except ValueError:
        msg = f"parameter 'week': {week!r} is not a week of {year}"
        raise ParameterError(msg) from None
    return week


def week_bounds(week: str) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of ISO week ``YYYY-Www``."""
    check_week(week)
    year, num = int(week[:4]), int(week[6:])
    monday = dt.date.fromisocalendar(year, num, 1)
    return monday, monday + dt.timedelta(days=6)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def write_summary(
    output_dir: str | Path,
    *,
    notebook: str,
    title: str,
    week: str,
    headlines: list[dict[str, Any]],
    alerts: list[dict[str, Any]],
    findings: list[str] | None = None,
    actions: list[str] | None = None,
    tables: list[str] | None = None,
    figures: list[str] | None = None,
    notes: list[str] | None = None,
) -> Path:
    """Check and write a notebook's ``summary.json``.

    Parameters
    ----------
    output_dir
        The notebook's output folder.
    notebook, title, week
        Notebook stem, Chinese section title, report week ``YYYY-Www``.
    headlines
        Dicts with ``key``, ``label``, ``value`` and optional ``unit``, ``previous``,
        ``year_ago``.
    alerts
        Dicts with ``kind`` (one of :data:`ALERT_KINDS`), ``severity`` (one of
        :data:`SEVERITIES`), ``place_code``, ``place``, ``date`` and ``message``.
    findings, actions, tables, figures, notes
        Optional lists (see the module docstring).

    Returns
    -------
    Path
        The written file.
    """
    check_week(week)
    problems = []
    for i, h in enumerate(headlines):
        for key in ("key", "label", "value"):
            if key not in h:
                problems.append(f"headlines[{i}] lacks {key!r}")
        for key in ("value", "previous", "year_ago"):
            v = _jsonable(h.get(key))
            if isinstance(v, float) and not math.isfinite(v):
                problems.append(
                    f"headlines[{i}] ({h.get('key')!r}) {key} is {v}: not a number to publish "
                    "(a missing or unmatched input upstream?)"
                )
    for i, a in enumerate(alerts):
        for key in ("kind", "severity", "place_code", "place", "date", "message"):
            if key not in a:
                problems.append(f"alerts[{i}] lacks {key!r}")
        if a.get("kind") not in ALERT_KINDS:
            problems.append(f"alerts[{i}].kind {a.get('kind')!r} not in {ALERT_KINDS}")
        if a.get("severity") not in SEVERITIES:
            problems.append(f"alerts[{i}].severity {a.get('severity')!r} not in {SEVERITIES}")
    if problems:
        msg = "summary.json for " + notebook + " is not valid:\n  " + "\n  ".join(problems)
        raise ParameterError(msg)
    summary = {
        "notebook": notebook,
        "title": title,
        "week": week,
        "headlines": [{k: _jsonable(v) for k, v in h.items()} for h in headlines],
        "alerts": [{k: _jsonable(v) for k, v in a.items()} for a in alerts],
        "findings": list(findings or []),
        "actions": list(actions or []),
        "tables": list(tables or []),
        "figures": list(figures or []),
        "notes": list(notes or []),
    }
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "summary.json"
    try:
        text = json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=False, allow_nan=False)
    except ValueError as exc:  # NaN or infinity in an alert or elsewhere
        msg = f"summary.json for {notebook}: {exc} (NaN is not a number to publish)"
        raise ParameterError(msg) from exc
    path.write_text(text + "\n", encoding="utf-8")
    return path


def read_summary(path: str | Path) -> dict[str, Any]:
    """Read a ``summary.json`` written by :func:`write_summary`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def resolve_data_dir(data_dir: str | Path = "") -> Path:
    """Folder of the data to analyse: ``data_dir`` if given, else the sample city.

    The sample city is ``$GOVANALYTICS_DATA`` if set, else ``data/sample`` in the current folder
    or the nearest parent folder that has one (so a notebook opened from ``notebooks/`` finds
    it), else the one of the source checkout govanalytics is installed from (so a notebook
    copied anywhere still finds it).
    """
    import os

    if data_dir:
        path = Path(data_dir)
        if not path.is_dir():
            msg = f"parameter 'data_dir': folder {str(path)!r} does not exist"
            raise ParameterError(msg)
        return path
    env = os.environ.get("GOVANALYTICS_DATA")
    if env:
        return resolve_data_dir(env)
    here = Path.cwd().resolve()
    source_tree = Path(__file__).resolve().parents[2]  # the checkout of an editable install
    for folder in (here, *here.parents, source_tree):
        candidate = folder / "data" / "sample"
        if (candidate / "master").is_dir():
            return candidate
    msg = "no data_dir given and no sample city found: run `make sample` (or govanalytics synth)"
    raise ParameterError(msg)


def latest_complete_week(last_day: dt.date) -> str:
    """The latest ISO week ``YYYY-Www`` that ends on or before ``last_day``."""
    sunday = last_day - dt.timedelta(days=(last_day.isoweekday() % 7))
    year, week, _ = sunday.isocalendar()
    return f"{year}-W{week:02d}"


def resolve_week(week: str, last_day: dt.date) -> str:
    """``week`` checked, or the latest complete week up to ``last_day`` when ``week`` is empty."""
    return check_week(week) if week else latest_complete_week(last_day)
