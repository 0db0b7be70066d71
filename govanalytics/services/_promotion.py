"""Promotion of verified dynamic data into the master register (动态数据核验入库).

Applications carry what a resident declared (address, phone, disability status, employer…)
and keep the verification level the record reached: community (社区) → street/town (街道/镇)
→ department (部门). A field moves into the master register only when a record reached the
level the field requires (:data:`DEFAULT_RULES`). Everything else is reported, never written:

- **skipped**: the record carries the master's value already (``same_value``), was not
  verified (``unverified``), did not reach the field's level (``below_required_level``), was
  followed by a later qualifying record confirming the master value (``superseded``), repeats
  a value being promoted from an earlier record (``duplicate``), or the master has no such
  person (``person_not_in_master``) or no such field (``field_not_in_master``: a user's own
  register may lack optional columns such as ``employer``); :data:`SKIP_REASONS` gives the
  Chinese label of each reason (column ``reason_zh``);
- **conflicts** for a person to decide: two qualifying records give different new values
  (``verified_records_disagree``), or a qualifying record would overwrite a master value the
  rule protects (``master_protected``, e.g. a registered disability is only removed by a
  person).

Records are read in the order they were submitted (``submitted_at``, then
``application_id``): the latest qualifying record that confirms the master value closes
everything before it. Applying a plan writes only its promotions and appends one audit row
per changed field to the master dataset ``promotion_audit``, timed by the source record's
``verified_at`` (not the wall clock), so that re-running gives byte-identical results; a second
plan on the promoted master is empty.

Reference: GB/T 36073-2018 (数据管理能力成熟度评估模型), master-data management: a single
verified record per person, changes traceable to their source.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from govanalytics.data.schemas import PROMOTION_AUDIT, VERIFICATION_LEVELS
from govanalytics.errors import DataError, ParameterError

__all__ = [
    "AUDIT_FILE",
    "CONFLICT_KINDS",
    "DEFAULT_RULES",
    "SKIP_REASONS",
    "FieldRule",
    "PromotionPlan",
    "apply_promotion",
    "load_master_register",
    "plan_promotion",
]

#: Audit log of applied promotions (master dataset ``promotion_audit``), relative to a data
#: folder.
AUDIT_FILE = PROMOTION_AUDIT.default_file

#: Why a record was not promoted: reason code → label shown to people.
SKIP_REASONS: dict[str, str] = {
    "same_value": "与主数据一致",
    "unverified": "未核验",
    "below_required_level": "核验层级不足",
    "superseded": "已被后续核验记录取代",
    "duplicate": "重复来源",
    "person_not_in_master": "主数据无此人",
    "field_not_in_master": "主数据无此字段",
}

#: Kinds of conflict left for a person to decide: code → label shown to people.
CONFLICT_KINDS: dict[str, str] = {
    "verified_records_disagree": "核验记录互相矛盾",
    "master_protected": "主数据受保护值",
}


@dataclass(frozen=True)
class FieldRule:
    """How one field may move from verified dynamic records into the master register.

    Parameters
    ----------
    min_level
        Lowest verification level (one of ``community``, ``street``, ``department``) a record
        must have reached for its value to be promoted.
    protected_values
        Master values never overwritten automatically: a qualifying record that would change
        them is listed as a conflict (``master_protected``) for a person to decide.
    """

    min_level: str
    protected_values: tuple[object, ...] = ()

    def __post_init__(self) -> None:
        if self.min_level not in VERIFICATION_LEVELS[1:]:
            msg = (
                f"FieldRule.min_level must be one of {VERIFICATION_LEVELS[1:]}, got "
                f"{self.min_level!r} (unverified data never reaches the master register)"
            )
            raise ParameterError(msg)


#: Default rule per field: a phone number confirmed by the community; an address or employer
#: confirmed by the street/town office; a disability status only by the department (残联),
#: and a registered disability is never removed automatically.
DEFAULT_RULES: dict[str, FieldRule] = {
    "phone": FieldRule("community"),
    "address": FieldRule("street"),
    "employer": FieldRule("street"),
    "disability": FieldRule("department", protected_values=(True,)),
}

_PLAN_SCHEMA = pl.Schema(
    {
        "person_key": pl.String(),
        "field": pl.String(),
        "old_value": pl.String(),
        "new_value": pl.String(),
        "application_id": pl.String(),
        "verification_level": pl.String(),
        "submitted_at": pl.Datetime("us"),
        "verified_at": pl.Datetime("us"),
    }
)
_SKIPPED_SCHEMA = pl.Schema({**_PLAN_SCHEMA, "reason": pl.String(), "reason_zh": pl.String()})
_CONFLICT_SCHEMA = pl.Schema({**_PLAN_SCHEMA, "kind": pl.String()})
#: The audit log's columns are those of the master dataset ``promotion_audit``.
_AUDIT_SCHEMA = pl.Schema({name: _PLAN_SCHEMA[name] for name in PROMOTION_AUDIT.column_names})


@dataclass
class PromotionPlan:
    """What a promotion run would do; nothing is written until :func:`apply_promotion`.

    Attributes
    ----------
    promotions
        One row per (person, field) to write: ``person_key``, ``field``, ``old_value``,
        ``new_value`` (as text), the source record (``application_id``, ``verification_level``,
        ``submitted_at``, ``verified_at``).
    skipped
        One row per record and field not promoted, with ``reason`` (a code of
        :data:`SKIP_REASONS`) and ``reason_zh`` (its Chinese label).
    conflicts
        One row per record in a conflict, with ``kind`` (``verified_records_disagree`` or
        ``master_protected``) and ``old_value`` = the master value.
    rules
        The rules used.
    """

    promotions: pl.DataFrame
    skipped: pl.DataFrame
    conflicts: pl.DataFrame
    rules: dict[str, FieldRule] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Headline counts: promoted fields, skipped records, conflicts (person × field)."""
        return {
            "promoted": self.promotions.height,
            "skipped": self.skipped.height,
            "conflicts": self.conflicts.select("person_key", "field").unique().height,
        }


