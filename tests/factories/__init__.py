"""factory-boy factories for the portal's models (synthetic data only)."""

from tests.factories.accounts import ColleagueFactory
from tests.factories.acs import (
    AcsCaseFactory,
    CaseActionFactory,
    CaseNoteFactory,
    ClosedCaseFactory,
    OpenCaseFactory,
    PartnerReferralFactory,
    ReferralFactory,
)
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
    "AcsCaseFactory",
    "BenefitEventFactory",
    "CaseActionFactory",
    "CaseNoteFactory",
    "ClosedCaseFactory",
    "ColleagueFactory",
    "CustomerFactory",
    "EsaAwardFactory",
    "OpenCaseFactory",
    "PartnerReferralFactory",
    "PaymentFactory",
    "PipAwardFactory",
    "ReferralFactory",
    "SourceIdentityFactory",
    "StatePensionAwardFactory",
    "UniversalCreditAwardFactory",
]
