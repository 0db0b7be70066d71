"""Text normalisation: full-width to half-width, whitespace, optional traditional to simplified."""

from __future__ import annotations

import polars as pl

from govanalytics.errors import ParameterError

# full-width ASCII block U+FF01–U+FF5E → U+0021–U+007E, ideographic space → space
_FULL = [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000"]
_HALF = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)] + [" "]


def normalise_text(texts: pl.Series, *, traditional_to_simplified: bool = False) -> pl.Series:
    """Normalise comment text before segmentation.

    Full-width letters, digits and punctuation (``ＡＢＣ１２３，！``) become half-width
    (``ABC123,!``); runs of whitespace (including the ideographic space and line breaks) become
    one space and ends are trimmed; optionally traditional characters become simplified
    (OpenCC ``t2s`` tables, through ``opencc-python-reimplemented``; slower, off by default).

    Parameters
    ----------
    texts
        String series; nulls stay null.
    traditional_to_simplified
        Convert traditional Chinese to simplified. Default False.

    Returns
    -------
    pl.Series
        Normalised text, same length and name.
    """
    if not isinstance(texts, pl.Series) or texts.dtype != pl.String:
        msg = "texts must be a polars Series of type String"
        raise ParameterError(msg)
    # a streaming query runs the string kernels on all cores, morsel by morsel, in order
    expr = pl.col("t").str.replace_many(_FULL, _HALF).str.replace_all(r"\s+", " ")
    out = (
        texts.to_frame("t")
        .lazy()
        .select(expr.str.strip_chars())
        .collect(engine="streaming")
        .to_series()
        .alias(texts.name)
    )
    if traditional_to_simplified:
        from opencc import OpenCC

        cc = OpenCC("t2s")
        out = out.map_elements(cc.convert, return_dtype=pl.String, skip_nulls=True)
    return out
