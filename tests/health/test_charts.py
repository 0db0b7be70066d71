"""The per-region band chart: observed counts, 50 %/95 % bands, the alarm threshold."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from govanalytics.errors import ParameterError
from govanalytics.health import QUANTILES, forecast_band_figure


@pytest.fixture
def pieces():
    """Two regions, 6 observed months, 3 forecast months; one alarm in region b."""
    months = [dt.date(2020, m, 1) for m in range(1, 7)]
    history = pl.DataFrame(
        {
            "region_code": ["a"] * 6 + ["b"] * 6,
            "week_start": months * 2,
            "count": [10, 12, None, 14, 15, 16, 5, 6, 7, 8, 9, 30],  # a then b
        }
    )
    rows = []
    for code in ("a", "b"):
        for h in (1, 2, 3):
            for q in QUANTILES:
                rows.append((code, dt.date(2020, 6 + h, 1), q, 100 * q + h))
    forecasts = pl.DataFrame(
        rows, schema=["region_code", "target", "quantile", "value"], orient="row"
    )
    alarms = pl.DataFrame(
        {
            "region_code": ["a", "b"],
            "week_start": [months[-1]] * 2,
            "observed": [16, 30],
            "upper_bound": [20.0, 12.0],
            "alarm": [False, True],
        }
    )
    return history, forecasts, alarms


def test_one_panel_per_region_with_bands_and_threshold(pieces):
    history, forecasts, alarms = pieces
    fig = forecast_band_figure(
        history, forecasts, alarms, regions=["b", "a"], names={"a": "甲", "b": "乙"},
        frequency="month", title="测试",
    )  # fmt: skip
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["乙", "甲"]
    b = axes[0]
    bands = [c for c in b.collections if c.get_label() in ("95%预测区间", "50%预测区间")]
    assert len(bands) == 2
    wide = next(c for c in bands if c.get_label() == "95%预测区间").get_paths()[0].vertices
    assert wide[:, 1].max() == pytest.approx(100 * 0.975 + 3)  # 97.5 % quantile, horizon 3
    threshold = next(line for line in b.lines if line.get_label() == "预警阈值")
    assert list(threshold.get_ydata()) == [12.0]
    alarm = next(c for c in b.collections if c.get_label() == "预警")
    np.testing.assert_allclose(alarm.get_offsets()[:, 1], [30])
    assert not [c for c in axes[1].collections if c.get_label() == "预警"]


def test_too_many_regions_is_refused(pieces):
    history, forecasts, _ = pieces
    with pytest.raises(ParameterError, match="'regions'"):
        forecast_band_figure(history, forecasts, regions=[str(i) for i in range(13)])
