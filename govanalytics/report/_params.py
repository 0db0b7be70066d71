"""Notebook parameters: read each notebook's ``parameters`` cell, check what the runner passes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from govanalytics.errors import ParameterError
from govanalytics.report.contract import COMMON_PARAMETERS
from govanalytics.validation import bool_like, float_like, int_like, string_like

#: Annotation names papermill infers from ``name: type = default`` lines, and their types.
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
}


def notebook_parameters(path: str | Path) -> dict[str, type | None]:
    """Parameters declared in a notebook's ``parameters`` cell, with their types.

    Parameters
    ----------
    path
        The ``.ipynb`` file.

    Returns
    -------
    dict
        Parameter name → Python type from its annotation (``None`` when the annotation is
        missing or not one of str, int, float, bool, list, dict).

    Raises
    ------
    ParameterError
        The notebook has no cell tagged ``parameters``.
    """
    import nbformat
    import papermill as pm

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        msg = (
            f"notebook {path.name}: expected exactly one cell tagged 'parameters', "
            f"found {len(tagged)}"
        )
        raise ParameterError(msg)
    try:
        declared = pm.inspect_notebook(str(path))
    except ValueError as exc:  # no language in the notebook's metadata
        msg = f"notebook {path.name}: cannot read its parameters ({exc}); save it with a kernel"
        raise ParameterError(msg) from exc
    out: dict[str, type | None] = {}
    for name, info in declared.items():
        type_name = (info.get("inferred_type_name") or "").strip()
        types = _TYPES.get(type_name)
        out[name] = types[0] if types else None
    return out


#: The validator of each annotation (one message form for notebooks and the package).
_VALIDATORS: dict[type, Callable[[Any, str], Any]] = {
    str: string_like,
    int: int_like,
    float: float_like,
    bool: bool_like,
}


def _type_problem(name: str, value: Any, expected: type | None) -> str | None:
    """The message for a value of the wrong type (None: fine)."""
    if expected is None:
        return None
    if expected in _VALIDATORS:
        try:
            _VALIDATORS[expected](value, name)
        except ParameterError as exc:
            return str(exc)
        return None
    if isinstance(value, expected):
        return None
    hint = ' — give it as JSON, e.g. -p column_map=\'{"留言时间": "created_at"}\''
    return f"parameter {name!r} must be a {expected.__name__}, got {value!r}{hint}"


def check_parameters(notebook: str, declared: dict[str, type | None], given: dict) -> dict:
    """Check ``given`` parameters against a notebook's declared ones.

    Parameters
    ----------
    notebook
        Notebook name, for messages.
    declared
        From :func:`notebook_parameters`.
    given
        Values to pass (JSON-safe: str, int, float, bool, list, dict).

    Returns
    -------
    dict
        ``given`` unchanged when every name is declared and every value has its type.

    Raises
    ------
    ParameterError
        Listing every unknown name, wrong type and missing common parameter at once.
    """
    problems = []
    for name in COMMON_PARAMETERS:
        if name not in declared:
            problems.append(f"the parameters cell lacks the common parameter {name!r}")
        elif declared[name] is not COMMON_PARAMETERS[name]:
            problems.append(
                f"common parameter {name!r} must be annotated {COMMON_PARAMETERS[name].__name__}"
            )
    for name, value in given.items():
        if name not in declared:
            known = ", ".join(sorted(declared))
            problems.append(f"unknown parameter {name!r} (the notebook declares: {known})")
        elif problem := _type_problem(name, value, declared[name]):
            problems.append(problem)
    if problems:
        msg = f"notebook {notebook}:\n  " + "\n  ".join(problems)
        raise ParameterError(msg)
    return given


#: Parameters of the engine that runs the heavy steps (``--engine``, ``--spark-conf``): given
#: only to the notebooks whose parameters cell declares them (``engine: str = "polars"``,
#: ``spark_conf: dict = {}``), which pass them to the package functions.
ENGINE_PARAMETERS: dict[str, type] = {"engine": str, "spark_conf": dict}


def parse_spark_conf(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``("spark.master=yarn", "spark.executor.memory=8g")`` as a dict of Spark settings."""
    conf: dict[str, str] = {}
    for item in pairs:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            msg = f"--spark-conf {item!r}: expected KEY=VALUE, e.g. spark.executor.memory=8g"
            raise ParameterError(msg)
        conf[key.strip()] = value.strip()
    return conf


def engine_parameters(
    parameters: dict,
    *,
    engine: str,
    spark_conf: dict[str, str],
    notebooks: list[Path],
) -> dict:
    """``parameters`` with ``engine`` and ``spark_conf`` added for each notebook declaring
    ``engine`` (as per-notebook parameters, merged with those already given for it).

    Raises
    ------
    ParameterError
        ``engine`` is not polars or spark, or no notebook declares the ``engine`` parameter.
    """
    from govanalytics.spark import check_engine

    check_engine(engine)
    takers = [p.stem for p in notebooks if "engine" in notebook_parameters(p)]
    if not takers:
        msg = (
            "--engine: no notebook declares the parameter 'engine' (add `engine: str = "
            '"polars"` and `spark_conf: dict = {}` to its parameters cell; docs/spark.md)'
        )
        raise ParameterError(msg)
    out = dict(parameters)
    for name in takers:
        own = out.get(name)
        own = dict(own) if isinstance(own, dict) else {}
        out[name] = {"engine": engine, "spark_conf": dict(spark_conf), **own}
    return out
