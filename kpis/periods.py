"""Period arithmetic: "2026-10" is a month, "2026-Q4" a quarter; each maps to a half-open date range."""
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import Granularity

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
# Wide enough for any bank's history, narrow enough that the previous period and last year stay valid dates.
FIRST_YEAR, LAST_YEAR = 1900, 2999


@dataclass(frozen=True)
class Period:
    """A month or quarter: `start` inclusive, `end` exclusive."""

    granularity: str
    start: date

    @property
    def months(self) -> int:
        return 1 if self.granularity == Granularity.MONTH else 3

    @property
    def end(self) -> date:
        return add_months(self.start, self.months)

    @property
    def label(self) -> str:
        if self.granularity == Granularity.MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    def previous(self) -> "Period":
        return Period(self.granularity, add_months(self.start, -self.months))

    def next(self) -> "Period":
        return Period(self.granularity, self.end)

    def last_year(self) -> "Period":
        return Period(self.granularity, add_months(self.start, -12))


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_period(value: str, granularity: str) -> Period:
    """Parse "2026-10" (month) or "2026-Q4" (quarter); a month label with granularity quarter means its quarter."""
    if granularity not in Granularity.values:
        raise ValidationError({"granularity": _("周期类型必须是 month 或 quarter。")})
    text = str(value or "").strip()
    month, quarter = _MONTH.match(text), _QUARTER.match(text)
    year = int((month or quarter)[1]) if (month or quarter) else None
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError({"period": _("年份须在 %(first)d 至 %(last)d 之间。") % {
            "first": FIRST_YEAR, "last": LAST_YEAR}})
    if granularity == Granularity.MONTH and month:
        return Period(granularity, date(int(month[1]), int(month[2]), 1))
    if granularity == Granularity.QUARTER and quarter:
        return Period(granularity, date(int(quarter[1]), (int(quarter[2]) - 1) * 3 + 1, 1))
    if granularity == Granularity.QUARTER and month:
        return period_containing(date(int(month[1]), int(month[2]), 1), granularity)
    raise ValidationError({"period": _("周期格式应为 YYYY-MM（月度）或 YYYY-Qn（季度）。")})


def period_containing(day: date, granularity: str) -> Period:
    if granularity == Granularity.MONTH:
        return Period(granularity, date(day.year, day.month, 1))
    return Period(granularity, date(day.year, (day.month - 1) // 3 * 3 + 1, 1))


def is_period_start(day: date, granularity: str) -> bool:
    if granularity == "year":
        return day.month == 1 and day.day == 1
    return day.day == 1 and (granularity == Granularity.MONTH or day.month % 3 == 1)


def period_range(first: Period, last: Period) -> list[Period]:
    periods, current = [], first
    while current.start <= last.start:
        periods.append(current)
        current = current.next()
    return periods
