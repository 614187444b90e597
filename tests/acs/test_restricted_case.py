"""A restricted customer's case never shows without the reason, whatever the request: a page, a
re-rendered form, or taking the case. Refusals of colleagues who are not cleared are logged."""

from urllib.parse import quote

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.html import escape

from acs.models import AcsCase, CaseNote
from audit.models import AccessEvent
from tests.factories import (
    AcsCaseFactory,
    CaseNoteFactory,
    ColleagueFactory,
    CustomerFactory,
    OpenCaseFactory,
    ReferralFactory,
)

pytestmark = pytest.mark.django_db

NOTE = "Customer disclosed a violent partner at the address"
REFERRAL_REASON = "Threatened to end their life on the phone"
REASON = "Customer's sister rang about the case"

# The case's forms, by URL name: each answered a bare POST with the whole case before.
CASE_FORMS = [
    "note-add",
    "risk",
    "status",
    "close",
    "visit",
    "escalate",
    "action-add",
    "partner-add",
]


def case_url(case, name="case"):
    return reverse(f"acs:{name}", kwargs={"public_id": case.public_id})


def reason_url_for(case):
    url = reverse("customers:restricted-reason", args=[case.customer.public_id])
    return f"{url}?next={quote(case_url(case), safe='')}"


@pytest.fixture
def restricted_case(acssl):
    # A surname no colleague factory gives: the signed-in colleague's own name is in the header.
    customer = CustomerFactory(restricted=True, last_name="Quennell-Abara")
    case = OpenCaseFactory(owner=acssl, customer=customer)
    CaseNoteFactory(case=case, author=acssl, text=NOTE)
    ReferralFactory(case=case, reason=REFERRAL_REASON)
    return case


@pytest.fixture
def uncleared_case_worker(db):
    """Works ACS cases but is not cleared for restricted records."""
    user = ColleagueFactory(username="uncleared1")
    user.user_permissions.add(
        Permission.objects.get(codename="manage_acs_case", content_type__app_label="acs")
    )
    return user


def shows_nothing_of(response, case) -> None:
    text = response.content.decode()
    for secret in (NOTE, REFERRAL_REASON, case.customer.nino, case.customer.last_name):
        # Escaped too, as a template shows it: else a name like O'Neil passes vacuously.
        assert secret not in text
        assert escape(secret) not in text


@pytest.mark.parametrize("form", CASE_FORMS)
def test_an_invalid_form_without_a_reason_asks_for_the_reason_not_the_case(
    client, acssl, restricted_case, form
):
    client.force_login(acssl)
    response = client.post(case_url(restricted_case, form), {"csrfmiddlewaretoken": "x"})
    assert response.status_code == 302
    assert response["Location"] == reason_url_for(restricted_case)
    shows_nothing_of(response, restricted_case)
    assert (
        not AccessEvent.objects.filter(customer=restricted_case.customer)
        .exclude(action=AccessEvent.Action.REFUSED)
        .exists()
    )
    assert CaseNote.objects.filter(case=restricted_case).count() == 1


@pytest.mark.parametrize("form", CASE_FORMS)
def test_an_invalid_form_with_a_reason_shows_the_form_again_and_audits_the_read(
    client, acssl, restricted_case, form
):
    client.force_login(acssl)
    client.post(
        reverse("customers:restricted-reason", args=[restricted_case.customer.public_id]),
        {"reason": REASON},
    )
    response = client.post(case_url(restricted_case, form), {"csrfmiddlewaretoken": "x"})
    assert response.status_code == 400
    assert NOTE in response.content.decode()
    read = AccessEvent.objects.get(customer=restricted_case.customer, what="acs case")
    assert (read.action, read.reason) == (AccessEvent.Action.VIEW_CUSTOMER, REASON)


@pytest.mark.parametrize("form", CASE_FORMS)
def test_an_uncleared_case_worker_is_refused_and_the_refusal_logged(
    client, uncleared_case_worker, restricted_case, form
):
    client.force_login(uncleared_case_worker)
    response = client.post(case_url(restricted_case, form), {"csrfmiddlewaretoken": "x"})
    assert response.status_code == 403
    shows_nothing_of(response, restricted_case)
    refusal = AccessEvent.objects.get(customer=restricted_case.customer)
    assert refusal.action == AccessEvent.Action.REFUSED
    assert refusal.username == uncleared_case_worker.username


def test_an_uncleared_case_worker_opening_the_case_is_refused_and_logged(
    client, uncleared_case_worker, restricted_case
):
    client.force_login(uncleared_case_worker)
    response = client.get(case_url(restricted_case))
    assert response.status_code == 403
    shows_nothing_of(response, restricted_case)
    assert AccessEvent.objects.get(customer=restricted_case.customer).action == "refused"


def test_taking_a_restricted_customers_case_needs_the_reason(client, acssl):
    case = AcsCaseFactory(customer=CustomerFactory(restricted=True))
    client.force_login(acssl)
    response = client.post(case_url(case, "take"))
    assert response.status_code == 302
    assert response["Location"] == reason_url_for(case)
    case.refresh_from_db()
    assert (case.status, case.owner_id) == (AcsCase.Status.REFERRED, None)
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.CHANGE).exists()

    client.post(
        reverse("customers:restricted-reason", args=[case.customer.public_id]), {"reason": REASON}
    )
    taken = client.post(case_url(case, "take"))
    assert taken["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.owner == acssl
    change = AccessEvent.objects.get(action=AccessEvent.Action.CHANGE)
    assert (change.what, change.reason) == ("acs case take", REASON)
