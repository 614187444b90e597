"""The customer page shows whether an ACS case exists and its status, and links to refer."""

import pytest
from django.urls import reverse

from tests.factories import CaseNoteFactory

pytestmark = pytest.mark.django_db


def customer_page(customer):
    return reverse("customers:detail", kwargs={"public_id": customer.public_id})


def test_customer_page_shows_case_status_not_notes(client, work_coach):
    note = CaseNoteFactory(text="Confidential case note text")
    customer = note.case.customer
    client.force_login(work_coach)
    response = client.get(customer_page(customer))
    assert response.status_code == 200
    assert 'data-testid="acs-case-status"' in response.text
    assert note.case.reference in response.text
    assert "Open" in response.text
    assert reverse("acs:refer", kwargs={"public_id": customer.public_id}) in response.text
    assert "Confidential case note text" not in response.text
    # Colleagues who cannot read cases get no link to the case.
    assert reverse("acs:case", kwargs={"public_id": note.case.public_id}) not in response.text


def test_case_events_feed_the_customer_timeline(work_coach, acssl):
    from acs import services
    from customer_view import timeline
    from tests.factories import CustomerFactory
    from tests.support_needs.conftest import audit_as

    customer = CustomerFactory()
    referral = services.acs_referral_create(
        audit=audit_as(work_coach),
        customer=customer,
        reason="Crisis",
        urgency="urgent",
        categories=[],
        customer_agreed="Call",
    )
    services.acs_case_assign(audit=audit_as(acssl), case=referral.case, owner=acssl)
    services.acs_note_add(audit=audit_as(acssl), case=referral.case, text="Secret")
    source = next(s for s in timeline.timeline_sources() if s.type == "acs_case")

    def titles(user):
        entries = source.entries(
            customer=customer, audit=audit_as(user), benefit="", limit=10, since=None
        )
        return [entry.title for entry in entries]

    assert len(titles(acssl)) == 3
    coach_view = titles(work_coach)
    assert len(coach_view) == 2  # referred and taken; not the note
    assert all("note" not in title for title in coach_view)
    assert (
        source.entries(customer=customer, audit=audit_as(acssl), benefit="uc", limit=10, since=None)
        == []
    )
    # Each entry names the colleague as the other timeline entries do, and the case once.
    entries = source.entries(
        customer=customer, audit=audit_as(work_coach), benefit="", limit=10, since=None
    )
    assert {entry.byline for entry in entries} == {
        work_coach.get_full_name(),
        acssl.get_full_name(),
    }
    assert all(entry.title.startswith(f"{referral.case.reference}: ") for entry in entries)
