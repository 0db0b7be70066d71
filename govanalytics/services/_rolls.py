"""Proactive service rolls (主动服务名册): free bus cards for everyone turning 60.

Instead of making a resident go from the community office to the street office, the district
bureau and the bus company, the roll lists everyone the register shows turning 60 in a year;
joined with the disability register it gives those whose card is delivered home (送卡上门).

- The **roll** is kept in ``<exports_dir>/bus_card_roll.parquet`` with pseudonymous columns
  only (``person_key``, ``community_code``, ``roll_year``, ``eligible_on``); re-running for
  a year adds only people not yet on it, so earlier years are kept and a re-run is a no-op.
- The **operational lists** for the departments (Excel) are written to ``exports_dir``, never
  into a report (a folder inside ``reports/``, a report week or a build folder is refused by
  :func:`govanalytics.privacy.exports_folder`; folder mode 0700, files 0600); ID-card numbers are masked (``440301********123X``, by
  :func:`govanalytics.privacy.mask_id_number`) unless ``full_identity=True`` is passed
  explicitly.
- **Reports** show counts per community only, with counts below ``k`` withheld
  (:func:`govanalytics.privacy.suppress_small_counts`).

Reference: 《关于进一步做好老年人乘车优待工作的通知》-style local rules grant free urban bus
rides from age 60 or 65; the age is a parameter.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.errors import DataError, ParameterError
from govanalytics.privacy import (
    exports_folder,
    mask_id_number,
    private_file,
    secondary_suppress,
    suppress_small_counts,
)
from govanalytics.validation import bool_like

__all__ = [
    "ROLL_FILE",
    "bus_card_roll",
    "delivery_list",
    "roll_counts",
    "update_roll",
    "write_roll_exports",
]

#: The kept roll, relative to the exports folder.
ROLL_FILE = "bus_card_roll.parquet"
_ROLL_SCHEMA = pl.Schema(
    {
        "person_key": pl.String(),
        "community_code": pl.String(),
        "roll_year": pl.Int32(),
        "eligible_on": pl.Date(),
    }
)


def _check_year(year: int) -> int:
    if not isinstance(year, int) or not 1900 <= year <= 2100:
        msg = f"parameter 'year' must be a year such as 2026, got {year!r}"
        raise ParameterError(msg)
    return year


def bus_card_roll(
    register: pl.DataFrame,
    year: int,
    *,
    previous: pl.DataFrame | None = None,
    age: int = 60,
) -> pl.DataFrame:
    """The free bus-card roll: everyone turning ``age`` in ``year``, added to ``previous``.

    Parameters
    ----------
    register
        ``population_register`` master table.
    year
        The roll year.
    previous
        The roll so far (earlier years); its people are kept and never added twice.
    age
        Age that entitles to the card (default 60).

    Returns
    -------
    DataFrame
        ``person_key``, ``community_code``, ``roll_year`` (year the person was added),
        ``eligible_on`` (birthday of ``age`` in ``year``), sorted by year and person. No
        names or ID numbers: join the register for the operational lists.
    """
    _check_year(year)
    new = register.filter(pl.col("birth_date").dt.year() == year - age).select(
        "person_key",
        "community_code",
        pl.lit(year, dtype=pl.Int32).alias("roll_year"),
        pl.col("birth_date").dt.offset_by(f"{age}y").alias("eligible_on"),
    )
    if previous is not None and previous.height:
        prev = previous.select(list(_ROLL_SCHEMA)).cast(_ROLL_SCHEMA)
        new = pl.concat([prev, new.join(prev, on="person_key", how="anti")])
    return new.cast(_ROLL_SCHEMA).sort("roll_year", "person_key")


def delivery_list(roll: pl.DataFrame, register: pl.DataFrame) -> pl.DataFrame:
    """Roll entries on the disability register: their cards are delivered home.

    Parameters
    ----------
    roll
        Bus-card roll (:func:`bus_card_roll` or :func:`update_roll`).
    register
        ``population_register`` with its ``disability`` flag.

    Returns
    -------
    DataFrame
        The roll rows (same columns) whose person has ``disability`` true in ``register``,
        sorted by ``roll_year`` and ``person_key``. Person level: for the exports folder only,
        never for a report.
    """
    disabled = register.filter(pl.col("disability")).select("person_key")
    return roll.join(disabled, on="person_key", how="semi").sort("roll_year", "person_key")


def _write_parquet_atomic(frame: pl.DataFrame, path: Path) -> None:
    with private_file(path) as tmp:
        frame.write_parquet(tmp, statistics=False)


def update_roll(
    exports_dir: str | Path, register: pl.DataFrame, year: int, *, age: int = 60
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Add the people turning ``age`` in ``year`` to the kept roll in ``exports_dir``.

    Parameters
    ----------
    exports_dir
        Folder of the operational exports (``data/exports/``); the roll is kept there as
        ``ROLL_FILE`` and replaced atomically, only when people were added.
    register
        ``population_register``.
    year
        Roll year: people whose ``age``-th birthday falls in it are added.
    age
        Eligible age; default 60 (free bus card).

    Returns
    -------
    tuple of DataFrame
        ``(roll, added)``: the whole roll after the update and the rows added by this call
        (empty on a re-run for the same year).
    """
    path = exports_folder(exports_dir) / ROLL_FILE
    previous = None
    if path.exists():
        try:
            previous = pl.read_parquet(path)
        except Exception as exc:  # a damaged roll must not be silently replaced
            msg = f"{path}: cannot read the kept bus-card roll ({exc})"
            raise DataError(msg) from exc
    roll = bus_card_roll(register, year, previous=previous, age=age)
    added = roll.join(previous, on="person_key", how="anti") if previous is not None else roll
    if previous is None or added.height:
        _write_parquet_atomic(roll, path)
    return roll, added


