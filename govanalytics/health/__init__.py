"""Health-risk early warning, forecasting and risk views by region (健康风险预测与预警)."""

from govanalytics.health._detect import DETECTION_METHODS, flag_aberrations
from govanalytics.health._series import DISEASES_ZH, aggregate_counts, disease_name

__all__ = [
    "DETECTION_METHODS",
    "DISEASES_ZH",
    "aggregate_counts",
    "disease_name",
    "flag_aberrations",
]
