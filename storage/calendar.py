"""Calendar arithmetic on whole columns of day numbers (days since 1970-01-01), in numpy
integer operations: the proleptic Gregorian calendar, as Arrow and SQL engines use."""

from __future__ import annotations

from typing import Any

import numpy as np

# Day 0 of a calendar whose years start on March 1st, so February's length comes last.
MARCH_EPOCH = 719_468
ERA_DAYS = 146_097


def split_days(days: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12) and day of month of each day number."""
    z = np.asarray(days, dtype=np.int64) + MARCH_EPOCH
    era = np.floor_divide(z, ERA_DAYS)
    day_of_era = z - era * ERA_DAYS
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = np.where(shifted_month < 10, shifted_month + 3, shifted_month - 9)
    year = year_of_era + era * 400 + (month <= 2)
    return year, month, day
