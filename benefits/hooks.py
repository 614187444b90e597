"""What the benefits app (the sync) announces to the apps above it (see core/hooks.py)."""

from dataclasses import dataclass

from core.hooks import Hook


@dataclass(frozen=True, slots=True)
class SyncPageApplied:
    source: str  # "uc", "pip", "esa" or "sp"
    sync_run_id: int
    customer_ids: tuple[int, ...]  # the customers whose awards or payments the page changed


sync_page_applied: Hook[SyncPageApplied, None] = Hook(
    "benefits.sync_page_applied",
    "A page of a legacy source's changes was applied, inside the page's transaction "
    "(support_needs brings UC's own support needs into the panel and recomputes the support "
    "signals and large-arrears safeguards of those customers).",
)
