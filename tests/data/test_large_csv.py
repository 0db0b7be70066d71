"""Large CSV files are checked line by line and refused at their first errors."""

from __future__ import annotations

import random

import pytest

from govanalytics.data._read import check_csv_stream, read_csv
from govanalytics.errors import DataError


def _junk(path, *, good_rows: int, bad_rows: int) -> None:
    rng = random.Random(3)
    with path.open("w", encoding="utf-8") as f:
        f.write("cell_id,hour,devices\n")
        for i in range(good_rows):
            f.write(f"C{i % 500:05d},2026-11-{1 + i % 28:02d} {i % 24:02d}:00,{i % 900}\n")
        junk = [  # random text with random separators
            "".join(rng.choice("ab,;，数据 \t") for _ in range(rng.randint(5, 60))) + "\n"
            for _ in range(1000)
        ]
        f.write("".join(junk) * (bad_rows // 1000))


def test_a_junk_csv_is_refused_at_the_first_errors_naming_row_and_column(tmp_path) -> None:
    path = tmp_path / "device_counts.csv"
    _junk(path, good_rows=5, bad_rows=200_000)  # about 7 MB
    assert path.stat().st_size > 5_000_000
    with pytest.raises(DataError) as info:
        read_csv(path, max_errors=7, stream_check_bytes=1_000_000)
    msg = str(info.value)
    assert msg.startswith(f"{path}: cannot read as CSV (utf-8): 7 rows in error")
    assert "(stopped at the first 7)" in msg
    assert msg.count("\n  row ") == 7
    first = msg.split("\n  ")[1]
    assert first.startswith("row 6: ") and "column" in first and "the header has 3" in first


def test_bytes_of_another_encoding_and_overlong_lines_are_named(tmp_path) -> None:
    path = tmp_path / "t.csv"
    body = "a,b\n" + "1,2\n" * 100_000  # the encoding is taken from the first 256 KB
    path.write_bytes(
        body.encode() + "朝阳,3\n".encode("gb18030") + b"x" * 1_100_000 + b",1\n" + b"4,5\n"
    )
    with pytest.raises(DataError) as info:
        check_csv_stream(path)
    msg = str(info.value)
    assert "row 100001: byte 1 is not valid utf-8" in msg
    assert "row 100002: longer than 1,048,576 bytes" in msg
    assert "2 rows in error:" in msg


def test_a_good_large_csv_passes_the_check_and_is_read(tmp_path) -> None:
    path = tmp_path / "good.csv"
    _junk(path, good_rows=30_000, bad_rows=0)
    path.write_text(path.read_text() + 'C1,"2026-11-01\n00:00",3\n', encoding="utf-8")
    assert check_csv_stream(path) == "utf-8"
    raw = read_csv(path, stream_check_bytes=1)
    assert raw.frame.collect().height == 30_001


def _gbk_noise(n: int, seed: int = 5) -> bytes:
    """Bytes that are valid GBK/GB18030 ideographs but no text: random pairs of the GBK/3
    area (lead 0x81-0xA0), which decode to CJK characters and pass the encoding check."""
    rng = random.Random(seed)
    trail = [b for b in range(0x40, 0xFF) if b != 0x7F]
    return b"".join(bytes([rng.randrange(0x81, 0xA1), rng.choice(trail)]) for _ in range(n))


def test_gbk_bytes_that_decode_to_garbage_are_named_in_a_warning(tmp_path) -> None:
    path = tmp_path / "comments.csv"
    rows = [b"message_id,text"] + [b"M%d," % i + _gbk_noise(30, seed=i) for i in range(40)]
    path.write_bytes(b"\n".join(rows) + b"\n")
    raw = read_csv(path)
    assert raw.encoding == "gb18030"
    [note] = [n for n in raw.notes if n.startswith("warning:")]
    assert str(path) in note and "garbled" in note


def test_real_chinese_in_gbk_reads_without_a_warning(tmp_path) -> None:
    path = tmp_path / "comments.csv"
    text = "编号,内容\n" + "".join(
        f"{i},小区门口的路灯坏了很久，晚上出行很不方便，希望尽快维修，谢谢！龑䶮\n"
        for i in range(40)
    )
    path.write_bytes(text.encode("gb18030"))
    raw = read_csv(path)
    assert raw.encoding == "gb18030" and raw.notes == []


def test_thousands_separators_and_full_width_digits_are_counted_and_said(
    small_city, tmp_path
) -> None:
    import polars as pl

    from govanalytics.data import load_with_report

    counts = pl.read_parquet(small_city / "dynamic" / "clinic_counts.parquet")
    counts = counts.head(50).with_columns(pl.col("count").cast(pl.String))
    planted = ["1,234", "１２３", "2,000", "４５"]
    counts = counts.with_columns(
        pl.Series("count", planted + counts["count"].to_list()[len(planted) :])
    )
    path = tmp_path / "clinic_counts.csv"
    counts.write_csv(path)
    frame, report = load_with_report("clinic_counts", path=path)
    assert frame["count"].head(4).to_list() == [1234, 123, 2000, 45]
    assert report.repairs == {
        ("count", "thousands separator removed"): 2,
        ("count", "full-width to half-width"): 2,
    }
    [note] = report.data_notes()
    assert note.startswith("读取 门诊病例周报 时自动修复 4 处")  # its name, not the file
    assert "千位分隔符（如 1,234） 2 处" in note and "全角字符改为半角（如 １２３） 2 处" in note
