"""Seed the reference data: case categories, partner organisations and outcomes.

Admins manage them afterwards in Django admin; codes are stable, so reports survive rewording.
acs.apps also runs seed() after every migrate (and test-database flush), adding missing codes.
"""

from django.db import migrations

CATEGORIES = [
    ("suicide_self_harm", "Risk of suicide or self-harm"),
    ("abuse", "Abuse (physical, emotional, sexual or financial)"),
    ("domestic_abuse", "Domestic abuse"),
    ("neglect", "Neglect or self-neglect"),
    ("exploitation", "Exploitation (including financial and cuckooing)"),
    ("modern_slavery", "Modern slavery"),
    ("homelessness", "Homelessness or at risk of it"),
    ("problem_debt", "Problem debt"),
    ("mental_health_crisis", "Mental health crisis"),
    ("drug_alcohol", "Drug or alcohol dependency"),
    ("terminal_illness", "Terminal illness"),
    ("other", "Other serious risk"),
]

PARTNERS = [
    ("dwp_visiting_service", "DWP Visiting Service"),
    ("moneyhelper", "MoneyHelper debt advice"),
    ("la_adult_safeguarding", "Local authority adult safeguarding"),
    ("nhs_crisis_team", "NHS mental health crisis team"),
    ("police", "Police"),
    ("citizens_advice_help_to_claim", "Citizens Advice Help to claim"),
    ("samaritans", "Samaritans"),
    ("other_charity", "Other charity"),
]

OUTCOMES = [
    ("support_in_place", "Support in place, risk reduced"),
    ("handed_to_partner", "Handed over to a partner organisation"),
    ("benefit_issue_resolved", "Benefit issue resolved"),
    ("customer_declined", "Customer declined support"),
    ("no_contact", "Unable to contact the customer"),
    ("customer_died", "Customer died"),
    ("no_further_action", "No further action needed"),
]


def seed(apps, schema_editor):
    for model_name, rows in (
        ("CaseCategory", CATEGORIES),
        ("PartnerOrganisation", PARTNERS),
        ("CaseOutcome", OUTCOMES),
    ):
        model = apps.get_model("acs", model_name)
        for order, (code, name) in enumerate(rows, start=1):
            # get_or_create: never overwrite what an admin has since reworded or reordered.
            model.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})


def unseed(apps, schema_editor):
    for model_name, rows in (
        ("CaseCategory", CATEGORIES),
        ("PartnerOrganisation", PARTNERS),
        ("CaseOutcome", OUTCOMES),
    ):
        codes = [code for code, _ in rows]
        apps.get_model("acs", model_name).objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("acs", "0002_append_only")]
    operations = [migrations.RunPython(seed, unseed)]
