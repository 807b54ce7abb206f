"""Calendar arithmetic the route depends on: ages, months, school years."""

import calendar
import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    return timezone.localdate()


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier); the last day of the month where it has fewer days."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    """Whole years of age on `day` (a 29 February birthday counts on 28 February, as `birthday` does)."""
    years = day.year - date_of_birth.year
    if add_years(date_of_birth, years) > day:
        years -= 1
    return years


def birthday(date_of_birth: dt.date, age: int) -> dt.date:
    """The date on which someone born on `date_of_birth` turns `age`."""
    return add_years(date_of_birth, age)


def school_year_end(day: dt.date) -> dt.date:
    """31 July that ends the school year containing `day` (school years run 1 August to 31 July)."""
    if day.month >= 8:
        return dt.date(day.year + 1, 7, 31)
    return dt.date(day.year, 7, 31)
