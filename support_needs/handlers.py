"""What support needs do when an app below them announces something (connected in
SupportNeedsConfig.ready(); each runs inside the announcer's transaction)."""

from benefits.hooks import SyncPageApplied
from benefits.models import SyncRun
from customers.hooks import InteractionRecorded
from support_needs.services.signals import support_signals_compute
from support_needs.services.uc_synced import support_needs_sync_from_uc


def sync_page_applied(page: SyncPageApplied) -> None:
    """benefits.hooks.sync_page_applied: UC's own support needs into the panel, and the support
    signals (e.g. a large arrears payment for a customer with complex needs) recomputed for the
    customers the page changed."""
    customer_ids = list(page.customer_ids)
    if not customer_ids:
        return
    if page.source == "uc":
        run = SyncRun.objects.get(pk=page.sync_run_id)
        support_needs_sync_from_uc(customer_ids=customer_ids, sync_run=run)  # runs the signals
    else:
        support_signals_compute(customer_ids=customer_ids)


def interaction_recorded(interaction: InteractionRecorded) -> None:
    """customers.hooks.interaction_recorded: several contacts in a short time is a signal."""
    support_signals_compute(customer_ids=[interaction.customer_id])
