"""When a cart ships and arrives: the option's cut-off in the warehouse's time zone, the
warehouse's working days and holidays. The shopper's time zone plays no part: the warehouse's
clock decides whether today's cut-off has passed."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Calendar:
    timezone: str
    working_days: str  # ISO weekdays, "12345" = Monday to Friday
    holidays: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        return str(day.isoweekday()) in self.working_days and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """The first working day after `day` (a year ahead at most: a calendar with no working
        day at all ships never, which the form refuses)."""
        for _ in range(366):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError("the warehouse calendar has no working day")

    def add_working_days(self, day: date, count: int) -> date:
        for _ in range(count):
            day = self.next_working_day(day)
        return day


def calendar_build(*, timezone: str, working_days: str, holidays: list[str]) -> Calendar:
    return Calendar(
        timezone=timezone,
        working_days=working_days,
        holidays=frozenset(date.fromisoformat(h) for h in holidays),
    )


def warehouse_now(calendar: Calendar, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(calendar.timezone))


def dispatch_date(calendar: Calendar, *, now: datetime, cutoff: time, delay_days: int = 0) -> date:
    """The day the warehouse hands the parcel over: today when it is a working day and the
    cut-off has not passed, else the next working day; `delay_days` working days later for a
    back-ordered cart."""
    local = warehouse_now(calendar, now)
    today = local.date()
    if calendar.is_working_day(today) and local.time() < cutoff:
        day = today
    else:
        day = calendar.next_working_day(today)
    return calendar.add_working_days(day, delay_days)


def delivery_window(calendar: Calendar, *, dispatch: date, transit_min: int, transit_max: int):
    """(earliest, latest) delivery dates: transit counted in working days after dispatch."""
    return (
        calendar.add_working_days(dispatch, transit_min),
        calendar.add_working_days(dispatch, transit_max),
    )
