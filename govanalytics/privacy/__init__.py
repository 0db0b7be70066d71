"""Privacy: masking personal data (free text and fields), withholding small counts, scanning,
and keeping data from executing in published pages (escaping, Content-Security-Policy)."""

from govanalytics.privacy._csp import (
    CSP_DIRECTIVES,
    content_security_policy,
    csp_meta,
    inline_scripts,
    script_hash,
    with_content_security_policy,
)
from govanalytics.privacy._derived import (
    DERIVED_FROM,
    HEADLINE_PEOPLE_UNITS,
    count_text,
    withhold_count,
    withhold_derived,
    withhold_headlines,
)
from govanalytics.privacy._escape import escape_markup
from govanalytics.privacy._exports import exports_folder, private_file
from govanalytics.privacy._fields import (
    MASKED_FIELDS,
    WITHHELD,
    mask_address,
    mask_field,
    mask_id_number,
    mask_phone,
)
from govanalytics.privacy._mask import KINDS, PLACEHOLDERS, mask_personal_data
from govanalytics.privacy._names import (
    NAME_CUES,
    NAME_LEADS,
    find_introduced_names,
    mask_names,
    surnames,
)
from govanalytics.privacy._patterns import (
    ID15_PATTERN,
    ID18_PATTERN,
    LANDLINE_PATTERN,
    MOBILE_PATTERN,
    find_id_numbers,
    id_check_digit,
    is_valid_id_number,
    luhn_valid,
)
from govanalytics.privacy._scan import PrivacyHit, scan_file, scan_report, scan_text
from govanalytics.privacy._suppress import (
    find_recoverable,
    group_totals,
    round_coordinates,
    secondary_suppress,
    suppress_small_counts,
)

__all__ = [
    "CSP_DIRECTIVES",
    "DERIVED_FROM",
    "HEADLINE_PEOPLE_UNITS",
    "ID15_PATTERN",
    "ID18_PATTERN",
    "KINDS",
    "LANDLINE_PATTERN",
    "MASKED_FIELDS",
    "MOBILE_PATTERN",
    "NAME_CUES",
    "NAME_LEADS",
    "PLACEHOLDERS",
    "WITHHELD",
    "PrivacyHit",
    "content_security_policy",
    "count_text",
    "csp_meta",
    "escape_markup",
    "exports_folder",
    "find_id_numbers",
    "find_introduced_names",
    "find_recoverable",
    "group_totals",
    "id_check_digit",
    "inline_scripts",
    "is_valid_id_number",
    "luhn_valid",
    "mask_address",
    "mask_field",
    "mask_id_number",
    "mask_names",
    "mask_personal_data",
    "mask_phone",
    "private_file",
    "round_coordinates",
    "scan_file",
    "scan_report",
    "scan_text",
    "script_hash",
    "secondary_suppress",
    "suppress_small_counts",
    "surnames",
    "with_content_security_policy",
    "withhold_count",
    "withhold_derived",
    "withhold_headlines",
]
