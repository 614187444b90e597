"""The ACS figures that teach: cases by team, ACSSL, referral source and learning theme, time to
triage and to first action (median and 90th percentile), cases reopened soon after closure.

Read by acs.selectors.acs_figures (the page) and acs_figures_export (the CSV downloads and the
API), which check the role and write the access event; these functions summarise counts and name
no customer. Every export suppresses small counts (`suppressed`), as published statistics do,
so that a few cases cannot be singled out. The page, seen only by ACSSLs and team leaders, who
may open every case, shows them exactly.
"""

import datetime as dt
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db.models import Count, F, Min, Q, QuerySet

from acs.models import AcsCase, CaseAction, CaseEvent, LearningTheme, Referral
from acs.working_time import working_day, working_hours_between

Status = AcsCase.Status
# Counts from 1 to the threshold - 1 are shown as SUPPRESSED in exports (0 stays 0). The one
# threshold is the setting ACS_FIGURES_SUPPRESS_BELOW (default 5, as many published statistics).
DEFAULT_SUPPRESS_BELOW = 5
SUPPRESSED = "[c]"
REOPENED_WITHIN_DAYS = 90


@dataclass
class FigureTable:
    """One table of figures: its rows start with a label; the other cells are numbers, or
    None where there is nothing to measure. `counts` says which columns are counts (suppressed
    in exports when small); the others are measures, suppressed when based on few cases
    (`based_on`, the column holding how many cases a row measures)."""

    slug: str
    title: str
    note: str
    columns: list[str]
    rows: list[list[object]] = field(default_factory=list)
    counts: tuple[int, ...] = ()
    based_on: int | None = None

    def row(self, label: str) -> list[object] | None:
        """The row whose first cell is `label`."""
        return next((row for row in self.rows if row[0] == label), None)


def suppress_below() -> int:
    """The smallest count an export shows (ACS_FIGURES_SUPPRESS_BELOW)."""
    return int(getattr(settings, "ACS_FIGURES_SUPPRESS_BELOW", DEFAULT_SUPPRESS_BELOW))


def suppressed(table: FigureTable) -> FigureTable:
    """The table as it is exported: small counts replaced by [c], and measures (medians,
    percentiles) too when the cases they are based on are few."""
    below = suppress_below()

    def small(value: object) -> bool:
        return isinstance(value, int) and 0 < value < below

    shown: list[list[object]] = []
    for row in table.rows:
        cells = list(row)
        few = table.based_on is not None and small(cells[table.based_on])
        for index in range(1, len(cells)):
            if index in table.counts:
                if small(cells[index]):
                    cells[index] = SUPPRESSED
            elif few and cells[index] is not None:
                cells[index] = SUPPRESSED
        shown.append(cells)
    return replace(table, rows=shown)


