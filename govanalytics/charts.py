"""Matplotlib charts with Chinese text: a CJK font, and the few chart kinds notebooks need.

Matplotlib's bundled fonts have no Chinese glyphs; without a CJK font every Chinese character
is drawn as an empty box (and matplotlib warns "Glyph … missing from font"). :func:`use_chinese_font`
finds one installed on the system — on Debian/Ubuntu the package ``fonts-noto-cjk`` provides
"Noto Sans CJK SC" — and makes it matplotlib's first sans-serif font.
"""

from __future__ import annotations

import functools
import io
import warnings
from collections.abc import Sequence

import matplotlib as mpl
import polars as pl
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from govanalytics.errors import ParameterError

__all__ = [
    "CJK_FONTS",
    "GAIN_COLOR",
    "LOSS_COLOR",
    "ChartFigure",
    "FontWarning",
    "bar_chart",
    "chinese_dates",
    "line_chart",
    "require_columns",
    "story_axes",
    "use_chinese_font",
]

#: Colours of gains and losses in change charts (bars of both signs).
GAIN_COLOR, LOSS_COLOR = "#c0392b", "#2e6da4"

#: CJK font families tried in order (Simplified Chinese first).
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Serif CJK SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "AR PL UMing CN",
)

_INSTALL_HINT = (
    "no Chinese (CJK) font found for matplotlib: Chinese text will show as empty boxes. "
    "Hint: install one, e.g. `apt-get install fonts-noto-cjk` on Debian/Ubuntu "
    "(or fonts-wqy-zenhei), then clear matplotlib's font cache (delete ~/.cache/matplotlib)."
)


class FontWarning(UserWarning):
    """No CJK font is available: Chinese text in charts will not render."""


@functools.cache
def _find_cjk_font(candidates: tuple[str, ...]) -> str | None:
    available = {f.name for f in font_manager.fontManager.ttflist}
    for name in candidates:
        if name in available:
            return name
    return None


_warned = False


def use_chinese_font(*, candidates: Sequence[str] = CJK_FONTS) -> str | None:
    """Configure matplotlib to draw Chinese text with an installed CJK font.

    Puts the first of ``candidates`` that matplotlib knows in front of the ``sans-serif``
    family list, selects ``sans-serif`` and turns off ``axes.unicode_minus`` (CJK fonts often
    lack U+2212, the typographic minus). Safe to call many times.

    Parameters
    ----------
    candidates
        Font family names to try, in order; default :data:`CJK_FONTS`.

    Returns
    -------
    str or None
        The family used, or ``None`` when none is installed — then a :class:`FontWarning`
        naming the Debian package to install is issued (once per process) instead of an error.
    """
    global _warned
    name = _find_cjk_font(tuple(candidates))
    mpl.rcParams["axes.unicode_minus"] = False
    if name is None:
        if not _warned:
            _warned = True
            warnings.warn(_INSTALL_HINT, FontWarning, stacklevel=2)
        return None
    families = [f for f in mpl.rcParams["font.sans-serif"] if f != name]
    mpl.rcParams["font.sans-serif"] = [name, *families]
    mpl.rcParams["font.family"] = ["sans-serif"]
    return name


class ChartFigure(Figure):
    """A matplotlib figure that shows itself in Jupyter as a PNG, without pyplot.

    Figures made without pyplot have no notebook display of their own (``display(fig)``
    would print ``<Figure size …>``); this one renders a PNG (``_repr_png_``), which papermill
    keeps in the executed notebook and nbconvert inlines in the report page. No pyplot means no
    global figure list to leak and no second, automatic display at the end of a cell.
    """

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=110, bbox_inches="tight", facecolor="white")
        return buf.getvalue()


def _check_columns(frame: pl.DataFrame, needed: dict[str, str | None]) -> None:
    for param, col in needed.items():
        if col is not None and col not in frame.columns:
            msg = f"{param}={col!r} is not a column of frame; columns are {frame.columns}"
            raise ParameterError(msg)


def require_columns(frame: pl.DataFrame, columns: set[str], *, parameter: str) -> None:
    """Refuse ``frame`` (passed as ``parameter``) when it lacks any of ``columns``.

    Raises
    ------
    ParameterError
        Naming the parameter and the missing columns.
    """
    missing = sorted(columns - set(frame.columns))
    if missing:
        msg = f"parameter {parameter!r} lacks columns {missing}"
        raise ParameterError(msg)


def story_axes(
    ax: Axes,
    *,
    font_size: float,
    title: str = "",
    legend: bool = True,
    grid: str = "both",
    title_step: float = 2,
) -> None:
    """The finish the story charts share: tick size, light grid, no top or right spine, a
    frameless legend at the upper left and the title ``title_step`` points above the text."""
    ax.tick_params(labelsize=font_size)
    ax.grid(axis=grid, alpha=0.3)  # type: ignore[arg-type]
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if legend:
        ax.legend(fontsize=font_size, frameon=False, loc="upper left")
    if title:
        ax.set_title(title, fontsize=font_size + title_step)


