"""Working time for ACS targets: office hours on weekdays that are not UK bank holidays.

A referral's triage target is counted in working time: one waiting over a weekend or a bank
holiday is not late for the days nobody works. The working day, the bank-holiday region and the
targets are settings (ACS_WORKING_DAY, ACS_BANK_HOLIDAY_REGION, ACS_TRIAGE_TARGET_HOURS), with
the defaults below. Bank holidays come from the `holidays` package (kept up to date upstream).
"""

import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone

from acs.models import Urgency

UK = ZoneInfo("Europe/London")
DEFAULT_WORKING_DAY = (dt.time(9, 0), dt.time(17, 0))
# England and Wales share bank holidays; Scotland ("SCT") and Northern Ireland ("NIR") differ.
DEFAULT_BANK_HOLIDAY_REGION = "ENG"
# Hours of working time a referral may wait for triage: 4 working hours for Immediate, one
# working day for Urgent, five working days for Standard (a working day is ACS_WORKING_DAY).
DEFAULT_TRIAGE_TARGET_HOURS: dict[str, float] = {
    Urgency.IMMEDIATE: 4,
    Urgency.URGENT: 1 * 8,
    Urgency.STANDARD: 5 * 8,
}
# A deadline further away than this many calendar days is a misconfiguration, not a wait.
_MAX_DAYS = 400


def working_day() -> tuple[dt.time, dt.time]:
    start, end = getattr(settings, "ACS_WORKING_DAY", DEFAULT_WORKING_DAY)
    return start, end


def triage_target_hours() -> dict[str, float]:
    return {**DEFAULT_TRIAGE_TARGET_HOURS, **getattr(settings, "ACS_TRIAGE_TARGET_HOURS", {})}


@functools.cache
def _bank_holidays(region: str, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv=region, years=year))


def is_working_day(day: dt.date) -> bool:
    region = getattr(settings, "ACS_BANK_HOLIDAY_REGION", DEFAULT_BANK_HOLIDAY_REGION)
    return day.weekday() < 5 and day not in _bank_holidays(region, day.year)


def _window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start, end = working_day()
    return dt.datetime.combine(day, start, UK), dt.datetime.combine(day, end, UK)


def working_deadline(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment `hours` of working time after `start` (an aware datetime), in UTC."""
    remaining = dt.timedelta(hours=hours)
    moment = start.astimezone(UK)
    day = moment.date()
    for _ in range(_MAX_DAYS):
        if is_working_day(day):
            opens, closes = _window(day)
            begin = max(moment, opens)
            if begin < closes:
                if begin + remaining <= closes:
                    return (begin + remaining).astimezone(dt.UTC)
                remaining -= closes - begin
        day += dt.timedelta(days=1)
    raise ValueError(f"{hours} working hours reach beyond {_MAX_DAYS} days")


def working_hours_between(start: dt.datetime, end: dt.datetime) -> float:
    """Working hours from `start` to `end` (0 when end is not after start)."""
    if end <= start:
        return 0.0
    total = dt.timedelta()
    day = start.astimezone(UK).date()
    last = end.astimezone(UK).date()
    while day <= last:
        if is_working_day(day):
            opens, closes = _window(day)
            begin, finish = max(start, opens), min(end, closes)
            if finish > begin:
                total += finish - begin
        day += dt.timedelta(days=1)
    return total.total_seconds() / 3600


@dataclass(frozen=True)
class TriageTarget:
    """When a referral should be triaged by, and whether it is past that now."""

    urgency: str
    hours: float
    due_at: dt.datetime
    past: bool
    waited_hours: float

    @property
    def target_label(self) -> str:
        hours_a_day = _hours_a_day()
        if self.hours >= hours_a_day and self.hours % hours_a_day == 0:
            days = int(self.hours // hours_a_day)
            return f"{days} working day{'s' if days != 1 else ''}"
        hours = f"{self.hours:g}"
        return f"{hours} working hour{'s' if self.hours != 1 else ''}"

    @property
    def waited_label(self) -> str:
        """Working time waited, in words ("3 working hours", "2 working days 1 hour")."""
        hours_a_day = _hours_a_day()
        whole = int(self.waited_hours)
        if whole < 1:
            return "under 1 working hour"
        if whole < hours_a_day:
            return f"{whole} working hour{'s' if whole != 1 else ''}"
        days, rest = divmod(whole, int(hours_a_day))
        label = f"{days} working day{'s' if days != 1 else ''}"
        return label + (f" {rest} hour{'s' if rest != 1 else ''}" if rest else "")


def _hours_a_day() -> float:
    start, end = working_day()
    day = dt.date(2000, 1, 3)
    return (dt.datetime.combine(day, end) - dt.datetime.combine(day, start)).total_seconds() / 3600


def triage_target(
    *, urgency: str, referred_at: dt.datetime, now: dt.datetime | None = None
) -> TriageTarget:
    """The triage target of a referral of this urgency made at `referred_at`."""
    now = now or timezone.now()
    hours = triage_target_hours()[urgency]
    due_at = working_deadline(referred_at, hours)
    return TriageTarget(
        urgency=urgency,
        hours=hours,
        due_at=due_at,
        past=now > due_at,
        waited_hours=working_hours_between(referred_at, now),
    )
