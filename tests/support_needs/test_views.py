"""Support-needs pages: no-JS and htmx paths, restricted markers, lists, query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import AccessEvent
from benefits.models import Payment
from support_needs.models import SupportNeed
from support_needs.services.signals import support_signals_compute
from tests.factories import CustomerFactory, PaymentFactory
from tests.security import test_url_access as url_access
from tests.support_needs.conftest import audit_as, record

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def panel_url(customer, name="panel", **kwargs):
    return reverse(f"support_needs:{name}", kwargs={"public_id": customer.public_id, **kwargs})


@pytest.mark.parametrize("role", url_access.ROLES)
def test_support_needs_urls_answer_each_role_as_classified(client, role):
    samples = url_access.Samples(customer=CustomerFactory())
    client = url_access.client_for(client, role)
    wrong = []
    for name in [n for n in url_access.ACCESS if n.startswith("support_needs:")]:
        kwargs = url_access.URL_KWARGS[name](samples) if name in url_access.URL_KWARGS else {}
        response = client.get(reverse(name, kwargs=kwargs))
        expected = url_access.ACCESS[name][role]
        if expected == url_access.SIGN_IN:
            good = response.status_code == 302 and "sign-in" in response["Location"]
        else:
            good = response.status_code == expected
        if not good:
            wrong.append(f"{name}: expected {expected}, got {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_record_a_need_without_javascript(coach_client, work_coach):
    customer = CustomerFactory()
    page = coach_client.get(panel_url(customer, "record"))
    assert page.status_code == 200
    assert b"Type of need" in page.content
    step_two = coach_client.get(panel_url(customer, "record"), {"need_type": "large-print"})
    assert b"Format detail" in step_two.content
    assert b"Language" not in step_two.content  # only this type's fields
    refused = coach_client.post(
        panel_url(customer, "record") + "?need_type=large-print",
        {"how_learned": "customer", "consent": "given"},
    )
    assert refused.status_code == 400
    assert b"Enter the detail for large print" in refused.content
    saved = coach_client.post(
        panel_url(customer, "record") + "?need_type=large-print",
        {"how_learned": "customer", "consent": "given", "format_detail": "18 point"},
    )
    assert saved.status_code == 302
    assert saved["Location"] == panel_url(customer)
    need = SupportNeed.objects.get(customer=customer)
    assert need.format_detail == "18 point"
    event = AccessEvent.objects.get(customer=customer, action="change")
    assert event.request_id or event.client_address  # the request's own audit details


def test_htmx_review_and_end_swap_the_panel(coach_client, work_coach):
    customer = CustomerFactory()
    need = record(customer, work_coach, "mental-health")
    form = coach_client.get(panel_url(customer, "review", need_id=need.public_id), **HTMX)
    assert b"<html" not in form.content
    assert b'id="support-needs-panel"' in form.content
    next_review = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    done = coach_client.post(
        panel_url(customer, "review", need_id=need.public_id),
        {"next_review": next_review, "note": "Confirmed"},
        **HTMX,
    )
    assert done.status_code == 200
    assert b"<html" not in done.content
    need.refresh_from_db()
    assert need.review_due.isoformat() == next_review
    bad = coach_client.post(panel_url(customer, "end", need_id=need.public_id), {}, **HTMX)
    assert bad.status_code == 200  # htmx swaps only 2xx: errors come back in the fragment
    assert b"Say why the need no longer applies" in bad.content
    coach_client.post(
        panel_url(customer, "end", need_id=need.public_id), {"reason": "Recovered"}, **HTMX
    )
    need.refresh_from_db()
    assert need.status == "ended"


def test_restricted_marker_hidden_from_work_coach_but_its_existence_shown(
    client, work_coach, acssl, team_leader
):
    customer = CustomerFactory()
    marker = record(customer, acssl, "unacceptable-behaviour", details="Meet in pairs only")
    record(customer, work_coach, "large-print")
    client.force_login(work_coach)
    page = client.get(panel_url(customer))
    assert b"sensitive support need" in page.content
    assert b"ACSSL" in page.content
    assert b"Unacceptable Customer Behaviour" not in page.content
    assert b"Meet in pairs" not in page.content
    assert b"Large print" in page.content
    for name in ("update", "review", "end"):
        assert client.get(panel_url(customer, name, need_id=marker.public_id)).status_code == 403
    for cleared in (acssl, team_leader):
        client.force_login(cleared)
        page = client.get(panel_url(customer))
        assert b"Unacceptable Customer Behaviour" in page.content
        assert b"Meet in pairs" in page.content


def test_restricted_customer_refused_and_logged(coach_client):
    customer = CustomerFactory(restricted=True)
    assert coach_client.get(panel_url(customer)).status_code == 403
    assert AccessEvent.objects.filter(customer=customer, action="refused").exists()


def test_bad_ids_are_404_not_500(coach_client):
    customer = CustomerFactory()
    import uuid

    assert coach_client.get(panel_url(customer, "review", need_id=uuid.uuid4())).status_code == 404
    assert coach_client.get(panel_url(customer, "record"), {"need_type": "nope"}).status_code == 400


def test_six_point_plan_form_records_and_refers(coach_client, work_coach):
    customer = CustomerFactory()
    response = coach_client.post(
        panel_url(customer, "six-point-plan"),
        {
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "support_partner": "Jo (team leader)",
            "intent": "Said they would harm themselves",
            "signposting": "Samaritans 116 123",
            "escalated_to": "ACSSL on duty",
            "outcome": "Customer agreed to speak to GP today",
            "customer_agreed": "ACSSL to call tomorrow",
        },
    )
    assert response.status_code == 302
    assert customer.six_point_plans.get().acs_referral_id
    page = coach_client.get(panel_url(customer))
    # The coach sees that a sensitive need exists, not what it is, in words no one takes for a
    # restricted record.
    notice = page.text.split('data-testid="restricted-marker-notice"', 1)[1].split("</div>")[0]
    assert "sensitive support need that only cleared colleagues can see" in notice
    assert "restricted marker" not in notice
    assert "govuk-warning-text" not in notice
    assert b"Six Point Plan invoked" not in page.content


def test_panel_query_count_does_not_grow_with_needs(
    coach_client, work_coach, acssl, django_assert_max_num_queries
):
    customer = CustomerFactory()
    codes = ["large-print", "mental-health", "appointee", "homelessness", "bereavement"]
    for code in codes:
        need = record(customer, work_coach, code)
        from support_needs.services.needs import support_need_review

        support_need_review(need=need, audit=audit_as(acssl))
    with django_assert_max_num_queries(16):
        page = coach_client.get(panel_url(customer))
    assert page.content.count(b'data-testid="support-need"') == len(codes)


def test_lists_reviews_due_and_safeguards(client, work_coach, team_leader, admin_user):
    customer = CustomerFactory()
    need = record(customer, work_coach, "homelessness")
    SupportNeed.objects.filter(pk=need.pk).update(review_due=timezone.localdate() - dt.timedelta(1))
    PaymentFactory(
        customer=customer,
        kind=Payment.Kind.ARREARS,
        status=Payment.Status.SCHEDULED,
        amount_pence=650000,
        payment_date=timezone.localdate() + dt.timedelta(days=5),
    )
    support_signals_compute(customer_ids=[customer.pk])
    client.force_login(team_leader)
    reviews = client.get(reverse("support_needs:reviews-due"))
    assert b"Overdue" in reviews.content
    assert escape(customer.full_name).encode() in reviews.content  # as shown (O&#x27;Neil)
    safeguards = client.get(reverse("support_needs:safeguards-open"))
    assert b"\xc2\xa36,500.00" in safeguards.content
    page = client.get(panel_url(customer))
    assert b"Large arrears safeguard" in page.content
    client.force_login(admin_user)
    assert client.get(reverse("support_needs:safeguards-open")).status_code == 403


def test_restricted_customer_needs_a_reason_first_then_opens_and_logs_it(client, acssl):
    """The panel follows the customer page's rule: a cleared colleague says why, once."""
    customer = CustomerFactory(restricted=True)
    client.force_login(acssl)
    reason_url = reverse("customers:restricted-reason", kwargs={"public_id": customer.public_id})
    first = client.get(panel_url(customer))
    assert first.status_code == 302
    assert first["Location"] == reason_url
    htmx = client.get(panel_url(customer), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reason_url

    client.post(reason_url, {"reason": "Customer on the phone about their appointee"})
    assert client.get(panel_url(customer)).status_code == 200
    assert AccessEvent.objects.filter(
        customer=customer,
        action="view_fragment",
        reason="Customer on the phone about their appointee",
    ).exists()


SIX_POINT_PLAN = {
    "support_partner": "Jo (team leader)",
    "location": "At home, 4 Mill Lane",
    "contact_number": "07700 900123",
    "intent": "Said they would harm themselves tonight",
    "immediate_risk": "on",
    "emergency_services_called": "on",
    "emergency_reference": "Police ref WY-2207",
    "signposting": "Samaritans 116 123",
    "escalated_to": "ACSSL on duty",
    "outcome": "Police attended",
    "customer_agreed": "ACSSL to call tomorrow",
}


def test_record_and_refer_confirms_and_tells_the_page_the_acs_case_changed(coach_client):
    customer = CustomerFactory()
    data = {**SIX_POINT_PLAN, "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    response = coach_client.post(panel_url(customer, "six-point-plan"), data, **HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "acs-case-changed"
    assert 'data-testid="support-needs-saved"' in response.text
    assert "Six Point Plan recorded and referred to the ACSSL queue" in response.text
    # A colleague not cleared never sees what was captured, on the panel or the customer page.
    page = coach_client.get(reverse("customers:detail", args=[customer.public_id])).text
    assert "07700 900123" not in page
    assert 'data-testid="six-point-plans"' not in page
    assert not AccessEvent.objects.filter(what="six point plans").exists()


def test_what_a_six_point_plan_captured_is_shown_to_cleared_colleagues_and_logged(
    coach_client, client, acssl
):
    from acs.models import Referral

    customer = CustomerFactory()
    data = {**SIX_POINT_PLAN, "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    coach_client.post(panel_url(customer, "six-point-plan"), data)
    client.force_login(acssl)
    case = Referral.objects.get(customer=customer).case
    for url in (
        reverse("customers:detail", args=[customer.public_id]),
        reverse("acs:case", kwargs={"public_id": case.public_id}),
    ):
        shown = client.get(url).text.split('data-testid="six-point-plans"', 1)[1]
        for captured in (
            "07700 900123",
            "At home, 4 Mill Lane",
            "Said they would harm themselves tonight",
            "Police ref WY-2207",
        ):
            assert captured in shown, (url, captured)
    looks = AccessEvent.objects.filter(what="six point plans", customer=customer, user=acssl)
    assert looks.count() == 2
    assert looks.first().detail == {"shown": 1}