def _new_figure(figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    use_chinese_font()
    fig = ChartFigure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def line_chart(
    frame: pl.DataFrame,
    x: str,
    y: str,
    *,
    group: str | None = None,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    band: tuple[str, str] | None = None,
    band_label: str = "预测区间",
    figsize: tuple[float, float] = (8.0, 4.0),
) -> Figure:
    """Line chart of ``y`` over ``x``, one line per ``group``, with an optional shaded band.

    Parameters
    ----------
    frame
        Data (polars); rows are sorted by ``x`` within each group.
    x, y
        Columns for the horizontal and vertical axes.
    group
        Column whose values get one line each (legend entries use the values as given).
    title, xlabel, ylabel
        Chinese texts.
    band
        ``(lower, upper)`` columns of an interval drawn as a shaded band (e.g. a forecast's
        95 % interval), per group.
    band_label
        Legend text of the band.
    figsize
        Size in inches.

    Returns
    -------
    ChartFigure
        A ``matplotlib.figure.Figure`` not attached to pyplot (no global state);
        ``fig.savefig(path)``, or ``display(fig)`` in a notebook.
    """
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    _check_columns(frame, {"x": x, "y": y, "group": group})
    if band is not None:
        if len(band) != 2:
            msg = f"band must be a pair of column names (lower, upper), got {band!r}"
            raise ParameterError(msg)
        _check_columns(frame, {"band[0]": band[0], "band[1]": band[1]})
    fig, ax = _new_figure(figsize)
    groups = (
        [(None, frame)]
        if group is None
        else [(k[0], part) for k, part in frame.sort(group).group_by(group, maintain_order=True)]
    )
    for key, part in groups:
        part = part.sort(x)
        label = None if key is None else str(key)
        (line,) = ax.plot(part[x].to_list(), part[y].to_list(), label=label, linewidth=1.6)
        if band is not None:
            ok = part.filter(pl.col(band[0]).is_not_null() & pl.col(band[1]).is_not_null())
            ax.fill_between(
                ok[x].to_list(),
                ok[band[0]].to_list(),
                ok[band[1]].to_list(),
                color=line.get_color(),
                alpha=0.2,
                linewidth=0,
                label=band_label if key is None else f"{label} {band_label}",
            )
    if frame.schema[x].is_temporal():
        chinese_dates(ax)
    _finish(ax, fig, title, xlabel, ylabel, legend=group is not None or band is not None)
    return fig


def bar_chart(
    frame: pl.DataFrame,
    x: str,
    y: str,
    *,
    group: str | None = None,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    horizontal: bool = False,
    figsize: tuple[float, float] = (8.0, 4.0),
) -> Figure:
    """Bar chart of ``y`` by category ``x``; side-by-side bars per ``group``.

    Values of both signs without ``group`` (a change: day − night, this − last) are drawn as
    gains in red and losses in blue around a zero line. Categories keep their order of first appearance in ``frame`` (sort it first to choose).
    With ``horizontal=True`` categories run down the vertical axis (good for long Chinese
    names), the first at the top.

    Parameters
    ----------
    frame
        Data (polars), one row per bar.
    x, y
        Category column and bar-length column.
    group
        Column whose values get side-by-side bars within each category (with a legend).
    title, xlabel, ylabel
        Chinese texts.
    horizontal
        Draw horizontal bars.
    figsize
        Size in inches.

    Returns
    -------
    ChartFigure
        A ``matplotlib.figure.Figure`` not attached to pyplot; ``display(fig)`` shows it.
    """
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    _check_columns(frame, {"x": x, "y": y, "group": group})
    fig, ax = _new_figure(figsize)
    cats = frame[x].cast(pl.String).unique(maintain_order=True).to_list()
    pos = {c: i for i, c in enumerate(cats)}
    keys = [None] if group is None else frame[group].unique(maintain_order=True).to_list()
    width = 0.8 / len(keys)
    values = [v for v in frame[y].to_list() if v is not None]
    signed = group is None and any(v < 0 for v in values) and any(v > 0 for v in values)
    for j, key in enumerate(keys):
        part = frame if group is None else frame.filter(pl.col(group) == key)
        at = [pos[str(c)] - 0.4 + width * (j + 0.5) for c in part[x].to_list()]
        vals = part[y].to_list()
        label = None if key is None else str(key)
        # changes of both signs: gains and losses in two colours around a zero line
        colour = [GAIN_COLOR if (v or 0) >= 0 else LOSS_COLOR for v in vals] if signed else None
        if horizontal:
            ax.barh(at, vals, height=width, label=label, color=colour)
        else:
            ax.bar(at, vals, width=width, label=label, color=colour)
    if signed:
        (ax.axvline if horizontal else ax.axhline)(0, color="#333333", linewidth=0.8)
    ticks = list(range(len(cats)))
    if horizontal:
        ax.set_yticks(ticks, cats)
        ax.invert_yaxis()
    else:
        ax.set_xticks(ticks, cats, rotation=30 if len(cats) > 6 else 0, ha="right"
                      if len(cats) > 6 else "center")  # fmt: skip
    _finish(ax, fig, title, xlabel, ylabel, legend=group is not None)
    return fig


def chinese_dates(ax: Axes, *, axis: str = "x", maxticks: int = 7) -> None:
    """Date ticks written in Chinese (``2026年``, ``11月``, ``16日``) instead of English month
    abbreviations, on the ``axis`` of ``ax``."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(maxticks=maxticks)
    formatter = ConciseDateFormatter(
        locator,
        formats=["%Y年", "%-m月", "%-d日", "%H:%M", "%H:%M", "%S"],
        zero_formats=["", "%Y年", "%-m月", "%-d日", "%H:%M", "%H:%M"],
        show_offset=False,
    )
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(locator)
    target.set_major_formatter(formatter)


def _finish(ax, fig: Figure, title: str, xlabel: str, ylabel: str, *, legend: bool) -> None:
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if legend:
        ax.legend(frameon=False)