_EXPORT_COLUMNS = {
    "person_key": "人员编号",
    "name": "姓名",
    "id_number": "身份证号",
    "birth_date": "出生日期",
    "eligible_on": "满龄日期",
    "community_name": "社区",
    "address": "地址",
    "phone": "联系电话",
}


def write_roll_exports(
    roll: pl.DataFrame,
    register: pl.DataFrame,
    exports_dir: str | Path,
    *,
    year: int,
    regions: pl.DataFrame | None = None,
    full_identity: bool = False,
) -> dict[str, Path]:
    """Write the operational Excel lists of ``year`` for the departments into ``exports_dir``.

    Parameters
    ----------
    roll
        From :func:`bus_card_roll` / :func:`update_roll`.
    register
        ``population_register`` (names, ID numbers, addresses, phones, disability).
    exports_dir
        Folder for operational lists (default of the notebook: ``data/exports``), never a
        report folder.
    year
        Roll year written (people added that year).
    regions
        ``regions`` master table, to show community names (optional).
    full_identity
        Write full ID-card numbers. Default ``False``: masked (``440301********123X``).

    Returns
    -------
    dict
        ``{"roll": path, "delivery": path}``: 老年人免费乘车卡名册_<year>.xlsx and
        送卡上门名单_<year>.xlsx.

    Notes
    -----
    Disclosure rule: these files hold personal data for the serving departments only; no
    function of the report path reads ``exports_dir``.
    """
    _check_year(year)
    bool_like(full_identity, "full_identity")
    out = exports_folder(exports_dir)
    people = roll.filter(pl.col("roll_year") == year).join(
        register.drop("community_code"), on="person_key", how="left"
    )
    if regions is not None:
        names = regions.select(
            pl.col("region_code").alias("community_code"),
            pl.col("region_name").alias("community_name"),
        )
        people = people.join(names, on="community_code", how="left")
    else:
        people = people.with_columns(pl.col("community_code").alias("community_name"))
    if not full_identity:
        people = people.with_columns(mask_id_number("id_number").alias("id_number"))
    table = people.sort("community_code", "person_key").select(
        [pl.col(c).alias(zh) for c, zh in _EXPORT_COLUMNS.items()]
    )
    paths = {
        "roll": out / f"老年人免费乘车卡名册_{year}.xlsx",
        "delivery": out / f"送卡上门名单_{year}.xlsx",
    }
    delivered = people.filter(pl.col("disability")).select("person_key")
    frames = {
        "roll": table,
        "delivery": table.join(
            delivered.rename({"person_key": "人员编号"}), on="人员编号", how="semi"
        ),
    }
    for key, path in paths.items():
        with private_file(path) as tmp:
            frames[key].write_excel(tmp, worksheet="名单", autofit=True)
    return paths


def roll_counts(
    roll: pl.DataFrame,
    register: pl.DataFrame,
    *,
    year: int,
    regions: pl.DataFrame | None = None,
    k: int = DEFAULT_MIN_COUNT,
) -> pl.DataFrame:
    """Counts per community of ``year``'s roll and home deliveries, small counts withheld.

    Parameters
    ----------
    roll, register
        The roll and the ``population_register``.
    year
        Roll year counted.
    regions
        ``regions`` master table: adds ``community_name`` and ``district_code``.
    k
        Counts below ``k`` are withheld (null, flagged) by
        :func:`govanalytics.privacy.suppress_small_counts` (default 15), and complementary
        cells by :func:`govanalytics.privacy.secondary_suppress` so that the city totals do
        not give a withheld community away.

    Returns
    -------
    DataFrame
        ``community_code`` (, ``community_name``, ``district_code``), ``bus_card``,
        ``home_delivery`` and the suppression flags. Disclosure rule: no value below ``k``.
    """
    this = roll.filter(pl.col("roll_year") == year).join(
        register.select("person_key", "disability"), on="person_key", how="left"
    )
    counts = this.group_by("community_code").agg(
        pl.len().cast(pl.Int64).alias("bus_card"),
        pl.col("disability").fill_null(False).sum().cast(pl.Int64).alias("home_delivery"),
    )
    if regions is not None:
        comm = regions.filter(pl.col("level") == "community").select(
            pl.col("region_code").alias("community_code"),
            pl.col("region_name").alias("community_name"),
            "district_code",
        )
        counts = comm.join(counts, on="community_code", how="left").with_columns(
            pl.col("bus_card", "home_delivery").fill_null(0)
        )
    counts = counts.sort("community_code")
    out = suppress_small_counts(counts, ["bus_card", "home_delivery"], k=k)
    # the city totals are published too: no withheld cell may be recovered by subtraction
    for col in ("bus_card", "home_delivery"):
        out = secondary_suppress(out, col, groups=[[]])
    return out
