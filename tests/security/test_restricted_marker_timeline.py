"""A colleague not cleared for restricted markers never learns a marker's type from the
customer's timeline: not on the page, not in the htmx timeline, not in the API timeline."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from acs.services import acs_referral_create
from support_needs.models import SignalRule, SupportSignal
from support_needs.services.signals import support_signal_refer
from support_needs.services.six_point_plan import six_point_plan_record
from tests.api.conftest import TokenClient
from tests.factories import CustomerFactory
from tests.support_needs.conftest import audit_as, record

pytestmark = pytest.mark.django_db

# Words that name a restricted marker, what caused a referral, or how urgent it was.
TELLING = re.compile(
    r"six[ -]point[ -]plan|risk[ -]of[ -]harm|self[ -]harm|suicid|unacceptable|immediate"
    r"|support signal|signal|urgent",
    re.IGNORECASE,
)


def _six_point_plan(customer, by):
    return six_point_plan_record(
        customer=customer,
        audit=audit_as(by),
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        support_partner="Team leader on the call",
        intent="Said they would end it",
        immediate_risk=True,
        emergency_services_called=True,
        emergency_reference="Police ref 1234",
        signposting="Samaritans",
        escalated_to="Team leader",
        outcome="Stayed on the line until help arrived",
        customer_agreed="A call from an ACSSL",
    )


def _signal_referral(customer, by):
    signal = SupportSignal.objects.create(
        customer=customer,
        rule=SignalRule.RECENT_SIX_POINT_PLAN,
        fact_key="spp-1",
        reason="Six Point Plan in the last 90 days",
        restricted=True,
        raised_at=timezone.now(),
    )
    support_signal_refer(
        signal=signal, audit=audit_as(by), customer_agreed="A call", urgency="urgent"
    )


@pytest.fixture
def marked_customer(acssl):
    """A customer with every kind of restricted-marker history a timeline can show."""
    customer = CustomerFactory()
    _six_point_plan(customer, acssl)
    record(customer, acssl, "risk-of-harm", details="Threatened staff at the office.")
    _signal_referral(customer, acssl)
    acs_referral_create(
        audit=audit_as(acssl),
        customer=customer,
        reason="Risk of harm marker reviewed",
        urgency="immediate",
        categories=["suicide_self_harm"],
        customer_agreed="Agreed",
        source="six_point_plan",
    )
    return customer


def _timeline_part(html: str) -> str:
    return html.split('data-testid="timeline"', 1)[1]


def _texts(entries) -> str:
    return " | ".join(
        " ".join([e["title"], e["description"], e["byline"], e["warning"]])
        + " ".join(f["value"] for f in e["facts"])
        for e in entries
    )


def test_the_page_timeline_names_no_marker(client, work_coach, marked_customer):
    client.force_login(work_coach)
    url = reverse("customers:detail", kwargs={"public_id": marked_customer.public_id})
    html = client.get(url).content.decode()
    shown = _timeline_part(html)
    assert "Referred to an ACSSL" in shown  # the timeline is there, in general terms
    assert "Restricted marker changed" in shown
    assert not TELLING.findall(shown), TELLING.findall(shown)


def test_the_what_changed_summary_names_no_marker(client, work_coach, acssl):
    customer = CustomerFactory()
    client.force_login(work_coach)
    url = reverse("customers:detail", kwargs={"public_id": customer.public_id})
    client.get(url)  # a previous visit: the next one lists what changed since
    _six_point_plan(customer, acssl)
    _signal_referral(customer, acssl)
    html = client.get(url).content.decode()
    changes = html.split('data-testid="changes-since"', 1)[1].split("</section>", 1)[0]
    assert "Referred to an ACSSL" in changes
    assert not TELLING.findall(changes), TELLING.findall(changes)


def test_the_htmx_timeline_names_no_marker(client, work_coach, marked_customer):
    client.force_login(work_coach)
    url = reverse("customers:timeline", kwargs={"public_id": marked_customer.public_id})
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Referred to an ACSSL" in html
    assert not TELLING.findall(html), TELLING.findall(html)
    only_acs = client.get(url, {"type": "acs_case"}, headers={"HX-Request": "true"})
    assert not TELLING.findall(only_acs.content.decode())


def test_the_api_timeline_names_no_marker(work_coach, marked_customer):
    api = TokenClient(work_coach)
    url = reverse("api:customer-timeline", kwargs={"public_id": marked_customer.public_id})
    body = api.get(url).json()
    text = _texts(body["results"])
    assert "Referred to an ACSSL" in text
    assert not TELLING.findall(text), TELLING.findall(text)


def test_cleared_colleagues_still_read_what_caused_the_referral(acssl, marked_customer):
    api = TokenClient(acssl)
    url = reverse("api:customer-timeline", kwargs={"public_id": marked_customer.public_id})
    text = _texts(api.get(url).json()["results"]).lower()
    assert "six point plan" in text
    assert "risk of harm" in text
