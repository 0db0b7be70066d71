"""govanalytics — analysis workbench for city and district government data teams.

Capabilities live in subpackages: :mod:`govanalytics.health` (health-risk forecasting and
early warning), :mod:`govanalytics.hotwords` (hot words in citizen comments),
:mod:`govanalytics.mobility` (population and flows from aggregated mobile-signal data) and
:mod:`govanalytics.services` (government-service analytics), over the data layer
(:mod:`govanalytics.data`), :mod:`govanalytics.geo`, :mod:`govanalytics.privacy` and the report
layer (:mod:`govanalytics.report`). Nothing is imported eagerly: import the subpackage you use.
"""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("govanalytics")
except _PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
