"""The single customer view: cards, payments, freshness, differences, changes, access, queries."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import AccessEvent
from benefits.models import Payment, SourceWatermark, SyncRun
from customers.models import Interaction
from tests.factories import (
    BenefitEventFactory,
    CustomerFactory,
    EsaAwardFactory,
    PaymentFactory,
    PipAwardFactory,
    SourceIdentityFactory,
    StatePensionAwardFactory,
    UniversalCreditAwardFactory,
)

pytestmark = pytest.mark.django_db


def page_of(client, customer, query=""):
    return client.get(reverse("customers:detail", args=[customer.public_id]) + query)


def all_synced_now():
    for source in ("uc", "pip", "esa", "sp"):
        SourceWatermark.objects.update_or_create(
            source=source, defaults={"last_success_at": timezone.now()}
        )


def full_customer(**kwargs):
    customer = CustomerFactory(**kwargs)
    UniversalCreditAwardFactory(
        customer=customer,
        elements=[{"type": "LCWRA", "amount_pence": 42327}],
        deductions=[{"type": "advance", "amount_pence": 5000}],
    )
    PipAwardFactory(customer=customer)
    EsaAwardFactory(customer=customer)
    return customer


def test_a_card_per_benefit_with_amounts_in_pounds(coach_client):
    all_synced_now()
    customer = full_customer()
    StatePensionAwardFactory(customer=customer)
    content = page_of(coach_client, customer).content.decode()
    for benefit in ("uc", "pip", "esa", "sp"):
        assert f'data-testid="benefit-card-{benefit}"' in content
    assert "£423.27" in content  # LCWRA element
    assert "£400.14 a month" in content  # standard allowance
    assert "£73.90 a week" in content  # PIP daily living standard
    assert "£230.25" in content  # new State Pension
    assert "Support group" in content or "support group" in content
    assert 'data-testid="stale-warning"' not in content


def test_each_card_says_its_status_in_its_sources_words(coach_client):
    customer = CustomerFactory()
    StatePensionAwardFactory(customer=customer, status="live")
    EsaAwardFactory(customer=customer, status="closed")
    content = page_of(coach_client, customer).content.decode()
    titles = dict(
        re.findall(
            r'data-testid="benefit-card-(\w+)".*?<strong class="govuk-tag[^"]*">([^<]*)</strong>',
            content,
            re.S,
        )
    )
    assert titles == {"sp": "In payment", "esa": "Closed"}


def test_identity_bar_shows_grouped_nino_age_and_markers(coach_client):
    customer = CustomerFactory(
        nino="ZX900303D",
        date_of_birth=dt.date(1950, 1, 1),
        date_of_death=dt.date(2025, 6, 1),
    )
    content = page_of(coach_client, customer).content.decode()
    assert "ZX 90 03 03 D" in content
    assert "age 75 at death" in content
    assert 'data-testid="deceased-marker"' in content
    warning = content.split('data-testid="deceased-warning"', 1)[1].split("</div>", 1)[0]
    assert "This customer died on 1 June 2025." in warning
    alive = page_of(coach_client, CustomerFactory()).content.decode()
    assert 'data-testid="deceased-warning"' not in alive


def test_a_customer_with_no_benefits(coach_client):
    content = page_of(coach_client, CustomerFactory()).content.decode()
    assert 'data-testid="no-benefits"' in content
    assert "No payments recorded" in content
    assert "No additional support needs recorded" in content
    assert 'data-testid="timeline-empty"' in content


def test_only_state_pension_and_its_source_never_synced(coach_client):
    customer = StatePensionAwardFactory().customer
    content = page_of(coach_client, customer).content.decode()
    assert 'data-testid="benefit-card-sp"' in content
    assert 'data-testid="benefit-card-uc"' not in content
    assert "PSCS has never been synced" in content


def test_stale_and_failed_sources_are_warned_about(coach_client, settings):
    settings.SOURCE_STALE_AFTER_HOURS = 24
    customer = full_customer()
    SourceWatermark.objects.create(
        source="uc", last_success_at=timezone.now() - dt.timedelta(hours=30)
    )
    SourceWatermark.objects.create(source="pip", last_success_at=timezone.now())
    SourceWatermark.objects.create(source="esa", last_success_at=timezone.now())
    SyncRun.objects.create(source="pip", status=SyncRun.Status.FAILED, error="timeout")
    content = page_of(coach_client, customer).content.decode()
    assert 'data-testid="source-warning-uc"' in content
    assert "No successful sync from Universal Credit service in the last 24 hours" in content
    assert "The last sync from PIPCS failed." in content
    assert 'data-testid="source-warning-esa"' not in content


def test_payments_show_next_scheduled_and_recent_with_large_arrears_prominent(coach_client):
    customer = full_customer()
    today = timezone.localdate()
    PaymentFactory(customer=customer, payment_date=today - dt.timedelta(days=30))
    PaymentFactory(
        customer=customer,
        benefit="pip",
        status="scheduled",
        payment_date=today + dt.timedelta(days=5),
        amount_pence=60380,
    )
    PaymentFactory(
        customer=customer,
        benefit="pip",
        kind="arrears",
        status="scheduled",
        payment_date=today + dt.timedelta(days=9),
        amount_pence=650000,
    )
    content = page_of(coach_client, customer).content.decode()
    assert content.count('data-testid="payment-row"') == 3
    assert 'data-testid="large-arrears"' in content
    assert "arrears of £6,500.00 due on" in content
    # The PIP card's next payment is the next scheduled PIP payment.
    pip_card = content.split('data-testid="benefit-card-pip"', 1)[1].split(
        'govuk-summary-card"', 1
    )[0]
    assert "£603.80 on" in pip_card
    assert 'data-testid="large-arrears-safeguard-open"' not in content  # no complex needs


def provenance_texts(html: str) -> list[str]:
    """Each "Recorded in … · synced …" as a sighted colleague reads it, in page order."""
    spans = re.findall(r'<span class="app-provenance"[^>]*>(.*?)</time></span>', html, re.S)
    texts = []
    for span in spans:
        seen = re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", span + "</time>")
        texts.append(" ".join(re.sub(r"<[^>]+>", " ", seen).split()))
    return texts


def test_each_synced_fact_says_when_its_system_recorded_it_and_when_the_portal_synced_it(
    coach_client,
):
    all_synced_now()
    customer = CustomerFactory()
    recorded = dt.datetime(2026, 12, 2, 10, 30, tzinfo=dt.UTC)
    synced = dt.datetime(2026, 12, 3, 9, 14, tzinfo=dt.UTC)
    award = PipAwardFactory(customer=customer)
    paid = PaymentFactory(customer=customer, benefit="pip", amount_pence=60380)
    # synced_at is the portal's own write time (auto_now): set as a sync would have left it.
    type(award).objects.filter(pk=award.pk).update(source_changed_at=recorded, synced_at=synced)
    Payment.objects.filter(pk=paid.pk).update(source_changed_at=recorded, synced_at=synced)
    BenefitEventFactory(
        customer=customer, occurred_at=recorded, recorded_at=recorded, synced_at=synced
    )
    content = page_of(coach_client, customer).content.decode()

    card = content.split('data-testid="award-source"', 1)[1].split("</dd>", 1)[0]
    assert provenance_texts(card) == ["Recorded in PIPCS 2 Dec 2026 · synced 3 Dec 2026 at 9:14am"]
    (row,) = re.findall(r'<tr [^>]*data-testid="payment-row".*?</tr>', content, re.S)
    assert provenance_texts(row) == ["Recorded in PIPCS 2 Dec 2026 · synced 3 Dec 2026 at 9:14am"]
    assert '<th scope="col" class="govuk-table__header">Source</th>' in content
    # Screen readers hear a comma, not the dot.
    assert '<span aria-hidden="true"> ·</span><span class="govuk-visually-hidden">,</span>' in row
    timeline = content.split('id="timeline"', 1)[1]
    # The benefit change and the payment on the timeline.
    assert (
        provenance_texts(timeline)
        == ["Recorded in PIPCS 2 Dec 2026 · synced 3 Dec 2026 at 9:14am"] * 2
    )


def test_a_synced_fact_whose_recording_time_is_not_known_says_when_it_was_synced(coach_client):
    customer = CustomerFactory()
    payment = PaymentFactory(customer=customer, benefit="esa")
    Payment.objects.filter(pk=payment.pk).update(
        synced_at=dt.datetime(2026, 12, 3, 14, 5, tzinfo=dt.UTC)
    )
    content = page_of(coach_client, customer).content.decode()
    (row,) = re.findall(r'<tr [^>]*data-testid="payment-row".*?</tr>', content, re.S)
    assert provenance_texts(row) == ["Synced from JSAPS 3 Dec 2026 at 2:05pm"]


def test_the_large_arrears_banner_points_to_the_open_safeguard(coach_client, work_coach):
    from support_needs.services.signals import support_signals_compute
    from tests.support_needs.conftest import record

    customer = full_customer()
    record(customer, work_coach, "mental-health")
    PaymentFactory(
        customer=customer,
        kind="arrears",
        status="scheduled",
        payment_date=timezone.localdate() + dt.timedelta(days=9),
        amount_pence=650000,
    )
    support_signals_compute(customer_ids=[customer.pk])
    content = page_of(coach_client, customer).content.decode()
    banner = content.split('data-testid="large-arrears"', 1)[1].split(">Benefits</h2>", 1)[0]
    assert 'data-testid="large-arrears-safeguard-open"' in banner
    assert 'href="#support-needs-panel"' in banner


def test_differences_between_systems_are_shown_with_their_sources(coach_client):
    customer = CustomerFactory(
        first_name="Jon", last_name="Smith", date_of_birth=dt.date(1980, 1, 2)
    )
    SourceIdentityFactory(customer=customer, source="uc")
    SourceIdentityFactory(customer=customer, source="pip", first_name="John")
    SourceIdentityFactory(customer=customer, source="esa", date_of_birth=dt.date(1980, 2, 1))
    content = page_of(coach_client, customer).content.decode()
    differences = content.split('data-testid="differences"', 1)[1].split("</table>", 1)[0]
    assert "PIPCS: <strong>John Smith</strong>" in differences
    assert "JSAPS: <strong>1 February 1980</strong>" in differences
    assert "Address" not in differences


def test_no_differences_section_when_systems_agree(coach_client):
    customer = CustomerFactory()
    SourceIdentityFactory(customer=customer, source="uc")
    assert 'data-testid="differences"' not in page_of(coach_client, customer).content.decode()


def test_each_view_is_audited(coach_client, work_coach):
    customer = CustomerFactory()
    page_of(coach_client, customer)
    event = AccessEvent.objects.get(action=AccessEvent.Action.VIEW_CUSTOMER)
    assert event.customer_id == customer.pk
    assert event.user == work_coach


def test_what_changed_since_the_colleague_last_opened_the_record(coach_client, acssl):
    customer = full_customer()
    first = page_of(coach_client, customer).content.decode()
    assert 'data-testid="changes-since"' not in first
    again = page_of(coach_client, customer).content.decode()
    assert "Nothing has changed." in again
    BenefitEventFactory(
        customer=customer, occurred_at=timezone.now(), summary="PIP mobility increased"
    )
    Interaction.objects.create(
        customer=customer,
        channel="phone",
        summary="Asked about PIP",
        recorded_by=acssl,
        recorded_at=timezone.now(),
    )
    later = page_of(coach_client, customer).content.decode()
    changes = later.split('data-testid="changes-since"', 1)[1].split("</section>", 1)[0]
    assert "PIP mobility increased" in changes
    assert "Interactions: Phone contact" in changes
    assert re.search(r"You last opened it on \d+ \w+ \d{4} at \d+:\d\d[ap]m\.</p>", changes)


def test_what_changed_names_newly_scheduled_arrears_with_their_dates(coach_client):
    customer = full_customer()
    page_of(coach_client, customer)
    due = timezone.localdate() + dt.timedelta(days=9)
    PaymentFactory(
        customer=customer,
        amount_pence=650000,
        payment_date=due,
        kind=Payment.Kind.ARREARS,
        status=Payment.Status.SCHEDULED,
    )
    paid = timezone.localdate() - dt.timedelta(days=1)
    PaymentFactory(customer=customer, payment_date=paid, amount_pence=40014)
    later = page_of(coach_client, customer).content.decode()
    changes = later.split('data-testid="changes-since"', 1)[1].split("</section>", 1)[0]
    assert (
        f"Universal Credit arrears payment of £6,500.00 due on {due.day} {due:%b %Y}"
        ' <strong class="govuk-tag govuk-tag--red app-tag--inline app-tag--wide">'
        "Large arrears payment"
    ) in changes
    assert f"Universal Credit payment of £400.14 paid on {paid.day} {paid:%b %Y}" in changes
    # The timeline itself stays history: the scheduled payment is not on it.
    timeline = later.split('id="timeline"', 1)[1]
    assert "£6,500.00" not in timeline


def test_admins_do_not_open_customer_records(client, admin_user):
    client.force_login(admin_user)
    assert page_of(client, CustomerFactory()).status_code == 403
    assert AccessEvent.objects.filter(action=AccessEvent.Action.REFUSED).exists()


def test_a_restricted_record_is_refused_to_a_work_coach_and_the_refusal_logged(coach_client):
    # A surname no colleague factory gives: the signed-in coach's own name is in the header.
    customer = CustomerFactory(restricted=True, last_name="Quennell-Abara")
    response = page_of(coach_client, customer)
    assert response.status_code == 403
    assert "This record is restricted" in response.content.decode()
    assert escape(customer.last_name) not in response.content.decode()  # escaped, as shown
    refused = AccessEvent.objects.get(action=AccessEvent.Action.REFUSED)
    assert refused.customer_id == customer.pk
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.VIEW_CUSTOMER).exists()


def test_a_cleared_colleague_opens_a_restricted_record_only_after_giving_a_reason(client, acssl):
    client.force_login(acssl)
    customer = CustomerFactory(restricted=True)
    reason_url = reverse("customers:restricted-reason", args=[customer.public_id])
    first = page_of(client, customer)
    assert first.status_code == 302
    assert first["Location"] == reason_url
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.VIEW_CUSTOMER).exists()
    short = client.post(reason_url, {"reason": "because"})
    assert "Reason must be at least 10 characters" in short.content.decode()
    given = client.post(reason_url, {"reason": "Customer phoned about a missing UC payment"})
    assert given.status_code == 302
    opened = page_of(client, customer)
    assert opened.status_code == 200
    assert 'data-testid="restricted-marker"' in opened.content.decode()
    view = AccessEvent.objects.get(action=AccessEvent.Action.VIEW_CUSTOMER)
    assert view.reason == "Customer phoned about a missing UC payment"


def test_the_reason_page_is_refused_to_a_work_coach(coach_client):
    customer = CustomerFactory(restricted=True)
    url = reverse("customers:restricted-reason", args=[customer.public_id])
    response = coach_client.post(url, {"reason": "I would like to look at it please"})
    assert response.status_code == 403
    assert AccessEvent.objects.filter(action=AccessEvent.Action.REFUSED).exists()


def test_an_unknown_customer_is_not_found(coach_client):
    response = coach_client.get("/customers/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404


def test_bad_query_parameters_never_break_the_page(coach_client):
    customer = CustomerFactory()
    response = page_of(coach_client, customer, "?type=<script>&benefit=zz&page=-4&results=../x")
    assert response.status_code == 200


def grow(customer, coach, n):
    today = timezone.localdate()
    for i in range(n):
        PaymentFactory(customer=customer, payment_date=today - dt.timedelta(days=i))
        BenefitEventFactory(customer=customer, benefit=("uc", "pip", "esa", "sp")[i % 4])
        Interaction.objects.create(
            customer=customer,
            channel="phone",
            benefits=["uc"],
            summary=f"Call {i}",
            recorded_by=coach,
            recorded_at=timezone.now(),
        )


def test_the_page_query_count_does_not_grow_with_the_data(
    coach_client, work_coach, django_assert_max_num_queries
):
    all_synced_now()
    customer = full_customer()
    StatePensionAwardFactory(customer=customer)
    for source in ("uc", "pip", "esa", "sp"):
        SourceIdentityFactory(customer=customer, source=source, first_name="Different")
    grow(customer, work_coach, 3)
    page_of(coach_client, customer)  # a previous visit: "what changed" runs too
    # 29 today: session, user, permissions, customer + awards, audit, visit, freshness (2),
    # payments, identities, one per timeline source (x2 for "what changed"), the support-needs
    # panel, roles. The real assertion is the last line: the same count with 20x the data.
    with django_assert_max_num_queries(40) as small:
        assert page_of(coach_client, customer).status_code == 200
    grow(customer, work_coach, 60)
    with django_assert_max_num_queries(40) as large:
        assert page_of(coach_client, customer).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_what_changed_names_new_support_needs_and_acs_case_events(coach_client, acssl):
    from acs.services import acs_referral_create
    from tests.support_needs.conftest import audit_as, record

    customer = full_customer()
    page_of(coach_client, customer)
    record(customer, acssl, "bsl-interpreter")
    acs_referral_create(
        customer=customer,
        audit=audit_as(acssl),
        reason="Said they cannot cope",
        urgency="urgent",
        categories=[],
        customer_agreed="A call from an ACSSL",
    )
    later = page_of(coach_client, customer).content.decode()
    changes = later.split('data-testid="changes-since"', 1)[1].split("</section>", 1)[0]
    assert "BSL interpreter or Video Relay Service: recorded" in changes
    assert "Referred to an ACSSL" in changes


@pytest.mark.django_db(transaction=True)  # the change history is stamped per transaction
def test_what_changed_says_old_and_new_and_leaves_out_the_colleagues_own(
    coach_client, work_coach, acssl
):
    from customers.services import interaction_record
    from tests.support_needs.conftest import audit_as, record

    customer = CustomerFactory()
    award = UniversalCreditAwardFactory(
        customer=customer, award_amount_pence=50000, conditionality_regime="intensive_work_search"
    )
    due = timezone.localdate() + dt.timedelta(days=6)
    payment = PaymentFactory(customer=customer, payment_date=due, status="scheduled")
    page_of(coach_client, customer)
    award.award_amount_pence = 61234
    award.conditionality_regime = "light_touch"
    award.save()
    payment.amount_pence = 41250
    payment.save()
    interaction_record(
        customer=customer, audit=audit_as(work_coach), channel="video", summary="My own call"
    )
    interaction_record(
        customer=customer, audit=audit_as(acssl), channel="phone", summary="Someone else's"
    )
    record(customer, work_coach, "large-print")
    record(customer, acssl, "bsl-interpreter")
    later = page_of(coach_client, customer).content.decode()
    changes = later.split('data-testid="changes-since"', 1)[1].split("</section>", 1)[0]
    assert "Universal Credit: monthly award changed from £500.00 to £612.34" in changes
    assert (
        "Universal Credit: work requirements changed from Intensive work search to Light touch"
        in changes
    )
    assert "award updated" not in changes
    assert (
        f"Payments: Universal Credit payment of £412.50 due on {due.day} {due:%b %Y} "
        "(was £400.14)" in changes
    )
    assert "Interactions: Phone contact" in changes  # the ACSSL's
    assert "Video call contact" not in changes  # the colleague's own
    assert "Support needs: BSL interpreter" in changes  # the ACSSL's
    assert "Large print" not in changes  # the colleague's own
    assert "What you did yourself is not listed." in changes


def test_the_page_is_ordered_for_a_call(coach_client):
    customer = CustomerFactory(first_name="Ann")
    UniversalCreditAwardFactory(customer=customer)
    PaymentFactory(customer=customer)
    SourceIdentityFactory(customer=customer, source="uc", first_name="Anne")
    content = page_of(coach_client, customer).content.decode()
    order = [
        'data-testid="identity-bar"',
        'data-testid="record-interaction-link"',
        'data-testid="differences"',
        'data-testid="acs-case-status"',
        'data-testid="support-needs-panel"',
        'data-testid="benefit-card-uc"',
        'data-testid="payments"',
        'id="timeline"',
    ]
    positions = [content.index(marker) for marker in order]
    assert positions == sorted(positions)
    # The interaction form is beside the record, in the same grid row, not after the timeline.
    record_column = content.index('data-testid="record-column"')
    form = content.index('id="record-interaction"')
    assert record_column < form
    assert 'href="#record-interaction"' in content
    # One link or keystroke from the top: the identity bar's link, and a skip link second in
    # the page (after "Skip to main content"), each taking focus into the form (portal.mjs).
    skip_links = re.findall(r'<a href="#[^"]*" class="govuk-skip-link"[^>]*>([^<]*)</a>', content)
    assert skip_links == ["Skip to main content", "Skip to record an interaction"]
    assert content.count('href="#record-interaction" data-focus-form="interaction-form"') == 1
    assert content.count('data-focus-form="interaction-form"') == 2


def test_the_acs_box_comes_again_on_its_own_after_a_referral_and_the_look_is_logged(
    coach_client, work_coach
):
    from acs.services import acs_referral_create
    from tests.support_needs.conftest import audit_as

    customer = CustomerFactory()
    url = reverse("customers:acs-status", args=[customer.public_id])
    before = coach_client.get(url, headers={"HX-Request": "true"})
    assert "No ACS case." in before.text
    assert "<html" not in before.text
    acs_referral_create(
        customer=customer,
        audit=audit_as(work_coach),
        reason="Said they cannot cope",
        urgency="urgent",
        categories=[],
        customer_agreed="A call from an ACSSL",
    )
    after = coach_client.get(url, headers={"HX-Request": "true"})
    assert "No ACS case." not in after.text
    assert "ACS case" in after.text
    event = AccessEvent.objects.filter(customer=customer).latest("occurred_at")
    assert event.action == AccessEvent.Action.VIEW_FRAGMENT
    assert event.what == "customer acs status"
    page = page_of(coach_client, customer).content.decode()
    assert 'hx-trigger="acs-case-changed from:body"' in page


def test_the_acs_box_of_a_restricted_record_is_refused_to_a_work_coach(coach_client):
    customer = CustomerFactory(restricted=True)
    url = reverse("customers:acs-status", args=[customer.public_id])
    assert coach_client.get(url, headers={"HX-Request": "true"}).status_code == 403
