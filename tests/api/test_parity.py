"""A token holder sees exactly what the same colleague sees in the browser: the API's record is
compared with what the customer page's selectors gave the HTML page for the same colleague."""

import html as html_text
import re

import pytest
from django.urls import reverse

from tests.factories import OpenCaseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["work_coach", "acssl", "team_leader"])
def test_api_record_matches_the_customer_page(token_client, full_customer, client, role):
    OpenCaseFactory(customer=full_customer)
    api = token_client(role)
    body = api.get(f"/api/v1/customers/{full_customer.public_id}").json()
    timeline = api.get(f"/api/v1/customers/{full_customer.public_id}/timeline").json()

    client.force_login(api.user)
    response = client.get(
        reverse("customers:detail", kwargs={"public_id": full_customer.public_id})
    )
    assert response.status_code == 200
    page, html = response.context["page"], response.content.decode()

    panel = page.need_panel
    needs = body["support_needs"]
    assert [n["public_id"] for n in needs["needs"]] == [str(n.public_id) for n in panel.needs]
    assert needs["restricted_hidden"] == panel.restricted_hidden
    notice = re.search(r'data-testid="restricted-marker-text">(.*?)</p>', html, re.S)
    shown = (
        " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", notice.group(1))).split())
        if notice
        else None
    )
    assert needs["restricted_notice"] == shown
    for need in needs["needs"]:
        assert need["need_type"]["name"] in html
    # What the page hides from this colleague, the API hides too (and the other way round).
    assert ("Risk of harm" in html) == any(n["need_type"]["restricted"] for n in needs["needs"])
    assert [b["benefit"] for b in body["benefits"]] == [card.benefit for card in page.cards]
    assert [b["status_label"] for b in body["benefits"]] == [c.status_label for c in page.cards]
    assert [p["reference"] for p in body["payments"]["scheduled"]] == [
        p.reference for p in page.payments.scheduled
    ]
    assert [p["reference"] for p in body["payments"]["recent"]] == [
        p.reference for p in page.payments.recent
    ]
    assert [d["field"] for d in body["differences"]] == [d.field for d in page.differences]
    assert body["acs_case"]["reference"] in html
    assert [e["title"] for e in timeline["results"]] == [e.title for e in page.timeline.entries]
    assert body["can_record_interaction"] == page.can_record_interaction