def _percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile (the value at or below which `fraction` of values fall)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _name(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or username or "Not yet assigned"


def _working_hours(pairs: Iterable[tuple[dt.datetime, dt.datetime | None]]) -> list[float]:
    """Working hours from each start to its end, counted as the triage targets count them
    (acs.working_time: office hours on weekdays that are not bank holidays). The one measure of
    time to triage and time to first action."""
    return [working_hours_between(start, end) for start, end in pairs if end is not None]


TO_TRIAGE = "Referral to triage (taken or assigned)"
TO_FIRST_ACTION = "Referral to first action"


def _timeliness(referred: QuerySet[AcsCase]) -> FigureTable:
    triage_hours = _working_hours(
        referred.filter(opened_at__isnull=False).values_list("referred_at", "opened_at")
    )
    action_hours = _working_hours(
        referred.annotate(first=Min("actions__created_at"))
        .filter(first__isnull=False)
        .values_list("referred_at", "first")
    )
    opens, closes = working_day()
    rows: list[list[object]] = []
    for label, values in ((TO_TRIAGE, triage_hours), (TO_FIRST_ACTION, action_hours)):
        median = round(statistics.median(values), 1) if values else None
        p90 = _percentile(values, 0.9)
        rows.append(
            [label, len(values), median, None if p90 is None else round(p90, 1), "working hours"]
        )
    return FigureTable(
        slug="timeliness",
        title="Time to triage and to first action",
        note=f"Cases referred in the period, in working hours ({opens:%H:%M} to {closes:%H:%M} on"
        " weekdays that are not bank holidays), as the triage targets are counted. Half of cases"
        " took no longer than the median; nine in ten no longer than the 90th percentile.",
        columns=["Measure", "Cases", "Median", "90th percentile", "Unit"],
        rows=rows,
        counts=(1,),
        based_on=1,
    )


def figures_tables(*, date_from: dt.date, date_to: dt.date, today: dt.date) -> list[FigureTable]:
    """Every teaching table for cases in the range (UK dates, inclusive)."""
    span = (date_from, date_to)
    referred = AcsCase.objects.filter(referred_at__date__range=span)
    closed = AcsCase.objects.filter(status=Status.CLOSED, closed_at__date__range=span)
    tables: list[FigureTable] = []

    # By team and by ACSSL: the owner of the case (referred cases nobody has taken: unassigned).
    closed_by_team = dict(closed.values_list("owner__team").annotate(n=Count("pk")).order_by())
    team_rows: dict[str, list[object]] = {}
    for team, count in referred.values_list("owner__team").annotate(n=Count("pk")).order_by():
        label = "Not yet assigned" if team is None else (team or "No team recorded")
        team_rows[label] = [label, count, closed_by_team.pop(team, 0)]
    for team, count in closed_by_team.items():
        label = "Not yet assigned" if team is None else (team or "No team recorded")
        team_rows.setdefault(label, [label, 0, 0])[2] = count
    tables.append(
        FigureTable(
            slug="team",
            title="Cases by team",
            note="The team of the colleague who owns the case.",
            columns=["Team", "Cases referred", "Cases closed"],
            rows=sorted(team_rows.values(), key=lambda row: str(row[0])),
            counts=(1, 2),
        )
    )

    owner_fields = ("owner", "owner__first_name", "owner__last_name", "owner__username")
    acssl_rows: dict[object, list[object]] = {}
    for owner, first, last, username, count in (
        referred.values_list(*owner_fields).annotate(n=Count("pk")).order_by()
    ):
        acssl_rows[owner] = [_name(first, last, username), count, 0, 0]
    for owner, first, last, username, count in (
        closed.values_list(*owner_fields).annotate(n=Count("pk")).order_by()
    ):
        acssl_rows.setdefault(owner, [_name(first, last, username), 0, 0, 0])[2] = count
    late = Q(completed_at__isnull=True, due_on__lt=today) | Q(completed_at__date__gt=F("due_on"))
    for owner, first, last, username, count in (
        CaseAction.objects.filter(due_on__range=span)
        .filter(late)
        .values_list(*owner_fields)
        .annotate(n=Count("pk"))
        .order_by()
    ):
        acssl_rows.setdefault(owner, [_name(first, last, username), 0, 0, 0])[3] = count
    tables.append(
        FigureTable(
            slug="acssl",
            title="Cases by ACSSL",
            note="Cases each colleague owns; overdue actions are those due in the period and"
            " not done by their due date.",
            columns=["ACSSL", "Cases referred", "Cases closed", "Overdue actions"],
            rows=sorted(acssl_rows.values(), key=lambda row: str(row[0])),
            counts=(1, 2, 3),
        )
    )

    by_source = dict(
        Referral.objects.filter(created_at__date__range=span)
        .values_list("source")
        .annotate(n=Count("pk"))
    )
    tables.append(
        FigureTable(
            slug="source",
            title="Referrals by source",
            note="Every referral made in the period (a case may have several).",
            columns=["Source", "Referrals"],
            rows=[[label, by_source.get(value, 0)] for value, label in Referral.Source.choices],
            counts=(1,),
        )
    )

    tables.append(_timeliness(referred))

    closed_count = closed.count()
    reopened = 0
    for detail, occurred_at in CaseEvent.objects.filter(
        kind=CaseEvent.Kind.REOPENED, occurred_at__date__range=span
    ).values_list("detail", "occurred_at"):
        try:
            closed_at = dt.datetime.fromisoformat(str(detail.get("closed_at", "")))
        except ValueError:
            continue
        if occurred_at - closed_at <= dt.timedelta(days=REOPENED_WITHIN_DAYS):
            reopened += 1
    tables.append(
        FigureTable(
            slug="reopened",
            title="Cases reopened soon after closing",
            note=f"Reopenings in the period that came within {REOPENED_WITHIN_DAYS} days of the"
            " case closing: support may have ended too soon.",
            columns=["Measure", "Cases"],
            rows=[
                ["Cases closed in the period", closed_count],
                [f"Reopened within {REOPENED_WITHIN_DAYS} days of closing", reopened],
            ],
            counts=(1,),
        )
    )

    themes = dict(
        LearningTheme.objects.filter(cases__in=closed)
        .values_list("code")
        .annotate(n=Count("cases"))
    )
    tables.append(
        FigureTable(
            slug="themes",
            title="What was learned, by theme",
            note="Cases closed in the period; a case can have several themes.",
            columns=["Theme", "Cases"],
            rows=[
                [name, themes[code]]
                for code, name in LearningTheme.objects.values_list("code", "name")
                if themes.get(code)
            ],
            counts=(1,),
        )
    )
    return tables


def figures_base_tables(
    *,
    by_month: list[tuple[dt.date, int, int, int]],
    by_category: list[tuple[str, int]],
    by_outcome: list[tuple[str, int]],
    overdue: tuple[int, int, int],
) -> list[FigureTable]:
    """The published figures (by month, category, outcome, overdue actions) as tables, for
    their CSV exports."""
    return [
        FigureTable(
            slug="month",
            title="Cases referred, opened and closed by month",
            note="",
            columns=["Month", "Referred", "Opened", "Closed"],
            rows=[[f"{month:%Y-%m}", r, o, c] for month, r, o, c in by_month],
            counts=(1, 2, 3),
        ),
        FigureTable(
            slug="category",
            title="Cases referred by category",
            note="",
            columns=["Category", "Cases"],
            rows=[[name, n] for name, n in by_category],
            counts=(1,),
        ),
        FigureTable(
            slug="outcome",
            title="Cases closed by outcome",
            note="",
            columns=["Outcome", "Cases"],
            rows=[[name, n] for name, n in by_outcome],
            counts=(1,),
        ),
        FigureTable(
            slug="overdue",
            title="Overdue actions",
            note="",
            columns=["Measure", "Actions"],
            rows=[
                ["Actions due in the period", overdue[0]],
                ["Not done by the due date, still open", overdue[1]],
                ["Not done by the due date, completed late", overdue[2]],
            ],
            counts=(1,),
        ),
    ]
