"""Population and flows from aggregated mobile-signal data (手机信令).

Device counts per grid cell (or base station) and hour become night, day and resident
population per area — scaled from devices to people by the operator's market share — and the
floating population (resident − household-registered); OD counts become flows, in/out/net
per area, corridors and a doubly-constrained gravity model (sparse, great-circle distances).
OD products as they come (daily wide matrices of counts, shares or indices, place names,
dates in file names: :func:`load_od_product`) give relative volumes per city and day from
their inflow and outflow shares (:func:`relative_volumes`), flows, balances and change
alerts against the same weekday and the same lunar-calendar days. Everything published goes through
:func:`publish_population` / :func:`publish_flows` (no count below k = 15).
"""

from govanalytics.mobility._alerts import population_alerts
from govanalytics.mobility._areas import (
    area_market_share,
    cell_area_weights,
    register_density,
    voronoi_cells,
    weights_to_level,
)
from govanalytics.mobility._charts import day_night_chart
from govanalytics.mobility._flows import (
    commuting_from_shifts,
    in_out_flows,
    od_by_period,
    od_from_matrix,
    top_corridors,
)
from govanalytics.mobility._gravity import (
    GravityModel,
    area_distances,
    common_part_of_commuters,
    evaluate_gravity,
    fit_gravity,
    place_distances,
)
from govanalytics.mobility._page import FlowPage, flow_page
from govanalytics.mobility._pipeline import (
    MobilityInputs,
    dataset_column_maps,
    latest_complete_month,
    load_mobility_inputs,
    load_od,
)
from govanalytics.mobility._population import (
    day_levels,
    night_levels,
    population_estimates,
    register_counts,
    resident_population,
)
from govanalytics.mobility._products import (
    ODProduct,
    city_level_codes,
    load_od_product,
    read_od_files,
    read_volume_index,
)
from govanalytics.mobility._publish import publish_flows, publish_population
from govanalytics.mobility._simulate import SimulatedProduct, simulate_od_product
from govanalytics.mobility._volumes import (
    flow_balance,
    flow_change_alerts,
    flow_changes,
    flows_from_shares,
    relative_volumes,
)

__all__ = [
    "FlowPage",
    "GravityModel",
    "MobilityInputs",
    "ODProduct",
    "SimulatedProduct",
    "area_distances",
    "area_market_share",
    "cell_area_weights",
    "city_level_codes",
    "common_part_of_commuters",
    "commuting_from_shifts",
    "dataset_column_maps",
    "day_levels",
    "day_night_chart",
    "evaluate_gravity",
    "fit_gravity",
    "flow_balance",
    "flow_change_alerts",
    "flow_changes",
    "flow_page",
    "flows_from_shares",
    "in_out_flows",
    "latest_complete_month",
    "load_mobility_inputs",
    "load_od",
    "load_od_product",
    "night_levels",
    "od_by_period",
    "od_from_matrix",
    "place_distances",
    "population_alerts",
    "population_estimates",
    "publish_flows",
    "publish_population",
    "read_od_files",
    "read_volume_index",
    "register_counts",
    "register_density",
    "relative_volumes",
    "resident_population",
    "simulate_od_product",
    "top_corridors",
    "voronoi_cells",
    "weights_to_level",
]
