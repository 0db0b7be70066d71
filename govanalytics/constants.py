"""Canonical names shared by every part of govanalytics, defined once.

Tables use English snake_case column names (the constants below); everything shown to
people uses the Chinese labels in :data:`LABELS_ZH`.
"""

from __future__ import annotations

#: Coordinate reference system of every boundary, cell and point we store (WGS84).
CRS = "EPSG:4326"

# --- region hierarchy -------------------------------------------------------------------
REGION_CODE = "region_code"
REGION_NAME = "region_name"
LEVEL = "level"
PARENT_CODE = "parent_code"
DISTRICT_CODE = "district_code"
STREET_CODE = "street_code"
COMMUNITY_CODE = "community_code"
GEOMETRY = "geometry"

#: Region levels, coarsest first. Codes follow the 12-digit 统计用区划代码 layout:
#: 6 digits county/district, 3 digits street/town, 3 digits community/village.
LEVELS = ("district", "street", "community")

# --- people -----------------------------------------------------------------------------
PERSON_KEY = "person_key"
NAME = "name"
ID_NUMBER = "id_number"
PHONE = "phone"
BIRTH_DATE = "birth_date"
SEX = "sex"
HOUSEHOLD_REGISTERED = "household_registered"
ADDRESS = "address"
DISABILITY = "disability"

# --- time -------------------------------------------------------------------------------
DATE = "date"
HOUR = "hour"
WEEK_START = "week_start"

#: Default small-count threshold below which counts of people or devices are withheld.
DEFAULT_MIN_COUNT = 15

LABELS_ZH: dict[str, str] = {
    "region_code": "区划代码",
    "region_name": "区域名称",
    "level": "层级",
    "district_code": "区县代码",
    "district": "区县",
    "street": "街道/镇",
    "community": "社区/村",
    "person_key": "人员编号",
    "name": "姓名",
    "id_number": "身份证号",
    "phone": "电话",
    "birth_date": "出生日期",
    "sex": "性别",
    "household_registered": "户籍人口",
    "address": "地址",
    "disability": "残疾登记",
    "employer": "工作单位",
    "date": "日期",
    "hour": "小时",
    "week_start": "周起始日",
    "count": "数量",
    "suppressed": "已抑制（小于阈值）",
}
