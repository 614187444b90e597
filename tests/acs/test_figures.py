"""Published figures, checked against the factory cases they summarise."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from acs import selectors
from acs.models import LearningTheme
from acs.selectors import acs_figures
from audit.context import AuditContext, Channel
from audit.models import AccessEvent
from tests.factories import (
    AcsCaseFactory,
    CaseActionFactory,
    ClosedCaseFactory,
    OpenCaseFactory,
)
from tests.factories.acs import outcome

pytestmark = pytest.mark.django_db

JAN, MAR_END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)


def audit_of(user):
    return AuditContext(user=user, channel=Channel.PAGE, request_id="test")


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=dt.UTC)


@pytest.fixture
def cases():
    a = ClosedCaseFactory(referred_at=at(2026, 1, 10), categories=["problem_debt", "neglect"])
    b = OpenCaseFactory(referred_at=at(2026, 1, 20), categories=["problem_debt"])
    c = AcsCaseFactory(referred_at=at(2026, 2, 5), categories=["abuse"])
    d = ClosedCaseFactory(referred_at=at(2026, 3, 1), outcome=outcome("customer_declined"))
    # Referred before the range, closed inside it: counts as closed, not as referred.
    e = ClosedCaseFactory(
        referred_at=at(2025, 12, 15), outcome=outcome("no_contact"), categories=["abuse"]
    )
    # A's first action 2 days after referral (a Saturday), on the Monday at 10:00: 1 working
    # hour. Done on time.
    CaseActionFactory(
        case=a,
        created_at=at(2026, 1, 12),
        due_on=dt.date(2026, 1, 15),
        completed_at=at(2026, 1, 14),
    )
    # B's first action after 4 days (Tuesday 10:00 to Saturday: 7 + 8 + 8 + 8 working hours),
    # completed late; a second one still open and overdue.
    CaseActionFactory(
        case=b,
        created_at=at(2026, 1, 24),
        due_on=dt.date(2026, 1, 22),
        completed_at=at(2026, 1, 25),
    )
    CaseActionFactory(case=b, created_at=at(2026, 1, 30), due_on=dt.date(2026, 2, 1))
    # D's first action after 1 day (Sunday to Monday 10:00: 1 working hour), done on the day it
    # was due.
    CaseActionFactory(
        case=d,
        created_at=at(2026, 3, 2),
        due_on=dt.date(2026, 3, 5),
        completed_at=at(2026, 3, 5, 16),
    )
    return a, b, c, d, e


def test_figures_match_the_cases(cases, acssl):
    figures = acs_figures(audit=audit_of(acssl), date_from=JAN, date_to=MAR_END)
    assert figures.by_month == [
        (dt.date(2026, 1, 1), 2, 2, 1),
        (dt.date(2026, 2, 1), 1, 0, 1),
        (dt.date(2026, 3, 1), 1, 1, 1),
    ]
    assert figures.totals == (4, 3, 3)
    assert dict(figures.by_category) == {
        "Problem debt": 2,
        "Neglect or self-neglect": 1,
        "Abuse (physical, emotional, sexual or financial)": 1,
    }
    assert dict(figures.by_outcome) == {
        "Support in place, risk reduced": 1,
        "Customer declined support": 1,
        "Unable to contact the customer": 1,
    }
    # In working hours, as the triage targets count (1, 31 and 1), not elapsed days (2, 4, 1).
    assert figures.median_hours_to_first_action == 1.0
    assert figures.cases_with_an_action == 3
    assert figures.table("timeliness").row("Referral to first action")[1:] == [
        3,
        1.0,
        31.0,
        "working hours",
    ]
    assert (figures.actions_due, figures.overdue_open, figures.overdue_completed_late) == (4, 1, 1)


def test_a_narrower_range_counts_only_its_cases(cases, team_leader):
    figures = acs_figures(
        audit=audit_of(team_leader), date_from=dt.date(2026, 2, 1), date_to=MAR_END
    )
    assert figures.totals == (2, 1, 2)
    assert figures.median_hours_to_first_action == 1.0
    assert dict(figures.by_category) == {"Abuse (physical, emotional, sexual or financial)": 1}


def test_no_cases_no_median(acssl):
    figures = acs_figures(audit=audit_of(acssl), date_from=JAN, date_to=MAR_END)
    assert figures.median_hours_to_first_action is None
    assert figures.totals == (0, 0, 0)


def test_figures_page_shows_numbers_as_text_and_charts(client, cases, acssl):
    client.force_login(acssl)
    response = client.get(
        reverse("acs:figures"), {"date_from": "2026-01-01", "date_to": "2026-03-31"}
    )
    assert response.status_code == 200
    text = response.text
    assert 'data-testid="total-referred">4<' in text
    assert 'data-testid="median-hours">1.0<' in text
    assert "<svg" in text
    assert "style=" not in text
    assert 'data-testid="overdue-total">2<' in text


def test_figures_csv_export_is_audited(client, cases, acssl):
    client.force_login(acssl)
    response = client.get(
        reverse("acs:figures-csv"), {"date_from": "2026-01-01", "date_to": "2026-03-31"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["table", "row", "measure", "value"]
    # Counts below 5 are suppressed in exports, as in published statistics; zeros stay.
    assert ["month", "2026-01", "Referred", "[c]"] in rows
    assert ["outcome", "Customer declined support", "Cases", "[c]"] in rows
    assert ["source", "Six Point Plan record", "Referrals", "0"] in rows
    assert ["timeliness", "Referral to first action", "Median", "[c]"] in rows
    event = AccessEvent.objects.get(action="export")
    assert event.detail == {"date_from": "2026-01-01", "date_to": "2026-03-31"}


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2026-03-01", "date_to": "2026-01-01"},
        {"date_from": "not-a-date"},
        {"date_from": "2000-01-01", "date_to": "2026-01-01"},
    ],
)
def test_bad_ranges_are_refused_politely(client, acssl, query):
    client.force_login(acssl)
    assert client.get(reverse("acs:figures"), query).status_code == 400
    assert client.get(reverse("acs:figures-csv"), query).status_code == 400
    assert not AccessEvent.objects.filter(action="export").exists()


def test_work_coaches_do_not_see_figures(client, work_coach):
    client.force_login(work_coach)
    assert client.get(reverse("acs:figures")).status_code == 403


def test_the_date_boxes_show_the_range_in_use_even_by_default(client, acssl):
    client.force_login(acssl)
    text = client.get(reverse("acs:figures")).text
    today = timezone.localdate()
    default_from = (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1)

    def boxes(name: str, day: dt.date) -> list[str]:
        # The GOV.UK date input: a day, month and year box for each date.
        return [
            f'name="{name}_day" type="text" inputmode="numeric" value="{day.day}"',
            f'name="{name}_month" type="text" inputmode="numeric" value="{day.month}"',
            f'name="{name}_year" type="text" inputmode="numeric" value="{day.year}"',
        ]

    assert all(box in text for box in boxes("date_to", today))
    assert all(box in text for box in boxes("date_from", default_from))
    chosen = client.get(reverse("acs:figures"), {"date_from": "2026-01-01", "date_to": ""}).text
    assert all(box in chosen for box in boxes("date_from", dt.date(2026, 1, 1)))
    assert all(box in chosen for box in boxes("date_to", today))


@pytest.mark.parametrize(
    "query",
    [
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01", "date_to": "0001-01-15"},
        {"date_to_day": "31", "date_to_month": "12", "date_to_year": "9999"},
        {
            **{"date_from_day": "1", "date_from_month": "1", "date_from_year": "1"},
            **{"date_to_day": "15", "date_to_month": "1", "date_to_year": "1"},
        },
    ],
)
@pytest.mark.parametrize("name", ["acs:figures", "acs:figures-csv"])
def test_dates_out_of_range_are_refused_politely(client, acssl, name, query):
    client.force_login(acssl)
    response = client.get(reverse(name), query)
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert not AccessEvent.objects.filter(what__startswith="acs figures").exists()


def test_figures_that_teach(acssl, team_leader):
    from accounts import roles
    from acs import services
    from tests.factories import ColleagueFactory, ReferralFactory

    leeds = ColleagueFactory(first_name="Lee", last_name="Ds", team="Leeds ACS", role=roles.ACSSL)
    york = ColleagueFactory(first_name="Yo", last_name="Rk", team="York ACS", role=roles.ACSSL)
    for i in range(6):
        case = OpenCaseFactory(owner=leeds if i < 5 else york, referred_at=at(2026, 1, 5 + i))
        case.opened_at = case.referred_at + dt.timedelta(hours=2 + i)
        case.save(update_fields=["opened_at"])
        ReferralFactory(case=case, source="signal" if i % 2 else "partner")
    AcsCaseFactory(referred_at=at(2026, 1, 20))  # not yet triaged
    # Reopened 10 days after closing: counted; one reopened months after closing: not.
    closed = ClosedCaseFactory(
        owner=york,
        referred_at=at(2026, 1, 2),
        closed_at=timezone.now() - dt.timedelta(days=10),
    )
    long_closed = ClosedCaseFactory(
        owner=york, referred_at=at(2026, 1, 3), closed_at=at(2026, 1, 10)
    )
    closed.learning_themes.set(LearningTheme.objects.filter(code="timeliness"))
    audit = AuditContext(user=york, channel=Channel.PAGE, request_id="t")
    learned = ClosedCaseFactory(
        owner=york, referred_at=at(2026, 1, 4), closed_at=timezone.now() - dt.timedelta(days=1)
    )
    learned.learning_themes.set(LearningTheme.objects.filter(code="good_practice"))
    for case in (closed, long_closed):
        services.acs_case_reopen(audit=audit, case=case, reason="New risk")

    today = timezone.localdate()
    figures = acs_figures(audit=audit_of(team_leader), date_from=JAN, date_to=today)
    team = {row[0]: row[1:] for row in figures.table("team").rows}
    assert team["Leeds ACS"] == [5, 0]
    assert team["York ACS"] == [4, 1]
    assert team["Not yet assigned"] == [1, 0]
    acssl_rows = {row[0]: row[1:] for row in figures.table("acssl").rows}
    assert acssl_rows["Lee Ds"] == [5, 0, 0]
    source = dict(figures.table("source").rows)
    assert (source["Accepted signal"], source["Partner organisation"]) == (3, 3)
    triage = figures.table("timeliness").rows[0]
    assert triage[:2] == ["Referral to triage (taken or assigned)", 9]
    # Working hours, as the triage targets count them: Monday to Friday 2, 3, 4, 5, 6 hours
    # after a 10:00 referral; Saturday's 7 hours none. The closed cases, taken 4 hours after
    # referral: Friday 2 January 4 hours, the weekend's two none. Elapsed hours would give a
    # median of 4 and a 90th percentile of 7.
    assert triage[2] == 3.0
    assert triage[3] == 6.0
    assert triage[4] == "working hours"
    reopen_rows = dict(figures.table("reopened").rows)
    assert reopen_rows["Reopened within 90 days of closing"] == 1
    assert figures.table("themes").rows == [["Good practice worth sharing", 1]]


def test_one_table_as_csv_suppresses_small_counts_and_is_formula_safe(client, acssl, admin_user):
    from accounts import roles
    from tests.factories import ColleagueFactory

    owner = ColleagueFactory(team="=HYPERLINK(1)", role=roles.ACSSL)
    for i in range(5):
        OpenCaseFactory(owner=owner, referred_at=at(2026, 1, 5 + i))
    OpenCaseFactory(referred_at=at(2026, 1, 12))  # another team: one case
    client.force_login(acssl)
    query = {"date_from": "2026-01-01", "date_to": "2026-01-31", "table": "team"}
    response = client.get(reverse("acs:figures-csv"), query)
    assert response.status_code == 200
    assert "acs-figures-team-20260101-20260131.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Team", "Cases referred", "Cases closed"]
    assert ["'=HYPERLINK(1)", "5", "0"] in rows
    assert ["Leeds jobcentre", "[c]", "0"] in rows
    assert client.get(reverse("acs:figures-csv"), query | {"table": "nope"}).status_code == 404
    page = client.get(reverse("acs:figures"), query).text
    assert 'data-testid="table-team"' in page
    assert "=HYPERLINK(1)" in page  # shown as text on the page, escaped by the template


def test_one_setting_sets_the_threshold_of_every_export_and_the_page_stays_exact(
    client, acssl, settings
):
    for day in range(3):
        OpenCaseFactory(referred_at=at(2026, 1, 5 + day), categories=["abuse"])
    OpenCaseFactory(referred_at=at(2026, 1, 9), categories=["neglect"])
    client.force_login(acssl)
    query = {"date_from": "2026-01-01", "date_to": "2026-01-31", "table": "category"}

    def exported() -> dict[str, str]:
        response = client.get(reverse("acs:figures-csv"), query)
        return dict(list(csv.reader(io.StringIO(response.content.decode())))[1:])

    abuse, neglect = "Abuse (physical, emotional, sexual or financial)", "Neglect or self-neglect"
    assert exported() == {abuse: "[c]", neglect: "[c]"}  # below the default 5
    settings.ACS_FIGURES_SUPPRESS_BELOW = 3
    assert exported() == {abuse: "3", neglect: "[c]"}
    export = selectors.acs_figures_export(audit=audit_of(acssl), date_from=JAN, date_to=MAR_END)
    assert export.suppress_below == 3
    assert export.table("category").rows == [[abuse, 3], [neglect, "[c]"]]

    page = client.get(reverse("acs:figures"), query)
    assert page.context["figures"].table("category").rows == [[abuse, 3], [neglect, 1]]
    assert "counts from 1 to 2 are shown as [c]" in page.text
    assert "fewer than 3 cases" in page.text
