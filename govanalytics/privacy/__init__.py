"""Privacy: masking personal data (free text and fields), withholding small counts, scanning."""

from govanalytics.privacy._fields import (
    MASKED_FIELDS,
    WITHHELD,
    mask_address,
    mask_field,
    mask_id_number,
    mask_phone,
)
from govanalytics.privacy._mask import PLACEHOLDERS, mask_personal_data
from govanalytics.privacy._patterns import (
    ID15_PATTERN,
    ID18_PATTERN,
    LANDLINE_PATTERN,
    MOBILE_PATTERN,
    find_id_numbers,
    id_check_digit,
    is_valid_id_number,
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
    "ID15_PATTERN",
    "ID18_PATTERN",
    "LANDLINE_PATTERN",
    "MASKED_FIELDS",
    "MOBILE_PATTERN",
    "PLACEHOLDERS",
    "WITHHELD",
    "PrivacyHit",
    "find_id_numbers",
    "find_recoverable",
    "group_totals",
    "id_check_digit",
    "is_valid_id_number",
    "mask_address",
    "mask_field",
    "mask_id_number",
    "mask_personal_data",
    "mask_phone",
    "round_coordinates",
    "scan_file",
    "scan_report",
    "scan_text",
    "secondary_suppress",
    "suppress_small_counts",
]
