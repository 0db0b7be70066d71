"""The sample city's geography and population register: the base every part builds on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import polars as pl
import shapely
from shapely.geometry import MultiPoint, Polygon, box

from govanalytics.constants import CRS
from govanalytics.privacy import id_check_digit
from govanalytics.synth import _names

#: The sample city's data ends on this Sunday (ISO week 2026-W47), so reports are reproducible.
DEFAULT_END = dt.date(2026, 11, 22)


@dataclass(frozen=True)
class SizeSpec:
    """How big one size of the sample city is."""

    districts: int
    streets_per_district: int
    communities_per_street: int
    people: int


SIZES: dict[str, SizeSpec] = {
    "small": SizeSpec(districts=4, streets_per_district=3, communities_per_street=4, people=24_000),
    "default": SizeSpec(
        districts=6, streets_per_district=5, communities_per_street=6, people=300_000
    ),
    "large": SizeSpec(
        districts=8, streets_per_district=6, communities_per_street=8, people=600_000
    ),
}

#: Bounding box of the city (WGS84 lon/lat).
CITY_BOUNDS = (113.80, 22.45, 114.30, 22.85)


@dataclass
class CityBase:
    """Geography and register of a generated city, handed to every part generator.

    Attributes
    ----------
    size, seed, end
        The generation options.
    regions
        ``regions`` master table (district, street, community rows).
    boundaries
        GeoDataFrame with ``region_code``, ``level``, ``geometry`` (WGS84) for every region.
    register
        ``population_register`` master table.
    ageing_communities
        Community codes generated with an old population (share aged 60+ above 30 %).
    """

    size: str
    seed: int
    end: dt.date
    regions: pl.DataFrame
    boundaries: gpd.GeoDataFrame
    register: pl.DataFrame
    ageing_communities: list[str]

    @property
    def district_codes(self) -> list[str]:
        """District codes in code order."""
        return self.regions.filter(pl.col("level") == "district")["region_code"].sort().to_list()

    @property
    def community_codes(self) -> list[str]:
        """Community codes in code order."""
        return self.regions.filter(pl.col("level") == "community")["region_code"].sort().to_list()

    def names(self) -> dict[str, str]:
        """Region code → Chinese name for every region."""
        return dict(zip(self.regions["region_code"], self.regions["region_name"], strict=True))


def _split(poly: Polygon, n: int, rng: np.random.Generator) -> list[Polygon]:
    """Split a polygon into ``n`` Voronoi pieces around random seeds inside it."""
    minx, miny, maxx, maxy = poly.bounds
    seeds: list[tuple[float, float]] = []
    while len(seeds) < n:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if poly.contains(shapely.Point(x, y)):
            seeds.append((round(x, 6), round(y, 6)))
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=box(*poly.buffer(0.1).bounds))
    pieces = []
    for seed in seeds:
        pt = shapely.Point(seed)
        cell = next(g for g in cells.geoms if g.contains(pt))
        piece = shapely.set_precision(cell.intersection(poly), 1e-6)
        if piece.geom_type != "Polygon":  # keep the largest part
            piece = max(piece.geoms, key=lambda g: g.area)
        pieces.append(piece)
    return pieces


def _unique_names(rng: np.random.Generator, n: int, suffix: str, used: set[str]) -> list[str]:
    out: list[str] = []
    syl = _names.PLACE_SYLLABLES
    while len(out) < n:
        name = syl[rng.integers(len(syl))] + syl[rng.integers(len(syl))] + suffix
        if name not in used and name[0] != name[1]:
            used.add(name)
            out.append(name)
    return out


def make_geography(
    spec: SizeSpec, rng: np.random.Generator
) -> tuple[pl.DataFrame, gpd.GeoDataFrame]:
    """Districts → streets/towns → communities with 12-digit codes and polygons."""
    city = Polygon(
        [
            (113.80, 22.50),
            (113.95, 22.45),
            (114.22, 22.47),
            (114.30, 22.62),
            (114.26, 22.83),
            (114.05, 22.85),
            (113.86, 22.80),
            (113.82, 22.66),
        ]
    )
    rows: list[tuple[str, str, str, str | None, str]] = []
    geoms: list[Polygon] = []
    used: set[str] = set()
    districts = _split(city, spec.districts, rng)
    order = np.argsort([d.centroid.x + d.centroid.y * 0.01 for d in districts])
    for di, dpos in enumerate(order, start=1):
        dpoly = districts[dpos]
        dcode = f"{_names.CITY_CODE}{di:02d}000000"
        rows.append((dcode, _names.DISTRICT_NAMES[di - 1], "district", None, dcode))
        geoms.append(dpoly)
        street_names = _unique_names(rng, spec.streets_per_district, "", used)
        for si, spoly in enumerate(_split(dpoly, spec.streets_per_district, rng), start=1):
            is_town = si > max(1, spec.streets_per_district - 1)  # last one a town (镇)
            scode = f"{dcode[:6]}{(100 + si if is_town else si):03d}000"
            sname = street_names[si - 1] + ("镇" if is_town else "街道")
            rows.append((scode, sname, "street", dcode, dcode))
            geoms.append(spoly)
            cnames = _unique_names(rng, spec.communities_per_street, "", used)
            for ci, cpoly in enumerate(_split(spoly, spec.communities_per_street, rng), start=1):
                ccode = f"{scode[:9]}{(200 + ci if is_town else ci):03d}"
                cname = cnames[ci - 1] + ("村" if is_town else "社区")
                rows.append((ccode, cname, "community", scode, dcode))
                geoms.append(cpoly)
    regions = pl.DataFrame(
        rows,
        schema={
            "region_code": pl.String,
            "region_name": pl.String,
            "level": pl.String,
            "parent_code": pl.String,
            "district_code": pl.String,
        },
        orient="row",
    )
    boundaries = gpd.GeoDataFrame(
        {
            "region_code": regions["region_code"].to_list(),
            "level": regions["level"].to_list(),
            "region_name": regions["region_name"].to_list(),
        },
        geometry=geoms,
        crs=CRS,
    )
    return regions, boundaries


def _id_numbers(region6: np.ndarray, birth: np.ndarray, seq: np.ndarray) -> list[str]:
    out = []
    for r, b, s in zip(region6, birth, seq, strict=True):
        body = f"{r}{b:%Y%m%d}{s:03d}"
        out.append(body + id_check_digit(body))
    return out


def make_register(
    regions: pl.DataFrame, spec: SizeSpec, end: dt.date, rng: np.random.Generator
) -> tuple[pl.DataFrame, list[str]]:
    """The population register: one row a person, with valid ID-card check digits."""
    comm = regions.filter(pl.col("level") == "community").sort("region_code")
    codes = comm["region_code"].to_numpy()
    names = dict(zip(comm["region_code"], comm["region_name"], strict=True))
    n_comm = len(codes)
    # community sizes vary; about one community in six is ageing (old population)
    weights = rng.gamma(4.0, 1.0, n_comm)
    weights /= weights.sum()
    ageing = np.zeros(n_comm, dtype=bool)
    ageing[rng.choice(n_comm, size=max(2, n_comm // 6), replace=False)] = True
    n = spec.people
    comm_idx = rng.choice(n_comm, size=n, p=weights)
    # age: ordinary communities ~ city pyramid; ageing ones skew old
    young_age = np.clip(rng.normal(36, 18, n), 0, 99)
    old_age = np.clip(rng.normal(62, 14, n), 0, 100)
    age_years = np.where(ageing[comm_idx], old_age, young_age)
    birth_offset = (age_years * 365.25).astype(int) + rng.integers(0, 365, n)
    birth = np.array([end - dt.timedelta(days=int(d)) for d in birth_offset])
    sex = np.where(rng.random(n) < 0.5, "M", "F")
    # share household-registered differs by district
    dist_of = regions.filter(pl.col("level") == "community").sort("region_code")["district_code"]
    dist_codes = sorted(set(dist_of))
    hukou_share = {d: 0.40 + 0.35 * rng.random() for d in dist_codes}
    dist_arr = dist_of.to_numpy()[comm_idx]
    registered = rng.random(n) < np.array([hukou_share[d] for d in dist_arr])
    disability = rng.random(n) < 0.025
    surname = np.array(_names.SURNAMES)[rng.integers(len(_names.SURNAMES), size=n)]
    g = np.array(_names.GIVEN_CHARS)
    given1 = g[rng.integers(len(g), size=n)]
    given2 = np.where(rng.random(n) < 0.7, g[rng.integers(len(g), size=n)], "")
    name = np.char.add(np.char.add(surname, given1), given2)
    # ID number region: household-registered people carry the district code, others elsewhere
    other_regions = np.array(["110105", "320102", "420106", "510104", "430102", "360102"])
    region6 = np.where(
        registered,
        np.array([d[:6] for d in dist_arr]),
        other_regions[rng.integers(len(other_regions), size=n)],
    )
    seq = rng.integers(0, 1000, n)
    ids = _id_numbers(region6, birth, seq)
    # make IDs unique (same region, birth and sequence can collide)
    seen: set[str] = set()
    for i, v in enumerate(ids):
        s = int(seq[i])
        while v in seen:
            s = (s + 1) % 1000
            body = f"{region6[i]}{birth[i]:%Y%m%d}{s:03d}"
            v = body + id_check_digit(body)
        seen.add(v)
        ids[i] = v
    prefixes = np.array(
        ["138", "139", "135", "136", "150", "151", "158", "186", "187", "177", "199"]
    )
    phones = np.char.add(
        prefixes[rng.integers(len(prefixes), size=n)],
        np.char.zfill(rng.integers(0, 100_000_000, n).astype(str), 8),
    )
    has_phone = (age_years >= 12) & (rng.random(n) < 0.95)
    roads = _names.PLACE_SYLLABLES
    road = np.char.add(
        np.char.add(
            np.array(roads)[rng.integers(len(roads), size=n)],
            np.array(roads)[rng.integers(len(roads), size=n)],
        ),
        np.array(_names.ROAD_SUFFIXES)[rng.integers(len(_names.ROAD_SUFFIXES), size=n)],
    )
    number = rng.integers(1, 300, n)
    address = [
        f"{_names.CITY_NAME}{names[codes[c]]}{r}{k}号"
        for c, r, k in zip(comm_idx, road, number, strict=True)
    ]
    # employer last, so that adding it changed no other column's random draws
    n_firms = max(20, n // 40)
    firm_kinds = (
        "科技有限公司",
        "贸易有限公司",
        "物业服务有限公司",
        "餐饮管理有限公司",
        "建设工程有限公司",
        "电子厂",
        "物流有限公司",
        "医院",
        "学校",
    )
    syl_arr = np.array(roads)
    firm_names = [
        f"{_names.CITY_NAME}{a}{b}{firm_kinds[k]}"
        for a, b, k in zip(
            syl_arr[rng.integers(len(syl_arr), size=n_firms)],
            syl_arr[rng.integers(len(syl_arr), size=n_firms)],
            rng.integers(len(firm_kinds), size=n_firms),
            strict=True,
        )
    ]
    employed = (age_years >= 18) & (age_years < 60) & (rng.random(n) < 0.75)
    firm_of = rng.integers(n_firms, size=n)
    employer = [firm_names[f] if e else None for f, e in zip(firm_of, employed, strict=True)]
    register = pl.DataFrame(
        {
            "person_key": [f"P{i:08d}" for i in range(1, n + 1)],
            "name": name.tolist(),
            "id_number": ids,
            "phone": [p if h else None for p, h in zip(phones.tolist(), has_phone, strict=True)],
            "birth_date": birth.tolist(),
            "sex": sex.tolist(),
            "household_registered": registered.tolist(),
            "community_code": codes[comm_idx].tolist(),
            "address": address,
            "disability": disability.tolist(),
            "employer": employer,
        },
        schema={
            "person_key": pl.String,
            "name": pl.String,
            "id_number": pl.String,
            "phone": pl.String,
            "birth_date": pl.Date,
            "sex": pl.String,
            "household_registered": pl.Boolean,
            "community_code": pl.String,
            "address": pl.String,
            "disability": pl.Boolean,
            "employer": pl.String,
        },
    )
    return register, sorted(codes[ageing].tolist())


def make_base(size: str, seed: int, end: dt.date, rng: np.random.Generator) -> CityBase:
    """Geography and register for one city size."""
    spec = SIZES[size]
    regions, boundaries = make_geography(spec, rng)
    register, ageing = make_register(regions, spec, end, rng)
    return CityBase(
        size=size,
        seed=seed,
        end=end,
        regions=regions,
        boundaries=boundaries,
        register=register,
        ageing_communities=ageing,
    )
