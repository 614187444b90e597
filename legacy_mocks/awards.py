"""Benefit rates (2025/26, pence) and the award and payment arithmetic shared across the package."""

import calendar
from datetime import date, timedelta
from typing import Any

# A benefit record in the canonical shape (see docs/legacy-systems.md); dates are ISO strings.
Source = dict[str, Any]

SYSTEMS = ("uc", "pip", "esa", "sp")

UC_STANDARD_ALLOWANCE = {  # (household, under 25) -> monthly pence
    ("single", True): 31698,
    ("single", False): 40014,
    ("couple", True): 49755,
    ("couple", False): 62810,
}
UC_LCWRA = 42327
UC_CHILD_FIRST_BORN_PRE_2017 = 33900
UC_CHILD = 29281
UC_CARER = 20168
UC_DEDUCTION_CAP_PERCENT = 15

PIP_DAILY_LIVING = {"none": 0, "standard": 7390, "enhanced": 11040}
PIP_MOBILITY = {"none": 0, "standard": 2920, "enhanced": 7705}

ESA_ASSESSMENT_UNDER_25 = 7290
ESA_BASE = 9205
ESA_WRAG_PRE_2017 = 3655
ESA_SUPPORT = 4850
ESA_WRAG_COMPONENT_CUTOFF = date(2017, 4, 3)
ESA_ASSESSMENT_PHASE_DAYS = 13 * 7

SP_NEW_FULL = 23025
SP_BASIC_FULL = 17645
SP_NEW_FROM = date(2016, 4, 6)
SP_AGE = 66
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")

LARGE_ARREARS_PENCE = 500_000

_CYCLE_DAYS = {"pip": 28, "esa": 14, "sp": 28}
_KEEP_REGULAR = 3
_KEEP_ARREARS = 2


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    if day.day <= 28:  # the common case needs no calendar look-up
        return date(year, month0 + 1, day.day)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def age_on(date_of_birth: date, day: date) -> int:
    return (
        day.year
        - date_of_birth.year
        - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))
    )


