"""The need taxonomy is reference data (seeded from DOMAIN.md, managed by Admins in Django admin,
retired rather than deleted); need icons carry accessible text in search results and the
identity bar, and a restricted marker shows only that it exists to colleagues not cleared."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils.html import escape

from support_needs.models import Category, NeedType, Sensitivity
from tests.factories import CustomerFactory
from tests.support_needs.conftest import record

pytestmark = pytest.mark.django_db


def test_the_taxonomy_is_seeded_with_every_domain_category_and_its_guidance():
    assert set(NeedType.objects.values_list("category", flat=True)) == set(Category.values)
    codes = set(NeedType.objects.values_list("code", flat=True))
    assert {"bsl-interpreter", "large-print", "appointee", "domestic-abuse"} <= codes
    assert {"six-point-plan", "unacceptable-behaviour"} <= codes
    for need_type in NeedType.objects.all():
        assert need_type.guidance.strip(), need_type.code
        assert need_type.default_review_days > 0, need_type.code
    restricted = set(
        NeedType.objects.filter(sensitivity=Sensitivity.RESTRICTED).values_list("code", flat=True)
    )
    assert {"six-point-plan", "unacceptable-behaviour"} <= restricted
    assert "bsl-interpreter" not in restricted


def test_admins_change_and_retire_need_types_but_cannot_delete_them(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:support_needs_needtype_changelist")).status_code == 200
    need_type = NeedType.objects.get(code="large-print")
    url = reverse("admin:support_needs_needtype_change", args=[need_type.pk])
    data = {
        key: value
        for key, value in model_to_dict(need_type).items()
        if key not in ("id", "active") and value is not None
    }
    data.update(guidance="Send letters in the size the customer asked for.", default_review_days=90)
    for flag in ("complex_need", "mental_health"):
        if not data.get(flag):
            data.pop(flag, None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    need_type.refresh_from_db()
    assert need_type.guidance == "Send letters in the size the customer asked for."
    assert need_type.default_review_days == 90
    assert need_type.active is False  # unticked: retired, kept for the needs that use it
    delete = reverse("admin:support_needs_needtype_delete", args=[need_type.pk])
    assert client.get(delete).status_code == 403


def test_colleagues_other_than_admins_do_not_reach_the_taxonomy_admin(client, acssl, work_coach):
    for user in (acssl, work_coach):
        client.force_login(user)
        assert client.get(reverse("admin:support_needs_needtype_changelist")).status_code == 302


def icons_html(content: str, after: str) -> str:
    block = content.split(after, 1)[1]
    return block.split('aria-label="Support needs"', 1)[1].split("</ul>", 1)[0]


def test_icons_with_accessible_text_in_the_identity_bar_and_search_results(
    client, work_coach, acssl
):
    customer = CustomerFactory(first_name="Iris", last_name="Iconic")
    record(customer, work_coach, "bsl-interpreter")
    record(customer, acssl, "unacceptable-behaviour", details="Meet in pairs only")
    page_url = reverse("customers:detail", args=[customer.public_id])
    search = {
        "query": "Iris Iconic",
        "dob_day": "",
        "dob_month": "",
        "dob_year": "",
        "postcode": "",
    }

    client.force_login(work_coach)
    bar = icons_html(client.get(page_url).text, 'data-testid="identity-bar"')
    results = client.post("/customers/", search, follow=True).text
    row = icons_html(results, 'data-testid="result"')
    for html in (bar, row):
        # A short code for the eye, hidden from screen readers; the full name for everyone.
        assert '<span aria-hidden="true">BSL</span>' in html
        assert (
            '<span class="govuk-visually-hidden">BSL interpreter or Video Relay Service</span>'
            in html
        )
        # Not cleared: only that a restricted marker exists, and whom to ask.
        assert "Sensitive support need: ask an ACSSL" in html
        assert "govuk-tag--purple" in html  # not the red of a restricted record
        assert "Unacceptable" not in html

    client.force_login(acssl)
    bar = icons_html(client.get(page_url).text, 'data-testid="identity-bar"')
    assert "Unacceptable Customer Behaviour" in bar
    assert "Sensitive support need: ask an ACSSL" not in bar


def test_the_restricted_marker_notice_names_the_acssl_who_owns_the_case(client, work_coach, acssl):
    from tests.factories import OpenCaseFactory

    customer = CustomerFactory()
    record(customer, acssl, "unacceptable-behaviour", details="Meet in pairs only")
    panel_url = reverse("support_needs:panel", kwargs={"public_id": customer.public_id})
    client.force_login(work_coach)

    def notice():
        text = client.get(panel_url).text
        return text.split('data-testid="restricted-marker-notice"', 1)[1].split("</div>", 1)[0]

    assert "the ACSSL who owns their ACS case" not in notice()
    assert "Advanced Customer Support Senior Leader (ACSSL) or team leader." in notice()
    OpenCaseFactory(customer=customer, owner=acssl)
    # Escaped as the template escapes it: factory names can hold an apostrophe (O'Sullivan).
    assert (
        f"speak to {escape(acssl.get_full_name())}, the ACSSL who owns their ACS case, or"
        in notice()
    )
