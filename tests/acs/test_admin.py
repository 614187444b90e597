"""ACS reference data is managed in Django admin by Admins; codes are retired, never deleted."""

import pytest
from django.urls import reverse

from acs.models import CaseCategory, CaseOutcome, LearningTheme, PartnerOrganisation

pytestmark = pytest.mark.django_db


def test_migration_seeds_the_reference_data():
    assert set(PartnerOrganisation.objects.values_list("code", flat=True)) >= {
        "dwp_visiting_service",
        "moneyhelper",
        "la_adult_safeguarding",
        "nhs_crisis_team",
        "police",
        "citizens_advice_help_to_claim",
        "samaritans",
        "other_charity",
    }
    assert CaseCategory.objects.filter(active=True).count() >= 10
    assert CaseOutcome.objects.filter(code="support_in_place").exists()
    assert LearningTheme.objects.filter(code="good_practice").exists()


@pytest.mark.parametrize("model", [CaseCategory, PartnerOrganisation, CaseOutcome, LearningTheme])
def test_admin_lists_and_changes_reference_data_but_cannot_delete(client, admin_user, model):
    client.force_login(admin_user)
    opts = model._meta
    assert client.get(reverse(f"admin:acs_{opts.model_name}_changelist")).status_code == 200
    row = model.objects.first()
    url = reverse(f"admin:acs_{opts.model_name}_change", args=[row.pk])
    response = client.post(
        url, {"code": row.code, "name": "Renamed", "active": "", "order": row.order}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.name, row.active) == ("Renamed", False)
    delete = reverse(f"admin:acs_{opts.model_name}_delete", args=[row.pk])
    assert client.get(delete).status_code == 403


def test_acssl_cannot_reach_reference_data_admin(client, acssl):
    client.force_login(acssl)
    response = client.get(reverse("admin:acs_casecategory_changelist"))
    assert response.status_code == 302
