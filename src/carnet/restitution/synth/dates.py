"""Days as integers (days since 1970-01-01), vectorised with numpy ``datetime64``.

The generator keeps every date as an ``int64`` day number so that millions of
events stay plain arrays; these helpers convert and do calendar arithmetic.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from carnet.restitution.synth.arrays import IntArray

EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    """The day number of a :class:`date`."""
    return day.toordinal() - EPOCH.toordinal()


def to_date(day: int) -> date:
    return date.fromordinal(int(day) + EPOCH.toordinal())


def years_of(days: IntArray) -> IntArray:
    """Calendar year of each day number."""
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def month_day(days: IntArray) -> IntArray:
    """``month * 32 + day of month``: compares positions within a year."""
    as_days = days.astype("datetime64[D]")
    months = as_days.astype("datetime64[M]")
    month = months.astype(np.int64) % 12 + 1
    dom = (as_days - months.astype("datetime64[D]")).astype(np.int64) + 1
    result: IntArray = month * 32 + dom
    return result


def ages_on(birth: IntArray, days: IntArray) -> IntArray:
    """Age in whole years on ``days`` of people born on ``birth`` (arrays broadcast)."""
    years = years_of(days) - years_of(birth)
    before_birthday = month_day(days) < month_day(birth)
    result: IntArray = years - before_birthday.astype(np.int64)
    return result


def months_on(birth: IntArray, days: IntArray) -> IntArray:
    """Age in whole months on ``days`` (a month is complete on the same day of month)."""
    b = birth.astype("datetime64[D]")
    d = days.astype("datetime64[D]")
    b_month = b.astype("datetime64[M]")
    d_month = d.astype("datetime64[M]")
    months = (d_month - b_month).astype(np.int64)
    b_dom = (b - b_month.astype("datetime64[D]")).astype(np.int64)
    d_dom = (d - d_month.astype("datetime64[D]")).astype(np.int64)
    result: IntArray = months - (d_dom < b_dom).astype(np.int64)
    return result


def add_months(days: IntArray, months: IntArray) -> IntArray:
    """Day numbers moved by whole months, clipped to the month end (31 Jan + 1 → 28/29 Feb)."""
    d = days.astype("datetime64[D]")
    start = d.astype("datetime64[M]")
    dom = (d - start.astype("datetime64[D]")).astype(np.int64)
    target = start + months.astype("timedelta64[M]")
    last = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    moved = target.astype("datetime64[D]") + np.minimum(dom, last - 1).astype("timedelta64[D]")
    result: IntArray = moved.astype(np.int64)
    return result


def year_start(years: IntArray) -> IntArray:
    """Day number of 1 January of each year."""
    result: IntArray = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(
        np.int64
    )
    return result
