"""What the customers app announces to the apps above it (see core/hooks.py)."""

from dataclasses import dataclass

from core.hooks import Hook


@dataclass(frozen=True, slots=True)
class InteractionRecorded:
    customer_id: int
    interaction_id: int


interaction_recorded: Hook[InteractionRecorded, None] = Hook(
    "customers.interaction_recorded",
    "A colleague recorded an interaction with a customer, inside the recording transaction "
    "(support_needs recomputes the customer's support signals: several contacts in a short "
    "time is one).",
)
