"""Charts draw Chinese text with a CJK font, and fall back with a clear warning without one."""

from __future__ import annotations

import datetime as dt
import io
import warnings

import matplotlib as mpl
import polars as pl
import pytest
from matplotlib.collections import PolyCollection

from govanalytics import charts
from govanalytics.errors import ParameterError


@pytest.fixture(autouse=True)
def _restore_rcparams():
    with mpl.rc_context():
        yield


@pytest.fixture
def cjk_font() -> str:
    """The CJK font matplotlib finds here (skips where none is installed)."""
    name = charts._find_cjk_font(charts.CJK_FONTS)
    if name is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-noto-cjk)")
    return name


def _render(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _series() -> pl.DataFrame:
    weeks = [dt.date(2026, 9, 7) + dt.timedelta(weeks=i) for i in range(8)]
    return pl.DataFrame(
        {
            "week_start": weeks * 2,
            "district": ["东湖区"] * 8 + ["西山区"] * 8,
            "cases": [float(i) for i in range(8)] + [float(8 - i) for i in range(8)],
        }
    ).with_columns(lower=pl.col("cases") - 1.5, upper=pl.col("cases") + 1.5)


def test_use_chinese_font_picks_a_cjk_family(cjk_font):
    assert charts.use_chinese_font() == cjk_font
    assert mpl.rcParams["font.sans-serif"][0] == cjk_font
    assert mpl.rcParams["axes.unicode_minus"] is False


def test_chinese_chart_renders_without_missing_glyphs(cjk_font):
    fig = charts.line_chart(
        _series(), "week_start", "cases", group="district", band=("lower", "upper"),
        title="流感样病例周报（−2 到 8）", xlabel="周", ylabel="病例数",
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" would raise
        assert len(_render(fig)) > 10_000


def test_without_a_cjk_font_glyphs_go_missing():
    # the check above can fail: matplotlib's own font has no Chinese glyphs
    with mpl.rc_context({"font.family": ["sans-serif"], "font.sans-serif": ["DejaVu Sans"]}):
        fig = mpl.figure.Figure()
        fig.add_subplot().set_title("病例数")
        with pytest.warns(UserWarning, match="missing from font"):
            _render(fig)


def test_missing_font_warns_once_and_does_not_raise(monkeypatch):
    monkeypatch.setattr(charts, "_warned", False)
    with pytest.warns(charts.FontWarning, match="fonts-noto-cjk"):
        assert charts.use_chinese_font(candidates=["没有这种字体 Sans"]) is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # no second warning
        assert charts.use_chinese_font(candidates=["没有这种字体 Sans"]) is None
    assert mpl.rcParams["axes.unicode_minus"] is False


def test_line_chart_draws_groups_and_bands(cjk_font):
    fig = charts.line_chart(_series(), "week_start", "cases", group="district",
                            band=("lower", "upper"), title="趋势", ylabel="病例数")  # fmt: skip
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.get_lines()] == ["东湖区", "西山区"]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2
    assert ax.get_title() == "趋势" and ax.get_ylabel() == "病例数"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "东湖区 预测区间" in legend
    # lines follow x order even when the frame is shuffled
    fig2 = charts.line_chart(_series().reverse(), "week_start", "cases", group="district")
    assert list(fig2.axes[0].get_lines()[0].get_ydata()) == [float(i) for i in range(8)]


def test_bar_chart_keeps_category_order(cjk_font):
    frame = pl.DataFrame({"type": ["义务教育入学", "居住证办理", "生育登记"], "n": [30, 20, 10]})
    fig = charts.bar_chart(frame, "type", "n", horizontal=True, title="申请量", xlabel="件数")
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == frame["type"].to_list()
    assert [round(p.get_width()) for p in ax.patches] == [30, 20, 10]
    grouped = charts.bar_chart(
        pl.DataFrame({"d": ["甲", "甲", "乙", "乙"], "y": [1, 2, 3, 4], "g": ["a", "b"] * 2}),
        "d", "y", group="g",
    )  # fmt: skip
    assert len(grouped.axes[0].patches) == 4
    _render(grouped)


def test_charts_name_a_wrong_column():
    with pytest.raises(ParameterError, match="y='missing'"):
        charts.line_chart(_series(), "week_start", "missing")
    with pytest.raises(ParameterError, match="band"):
        charts.line_chart(_series(), "week_start", "cases", band=("lower",))


def test_figures_display_in_notebooks_without_pyplot(cjk_font):
    from IPython.core.formatters import DisplayFormatter

    fig = charts.bar_chart(pl.DataFrame({"d": ["甲", "乙"], "y": [1, 2]}), "d", "y", title="显示")
    data, _ = DisplayFormatter().format(fig)
    assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
