"""Triage targets counted in working time: office hours, weekdays, UK bank holidays."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from acs.working_time import (
    is_working_day,
    triage_target,
    working_deadline,
    working_hours_between,
)

UK = ZoneInfo("Europe/London")


def uk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UK)


def test_weekends_and_bank_holidays_are_not_working_days():
    assert is_working_day(dt.date(2026, 12, 2))  # a Wednesday
    assert not is_working_day(dt.date(2026, 12, 5))  # Saturday
    assert not is_working_day(dt.date(2026, 12, 25))  # Christmas Day
    assert not is_working_day(dt.date(2026, 12, 28))  # Boxing Day (substitute)
    assert not is_working_day(dt.date(2026, 5, 25))  # Spring bank holiday


def test_immediate_referral_made_friday_afternoon_is_due_monday_morning():
    made = uk(2026, 11, 27, 15, 0)  # Friday 3pm: 2 working hours left that day
    target = triage_target(urgency="immediate", referred_at=made, now=uk(2026, 11, 28, 12, 0))
    assert target.due_at == uk(2026, 11, 30, 11, 0)  # Monday 11am
    assert not target.past
    assert target.waited_label == "2 working hours"


def test_a_bank_holiday_does_not_count():
    made = uk(2026, 12, 24, 16, 0)  # Thursday before Christmas, 1 hour left
    due = working_deadline(made, 8)  # Urgent: one working day
    assert due == uk(2026, 12, 29, 16, 0)  # 25th, 26th/27th weekend, 28th substitute day off


def test_a_referral_made_out_of_hours_starts_counting_at_opening_time():
    assert working_deadline(uk(2026, 12, 2, 22, 30), 4) == uk(2026, 12, 3, 13, 0)
    assert working_hours_between(uk(2026, 12, 2, 22, 30), uk(2026, 12, 3, 8, 0)) == 0


@pytest.mark.parametrize(
    ("urgency", "made", "now", "past"),
    [
        ("immediate", uk(2026, 12, 2, 9, 0), uk(2026, 12, 2, 13, 0), False),
        ("immediate", uk(2026, 12, 2, 9, 0), uk(2026, 12, 2, 13, 1), True),
        ("urgent", uk(2026, 12, 2, 10, 0), uk(2026, 12, 3, 9, 59), False),
        ("urgent", uk(2026, 12, 2, 10, 0), uk(2026, 12, 3, 10, 1), True),
        ("standard", uk(2026, 12, 1, 10, 0), uk(2026, 12, 8, 9, 0), False),
        ("standard", uk(2026, 12, 1, 10, 0), uk(2026, 12, 8, 10, 1), True),
    ],
)
def test_default_targets(urgency, made, now, past):
    assert triage_target(urgency=urgency, referred_at=made, now=now).past is past


def test_targets_are_configurable(settings):
    settings.ACS_TRIAGE_TARGET_HOURS = {"immediate": 1}
    made = uk(2026, 12, 2, 9, 0)
    target = triage_target(urgency="immediate", referred_at=made, now=uk(2026, 12, 2, 10, 30))
    assert target.past
    assert target.target_label == "1 working hour"
    assert triage_target(urgency="urgent", referred_at=made).target_label == "1 working day"


def test_waited_reads_in_working_days_and_hours():
    made = uk(2026, 11, 30, 9, 0)  # Monday
    target = triage_target(urgency="standard", referred_at=made, now=uk(2026, 12, 2, 12, 0))
    assert target.waited_label == "2 working days 3 hours"


def test_the_figures_count_time_to_triage_and_first_action_in_working_hours(acssl):
    """The figures measure waits as the triage targets do: a referral made on Friday at 16:00
    and taken on Tuesday at 10:00 after a bank holiday Monday waited 2 working hours (not 90
    elapsed hours); its first action on Tuesday at 12:00, 4 working hours."""
    from acs.figures_selectors import figures_tables
    from tests.factories import CaseActionFactory, OpenCaseFactory

    referred = uk(2026, 5, 22, 16, 0)  # Friday before the Spring bank holiday (25 May)
    case = OpenCaseFactory(owner=acssl, referred_at=referred, opened_at=uk(2026, 5, 26, 10, 0))
    CaseActionFactory(case=case, created_at=uk(2026, 5, 26, 12, 0))
    tables = figures_tables(
        date_from=dt.date(2026, 5, 1), date_to=dt.date(2026, 5, 31), today=dt.date(2026, 6, 1)
    )
    timeliness = next(table for table in tables if table.slug == "timeliness")
    assert timeliness.row("Referral to triage (taken or assigned)")[1:3] == [1, 2.0]
    assert timeliness.row("Referral to first action")[1:3] == [1, 4.0]
