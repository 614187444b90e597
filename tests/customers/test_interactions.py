"""Recording an interaction: the service (happy path, refusals, audit) and the htmx/no-JS view."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AccessEvent
from customers.models import Interaction
from customers.services import interaction_record
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def audit_for(user):
    return AuditContext.for_command(command="test", user=user)


def test_interaction_record_saves_and_audits(work_coach):
    customer = CustomerFactory()
    interaction = interaction_record(
        customer=customer,
        audit=audit_for(work_coach),
        channel="phone",
        benefits=["pip", "uc"],
        summary="  Customer asked when PIP is paid  ",
        follow_up_action="Call back",
        follow_up_date=timezone.localdate() + dt.timedelta(days=2),
    )
    assert interaction.summary == "Customer asked when PIP is paid"
    assert interaction.benefits == ["pip", "uc"]
    event = AccessEvent.objects.get(action=AccessEvent.Action.CHANGE)
    assert event.customer_id == customer.pk
    assert event.detail["interaction_id"] == interaction.pk


def test_interaction_record_refuses_a_role_without_the_permission(admin_user):
    with pytest.raises(PermissionDenied):
        interaction_record(
            customer=CustomerFactory(),
            audit=audit_for(admin_user),
            channel="phone",
            summary="x",
        )
    assert not Interaction.objects.exists()
    assert AccessEvent.objects.filter(action=AccessEvent.Action.REFUSED).exists()


@pytest.mark.parametrize(
    "bad",
    [{"channel": "pigeon"}, {"summary": ""}, {"benefits": ["jsa"]}],
)
def test_interaction_record_validates(work_coach, bad):
    kwargs = {"channel": "phone", "summary": "Called", **bad}
    with pytest.raises(ValidationError):
        interaction_record(customer=CustomerFactory(), audit=audit_for(work_coach), **kwargs)
    assert not Interaction.objects.exists()


def post(client, customer, data, htmx=False):
    url = reverse("customers:interaction-create", args=[customer.public_id])
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(url, data, **headers)


GOOD = {
    "channel": "face_to_face",
    "benefits": ["esa"],
    "summary": "Discussed the WCA appointment",
    "outcome": "Customer will attend",
    "follow_up_action": "",
    "follow_up_day": "",
    "follow_up_month": "",
    "follow_up_year": "",
}


def test_htmx_answers_with_a_fresh_form_and_the_timeline_out_of_band(coach_client):
    customer = CustomerFactory()
    response = post(coach_client, customer, GOOD, htmx=True)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Interaction recorded" in content
    assert 'id="timeline" data-testid="timeline" hx-swap-oob="true"' in content
    assert 'data-announce="interaction-status">Interaction recorded' in content
    assert "Discussed the WCA appointment" in content
    assert Interaction.objects.get().channel == "face_to_face"


def test_without_javascript_it_redirects_back_to_the_timeline(coach_client):
    customer = CustomerFactory()
    response = post(coach_client, customer, GOOD)
    assert response.status_code == 302
    assert response["Location"].endswith("#timeline")
    page = coach_client.get(response["Location"]).content.decode()
    assert "Interaction recorded" in page
    assert "Discussed the WCA appointment" in page


def test_invalid_input_is_explained_and_nothing_is_saved(coach_client):
    customer = CustomerFactory()
    bad = {
        **GOOD,
        "channel": "",
        "summary": "",
        "follow_up_day": "40",
        "follow_up_month": "1",
        "follow_up_year": "2030",
    }
    for htmx in (True, False):
        content = post(coach_client, customer, bad, htmx=htmx).content.decode()
        assert "Select how you were in contact" in content
        assert "Enter a summary of the contact" in content
        assert "Follow-up date must be a real date" in content
    assert not Interaction.objects.exists()


def test_a_follow_up_date_needs_an_action_and_cannot_be_past(coach_client):
    customer = CustomerFactory()
    past = timezone.localdate() - dt.timedelta(days=3)
    data = {
        **GOOD,
        "follow_up_day": past.day,
        "follow_up_month": past.month,
        "follow_up_year": past.year,
    }
    content = post(coach_client, customer, data).content.decode()
    assert "Follow-up date must be today or in the future" in content
    future = timezone.localdate() + dt.timedelta(days=3)
    data = {
        **GOOD,
        "follow_up_day": future.day,
        "follow_up_month": future.month,
        "follow_up_year": future.year,
    }
    content = post(coach_client, customer, data).content.decode()
    assert "Enter the follow-up action for that date" in content
    assert not Interaction.objects.exists()


def test_a_work_coach_cannot_record_on_a_restricted_record(coach_client):
    customer = CustomerFactory(restricted=True)
    assert post(coach_client, customer, GOOD).status_code == 403
    assert not Interaction.objects.exists()


def test_timeline_fragment_filters_by_type_and_benefit_and_is_audited(coach_client, work_coach):
    customer = CustomerFactory()
    for benefit, summary in (("uc", "About UC"), ("pip", "About PIP")):
        Interaction.objects.create(
            customer=customer,
            channel="phone",
            benefits=[benefit],
            summary=summary,
            recorded_by=work_coach,
            recorded_at=timezone.now(),
        )
    url = reverse("customers:timeline", args=[customer.public_id])
    response = coach_client.get(url + "?type=interaction&benefit=pip", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "About PIP" in content
    assert "About UC" not in content
    assert "<html" not in content
    event = AccessEvent.objects.get(action=AccessEvent.Action.VIEW_FRAGMENT)
    assert event.customer_id == customer.pk
    # Without htmx, the same URL leads to the page at the timeline, filters kept.
    plain = coach_client.get(url + "?type=interaction&benefit=pip")
    assert plain.status_code == 302
    assert "benefit=pip" in plain["Location"]


def test_timeline_pages(coach_client, work_coach):
    customer = CustomerFactory()
    now = timezone.now()
    for i in range(25):
        Interaction.objects.create(
            customer=customer,
            channel="email",
            summary=f"Email number {i:02d}",
            recorded_by=work_coach,
            recorded_at=now - dt.timedelta(minutes=i),
        )
    url = reverse("customers:timeline", args=[customer.public_id])
    first = coach_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert first.count('data-testid="timeline-entry"') == 20
    assert "Email number 00" in first
    assert "Older" in first
    second = coach_client.get(url + "?page=2", HTTP_HX_REQUEST="true").content.decode()
    assert second.count('data-testid="timeline-entry"') == 5
    assert "Email number 24" in second
    assert "Newer" in second


def test_several_recorded_contacts_raise_the_repeated_contact_signal(work_coach, settings):
    from support_needs.models import SignalRule
    from support_needs.models import SupportSignal as Signal

    settings.SUPPORT_NEEDS_CONTACTS_COUNT = 3
    customer = CustomerFactory()
    raised = Signal.objects.filter(customer=customer, rule=SignalRule.REPEATED_CONTACT)
    for n in range(3):
        assert not raised.exists(), n
        interaction_record(
            customer=customer,
            audit=audit_for(work_coach),
            channel="phone",
            summary=f"Call {n + 1} about a missing payment",
        )
    assert "3 contacts in the last" in raised.get().reason
