"""Privacy: masking personal data, withholding small counts, scanning what is published."""

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

__all__ = [
    "ID15_PATTERN",
    "ID18_PATTERN",
    "LANDLINE_PATTERN",
    "MOBILE_PATTERN",
    "PLACEHOLDERS",
    "find_id_numbers",
    "id_check_digit",
    "is_valid_id_number",
    "mask_personal_data",
]
