"""Declarative table schemas: what a dataset must look like once loaded.

A :class:`Schema` lists the canonical columns of one dataset kind with their type, whether
they may be missing or empty, ranges, allowed codes, patterns and unique keys. The loaders
check every table against its schema and raise one :class:`~govanalytics.errors.SchemaError`
listing all problems found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from govanalytics.errors import ParameterError

Store = Literal["master", "dynamic"]


@dataclass(frozen=True)
class Column:
    """One canonical column of a dataset.

    Parameters
    ----------
    name
        Canonical English snake_case name.
    dtype
        Polars type the column is converted to (``pl.String``, ``pl.Int64``, ``pl.Float64``,
        ``pl.Boolean``, ``pl.Date``, ``pl.Datetime``).
    label_zh
        Chinese label shown to people.
    required
        The column must be present in the file.
    nullable
        Empty values are allowed.
    min, max
        Inclusive bounds for numbers and dates.
    allowed
        The only values allowed (codes).
    pattern
        Regular expression a string value must match in full.
    check
        A named extra check: ``"id_number"`` validates the 18-digit ID-card check digit.
    references
        ``"dataset.column"`` whose values this column must be among (checked when the
        referenced table is given to the validator).
    aliases
        Other column names recognised without a mapping (Chinese headers of common exports).
    """

    name: str
    dtype: pl.DataType | type[pl.DataType]
    label_zh: str = ""
    required: bool = True
    nullable: bool = False
    min: float | int | object | None = None
    max: float | int | object | None = None
    allowed: tuple[object, ...] | None = None
    pattern: str | None = None
    check: str | None = None
    references: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schema:
    """The declared shape of one dataset kind.

    Parameters
    ----------
    name
        Dataset name, e.g. ``"clinic_counts"``.
    store
        ``"master"`` (基础主数据库: static, verified) or ``"dynamic"`` (业务动态数据库: events).
    label_zh
        Chinese name of the dataset.
    columns
        The canonical columns.
    unique
        Columns that together identify a row; duplicates are an error.
    default_file
        File of this dataset relative to a data folder (the sample city's layout).
    geometry
        The dataset carries polygon or point geometry (read with geopandas).
    """

    name: str
    store: Store
    label_zh: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    default_file: str = ""
    geometry: bool = False
    description: str = field(default="", compare=False)

    @property
    def column_names(self) -> list[str]:
        """Canonical column names in declared order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """Return the column declaration called ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        msg = f"parameter 'name': schema {self.name!r} has no column {name!r}; it has {self.column_names}"
        raise ParameterError(msg)
