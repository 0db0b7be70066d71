"""The schema of every dataset kind govanalytics reads.

Master data (基础主数据库) is static and verified: regions, boundaries, the population
register, capacities, grid cells, operator market share. Dynamic data (业务动态数据库) are
events: service applications, portal activity, citizen comments, hourly device counts,
origin–destination counts, weekly clinic counts.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from govanalytics.data._schema import Column, Schema

REGION_CODE_PATTERN = r"\d{12}"
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)
EARLIEST_EVENT = dt.datetime(1990, 1, 1)
LATEST_EVENT = dt.datetime(2100, 12, 31, 23, 59, 59)

#: Service types of the sample city, with their Chinese names.
SERVICE_TYPES: dict[str, str] = {
    "school_place": "义务教育入学",
    "elderly_bus_card": "老年人免费乘车卡",
    "disability_subsidy": "残疾人两项补贴",
    "medical_insurance": "城乡居民医保参保",
    "social_assistance": "最低生活保障",
    "housing_subsidy": "公租房申请",
    "business_license": "个体工商户登记",
    "residence_permit": "居住证办理",
    "birth_registration": "生育登记",
    "pension_certification": "养老金资格认证",
}

#: Verification levels a dynamic record can reach, lowest first.
VERIFICATION_LEVELS = ("unverified", "community", "street", "department")
VERIFICATION_LEVELS_ZH = {
    "unverified": "未核验",
    "community": "社区核验",
    "street": "街道/镇核验",
    "department": "部门核验",
}

CHANNELS = ("hotline_12345", "portal", "social_media")
CHANNELS_ZH = {"hotline_12345": "12345热线", "portal": "政府网站", "social_media": "社交媒体"}

AGE_GROUPS = ("0-4", "5-14", "15-24", "25-59", "60+")
#: Levels of the regions table, largest first: the national gazetteer supplies the country,
#: provinces, prefecture-level cities and county-level districts; a city's own regions table
#: adds streets/towns and communities/villages.
REGION_LEVELS = ("country", "province", "prefecture", "district", "street", "community")
CAPACITY_TYPES = {"school_places": "学位", "clinic_beds": "医疗床位"}

_region = Column("region_code", pl.String, "区划代码", pattern=REGION_CODE_PATTERN)
_district = Column(
    "district_code",
    pl.String,
    "区县代码",
    pattern=REGION_CODE_PATTERN,
    references="regions.region_code",
)
_community = Column(
    "community_code",
    pl.String,
    "社区代码",
    pattern=REGION_CODE_PATTERN,
    references="regions.region_code",
)

REGIONS = Schema(
    name="regions",
    store="master",
    label_zh="行政区划",
    default_file="master/regions.parquet",
    unique=("region_code",),
    columns=(
        _region,
        Column("region_name", pl.String, "区域名称", aliases=("名称",)),
        Column("level", pl.String, "层级", allowed=REGION_LEVELS),
        Column("parent_code", pl.String, "上级代码", nullable=True, pattern=REGION_CODE_PATTERN),
        Column("district_code", pl.String, "区县代码", pattern=REGION_CODE_PATTERN),
    ),
)

BOUNDARIES = Schema(
    name="boundaries",
    store="master",
    label_zh="区划边界",
    default_file="master/boundaries.geojson",
    unique=("region_code",),
    geometry=True,
    columns=(
        _region,
        Column("level", pl.String, "层级", allowed=REGION_LEVELS),
        Column(
            "region_name",
            pl.String,
            "区域名称",
            required=False,
            nullable=True,
            aliases=("名称",),
        ),
    ),
)

POPULATION_REGISTER = Schema(
    name="population_register",
    store="master",
    label_zh="人口登记库",
    default_file="master/population_register.parquet",
    unique=("person_key",),
    columns=(
        Column("person_key", pl.String, "人员编号"),
        Column("name", pl.String, "姓名", aliases=("姓名",)),
        Column("id_number", pl.String, "身份证号", check="id_number", aliases=("身份证号",)),
        Column("phone", pl.String, "手机号", nullable=True, pattern=r"1[3-9]\d{9}"),
        Column("birth_date", pl.Date, "出生日期", min=EARLIEST, max=LATEST),
        Column("sex", pl.String, "性别", allowed=("M", "F")),
        Column("household_registered", pl.Boolean, "户籍"),
        _community,
        Column("address", pl.String, "地址", nullable=True),
        Column("disability", pl.Boolean, "残疾登记"),
        Column("employer", pl.String, "工作单位", nullable=True, required=False),
    ),
)

PROMOTION_AUDIT = Schema(
    name="promotion_audit",
    store="master",
    label_zh="主数据更新审计日志",
    default_file="master/promotion_audit.parquet",
    unique=("person_key", "field", "application_id"),
    columns=(
        Column("person_key", pl.String, "人员编号"),
        Column("field", pl.String, "字段"),
        Column("old_value", pl.String, "原值", nullable=True),
        Column("new_value", pl.String, "新值", nullable=True),
        Column("application_id", pl.String, "来源办件"),
        Column("verification_level", pl.String, "核验层级", allowed=VERIFICATION_LEVELS),
        Column("verified_at", pl.Datetime, "核验时间", min=EARLIEST_EVENT, max=LATEST_EVENT),
    ),
)

CAPACITIES = Schema(
    name="capacities",
    store="master",
    label_zh="服务容量",
    default_file="master/capacities.parquet",
    unique=("district_code", "capacity_type", "year"),
    columns=(
        _district,
        Column("capacity_type", pl.String, "容量类型", allowed=tuple(CAPACITY_TYPES)),
        Column("year", pl.Int64, "年度", min=1990, max=2100),
        Column("capacity", pl.Int64, "容量", min=0),
    ),
)

GRID_CELLS = Schema(
    name="grid_cells",
    store="master",
    label_zh="网格",
    default_file="master/grid_cells.parquet",
    unique=("cell_id",),
    geometry=True,
    columns=(Column("cell_id", pl.String, "网格编号"),),
)

MARKET_SHARE = Schema(
    name="market_share",
    store="master",
    label_zh="运营商市场占有率",
    default_file="master/market_share.parquet",
    unique=("district_code",),
    columns=(
        _district,
        Column("market_share", pl.Float64, "市场占有率", min=0.01, max=1.0),
    ),
)

APPLICATIONS = Schema(
    name="applications",
    store="dynamic",
    label_zh="办件申请",
    default_file="dynamic/applications.parquet",
    unique=("application_id",),
    columns=(
        Column("application_id", pl.String, "申请编号"),
        Column("person_key", pl.String, "人员编号"),
        Column("service_type", pl.String, "事项类型", allowed=tuple(SERVICE_TYPES)),
        Column("submitted_at", pl.Datetime, "提交时间", min=EARLIEST_EVENT, max=LATEST_EVENT),
        _community,
        Column("address", pl.String, "地址", nullable=True),
        Column("phone", pl.String, "电话", nullable=True, pattern=r"1[3-9]\d{9}"),
        Column("disability", pl.Boolean, "残疾状态", nullable=True),
        Column("employer", pl.String, "工作单位", nullable=True),
        Column(
            "status", pl.String, "状态", allowed=("submitted", "accepted", "rejected", "completed")
        ),
        Column("verification_level", pl.String, "核验层级", allowed=VERIFICATION_LEVELS),
        Column("verified_at", pl.Datetime, "核验时间", nullable=True, required=False),
    ),
)

PORTAL_ACTIVITY = Schema(
    name="portal_activity",
    store="dynamic",
    label_zh="门户访问记录",
    default_file="dynamic/portal_activity.parquet",
    columns=(
        Column("person_key", pl.String, "人员编号"),
        Column("service_type", pl.String, "事项类型", allowed=tuple(SERVICE_TYPES)),
        Column("action", pl.String, "行为", allowed=("view", "apply")),
        Column("occurred_at", pl.Datetime, "时间", min=EARLIEST_EVENT, max=LATEST_EVENT),
    ),
)

COMMENTS = Schema(
    name="comments",
    store="dynamic",
    label_zh="群众留言",
    default_file="dynamic/comments.parquet",
    unique=("message_id",),
    columns=(
        Column("message_id", pl.String, "留言编号", aliases=("工单编号",)),
        Column("user_id", pl.String, "用户编号", nullable=True, required=False),
        Column(
            "created_at",
            pl.Datetime,
            "时间",
            min=EARLIEST_EVENT,
            max=LATEST_EVENT,
            aliases=("受理时间",),
        ),
        Column(
            "district_code",
            pl.String,
            "区县代码",
            nullable=True,
            required=False,
            pattern=REGION_CODE_PATTERN,
            references="regions.region_code",
        ),
        Column(
            "community_code",
            pl.String,
            "社区代码",
            nullable=True,
            required=False,
            pattern=REGION_CODE_PATTERN,
            references="regions.region_code",
        ),
        Column("channel", pl.String, "渠道", allowed=CHANNELS, required=False, nullable=True),
        Column(
            "category",
            pl.String,
            "分类",
            required=False,
            nullable=True,
            aliases=("一级分类", "诉求分类", "类别", "业务类别"),
        ),
        Column("text", pl.String, "内容", aliases=("内容", "诉求内容")),
    ),
)

DEVICE_COUNTS = Schema(
    name="device_counts",
    store="dynamic",
    label_zh="网格小时设备数",
    default_file="dynamic/device_counts.parquet",
    unique=("cell_id", "date", "hour"),
    columns=(
        Column("cell_id", pl.String, "网格编号"),
        Column("date", pl.Date, "日期", min=dt.date(1990, 1, 1), max=LATEST),
        Column("hour", pl.Int8, "小时", min=0, max=23),
        Column("device_count", pl.Int32, "设备数", min=0),
    ),
)

OD_COUNTS = Schema(
    name="od_counts",
    store="dynamic",
    label_zh="区间出行量",
    default_file="dynamic/od_counts.parquet",
    unique=("origin", "destination", "date"),
    columns=(
        Column(
            "origin",
            pl.String,
            "出发地",
            pattern=REGION_CODE_PATTERN,
            references="regions.region_code",
        ),
        Column(
            "destination",
            pl.String,
            "目的地",
            pattern=REGION_CODE_PATTERN,
            references="regions.region_code",
        ),
        Column("date", pl.Date, "日期", min=dt.date(1990, 1, 1), max=LATEST),
        Column("count", pl.Int64, "人次", min=0),
    ),
)

CLINIC_COUNTS = Schema(
    name="clinic_counts",
    store="dynamic",
    label_zh="门诊病例周报",
    default_file="dynamic/clinic_counts.parquet",
    unique=("week_start", "district_code", "age_group", "disease"),
    columns=(
        Column("week_start", pl.Date, "周起始日", min=dt.date(1990, 1, 1), max=LATEST),
        _district,
        Column("age_group", pl.String, "年龄组", allowed=AGE_GROUPS, required=False, nullable=True),
        Column("disease", pl.String, "病种"),
        # null: not reported for that period (kept missing, never read as zero)
        Column("count", pl.Int64, "病例数", min=0, nullable=True),
    ),
)

#: Every dataset kind by name.
SCHEMAS: dict[str, Schema] = {
    s.name: s
    for s in (
        REGIONS,
        BOUNDARIES,
        POPULATION_REGISTER,
        PROMOTION_AUDIT,
        CAPACITIES,
        GRID_CELLS,
        MARKET_SHARE,
        APPLICATIONS,
        PORTAL_ACTIVITY,
        COMMENTS,
        DEVICE_COUNTS,
        OD_COUNTS,
        CLINIC_COUNTS,
    )
}
MASTER_DATASETS = tuple(n for n, s in SCHEMAS.items() if s.store == "master")
DYNAMIC_DATASETS = tuple(n for n, s in SCHEMAS.items() if s.store == "dynamic")
