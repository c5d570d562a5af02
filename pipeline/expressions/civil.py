"""Calendar arithmetic on whole columns of day numbers (days since 1970-01-01), in numpy
integer operations: the proleptic Gregorian calendar, as Arrow and SQL engines use."""

from __future__ import annotations

from typing import Any

import numpy as np

from storage.calendar import ERA_DAYS, MARCH_EPOCH, split_days

__all__ = ["add_months", "join_days", "split_days"]


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
    return era * ERA_DAYS + day_of_era - MARCH_EPOCH


def add_months(days: Any, months: Any) -> np.ndarray:
    """Day numbers moved by whole months, keeping the day of month, or the last day of the
    target month when it is shorter (January 31st plus one month is February 28th or 29th)."""
    year, month, day = split_days(days)
    index = year * 12 + (month - 1) + np.asarray(months, dtype=np.int64)
    target_year, target_month = np.floor_divide(index, 12), np.mod(index, 12) + 1
    first = join_days(target_year, target_month, 1)
    following = join_days(target_year + (target_month == 12), target_month % 12 + 1, 1)
    return first + np.minimum(day, following - first) - 1
