"""Maps read in print: permanent labels, scales centred on zero, a class for alarm areas."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import numpy as np

from govanalytics import geo


def _rgb(hex_colour: str) -> np.ndarray:
    return np.asarray(mpl.colors.to_rgb(hex_colour))


def test_change_map_is_centred_on_zero(boundaries, layers):
    districts = boundaries[boundaries["level"] == "district"].reset_index(drop=True).copy()
    # the day/night figures of the review: a small loss and a large gain
    districts["day_change"] = [-1400.0, 28123.0, -900.0, 3345.0][: len(districts)]
    m = geo.choropleth(districts, "day_change", legend="白天人口变化（人）", colormap="RdBu_r")
    (features,) = layers(geo.map_html(m))
    for value, f in zip(districts["day_change"], features, strict=True):
        r, _, b = _rgb(f["properties"]["c"])
        assert (b > r) if value < 0 else (r > b), (value, f["properties"]["c"])
    # a sequential colormap keeps quantile classes (no centre)
    plain = geo.choropleth(districts, "day_change", colormap="YlOrRd")
    (features,) = layers(geo.map_html(plain))
    assert len({f["properties"]["c"] for f in features}) == len(districts)


def test_alarm_area_has_a_class_of_its_own_and_a_label(communities, layers):
    communities["rate"] = np.linspace(100.0, 160.0, len(communities))
    alarm = communities["region_code"].iloc[7]
    communities.loc[7, "rate"] = 170.0  # above all others, yet close to the top of them
    m = geo.choropleth(communities, "rate", highlight=[alarm], legend="发病率")
    html = geo.map_html(m)
    features = layers(html)[0]
    colours = [f["properties"]["c"] for f in features]
    assert colours.count(colours[7]) == 1  # no ordinary community shares the alarm class
    assert "170 及以上（预警地区）" in html and "本期预警地区（红框）" in html
    # more than 30 communities: only the alarm area is named on the map
    assert "permanent: true" in html
    assert f'"{communities["region_name"].iloc[7]}"]' in html  # each label item ends with it
    assert f'"{communities["region_name"].iloc[8]}"]' not in html


def test_district_maps_are_labelled_without_asking(boundaries):
    districts = boundaries[boundaries["level"] == "district"].reset_index(drop=True).copy()
    districts["people"] = np.arange(len(districts)) * 1000.0
    html = geo.map_html(geo.choropleth(districts, "people"))
    assert "permanent: true" in html
    for name in districts["region_name"]:
        assert f'"{name}"]' in html  # each label item ends with its name


def test_static_map_labels_and_legend_size(boundaries, tmp_path: Path, monkeypatch):
    from matplotlib.figure import Figure

    districts = boundaries[boundaries["level"] == "district"].reset_index(drop=True).copy()
    districts["rate"] = [10.0, 20.0, 30.0, 90.0][: len(districts)]
    texts: list = []
    save = Figure.savefig

    def keep(fig, *args, **kwargs):  # record every text drawn, then save as usual
        texts.extend(t for t in fig.findobj(mpl.text.Text) if t.get_text())
        return save(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    alarm = districts["region_code"].iloc[-1]
    geo.static_map(districts, "rate", tmp_path / "m.png", highlight=[alarm], fmt="{:.0f}")
    shown = {t.get_text(): t.get_fontsize() for t in texts}
    for name, rate in zip(districts["region_name"], districts["rate"], strict=True):
        assert f"{name}\n{rate:.0f}" in shown  # ≤ 10 areas: name and value on the map
    assert "90 及以上（预警地区）" in shown
    assert min(shown.values()) >= 8
