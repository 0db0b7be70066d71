"""The district a message names in its text, for exports without a district column."""

from __future__ import annotations

import polars as pl

from govanalytics.errors import DataError

#: District-like names written with a letter and a number, as anonymised exports do (A3区).
_CODED = r"[A-Z][0-9]{0,2}[区县]"


def places_from_text(
    comments: pl.DataFrame,
    *,
    districts: pl.DataFrame | None = None,
    within: str | None = None,
) -> tuple[pl.DataFrame, float]:
    """Fill a missing ``district_code`` with the district the message's text names.

    A message without a district gets the district it names: a name of ``districts``
    (``region_code``, ``region_name`` and optionally ``short_name``, e.g. the project's
    regions or the national gazetteer inside ``project.within``: 岳麓区 or 岳麓 → its code),
    else an anonymised name such as ``A3区`` (kept as written: it is its own code). A message
    naming two or more different districts is left unplaced. Messages that have a district
    keep it.

    Parameters
    ----------
    comments
        Comments with ``text`` (``district_code`` optional).
    districts
        District names to look for, with their codes. Default: the national gazetteer's
        districts inside ``within`` when it is given, else only anonymised names.
    within
        A 6- or 12-digit code of the area the data cover (``project.within``).

    Returns
    -------
    comments, share
        The comments with ``district_code`` filled where the text names one district, and
        the share of messages that now have a district.
    """
    if "text" not in comments.columns:
        msg = f"comments has no column 'text'; it has {comments.columns}"
        raise DataError(msg)
    if "district_code" not in comments.columns:
        comments = comments.with_columns(pl.lit(None, pl.String).alias("district_code"))
    if districts is None and within:
        districts = _districts_within(within)
    names: dict[str, str] = {}
    if districts is not None and districts.height:
        for col in ("region_name", "short_name"):
            if col in districts.columns:
                for name, code in districts.select(col, "region_code").iter_rows():
                    if name and len(name) >= 2:
                        names.setdefault(name, code)
    text = comments["text"].fill_null("")
    found = pl.DataFrame({"coded": text.str.extract_all(_CODED)})
    if names:
        patterns = sorted(names, key=len, reverse=True)
        hits = text.str.extract_many(patterns, overlapping=False).list.eval(
            pl.element().replace_strict(names, default=None)
        )
        found = found.with_columns(hits.alias("named"))
    else:
        found = found.with_columns(pl.lit([], pl.List(pl.String)).alias("named"))
    one = pl.concat_list("named", "coded").list.drop_nulls().list.unique()
    placed = found.select(
        pl.when(one.list.len() == 1).then(one.list.first()).otherwise(None).alias("from_text")
    )["from_text"]
    out = comments.with_columns(pl.coalesce(pl.col("district_code"), placed).alias("district_code"))
    share = int(out["district_code"].is_not_null().sum()) / max(out.height, 1)
    return out, share


def _districts_within(within: str) -> pl.DataFrame:
    """The gazetteer's current districts inside ``within`` (a 6- or 12-digit code)."""
    from govanalytics.data import gazetteer

    code = within.strip()[:6]
    prefix = code.rstrip("0")
    prefix = prefix + "0" * (len(prefix) % 2)  # whole pairs: 430100 → 4301, 110000 → 11
    table = gazetteer()
    return table.filter(
        (pl.col("level") == "district")
        & pl.col("current")
        & pl.col("region_code").str.starts_with(prefix)
    )
