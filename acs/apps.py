"""Advanced Customer Support (ACS) cases: referrals, triage, actions, notes, figures."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig, apps
from django.db import connections
from django.db.models.signals import post_migrate

if TYPE_CHECKING:
    from support_needs.hooks import ReferralRequested, RestrictedContactAsked


def reference_data_ensure(sender: Any, **kwargs: Any) -> None:
    """Add any missing seeded codes (e.g. after a test flush); never changes existing rows."""
    using = kwargs.get("using", "default")
    if "acs_casecategory" not in connections[using].introspection.table_names():
        return  # migrated back past 0001
    import_module("acs.migrations.0003_reference_data").seed(apps, None)
    if "acs_learningtheme" in connections[using].introspection.table_names():
        import_module("acs.migrations.0008_closure_learning").seed(apps, None)


def referral_for_support_needs(request: ReferralRequested) -> int:
    """support_needs.hooks.referral_requested: a Six Point Plan or a support signal refers the
    customer; the referral joins the customer's active case or starts one."""
    from acs.services import acs_referral_create

    referral = acs_referral_create(
        audit=request.audit,
        customer=request.customer,
        reason=request.reason,
        urgency=request.urgency,
        categories=request.categories,
        customer_agreed=request.customer_agreed,
        source=request.source,
    )
    return referral.pk


def case_owner_for_support_needs(asked: RestrictedContactAsked) -> str | None:
    """support_needs.hooks.restricted_contact_asked: the ACSSL who owns the active case."""
    from acs.selectors import acs_case_owner_for_customer

    owner = acs_case_owner_for_customer(customer=asked.customer, audit=asked.audit)
    return (owner.get_full_name() or owner.get_username()) if owner else None


class AcsConfig(AppConfig):
    name = "acs"
    verbose_name = "Advanced Customer Support cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(reference_data_ensure, sender=self, dispatch_uid="acs.reference")
        from support_needs.hooks import referral_requested, restricted_contact_asked

        referral_requested.connect(referral_for_support_needs)
        restricted_contact_asked.connect(case_owner_for_support_needs)