def sp_weekday(nino: str) -> str:
    """PSCS pays on a weekday set by the NINO's last two digits: 00-19 Monday ... 80-99 Friday."""
    return WEEKDAYS[int(nino[6:8]) // 20]


def uc_standard_allowance(household: str, under_25: bool) -> int:
    return UC_STANDARD_ALLOWANCE[(household, under_25)]


def uc_deduction_cap(standard_allowance_pence: int) -> int:
    return standard_allowance_pence * UC_DEDUCTION_CAP_PERCENT // 100


def uc_sanction_daily_rate(standard_allowance_pence: int) -> int:
    """Higher-level sanctions remove 100% of the standard allowance, at a daily rate."""
    return standard_allowance_pence * 12 // 365


def esa_weekly(*, phase: str, group: str | None, under_25: bool, start_date: date) -> int:
    if phase == "assessment":
        return ESA_ASSESSMENT_UNDER_25 if under_25 else ESA_BASE
    if group == "support":
        return ESA_BASE + ESA_SUPPORT
    return ESA_BASE + (ESA_WRAG_PRE_2017 if start_date < ESA_WRAG_COMPONENT_CUTOFF else 0)


def sp_weekly(
    *, pension_type: str, qualifying_years: int, additional_pence: int, deferral_weeks: int
) -> int:
    """New SP scales by qualifying years/35; deferral adds 1% per 9 weeks (basic: 1% per 5)."""
    if pension_type == "new":
        base = SP_NEW_FULL * min(qualifying_years, 35) // 35
        return base + base * deferral_weeks // 900
    base = SP_BASIC_FULL * min(qualifying_years, 30) // 30 + additional_pence
    return base + base * deferral_weeks // 500


def pip_weekly(source: Source) -> int:
    return PIP_DAILY_LIVING[source["daily_living_level"]] + PIP_MOBILITY[source["mobility_level"]]


def uc_recalculate(source: Source, today: date) -> None:
    """Move the UC claim to the assessment period holding `today` and recompute its award."""
    start = date.fromisoformat(source["start_date"])
    period = _uc_period_index(start, today)
    ap_start, ap_end = add_months(start, period), add_months(start, period + 1) - timedelta(days=1)
    source["assessment_period"] = {
        "start_date": ap_start.isoformat(),
        "end_date": ap_end.isoformat(),
    }
    sanction_days = 0
    for sanction in source["sanctions"]:
        first = max(ap_start, date.fromisoformat(sanction["start_date"]))
        last = min(ap_end, date.fromisoformat(sanction["end_date"]))
        sanction_days += max(0, (last - first).days + 1)
    reduction = sanction_days * uc_sanction_daily_rate(source["standard_allowance_pence"])
    total = (
        source["standard_allowance_pence"]
        + sum(element["amount_pence"] for element in source["elements"])
        - sum(deduction["amount_pence"] for deduction in source["deductions"])
    )
    source["award_amount_pence"] = max(0, total - reduction)


def regular_amount(system: str, source: Source) -> int:
    if system == "uc":
        return source["award_amount_pence"]
    if system == "pip":
        return 4 * pip_weekly(source)
    if system == "esa":
        return 2 * source["weekly_amount_pence"]
    return 4 * source["weekly_amount_pence"]


def refresh_payments(system: str, source: Source, today: date) -> None:
    """Record every regular payment due by `today` and set the next one (none once closed)."""
    if source["status"] != "live":
        source["next_payment"] = None
        return
    amount = regular_amount(system, source)
    *due, upcoming = _payment_dates(system, source, today)
    recorded = {payment["payment_date"] for payment in source["payments"]}
    for period_start, period_end, paid_on in due:
        if paid_on.isoformat() not in recorded:
            source["payments"].append(payment(paid_on, amount, "regular", period_start, period_end))
    trim_payments(source)
    source["next_payment"] = {"payment_date": upcoming[2].isoformat(), "amount_pence": amount}


def payment(
    paid_on: date, amount_pence: int, kind: str, period_start: date, period_end: date
) -> dict[str, Any]:
    return {
        "payment_date": paid_on.isoformat(),
        "amount_pence": amount_pence,
        "kind": kind,
        "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(),
    }


def trim_payments(source: Source) -> None:
    """Keep a short recent history: the last few regular payments and the last arrears ones."""
    payments = sorted(source["payments"], key=lambda item: (item["payment_date"], item["kind"]))
    regular = [item for item in payments if item["kind"] == "regular"][-_KEEP_REGULAR:]
    arrears = [item for item in payments if item["kind"] == "arrears"][-_KEEP_ARREARS:]
    source["payments"] = sorted(
        regular + arrears, key=lambda item: (item["payment_date"], item["kind"])
    )


def _payment_dates(system: str, source: Source, today: date) -> list[tuple[date, date, date]]:
    """(period start, period end, paid on) of the last few payments due by `today`, then the next.

    UC pays monthly, 7 days after each assessment period ends; ESA fortnightly; PIP and SP every
    4 weeks in arrears (SP on the NINO's weekday).
    """
    start = date.fromisoformat(source["start_date"])
    day = timedelta(days=1)
    if system == "uc":
        current = _uc_period_index(start, today)
        first = max(0, current - _KEEP_REGULAR)
        bounds = [add_months(start, index) for index in range(first, current + 2)]
        periods = [
            (bounds[i], bounds[i + 1] - day, bounds[i + 1] + 6 * day)
            for i in range(len(bounds) - 1)
        ]
        due = [period for period in periods if period[2] <= today][-_KEEP_REGULAR:]
        return [*due, next(period for period in periods if period[2] > today)]
    cycle = timedelta(days=_CYCLE_DAYS[system])
    first_paid = start + cycle
    if system == "sp":
        weekday = WEEKDAYS.index(source["payment_weekday"])
        first_paid += timedelta(days=(weekday - first_paid.weekday()) % 7)
    last = -1 if today < first_paid else (today - first_paid).days // cycle.days
    dates = [
        first_paid + cycle * index for index in range(max(0, last - _KEEP_REGULAR + 1), last + 2)
    ]
    return [(paid_on - cycle, paid_on - day, paid_on) for paid_on in dates]


def _uc_period_index(start: date, today: date) -> int:
    index = max(0, (today.year - start.year) * 12 + today.month - start.month)
    while index > 0 and add_months(start, index) > today:
        index -= 1
    return index
