"""A steward's promotion run in its own process, paused at the steps the test names.

``python -m tests.db.promote_worker URL PLAN.parquet STEPS`` applies the plan whose
promotions are in PLAN.parquet to the database URL (``apply_promotion``'s transaction). At
each step named in STEPS (comma-separated: ``begun``, ``first_write``) it prints
``<step> <backend pid>`` and waits for a line on standard input before going on; it prints
``done`` at the end.
"""

from __future__ import annotations

import sys

import polars as pl


def main() -> None:
    url, plan_file, steps = sys.argv[1], sys.argv[2], set(sys.argv[3].split(","))
    from govanalytics.data import _postgres
    from govanalytics.services._promotion import PromotionPlan

    def hook(step: str, conn: object) -> None:
        if step in steps:
            print(step, conn.info.backend_pid, flush=True)  # type: ignore[attr-defined]
            sys.stdin.readline()

    _postgres.promotion_hook = hook
    promotions = pl.read_parquet(plan_file)
    plan = PromotionPlan(promotions, promotions.clear(), promotions.clear())
    _postgres.promote(url, plan)  # what apply_promotion does with a database store
    print("done", flush=True)


if __name__ == "__main__":
    main()
