"""govanalytics — analysis workbench for city and district government data teams.

Capabilities live in subpackages: :mod:`govanalytics.health` (health-risk forecasting and
early warning), :mod:`govanalytics.hotwords` (hot words in citizen comments),
:mod:`govanalytics.mobility` (population and flows from aggregated mobile-signal data) and
:mod:`govanalytics.services` (government-service analytics), over the data layer
(:mod:`govanalytics.data`), :mod:`govanalytics.geo`, :mod:`govanalytics.privacy` and the report
layer (:mod:`govanalytics.report`). Nothing is imported eagerly: import the subpackage you use.

One exception, for JupyterLab: imported inside a Jupyter kernel, the package sets matplotlib's
font to an installed Chinese font (:func:`govanalytics.charts.use_chinese_font`), so that any
figure — not only ours — draws Chinese instead of empty boxes.
"""

import sys as _sys
from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("govanalytics")
except _PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]


def _chinese_font_in_kernel() -> None:
    """In a Jupyter kernel only: Chinese font for every matplotlib figure (never fails)."""
    if "ipykernel" not in _sys.modules:
        return
    try:
        import warnings

        from govanalytics.charts import use_chinese_font

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # no CJK font: charts warn when they draw
            use_chinese_font()
    except Exception:  # pragma: no cover - a missing matplotlib must not break the import
        return


_chinese_font_in_kernel()