def _as_text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Boolean:
        return pl.when(expr).then(pl.lit("true")).when(~expr).then(pl.lit("false"))
    return expr.cast(pl.String)


def _check_columns(frame: pl.DataFrame, needed: list[str], what: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        msg = f"{what} lacks column(s) {missing}; it has {frame.columns}"
        raise DataError(msg)


def plan_promotion(
    master_register: pl.DataFrame,
    applications: pl.DataFrame,
    *,
    rules: Mapping[str, FieldRule] = DEFAULT_RULES,
    as_of: dt.datetime | None = None,
) -> PromotionPlan:
    """Plan which verified application fields move into the master register.

    Parameters
    ----------
    master_register
        The ``population_register`` master table (``person_key`` and the rule fields).
    applications
        The ``applications`` dynamic table (canonical columns; ``verified_at`` optional).
    rules
        Field → :class:`FieldRule`; default :data:`DEFAULT_RULES`. Fields absent from the
        applications are ignored; fields absent from the master (no such column in
        ``master_register``) are skipped (``field_not_in_master``, 主数据无此字段). Load a
        register with :func:`load_master_register` so that an optional column missing from
        its file stays missing instead of coming back as nulls (which would read as "no
        value yet" and be filled).
    as_of
        Plan as it stood at this moment: records submitted later are ignored and records
        verified later count as unverified (default: everything), so that a weekly report
        for a past week gives the same plan whenever it is run.

    Returns
    -------
    PromotionPlan
        Promotions, skipped records and conflicts (see the module docstring for the rule).
        Pure: nothing is written.

    Notes
    -----
    Unverified records never qualify, whatever the rule says. Values are compared as text
    (booleans as ``"true"``/``"false"``); empty values in a record mean "not declared" and
    are ignored. ``person_key`` is unique in the master register (its schema checks it).
    """
    for name, rule in rules.items():
        if not isinstance(rule, FieldRule):
            msg = f"parameter 'rules': rule for {name!r} must be a FieldRule, got {rule!r}"
            raise ParameterError(msg)
    _check_columns(master_register, ["person_key"], "master register")
    _check_columns(
        applications,
        ["application_id", "person_key", "submitted_at", "verification_level"],
        "applications",
    )
    apps = applications
    if "verified_at" not in apps.columns:
        apps = apps.with_columns(pl.lit(None, dtype=pl.Datetime("us")).alias("verified_at"))
    apps = apps.with_columns(
        pl.col("submitted_at").cast(pl.Datetime("us")),
        pl.col("verified_at").cast(pl.Datetime("us")),
    )
    if as_of is not None:
        cutoff = pl.lit(as_of).cast(pl.Datetime("us"))
        late = pl.col("verified_at").is_null() | (pl.col("verified_at") > cutoff)
        apps = apps.filter(pl.col("submitted_at") <= cutoff).with_columns(
            pl.when(late)
            .then(pl.lit("unverified"))
            .otherwise(pl.col("verification_level"))
            .alias("verification_level"),
            pl.when(late).then(None).otherwise(pl.col("verified_at")).alias("verified_at"),
        )
    apps = apps.with_columns(
        pl.col("verification_level")
        .replace_strict(
            {lv: i for i, lv in enumerate(VERIFICATION_LEVELS)}, default=0, return_dtype=pl.Int8
        )
        .alias("_rank"),
    )
    # one pass over all fields: records in submission order (``_seq``) joined once to the
    # master values of every rule field, then one row per record and declared field
    fields = [f for f in rules if f in apps.columns]
    held = [f for f in fields if f in master_register.columns]
    master = master_register.select(
        "person_key",
        pl.lit(True).alias("_known"),
        *[_as_text(pl.col(f), master_register.schema[f]).alias(f"_old_{f}") for f in held],
    )  # person_key is unique in a register (its schema checks it)
    # _seq: order of (person, submission time, id); _p: person number (integer group keys)
    recs = (
        apps.sort("person_key", "submitted_at", "application_id")
        .with_row_index("_seq")
        .with_columns(
            pl.col("_seq").cast(pl.Int64),
            pl.col("person_key").ne_missing(pl.col("person_key").shift()).cum_sum().alias("_p"),
        )
        .join(master, on="person_key", how="left", maintain_order="left")
    )
    base = [
        "person_key",
        "application_id",
        "verification_level",
        "submitted_at",
        "verified_at",
        "_rank",
        "_seq",
        "_p",
        "_known",
    ]
    parts = []
    for name in fields:
        rule = rules[name]
        protected = [
            "true" if v is True else "false" if v is False else str(v)
            for v in rule.protected_values
        ]
        old = pl.col(f"_old_{name}") if name in held else pl.lit(None, dtype=pl.String)
        parts.append(
            recs.select(
                *base,
                pl.lit(name).alias("field"),
                pl.lit(sorted(fields).index(name), dtype=pl.Int8).alias("_f"),
                _as_text(pl.col(name), apps.schema[name]).alias("new_value"),
                old.alias("old_value"),
                pl.lit(name in held).alias("_held"),
                pl.lit(VERIFICATION_LEVELS.index(rule.min_level), dtype=pl.Int8).alias("_min"),
                old.is_in(protected).fill_null(False).alias("_protected"),
            ).filter(pl.col("new_value").is_not_null())
        )
    by = ["_p", "_f"]
    qualifies = pl.col("_rank") >= pl.col("_min")
    same = pl.col("new_value").eq_missing(pl.col("old_value"))
    # the latest qualifying record confirming the master value closes all before it
    anchor = pl.when(qualifies & same).then(pl.col("_seq")).max().over(by).fill_null(-1)
    reason = (
        pl.when(~pl.col("_held"))
        .then(pl.lit("field_not_in_master"))
        .when(pl.col("_known").is_null())
        .then(pl.lit("person_not_in_master"))
        .when(same)
        .then(pl.lit("same_value"))
        .when(pl.col("_rank") == 0)
        .then(pl.lit("unverified"))
        .when(~qualifies)
        .then(pl.lit("below_required_level"))
        .when(pl.col("_seq") < anchor)
        .then(pl.lit("superseded"))
    )
    kind = (
        pl.when(pl.col("_protected"))
        .then(pl.lit("master_protected"))
        .when(pl.col("new_value").n_unique().over(by) > 1)
        .then(pl.lit("verified_records_disagree"))
    )
    if not parts:
        empty = pl.DataFrame(schema={**_SKIPPED_SCHEMA, "_seq": pl.Int64()})
        return PromotionPlan(
            promotions=empty.select(list(_PLAN_SCHEMA)),
            skipped=empty.select(list(_SKIPPED_SCHEMA)),
            conflicts=pl.DataFrame(schema=_CONFLICT_SCHEMA),
            rules=dict(rules),
        )
    long = pl.concat(parts).with_columns(reason.alias("reason"))
    cand = long.filter(pl.col("reason").is_null()).with_columns(kind.alias("kind"))
    ok = cand.filter(pl.col("kind").is_null()).with_columns(
        (pl.col("_seq") == pl.col("_seq").min().over(by)).alias("_first")
    )
    cols = [*_PLAN_SCHEMA.names(), "reason", "_p", "_f", "_seq"]
    skipped = pl.concat(
        [
            long.filter(pl.col("reason").is_not_null()).select(cols),
            ok.filter(~pl.col("_first")).with_columns(pl.lit("duplicate").alias("reason"))[cols],
        ]
    ).with_columns(pl.col("reason").replace_strict(SKIP_REASONS).alias("reason_zh"))

    def _frame(frame: pl.DataFrame, schema: pl.Schema) -> pl.DataFrame:
        # by person_key, field, submitted_at, application_id (integer keys)
        return frame.sort("_p", "_f", "_seq").select(list(schema)).cast(schema)

    return PromotionPlan(
        promotions=_frame(ok.filter(pl.col("_first")), _PLAN_SCHEMA),
        skipped=_frame(skipped, _SKIPPED_SCHEMA),
        conflicts=_frame(cand.filter(pl.col("kind").is_not_null()), _CONFLICT_SCHEMA),
        rules=dict(rules),
    )


def _from_text(values: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Boolean:
        return pl.when(values == "true").then(True).when(values == "false").then(False)
    return values.cast(dtype)


def promote_frame(
    master_register: pl.DataFrame, plan: PromotionPlan
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Apply ``plan`` to a master table in memory: ``(new_master, audit_rows)``.

    A promotion is written only when the master still holds the plan's ``old_value`` (else it
    is stale and left alone); the audit rows list exactly the fields changed.
    """
    new = master_register
    audit = []
    for name in plan.promotions["field"].unique().sort().to_list():
        if name not in new.columns:
            continue
        dtype = new.schema[name]
        todo = plan.promotions.filter(pl.col("field") == name)
        current = new.select("person_key", _as_text(pl.col(name), dtype).alias("_current"))
        todo = todo.join(current, on="person_key", how="inner").filter(
            pl.col("_current").eq_missing(pl.col("old_value"))
            & pl.col("new_value").ne_missing(pl.col("old_value"))
        )
        if todo.height == 0:
            continue
        upd = todo.select("person_key", _from_text(pl.col("new_value"), dtype).alias("_new"))
        new = (
            new.join(upd, on="person_key", how="left", maintain_order="left")
            .with_columns(
                pl.when(pl.col("_new").is_not_null())
                .then(pl.col("_new"))
                .otherwise(pl.col(name))
                .alias(name)
            )
            .drop("_new")
        )
        audit.append(todo.select(list(_AUDIT_SCHEMA)).cast(_AUDIT_SCHEMA))
    log = (
        pl.concat(audit).sort("verified_at", "person_key", "field")
        if audit
        else pl.DataFrame(schema=_AUDIT_SCHEMA)
    )
    return new, log


def load_master_register(
    data_dir: str | os.PathLike | None = None,
    *,
    path: str | os.PathLike | None = None,
    column_map: Mapping[str, str | list[str]] | None = None,
    sheet: str | int | None = None,
) -> pl.DataFrame:
    """Load the ``population_register`` with only the columns its source really has.

    The data layer fills optional columns absent from a file (such as ``employer``) with
    nulls; for promotion that would mean "no value yet" and verified records would fill a
    field the user's master data does not keep. This loader drops such filled columns (the
    load report's ``absent_columns``, :class:`govanalytics.data.LoadReport`), so
    that :func:`plan_promotion` skips them (``field_not_in_master``, 主数据无此字段) and
    :func:`apply_promotion` writes the register back in its own shape.

    Parameters
    ----------
    data_dir
        Data folder (default: the sample city, as :func:`govanalytics.data.load`).
    path, column_map, sheet
        A register file of your own, its column names and Excel sheet (as
        :func:`govanalytics.data.load`).

    Returns
    -------
    polars.DataFrame
        The validated register, canonical columns, without optional columns absent from the
        source.
    """
    from govanalytics.data import load_with_report

    frame, report = load_with_report(
        "population_register", data_dir=data_dir, path=path, column_map=column_map, sheet=sheet
    )
    return frame.drop([c for c in report.absent_columns if c in frame.columns])


_AUDIT_KEY = list(PROMOTION_AUDIT.unique)


def apply_promotion(
    store_or_frames: str | Path | pl.DataFrame | object,
    plan: PromotionPlan,
    *,
    audit_log: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Write a plan's promotions into the master register and append the audit log.

    Parameters
    ----------
    store_or_frames
        A data folder, a ``postgresql://`` URL, or a :class:`govanalytics.data.MasterStore`
        (of either kind): the register is read from
        it (:func:`load_master_register`, so a register without an optional column keeps its
        shape), the audit rows are appended to the master dataset ``promotion_audit``
        (:data:`AUDIT_FILE`) and then the register is written back, each with
        ``MasterStore.write`` (validated, atomic). Or a ``population_register`` frame:
        nothing is written, the new frame is returned.
    plan
        From :func:`plan_promotion`. Only ``plan.promotions`` are written: skipped records and
        conflicts never change the master.
    audit_log
        Previous audit rows to append to when a frame is given (ignored with a folder, whose
        own audit file is used).

    Returns
    -------
    tuple of DataFrame
        ``(new_master, audit_log)``; the audit log holds all rows so far (field, old value,
        new value, source record, level, time = the source record's ``verified_at``).

    Notes
    -----
    With a database store (``MasterStore("postgresql://…")``) the run is one transaction:
    the register rows of the plan's persons are locked in ``person_key`` order, the changed
    fields, their audit rows and a run record (``master.promotion_runs``) commit together or
    not at all; a second steward applying the same plan at the same time waits, then finds
    nothing left to do (see :func:`govanalytics.data._postgres.promote`).

    Idempotent: a field is written only when the master still holds the plan's old value, so
    applying the same plan twice, or a new plan on the promoted master, changes nothing and
    adds no audit row. The audit log is written before the register: a run stopped between
    the two writes leaves audited changes not yet in the register, which the next run writes
    without logging them twice (an audit row is unique by person, field and source record).
    """
    if isinstance(store_or_frames, pl.DataFrame):
        new, rows = promote_frame(store_or_frames, plan)
        previous = audit_log if audit_log is not None else pl.DataFrame(schema=_AUDIT_SCHEMA)
        previous = previous.select(list(_AUDIT_SCHEMA)).cast(_AUDIT_SCHEMA)
        rows = rows.join(previous.select(_AUDIT_KEY), on=_AUDIT_KEY, how="anti")
        return new, pl.concat([previous, rows])
    from govanalytics.data import MasterStore

    store = (
        store_or_frames
        if isinstance(store_or_frames, MasterStore)
        else MasterStore(store_or_frames)  # type: ignore[arg-type]
    )
    if store.url is not None:  # one transaction: locked rows, changes, audit, run record
        from govanalytics.data._postgres import promote

        promote(store.url, plan)
        return store.load("population_register"), store.load("promotion_audit")
    master = load_master_register(store.data_dir)
    new, rows = promote_frame(master, plan)
    previous = (
        store.load("promotion_audit").select(list(_AUDIT_SCHEMA)).cast(_AUDIT_SCHEMA)
        if store.exists("promotion_audit")
        else pl.DataFrame(schema=_AUDIT_SCHEMA)
    )
    # a change already logged (a run stopped between the two writes) is not logged twice
    fresh = rows.join(previous.select(_AUDIT_KEY), on=_AUDIT_KEY, how="anti")
    log = pl.concat([previous, fresh])
    if fresh.height:
        store.write("promotion_audit", log)
    if rows.height:
        store.write("population_register", new)
    return new, log
