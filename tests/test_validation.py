"""Parameter validators: one message form naming the parameter, used across the package."""

from __future__ import annotations

import math

import numpy as np
import pytest

from govanalytics.errors import ParameterError
from govanalytics.validation import bool_like, float_like, int_like, string_like


def test_int_like_accepts_whole_numbers_within_bounds() -> None:
    assert int_like(np.int64(15), "k", low=1) == 15
    assert type(int_like(np.int64(15), "k")) is int
    assert int_like(None, "k", optional=True) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "parameter 'k' must be an integer ≥ 1, got 0"),
        (True, "parameter 'k' must be an integer ≥ 1, got True"),
        (2.0, "parameter 'k' must be an integer ≥ 1, got 2.0"),
        ("15", "parameter 'k' must be an integer ≥ 1, got '15'"),
        (None, "parameter 'k' must be an integer ≥ 1, got None"),
    ],
)
def test_int_like_refuses_with_one_message_form(value, message) -> None:
    with pytest.raises(ParameterError) as info:
        int_like(value, "k", low=1)
    assert str(info.value) == message


def test_float_like_bounds_and_finiteness() -> None:
    assert float_like(3, "x") == 3.0 and type(float_like(3, "x")) is float
    assert float_like(0.5, "holdout", low=0, high=1) == 0.5
    with pytest.raises(
        ParameterError, match=r"^parameter 'holdout' must be a number between 0 and 1, got 1\.5$"
    ):
        float_like(1.5, "holdout", low=0, high=1)
    with pytest.raises(ParameterError, match="must be a finite number"):
        float_like(math.nan, "x")
    with pytest.raises(ParameterError, match="must be a number"):
        float_like(False, "x")
    assert math.isinf(float_like(math.inf, "x", finite=False))


def test_bool_like_and_string_like() -> None:
    assert bool_like(np.bool_(True), "flag") is True
    with pytest.raises(ParameterError, match=r"^parameter 'flag' must be True or False, got 1$"):
        bool_like(1, "flag")
    assert string_like("Week", "frequency", options=("week", "month"), lower=True) == "week"
    with pytest.raises(
        ParameterError,
        match=r"^parameter 'frequency' must be one of 'week', 'month', got 'day'$",
    ):
        string_like("day", "frequency", options=("week", "month"))
    with pytest.raises(ParameterError, match="must be a string"):
        string_like(3, "name")


@pytest.mark.parametrize(
    ("call", "name"),
    [
        ("govanalytics.privacy:suppress_small_counts", "k"),
        ("govanalytics.health:flag_aberrations", "method"),
        ("govanalytics.mobility:od_by_period", "period"),
        ("govanalytics.privacy:escape_markup", "markup"),
    ],
)
def test_public_functions_use_the_same_form(call: str, name: str) -> None:
    import importlib

    import polars as pl

    module, func = call.split(":")
    f = getattr(importlib.import_module(module), func)
    args = {
        "k": ((pl.DataFrame({"n": [1]}), "n"), {"k": 0}),
        "method": ((pl.DataFrame(),), {"method": "magic"}),
        "period": ((pl.DataFrame(),), {"period": "fortnight"}),
        "markup": (("x",), {"markup": "latex"}),
    }[name]
    with pytest.raises(ParameterError, match=rf"^parameter '{name}' must be "):
        f(*args[0], **args[1])
