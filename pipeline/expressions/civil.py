"""Calendar arithmetic on whole columns of day numbers (days since 1970-01-01), in numpy
integer operations: the proleptic Gregorian calendar, as Arrow and SQL engines use."""

from __future__ import annotations

from typing import Any

import numpy as np

# Day 0 of a calendar whose years start on March 1st, so February's length comes last.
_SHIFT = 719_468
_ERA_DAYS = 146_097


def split_days(days: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12) and day of month of each day number."""
    z = np.asarray(days, dtype=np.int64) + _SHIFT
    era = np.floor_divide(z, _ERA_DAYS)
    day_of_era = z - era * _ERA_DAYS
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = np.where(shifted_month < 10, shifted_month + 3, shifted_month - 9)
    year = year_of_era + era * 400 + (month <= 2)
    return year, month, day


def join_days(year: Any, month: Any, day: Any) -> np.ndarray:
    """The day number of each year, month (1-12) and day of month."""
    year = np.asarray(year, dtype=np.int64)
    month = np.asarray(month, dtype=np.int64)
    year = year - (month <= 2)
    era = np.floor_divide(year, 400)
    year_of_era = year - era * 400
    shifted_month = np.where(month > 2, month - 3, month + 9)
    day_of_year = (153 * shifted_month + 2) // 5 + np.asarray(day, dtype=np.int64) - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * _ERA_DAYS + day_of_era - _SHIFT


def add_months(days: Any, months: Any) -> np.ndarray:
    """Day numbers moved by whole months, keeping the day of month, or the last day of the
    target month when it is shorter (January 31st plus one month is February 28th or 29th)."""
    year, month, day = split_days(days)
    index = year * 12 + (month - 1) + np.asarray(months, dtype=np.int64)
    target_year, target_month = np.floor_divide(index, 12), np.mod(index, 12) + 1
    first = join_days(target_year, target_month, 1)
    following = join_days(target_year + (target_month == 12), target_month % 12 + 1, 1)
    return first + np.minimum(day, following - first) - 1
