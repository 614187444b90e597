"""A partner referral's outcome sent empty: the case page comes back with the error shown, in an
error summary whose link reaches the outcome box, not only an "Error: " title."""

import re

import pytest
from django.urls import reverse

from tests.factories import OpenCaseFactory, PartnerReferralFactory

pytestmark = pytest.mark.django_db


def test_an_empty_partner_outcome_shows_its_error_and_links_to_the_box(client, acssl):
    case = OpenCaseFactory(owner=acssl)
    partner = PartnerReferralFactory(case=case)
    client.force_login(acssl)
    url = reverse(
        "acs:partner-outcome", kwargs={"public_id": case.public_id, "partner_id": partner.pk}
    )
    response = client.post(url, {f"outcome-{partner.pk}-outcome": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in html
    assert 'data-module="govuk-error-summary"' in html
    links = re.findall(r'<a href="#([^"]+)">Say what came of the referral</a>', html)
    assert links, "no error summary link for the outcome"
    assert f'id="{links[0]}"' in html
    assert 'class="govuk-error-message"' in html
