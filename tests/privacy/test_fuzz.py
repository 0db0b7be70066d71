"""Property-based fuzzing (Hypothesis) of the readers, the masker and the suppression.

Bounded: each property runs a fixed, derandomised number of examples (no deadline, no
database), about 30 s in all on a loaded 2-core machine; a failure prints the smallest input
that breaks the property.

* readers: random bytes under a CSV, Excel or Parquet name, random encodings of random
  tables, random Excel shapes — the data layer answers with a table or one of our errors
  (:class:`~govanalytics.errors.GovAnalyticsError`), never another exception or a crash;
* masker: random text with personal data planted at random places — the planted value never
  survives, the gate finds nothing in the result, masking twice changes nothing more;
* suppression: random tables with small cells and published totals — nothing below ``k`` is
  published and no withheld cell is a published total minus published parts.
"""

from __future__ import annotations

import contextlib
import io
import string
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govanalytics.errors import GovAnalyticsError
from govanalytics.privacy import (
    find_recoverable,
    group_totals,
    id_check_digit,
    luhn_valid,
    mask_personal_data,
    scan_text,
    secondary_suppress,
    suppress_small_counts,
)

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# --- the masker ---------------------------------------------------------------------------

FILLER = st.text(
    alphabet="小区停水路灯物业噪音反映希望尽快解决谢谢市民来电投诉"
    + string.ascii_letters
    + "，。！ ：",
    max_size=40,
)
DIGITS = "0123456789"
SEPARATORS = st.sampled_from(["", " ", "-", ".", " - "])


@st.composite
def mobiles(draw: st.DrawFn) -> tuple[str, str]:
    number = "1" + draw(st.sampled_from("3456789")) + draw(st.text(DIGITS, min_size=9, max_size=9))
    sep = draw(SEPARATORS)
    prefix = draw(st.sampled_from(["", "+86 ", "0086-", "86 "]))
    written = prefix + number[:3] + sep + number[3:7] + sep + number[7:]
    if draw(st.booleans()):
        written = written.translate(str.maketrans(DIGITS, "０１２３４５６７８９"))
    return written, number


@st.composite
def ids(draw: st.DrawFn) -> tuple[str, str]:
    region = draw(st.sampled_from(["110105", "440305", "310104", "510107"]))
    year = draw(st.integers(1930, 2010))
    month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
    body = f"{region}{year}{month:02d}{day:02d}{draw(st.text(DIGITS, min_size=3, max_size=3))}"
    number = body + id_check_digit(body)
    written = number if draw(st.booleans()) else f"{number[:6]} {number[6:14]} {number[14:]}"
    if draw(st.booleans()):
        written = written.translate(str.maketrans(DIGITS + "X", "０１２３４５６７８９Ｘ"))
    return written, number


@st.composite
def landlines(draw: st.DrawFn) -> tuple[str, str]:
    area = draw(st.sampled_from(["010", "020", "021", "0755", "0571", "0851"]))
    local = draw(st.text(DIGITS, min_size=8, max_size=8))
    return area + draw(SEPARATORS) + local, area + local


@st.composite
def cards(draw: st.DrawFn) -> tuple[str, str]:
    body = "62" + draw(st.text(DIGITS, min_size=15, max_size=15))
    number = next(body + d for d in DIGITS if luhn_valid(body + d))
    sep = draw(st.sampled_from(["", " "]))
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4)), number


@st.composite
def contacts(draw: st.DrawFn) -> tuple[str, str]:
    user = draw(st.text(string.ascii_lowercase, min_size=4, max_size=8)) + draw(
        st.text(DIGITS, min_size=2, max_size=4)
    )
    kind = draw(st.sampled_from(["email", "wechat", "qq"]))
    if kind == "email":
        return f"{user}@{draw(st.sampled_from(['163.com', 'qq.com', 'gov.cn']))}", user
    if kind == "wechat":
        return f"{draw(st.sampled_from(['微信：', 'VX: ', '微信号']))}{user}", user
    qq = draw(st.sampled_from("123456789")) + draw(st.text(DIGITS, min_size=6, max_size=9))
    return f"{draw(st.sampled_from(['QQ：', 'qq ', '扣扣']))}{qq}", qq


PLANTED = st.one_of(mobiles(), ids(), landlines(), cards(), contacts())


@FUZZ
@given(st.lists(st.tuples(FILLER, PLANTED, FILLER), min_size=1, max_size=6))
def test_planted_personal_data_never_survives(rows: list) -> None:
    texts = pl.Series([f"{a}，{written}，{b}" for a, (written, _), b in rows] + [None])
    masked, counts = mask_personal_data(texts, names="all")
    assert masked.len() == texts.len() and masked[-1] is None
    for out, (_, (_, secret), _) in zip(masked.to_list(), rows, strict=False):
        flat = "".join(c for c in out if c.isalnum())
        assert secret not in flat, out
        assert scan_text(out) == [], out
    assert sum(counts.values()) >= len(rows)
    again, counts_again = mask_personal_data(masked, names="all")
    assert again.equals(masked) and sum(counts_again.values()) == 0


