"""Sample-city generator part: government services (owned by the services capability).

Writes

- ``master/capacities.parquet``: school places and clinic beds per district and year;
- ``dynamic/applications.parquet``: service applications (about three years) carrying the
  address, phone, disability status and employer the applicant declared, each at the
  verification level it reached;
- ``dynamic/portal_activity.parquet``: views and applications on the government portal.

Planted truths (the ``services`` section of ``truth.json``)::

    {
      "surge": {"district_code", "service_type": "school_place", "month": "YYYY-MM",
                "applications", "capacity", "launch_date", "capacity_exceeded_on"},
      "roll_year": 2026,                    # report year = city end year
      "turning_60": [person_key, ...],      # born in roll_year - 60 (from the register)
      "delivery": [person_key, ...],        # those of them on the disability register
      "conflicts": [{"person_key", "field", "kind", "application_ids"}, ...],
      "promotable": {"rules": {field: level}, "changes": [
          {"person_key", "field", "new_value", "max_level", "level_reached", "in_master",
           "promote", "skip_reasons": {reason: records}}, ...]},
          # promote = level reached and the master has the field (the register's employer
          # column is optional: a register without it skips employer changes)
      "association": {"pairs": [{"antecedent", "consequent", "window_days", "rate"}, ...]}
    }

Seasonal patterns: school places in the spring/summer intake (April–July, ages 6 and 12),
pension certification yearly in spring, residence permits after the Spring Festival, medical
insurance enrolment in the autumn. The surge is a new points-based admission policy (积分入学)
launched in the data's final weeks in one district, bringing more school-place applications
in one month than the district's places for the year (after the real case of 5,537
applications in the first month of such a policy, scaled to the city).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import polars as pl

from govanalytics.synth import _names
from govanalytics.synth._base import CityBase
from govanalytics.synth._part import SynthPart

#: Minimum verification level per field (mirrors govanalytics.services.DEFAULT_RULES; the
#: generator keeps its own copy so that the oracle does not depend on the code it tests).
_RULES = {
    "phone": "community",
    "address": "street",
    "employer": "street",
    "disability": "department",
}
_LEVELS = ("unverified", "community", "street", "department")
_EMPLOYERS = tuple(
    f"{_names.CITY_NAME}{a}{b}{kind}"
    for a, b, kind in [
        ("华", "海", "科技有限公司"),
        ("金", "沙", "物流有限公司"),
        ("龙", "泉", "建设集团"),
        ("明", "湾", "电子厂"),
        ("嘉", "禾", "餐饮管理有限公司"),
        ("永", "安", "物业服务有限公司"),
        ("瑞", "丰", "贸易有限公司"),
        ("星", "河", "学校"),
        ("康", "宁", "医院"),
        ("福", "源", "食品有限公司"),
        ("天", "通", "汽车服务有限公司"),
        ("锦", "江", "酒店"),
    ]
)
#: Services that carry the applicant's disability status.
_CARRY_DISABILITY = {
    "disability_subsidy",
    "elderly_bus_card",
    "social_assistance",
    "pension_certification",
}

_EPOCH = np.datetime64("1970-01-01", "D")


def _days(d: dt.date) -> int:
    return int((np.datetime64(d, "D") - _EPOCH).astype(int))


class _Events:
    """Accumulates (person index, day number, seconds of day, service) events."""

    def __init__(self) -> None:
        self.person: list[np.ndarray] = []
        self.day: list[np.ndarray] = []
        self.service: list[np.ndarray] = []

    def add(self, person: np.ndarray, day: np.ndarray, service: str) -> None:
        person = np.asarray(person, dtype=np.int64)
        self.person.append(person)
        self.day.append(np.asarray(day, dtype=np.int64))
        self.service.append(np.full(len(person), service, dtype=object))


def _seasonal_days(
    rng: np.random.Generator, n: int, year: int, month_weights: Sequence[float]
) -> np.ndarray:
    """Random day numbers in ``year`` following 12 monthly weights."""
    w = np.asarray(month_weights, dtype=float)
    month = rng.choice(12, size=n, p=w / w.sum()) + 1
    first = np.array(
        [_days(dt.date(year, m, 1)) for m in range(1, 13)] + [_days(dt.date(year + 1, 1, 1))]
    )
    length = first[month] - first[month - 1]
    return first[month - 1] + (rng.random(n) * length).astype(np.int64)


def _skip_reasons(levels: np.ndarray, field: str, in_master: bool) -> dict[str, int]:
    """Records of one planted change skipped by the rule, by reason (promotions excluded).

    Records below the field's level are skipped as ``unverified`` / ``below_required_level``;
    of the qualifying ones the first is promoted and the later ones are ``duplicate``. Without
    the field in the master every record is ``field_not_in_master``.
    """
    if not in_master:
        return {"field_not_in_master": len(levels)}
    need = _LEVELS.index(_RULES[field])
    out = {
        "unverified": int((levels == 0).sum()),
        "below_required_level": int(((levels > 0) & (levels < need)).sum()),
        "duplicate": max(int((levels >= need).sum()) - 1, 0),
    }
    return {k: v for k, v in out.items() if v}


def _new_phone(rng: np.random.Generator) -> str:
    prefix = ("138", "139", "137", "152", "159", "188", "181", "176", "198")[rng.integers(9)]
    return f"{prefix}{rng.integers(0, 100_000_000):08d}"


def _new_address(rng: np.random.Generator, community_name: str) -> str:
    syl = _names.PLACE_SYLLABLES
    road = syl[rng.integers(len(syl))] + syl[rng.integers(len(syl))]
    suffix = _names.ROAD_SUFFIXES[rng.integers(len(_names.ROAD_SUFFIXES))]
    return f"{_names.CITY_NAME}{community_name}{road}{suffix}{rng.integers(1, 300)}号"


def generate(city: CityBase, rng: np.random.Generator) -> SynthPart:
    """Generate capacities, applications and portal activity with planted truths."""
    reg = city.register
    n = reg.height
    end = city.end
    start = dt.date(end.year - 2, 1, 1)
    d_start, d_end = _days(start), _days(end)
    years = list(range(start.year, end.year + 1))
    # events start a year early (then cut at ``start``) so that the first months carry the
    # follow-ups of the year before, like any other month: no ramp-up in the history
    event_years = [start.year - 1, *years]
    birth = reg["birth_date"].to_numpy().astype("datetime64[D]")
    birth_day = (birth - _EPOCH).astype(np.int64)
    birth_year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    comm = reg["community_code"].to_numpy()
    dist_of_comm = dict(
        city.regions.filter(pl.col("level") == "community")
        .select("region_code", "district_code")
        .iter_rows()
    )
    district = np.array([dist_of_comm[c] for c in comm])
    disability = reg["disability"].to_numpy()
    registered = reg["household_registered"].to_numpy()
    female = reg["sex"].to_numpy() == "F"
    districts = city.district_codes
    region_names = city.names()

    def age_at(year: int) -> np.ndarray:
        return year - birth_year

    ev = _Events()

    # --- school places: ages 6 and 12 each spring/summer intake ---------------------------
    school_w = [0, 0, 0, 2, 4, 3, 1, 0, 0, 0, 0, 0]
    for y in event_years:
        idx = np.flatnonzero(np.isin(age_at(y), (6, 12)) & (rng.random(n) < 0.85))
        ev.add(idx, _seasonal_days(rng, len(idx), y, school_w), "school_place")

    # --- elderly bus card after the 60th birthday; pension certification -------------------
    pension_w = [1, 1, 3, 4, 4, 3, 1, 1, 1, 1, 1, 1]
    for y in event_years:
        turning = np.flatnonzero((age_at(y) == 60) & (rng.random(n) < 0.6))
        bday = np.array(
            [
                _days(dt.date(y, 1, 1)) + (birth_day[i] - _days(dt.date(y - 60, 1, 1)))
                for i in turning
            ],
            dtype=np.int64,
        )
        bus_day = bday + rng.integers(0, 90, len(turning))
        ev.add(turning, bus_day, "elderly_bus_card")
        follow = rng.random(len(turning)) < 0.7
        ev.add(
            turning[follow],
            bus_day[follow] + rng.integers(1, 60, follow.sum()),
            "pension_certification",
        )
        older = np.flatnonzero((age_at(y) >= 61) & (rng.random(n) < 0.3))
        ev.add(older, _seasonal_days(rng, len(older), y, pension_w), "pension_certification")

    # --- birth registration, then medical insurance for the newborn ------------------------
    for y in event_years:
        age = age_at(y)
        parents = np.flatnonzero(female & (age >= 22) & (age <= 40) & (rng.random(n) < 0.06))
        bday = _seasonal_days(rng, len(parents), y, [1] * 12)
        ev.add(parents, bday, "birth_registration")
        follow = rng.random(len(parents)) < 0.7
        ev.add(
            parents[follow], bday[follow] + rng.integers(7, 90, follow.sum()), "medical_insurance"
        )
        enrol = np.flatnonzero(rng.random(n) < 0.03)
        ev.add(
            enrol,
            _seasonal_days(rng, len(enrol), y, [1, 1, 1, 1, 1, 1, 1, 1, 4, 5, 5, 4]),
            "medical_insurance",
        )
        dis = np.flatnonzero(disability & (rng.random(n) < 0.4))
        ev.add(dis, _seasonal_days(rng, len(dis), y, [1] * 12), "disability_subsidy")
        sa = np.flatnonzero(rng.random(n) < 0.01)
        ev.add(sa, _seasonal_days(rng, len(sa), y, [1] * 12), "social_assistance")
        hs = np.flatnonzero((age >= 22) & (age <= 45) & (rng.random(n) < 0.015))
        ev.add(hs, _seasonal_days(rng, len(hs), y, [1] * 12), "housing_subsidy")
        bl = np.flatnonzero((age >= 20) & (age <= 55) & (rng.random(n) < 0.01))
        ev.add(
            bl,
            _seasonal_days(rng, len(bl), y, [1, 1, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1]),
            "business_license",
        )
        rp = np.flatnonzero(~registered & (age >= 16) & (age <= 60) & (rng.random(n) < 0.04))
        ev.add(
            rp,
            _seasonal_days(rng, len(rp), y, [1, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1]),
            "residence_permit",
        )

    # --- capacities ---------------------------------------------------------------------
    cap_rows = []
    pop_d = {d: int((district == d).sum()) for d in districts}
    for y in years:
        kids = np.isin(age_at(y), (6, 12))
        for d in districts:
            expected = 0.85 * int((kids & (district == d)).sum())
            cap_rows.append((d, "school_places", y, round(expected * 1.3 + 5)))
            beds = round(pop_d[d] * 0.005 * (1 + 0.03 * (y - start.year)))
            cap_rows.append((d, "clinic_beds", y, beds))
    capacities = pl.DataFrame(
        cap_rows,
        schema={
            "district_code": pl.String,
            "capacity_type": pl.String,
            "year": pl.Int64,
            "capacity": pl.Int64,
        },
        orient="row",
    ).sort("district_code", "capacity_type", "year")
    capacity_of = {(d, t, y): c for d, t, y, c in cap_rows}

    # --- planted surge: a points-based admission policy in one district ---------------------
    surge_d = districts[int(rng.integers(len(districts)))]
    launch = end - dt.timedelta(days=21)
    launch += dt.timedelta(days=(7 - launch.weekday()) % 7)  # next Monday
    month_end = dt.date(launch.year + launch.month // 12, launch.month % 12 + 1, 1) - dt.timedelta(
        days=1
    )
    last = min(end, month_end)
    surge_cap = capacity_of[(surge_d, "school_places", launch.year)]
    n_surge = int(np.ceil(surge_cap * 1.8))
    pool = np.flatnonzero(
        (district == surge_d) & (age_at(launch.year) >= 6) & (age_at(launch.year) <= 14)
    )
    pool = pool[np.argsort(registered[pool], kind="stable")]  # migrants' children first
    surge_people = rng.choice(pool, size=n_surge, replace=n_surge > len(pool))
    span = (last - launch).days + 1
    w = np.linspace(1.5, 0.75, span)
    surge_days = _days(launch) + rng.choice(span, size=n_surge, p=w / w.sum())
    ev.add(surge_people, surge_days, "school_place")

    # --- assemble applications -----------------------------------------------------------
    person = np.concatenate(ev.person)
    day = np.concatenate(ev.day)
    service = np.concatenate(ev.service)
    keep = (day >= d_start) & (day <= d_end)
    person, day, service = person[keep], day[keep], service[keep]
    seconds = rng.integers(8 * 3600, 20 * 3600, len(person))
    ts = day * 86400 + seconds
    order = np.lexsort((person, ts))
    person, day, service, ts = person[order], day[order], service[order], ts[order]
    m = len(person)

    # employers: people with an employer on the register declare it on about 60 % of their
    # applications' forms (the same value, so no change unless planted below)
    age_now = age_at(end.year)
    no_value = np.full(n, None, dtype=object)
    reg_employer = (
        reg["employer"].to_numpy().astype(object) if "employer" in reg.columns else no_value.copy()
    )
    declares = np.array([e is not None for e in reg_employer]) & (rng.random(n) < 0.6)
    employer = np.where(declares, reg_employer, no_value)
    address = reg["address"].to_numpy().astype(object)[person].copy()
    phone = reg["phone"].to_numpy().astype(object)[person].copy()
    carry = np.isin(service, list(_CARRY_DISABILITY))
    dis_val = np.where(carry, disability[person].astype(object), no_value[person])
    emp_val = employer[person].copy()
    level_idx = rng.choice(4, size=m, p=[0.15, 0.35, 0.3, 0.2])
    end_ts = (d_end + 1) * 86400 - 1
    recent = ts > end_ts - 10 * 86400
    status = np.where(
        recent,
        np.where(rng.random(m) < 0.5, "submitted", "accepted"),
        rng.choice(["completed", "accepted", "rejected"], size=m, p=[0.8, 0.12, 0.08]),
    ).astype(object)

    # --- planted changes carried by applications ----------------------------------------
    rows_of: dict[int, np.ndarray] = {}
    bounds = np.flatnonzero(np.diff(np.r_[-1, np.sort(person, kind="stable")]) != 0)
    by_person = np.argsort(person, kind="stable")
    sorted_p = person[by_person]
    for i, b in enumerate(bounds):
        e = bounds[i + 1] if i + 1 < len(bounds) else len(sorted_p)
        rows_of[int(sorted_p[b])] = by_person[b:e]  # rows of this person, in time order
    roll_year = end.year
    applicants = np.array(sorted(rows_of), dtype=np.int64)
    not_roll = birth_year[applicants] != roll_year - 60
    phone_reg = reg["phone"].to_numpy().astype(object)
    changes = []
    used: set[int] = set()
    quota = max(20, len(applicants) // 40)
    for field in ("phone", "address", "employer", "disability"):
        if field == "disability":
            cand = [int(p) for p in applicants[not_roll] if not disability[p]]
            cand = [p for p in cand if carry[rows_of[p]].any()]
        elif field == "phone":
            cand = [int(p) for p in applicants if phone_reg[p] is not None]
        elif field == "employer":
            cand = [int(p) for p in applicants if employer[p] is not None]
        else:
            cand = [int(p) for p in applicants]
        cand = [p for p in cand if p not in used]
        chosen = rng.choice(cand, size=min(quota, len(cand)), replace=False)
        for p in sorted(int(x) for x in chosen):
            used.add(p)
            rows = rows_of[p]
            if field == "disability":
                rows = rows[carry[rows]]
            k = int(rng.integers(len(rows)))
            target = rows[k:]
            if field == "phone":
                new = _new_phone(rng)
                phone[target] = new
            elif field == "address":
                new = _new_address(rng, region_names[comm[p]])
                address[target] = new
            elif field == "employer":
                j = int(rng.integers(len(_EMPLOYERS)))
                if _EMPLOYERS[j] == employer[p]:  # a new employer, never the registered one
                    j = (j + 1) % len(_EMPLOYERS)
                new = _EMPLOYERS[j]
                emp_val[target] = new
            else:
                new = True  # type: ignore[assignment]
                dis_val[target] = True
            levels = level_idx[target]
            max_level = _LEVELS[int(levels.max())]
            reached = _LEVELS.index(max_level) >= _LEVELS.index(_RULES[field])
            in_master = field in reg.columns
            changes.append(
                {
                    "person_key": reg["person_key"][p],
                    "field": field,
                    "new_value": new,
                    "max_level": max_level,
                    "level_reached": reached,
                    "in_master": in_master,
                    "promote": in_master and reached,
                    "skip_reasons": _skip_reasons(levels, field, in_master),
                }
            )

    # --- planted conflicts: two extra applications each ----------------------------------
    extra: list[tuple] = []  # (person, day, service, address, phone, disability, employer, level)
    has_apps = np.zeros(n, dtype=bool)
    has_apps[person] = True
    adults = np.flatnonzero(~has_apps & (age_now >= 30) & (age_now <= 50) & ~disability)
    p1 = int(adults[rng.integers(len(adults))])
    a1, a2 = _new_address(rng, region_names[comm[p1]]), _new_address(rng, region_names[comm[p1]])
    base1 = (phone_reg[p1], None, employer[p1])
    extra.append((p1, d_end - 40, "housing_subsidy", a1, *base1, 3))
    extra.append((p1, d_end - 30, "residence_permit", a2, *base1, 3))
    late = set(person[day > d_end - 90].tolist())
    disabled = [
        int(p)
        for p in np.flatnonzero(disability & (birth_year != roll_year - 60) & (age_now >= 25))
        if int(p) not in late and int(p) not in used and int(p) != p1
    ]
    p2 = disabled[int(rng.integers(len(disabled)))]
    base2 = (reg["address"][p2], phone_reg[p2])
    extra.append((p2, d_end - 60, "disability_subsidy", *base2, True, employer[p2], 2))
    extra.append((p2, d_end - 45, "social_assistance", *base2, False, employer[p2], 3))
    n0 = m
    person = np.r_[person, [e[0] for e in extra]]
    day = np.r_[day, [e[1] for e in extra]]
    ts = np.r_[ts, [e[1] * 86400 + 10 * 3600 for e in extra]]
    service = np.r_[service, np.array([e[2] for e in extra], dtype=object)]
    address = np.r_[address, np.array([e[3] for e in extra], dtype=object)]
    phone = np.r_[phone, np.array([e[4] for e in extra], dtype=object)]
    dis_val = np.r_[dis_val, np.array([e[5] for e in extra], dtype=object)]
    emp_val = np.r_[emp_val, np.array([e[6] for e in extra], dtype=object)]
    level_idx = np.r_[level_idx, [e[7] for e in extra]]
    status = np.r_[status, np.array(["completed"] * len(extra), dtype=object)]
    m = len(person)
    order = np.lexsort((np.arange(m), ts))
    inverse = np.empty(m, dtype=np.int64)
    inverse[order] = np.arange(m)
    app_ids = np.array([f"A{i + 1:08d}" for i in range(m)], dtype=object)
    # verification time: a few days after submission, before the data ends
    delay = rng.uniform(0.05, 1.0, m) * np.minimum(10 * 86400, end_ts - ts)
    verified = np.where(level_idx > 0, ts + delay.astype(np.int64), -1)
    # application ids follow time order
    ids_of = app_ids[inverse]
    conflicts = [
        {
            "person_key": reg["person_key"][p1],
            "field": "address",
            "kind": "verified_records_disagree",
            "application_ids": sorted(ids_of[[n0, n0 + 1]].tolist()),
        },
        {
            "person_key": reg["person_key"][p2],
            "field": "disability",
            "kind": "master_protected",
            "application_ids": [ids_of[n0 + 3]],
        },
    ]

    pk = reg["person_key"].to_numpy().astype(object)
    applications = (
        pl.DataFrame(
            {
                "application_id": ids_of.tolist(),
                "person_key": pk[person].tolist(),
                "service_type": service.tolist(),
                "submitted_at": (ts * 1_000_000).astype("datetime64[us]"),
                "community_code": comm[person].tolist(),
                "address": address.tolist(),
                "phone": phone.tolist(),
                "disability": dis_val.tolist(),
                "employer": emp_val.tolist(),
                "status": status.tolist(),
                "verification_level": np.array(_LEVELS, dtype=object)[level_idx].tolist(),
                "verified_at": [None if v < 0 else v for v in verified.tolist()],
            },
            schema_overrides={
                "address": pl.String,
                "phone": pl.String,
                "disability": pl.Boolean,
                "employer": pl.String,
                "verified_at": pl.Int64,
            },
        )
        .with_columns(
            pl.col("submitted_at").cast(pl.Datetime("us")),
            pl.from_epoch("verified_at", time_unit="s").cast(pl.Datetime("us")),
        )
        .sort("application_id")
    )

    # --- surge truth (computed from what was written) -------------------------------------
    month = f"{launch:%Y-%m}"
    s = applications.filter(
        (pl.col("service_type") == "school_place")
        & pl.col("community_code").is_in([c for c, d in dist_of_comm.items() if d == surge_d])
        & (pl.col("submitted_at").dt.strftime("%Y-%m") == month)
    ).sort("submitted_at")
    exceeded = s["submitted_at"][surge_cap].date() if s.height > surge_cap else None

    # --- portal activity ----------------------------------------------------------------
    app_ts = ts[order]
    app_person = person[order]
    app_service = service[order]
    views = rng.random(m) < 0.6
    p_person = [app_person, app_person[views]]
    p_service = [app_service, app_service[views]]
    p_action = [np.full(m, "apply", dtype=object), np.full(views.sum(), "view", dtype=object)]
    p_ts = [
        app_ts - rng.integers(60, 1800, m),
        app_ts[views] - rng.integers(3600, 7 * 86400, views.sum()),
    ]
    births = app_service == "birth_registration"
    follow = births & (rng.random(m) < 0.5)
    p_person.append(app_person[follow])
    p_service.append(np.full(follow.sum(), "medical_insurance", dtype=object))
    p_action.append(np.full(follow.sum(), "view", dtype=object))
    p_ts.append(app_ts[follow] + rng.integers(86400, 30 * 86400, follow.sum()))
    n_bg = m // 2
    services = np.array(sorted(set(service.tolist())), dtype=object)
    p_person.append(rng.integers(0, n, n_bg))
    p_service.append(services[rng.integers(len(services), size=n_bg)])
    p_action.append(np.full(n_bg, "view", dtype=object))
    p_ts.append(rng.integers(d_start * 86400, end_ts, n_bg))
    pts = np.concatenate(p_ts)
    pkeep = (pts >= d_start * 86400) & (pts <= end_ts)
    portal = (
        pl.DataFrame(
            {
                "person_key": pk[np.concatenate(p_person)[pkeep]].tolist(),
                "service_type": np.concatenate(p_service)[pkeep].tolist(),
                "action": np.concatenate(p_action)[pkeep].tolist(),
                "occurred_at": (pts[pkeep] * 1_000_000).astype("datetime64[us]"),
            }
        )
        .with_columns(pl.col("occurred_at").cast(pl.Datetime("us")))
        .sort("occurred_at", "person_key", "service_type", "action")
    )

    roll_people = reg.filter(pl.col("birth_date").dt.year() == roll_year - 60)
    truth = {
        "surge": {
            "district_code": surge_d,
            "service_type": "school_place",
            "month": month,
            "applications": s.height,
            "capacity": surge_cap,
            "launch_date": launch.isoformat(),
            "capacity_exceeded_on": exceeded.isoformat() if exceeded else None,
        },
        "roll_year": roll_year,
        "turning_60": sorted(roll_people["person_key"].to_list()),
        "delivery": sorted(roll_people.filter(pl.col("disability"))["person_key"].to_list()),
        "conflicts": conflicts,
        "promotable": {"rules": dict(_RULES), "changes": changes},
        "association": {
            "pairs": [
                {
                    "antecedent": "birth_registration",
                    "consequent": "medical_insurance",
                    "window_days": 90,
                    "rate": 0.7,
                },
                {
                    "antecedent": "elderly_bus_card",
                    "consequent": "pension_certification",
                    "window_days": 60,
                    "rate": 0.7,
                },
            ]
        },
    }
    return SynthPart(
        files={
            "master/capacities.parquet": capacities,
            "dynamic/applications.parquet": applications,
            "dynamic/portal_activity.parquet": portal,
        },
        truth=truth,
    )
