"""factory-boy factories for the portal's models (synthetic data only)."""

from tests.factories.accounts import ColleagueFactory
from tests.factories.customers import (
    BenefitEventFactory,
    CustomerFactory,
    EsaAwardFactory,
    PaymentFactory,
    PipAwardFactory,
    SourceIdentityFactory,
    StatePensionAwardFactory,
    UniversalCreditAwardFactory,
)

__all__ = [
    "BenefitEventFactory",
    "ColleagueFactory",
    "CustomerFactory",
    "EsaAwardFactory",
    "PaymentFactory",
    "PipAwardFactory",
    "SourceIdentityFactory",
    "StatePensionAwardFactory",
    "UniversalCreditAwardFactory",
]
