"""Government services: verified data promotion, proactive rolls, surges, demand, suggestions.

- :func:`plan_promotion` / :func:`apply_promotion`: move verified application fields into the
  master register by a per-field rule (:data:`DEFAULT_RULES`), with conflicts and an audit log
  (master dataset ``promotion_audit``); :func:`load_master_register` keeps a register's own
  columns.
- :func:`bus_card_roll`, :func:`update_roll`, :func:`delivery_list`, :func:`write_roll_exports`,
  :func:`roll_counts`: the free bus-card roll for everyone turning 60 and home deliveries.
- :func:`surge_warnings`, :func:`period_counts`: applications against capacity and season.
- :func:`demand_by_community`, :func:`demand_points`: demand per community, change vs before.
- :func:`publishable_promotions`, :func:`publishable_conflicts`, :func:`publishable_demand`,
  :func:`publishable_rules`, :func:`roll_counts`: what a report may show (counts only, small
  counts withheld by :func:`govanalytics.privacy.suppress_small_counts`);
  :func:`write_promotion_exports`: the person-level promotion plan and conflict list for the
  data steward (Excel in ``data/exports``, never in a report).
- :func:`service_events`, :func:`association_rules`, :func:`suggest_offers`: "A then B" rules
  and proactive offers per resident group.
"""

from govanalytics.services._charts import capacity_chart
from govanalytics.services._demand import (
    COMPLAINTS,
    demand_by_community,
    demand_points,
    period_window,
    publishable_demand,
)
from govanalytics.services._promotion import (
    AUDIT_FILE,
    CONFLICT_KINDS,
    DEFAULT_RULES,
    SKIP_REASONS,
    FieldRule,
    PromotionPlan,
    apply_promotion,
    load_master_register,
    plan_promotion,
)
from govanalytics.services._publish import (
    publishable_conflicts,
    publishable_promotions,
    write_promotion_exports,
)
from govanalytics.services._rolls import (
    ROLL_FILE,
    bus_card_roll,
    delivery_list,
    roll_counts,
    update_roll,
    write_roll_exports,
)
from govanalytics.services._suggestions import (
    AGE_BANDS,
    association_rules,
    publishable_rules,
    recommendable_rules,
    service_events,
    suggest_offers,
)
from govanalytics.services._surge import (
    CAPACITY_OF_SERVICE,
    period_counts,
    surge_alerts,
    surge_warnings,
)

__all__ = [
    "AGE_BANDS",
    "AUDIT_FILE",
    "CAPACITY_OF_SERVICE",
    "COMPLAINTS",
    "CONFLICT_KINDS",
    "DEFAULT_RULES",
    "ROLL_FILE",
    "SKIP_REASONS",
    "FieldRule",
    "PromotionPlan",
    "apply_promotion",
    "association_rules",
    "bus_card_roll",
    "capacity_chart",
    "delivery_list",
    "demand_by_community",
    "demand_points",
    "load_master_register",
    "period_counts",
    "period_window",
    "plan_promotion",
    "publishable_conflicts",
    "publishable_demand",
    "publishable_promotions",
    "publishable_rules",
    "recommendable_rules",
    "roll_counts",
    "service_events",
    "suggest_offers",
    "surge_alerts",
    "surge_warnings",
    "update_roll",
    "write_promotion_exports",
    "write_roll_exports",
]