@FUZZ
@given(st.lists(st.text(max_size=60), min_size=1, max_size=8))
def test_any_text_is_masked_without_error(texts: list[str]) -> None:
    masked, _ = mask_personal_data(pl.Series(texts, dtype=pl.String), names="all")
    assert masked.len() == len(texts)
    for out in masked.to_list():
        scan_text(out)  # the gate reads anything the masker writes


# --- suppression --------------------------------------------------------------------------


@FUZZ
@given(
    n_areas=st.integers(1, 6),
    n_kinds=st.integers(1, 5),
    k=st.integers(2, 20),
    data=st.data(),
)
def test_small_cells_withheld_and_not_recoverable_from_totals(
    n_areas: int, n_kinds: int, k: int, data: st.DataObject
) -> None:
    cells = [(f"a{i}", f"c{j}") for i in range(n_areas) for j in range(n_kinds)]
    cells = data.draw(st.lists(st.sampled_from(cells), min_size=1, unique=True))
    counts = data.draw(st.lists(st.integers(0, 3 * k), min_size=len(cells), max_size=len(cells)))
    frame = pl.DataFrame(
        {"area": [a for a, _ in cells], "kind": [c for _, c in cells], "count": counts}
    )
    groups = [["area"], ["kind"], []]
    published = secondary_suppress(
        suppress_small_counts(frame, ["count"], k=k), "count", groups=groups
    )
    joined = frame.join(published, on=["area", "kind"], suffix="_pub")
    assert joined.filter(pl.col("count") < k)["count_pub"].null_count() == (
        joined.filter(pl.col("count") < k).height
    )
    shown = joined.filter(pl.col("count_pub").is_not_null())
    assert (shown["count_pub"] == shown["count"]).all() and (shown["count"] >= k).all()
    totals = {(*by,): group_totals(frame, "count", by, k=k, published=published) for by in groups}
    assert find_recoverable(published, "count", totals).height == 0


# --- readers ------------------------------------------------------------------------------

SUFFIXES = [".csv", ".xlsx", ".parquet", ".xls"]


def _load(path: Path) -> None:
    from govanalytics.data import load

    with contextlib.suppress(GovAnalyticsError):  # refused with our error: as it should be
        load("comments", path=path)


@FUZZ
@given(payload=st.binary(max_size=2048), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_are_refused_with_our_error(
    tmp_path_factory: pytest.TempPathFactory, payload: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"comments{suffix}"
    path.write_bytes(payload)
    _load(path)


CELL = st.one_of(
    st.none(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.datetimes(),
)


@FUZZ
@given(
    header=st.lists(
        st.sampled_from(["message_id", "created_at", "text", "留言内容", "时间", "", "x"]),
        min_size=0,
        max_size=5,
    ),
    rows=st.lists(st.lists(CELL, min_size=0, max_size=6), max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]),
    kind=st.sampled_from(["csv", "xlsx"]),
)
def test_random_tables_in_random_encodings_and_shapes(
    tmp_path_factory: pytest.TempPathFactory,
    header: list[str],
    rows: list[list],
    encoding: str,
    kind: str,
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    if kind == "csv":
        lines = [",".join(header)] + [
            ",".join("" if v is None else str(v) for v in r) for r in rows
        ]
        text = "\n".join(lines)
        path = folder / "comments.csv"
        path.write_bytes(text.encode(encoding, errors="replace"))
    else:
        import xlsxwriter

        path = folder / "comments.xlsx"
        book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
        sheet = book.add_worksheet()
        for j, name in enumerate(header):
            sheet.write(0, j, name)
        for i, row in enumerate(rows, 1):
            for j, value in enumerate(row):
                if value is not None:
                    sheet.write(i, j, value if not isinstance(value, str) else value[:100])
        book.close()
    _load(path)


def test_the_fuzz_suite_reads_a_good_file(tmp_path: Path) -> None:
    """The reader property can fail: a well-formed file loads (the helper swallows only our
    errors, so a file the layer cannot read at all would still be seen)."""
    from govanalytics.data import load

    buffer = io.StringIO("message_id,created_at,text\nm1,2026-11-01 08:00:00,停水\n")
    (tmp_path / "comments.csv").write_text(buffer.getvalue(), encoding="utf-8")
    assert load("comments", path=tmp_path / "comments.csv").height == 1
