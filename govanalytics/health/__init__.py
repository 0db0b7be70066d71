"""Health-risk early warning, forecasting and risk views by region (健康风险预测与预警)."""

from govanalytics.health._detect import DETECTION_METHODS, flag_aberrations
from govanalytics.health._evaluate import backtest, score_forecasts
from govanalytics.health._forecast import MODELS, QUANTILES, forecast_counts, sum_forecasts
from govanalytics.health._headlines import alarm_count, shown_total, weekly_headlines
from govanalytics.health._publish import (
    TOTALS,
    interval_disclosures,
    publishable_alarms,
    publishable_risk,
    publishable_series,
    withheld_cells,
)
from govanalytics.health._report import count_text, health_alerts, health_findings
from govanalytics.health._risk import (
    ageing_communities,
    clinic_beds,
    population_by_age,
    risk_table,
)
from govanalytics.health._series import DISEASES_ZH, aggregate_counts, city_code, disease_name

__all__ = [
    "DETECTION_METHODS",
    "DISEASES_ZH",
    "MODELS",
    "QUANTILES",
    "TOTALS",
    "ageing_communities",
    "aggregate_counts",
    "alarm_count",
    "backtest",
    "city_code",
    "clinic_beds",
    "count_text",
    "disease_name",
    "flag_aberrations",
    "forecast_counts",
    "health_alerts",
    "health_findings",
    "interval_disclosures",
    "population_by_age",
    "publishable_alarms",
    "publishable_risk",
    "publishable_series",
    "risk_table",
    "score_forecasts",
    "shown_total",
    "sum_forecasts",
    "weekly_headlines",
    "withheld_cells",
]
