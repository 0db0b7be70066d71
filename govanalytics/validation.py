"""Parameter validators: one message form, naming the parameter, for the package and notebooks.

Each validator takes the value and the parameter's name, checks it and returns it (converted
where that is harmless: a NumPy integer to ``int``, a float to ``float``), or raises
:class:`~govanalytics.errors.ParameterError` with the message::

    parameter 'k' must be an integer ≥ 1, got 0

Used at the top of public functions (in the style of statsmodels'
``statsmodels.tools.validation``, written here anew) and in notebooks' parameter cells.

Examples
--------
>>> int_like(15, "k", low=1)
15
>>> string_like("Week", "frequency", options=("week", "month"), lower=True)
'week'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from govanalytics.errors import ParameterError

__all__ = ["bool_like", "float_like", "int_like", "string_like"]


def _refuse(name: str, expected: str, value: Any) -> ParameterError:
    return ParameterError(f"parameter {name!r} must be {expected}, got {value!r}")


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" between {low} and {high}"
    if low is not None:
        return f" ≥ {low}"
    if high is not None:
        return f" ≤ {high}"
    return ""


def bool_like(value: Any, name: str, *, optional: bool = False) -> bool | None:
    """``value`` if it is True or False (or None when ``optional``).

    Parameters
    ----------
    value
        The value given.
    name
        The parameter's name, for the message.
    optional
        Accept ``None``.

    Returns
    -------
    bool or None
    """
    if value is None and optional:
        return None
    kind = type(value)
    if isinstance(value, bool) or (
        kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_")
    ):
        return bool(value)
    raise _refuse(name, "True or False" + (" (or None)" if optional else ""), value)


def int_like(
    value: Any,
    name: str,
    *,
    optional: bool = False,
    low: int | None = None,
    high: int | None = None,
) -> int | None:
    """``value`` as an ``int`` if it is a whole number (never a bool) within the bounds.

    Parameters
    ----------
    value
        The value given (a Python or NumPy integer).
    name
        The parameter's name, for the message.
    optional
        Accept ``None``.
    low, high
        Inclusive bounds (None: unbounded).

    Returns
    -------
    int or None
    """
    if value is None and optional:
        return None
    expected = "an integer" + _bounds(low, high) + (" (or None)" if optional else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _refuse(name, expected, value)
    out = int(value)
    if (low is not None and out < low) or (high is not None and out > high):
        raise _refuse(name, expected, value)
    return out


def float_like(
    value: Any,
    name: str,
    *,
    optional: bool = False,
    low: float | None = None,
    high: float | None = None,
    finite: bool = True,
) -> float | None:
    """``value`` as a ``float`` if it is a real number (never a bool) within the bounds.

    Parameters
    ----------
    value
        The value given (int or float, Python or NumPy).
    name
        The parameter's name, for the message.
    optional
        Accept ``None``.
    low, high
        Inclusive bounds (None: unbounded).
    finite
        Refuse NaN and infinities (default).

    Returns
    -------
    float or None
    """
    if value is None and optional:
        return None
    expected = "a number" + _bounds(low, high) + (" (or None)" if optional else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _refuse(name, expected, value)
    out = float(value)
    if finite and not math.isfinite(out):
        raise _refuse(name, "a finite number" + _bounds(low, high), value)
    if (low is not None and out < low) or (high is not None and out > high):
        raise _refuse(name, expected, value)
    return out


def string_like(
    value: Any,
    name: str,
    *,
    optional: bool = False,
    options: Sequence[str] | None = None,
    lower: bool = False,
) -> str | None:
    """``value`` if it is a string (one of ``options`` when given).

    Parameters
    ----------
    value
        The value given.
    name
        The parameter's name, for the message.
    optional
        Accept ``None``.
    options
        The allowed values (the ``Literal`` of the parameter's type).
    lower
        Compare in lower case and return the lower-case value.

    Returns
    -------
    str or None
    """
    if value is None and optional:
        return None
    if options is not None:
        listed = ", ".join(repr(o) for o in options)
        expected = f"one of {listed}" + (" (or None)" if optional else "")
    else:
        expected = "a string" + (" (or None)" if optional else "")
    if not isinstance(value, str):
        raise _refuse(name, expected, value)
    out = value.lower() if lower else value
    if options is not None and out not in options:
        raise _refuse(name, expected, value)
    return out
