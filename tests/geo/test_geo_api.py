"""The public surface of govanalytics.geo and govanalytics.charts."""

from __future__ import annotations

import inspect

import pytest

import govanalytics.charts
import govanalytics.geo


@pytest.mark.parametrize("module", [govanalytics.geo, govanalytics.charts])
def test_all_names_exist_and_are_documented(module):
    assert len(set(module.__all__)) == len(module.__all__)
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name


def test_geo_exports_every_public_function_of_its_modules():
    public = {
        name
        for mod in ("_gcj02", "_maps", "_offline", "_static", "_tiles")
        for name in getattr(govanalytics.geo, mod).__all__
    }
    assert public == set(govanalytics.geo.__all__)


@pytest.mark.parametrize(
    "func",
    [govanalytics.geo.choropleth, govanalytics.geo.heatmap, govanalytics.geo.flow_map,
     govanalytics.geo.static_map, govanalytics.charts.line_chart, govanalytics.charts.bar_chart],
)  # fmt: skip
def test_options_are_keyword_only(func):
    params = list(inspect.signature(func).parameters.values())
    positional = [p.name for p in params if p.kind is not p.KEYWORD_ONLY]
    assert len(positional) <= 3, positional
    doc = inspect.getdoc(func)
    for p in params:
        assert p.name in doc, f"{func.__name__}: parameter {p.name} undocumented"
