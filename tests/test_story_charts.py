"""Charts that carry the story: alarm series, issue bursts, capacity, day/night change."""

from __future__ import annotations

import datetime as dt

import matplotlib as mpl
import polars as pl
import pytest

from govanalytics import charts, health, hotwords, mobility, services
from govanalytics.errors import ParameterError

WEEKS = pl.date_range(dt.date(2026, 9, 7), dt.date(2026, 11, 16), "1w", eager=True)


def _tick_texts(fig) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() if t.get_text()]


def test_alarm_chart_marks_the_periods_over_the_threshold() -> None:
    observed = [20, 22, 21, 25, 24, 23, 26, 30, 45, None, 60]  # one withheld period
    alarms = pl.DataFrame({
        "region_code": "1", "disease": "乙肝", "week_start": WEEKS, "observed": observed,
        "expected": 22.0, "upper_bound": 32.0, "alarm": [(v or 99) > 32 for v in observed],
    })  # fmt: skip
    fig = health.alarm_chart(alarms, region_code="1", disease="乙肝")
    (ax,) = fig.axes
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"实际病例", "预警阈值", "预期值", "超出阈值"} <= set(labels)
    (dots,) = ax.collections  # alarm periods with a published count: 45 and 60, not the null
    assert sorted(dots.get_offsets()[:, 1].tolist()) == [45, 60]
    assert any("月" in t for t in _tick_texts(fig)) and not any(
        "Nov" in t for t in _tick_texts(fig)
    )
    with pytest.raises(ParameterError, match="alarms"):
        health.alarm_chart(alarms.drop("upper_bound"), region_code="1", disease="乙肝")


def test_season_chart_draws_one_line_per_year() -> None:
    days = pl.date_range(dt.date(2023, 1, 2), dt.date(2026, 11, 16), "1w", eager=True)
    series = pl.DataFrame({"region_code": "1", "disease": "流感", "week_start": days,
                           "count": list(range(days.len()))})  # fmt: skip
    fig = health.season_chart(series, region_code="1", disease="流感", seasons=2)
    lines = fig.axes[0].get_lines()
    assert [ln.get_label() for ln in lines] == ["2024年", "2025年", "2026年"]
    assert lines[-1].get_linewidth() > lines[0].get_linewidth()  # this year stands out


def test_burst_chart_shades_the_burst() -> None:
    days = pl.date_range(dt.date(2026, 11, 1), dt.date(2026, 11, 20), "1d", eager=True)
    counts = pl.DataFrame({"window": days, "word": "停水", "scope": "all",
                           "count": [3] * 13 + [20, 25, 30, 28, 22, 4, 3]})  # fmt: skip
    bursts = pl.DataFrame({"word": ["停水"], "start": [dt.date(2026, 11, 14)],
                           "end": [dt.date(2026, 11, 18)], "scope": ["all"]})  # fmt: skip
    fig = hotwords.burst_chart(counts, bursts, word="停水")
    ax = fig.axes[0]
    (span,) = [p for p in ax.patches if p.get_label() == "突发时段"]
    x0, x1 = span.get_x(), span.get_x() + span.get_width()
    assert mpl.dates.num2date(x0).date() == dt.date(2026, 11, 14)
    assert mpl.dates.num2date(x1).date() == dt.date(2026, 11, 19)  # through the last day
    assert len(ax.get_lines()[0].get_xdata()) == 20


def test_capacity_chart_projects_at_the_average_rate() -> None:
    days = pl.date_range(dt.date(2026, 11, 1), dt.date(2026, 11, 10), "1d", eager=True)
    daily = pl.DataFrame({"date": days, "applications": [10] * 10})
    fig = services.capacity_chart(daily, capacity=150, period_end=dt.date(2026, 11, 30))
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert lines["累计申请"].get_ydata()[-1] == 100
    assert lines["按当前速度预计"].get_ydata()[-1] == pytest.approx(300)  # 10 a day × 30 days
    assert list(lines["容量"].get_ydata()) == [150, 150]


def test_day_night_chart_and_bar_chart_show_gains_and_losses() -> None:
    shift = pl.DataFrame({"area": ["a", "b", "c"], "day_change": [-1400, 28123, 3345]})
    fig = mobility.day_night_chart(shift, names={"a": "东湖区", "b": "北山区", "c": "南岭区"})
    ax = fig.axes[0]
    colours = [mpl.colors.to_hex(b.get_facecolor()) for b in ax.patches]
    assert colours == [charts.LOSS_COLOR, charts.GAIN_COLOR, charts.GAIN_COLOR]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["东湖区", "南岭区", "北山区"]
    assert "+28,123" in [t.get_text() for t in ax.texts]
    bars = charts.bar_chart(shift, "area", "day_change")
    colours = [mpl.colors.to_hex(b.get_facecolor()) for b in bars.axes[0].patches]
    assert colours == [charts.LOSS_COLOR, charts.GAIN_COLOR, charts.GAIN_COLOR]
