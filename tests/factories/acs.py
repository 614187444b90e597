"""ACS case factories. Reference data (categories, partners, outcomes) is seeded by migration."""

import datetime as dt

import factory
from django.utils import timezone

from accounts import roles
from acs.models import (
    AcsCase,
    CaseAction,
    CaseCategory,
    CaseNote,
    CaseOutcome,
    PartnerOrganisation,
    PartnerReferral,
    Referral,
    Urgency,
)
from tests.factories.accounts import ColleagueFactory
from tests.factories.base import ModelFactory
from tests.factories.customers import CustomerFactory


def category(code: str) -> CaseCategory:
    return CaseCategory.objects.get(code=code)


def outcome(code: str) -> CaseOutcome:
    return CaseOutcome.objects.get(code=code)


def partner(code: str) -> PartnerOrganisation:
    return PartnerOrganisation.objects.get(code=code)


class AcsCaseFactory(ModelFactory[AcsCase]):
    """A referred case by default; OpenCaseFactory / ClosedCaseFactory for the later states."""

    class Meta:
        model = AcsCase
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    urgency = Urgency.STANDARD
    referred_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def categories(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.categories.set(CaseCategory.objects.filter(code__in=extracted))


class OpenCaseFactory(AcsCaseFactory):
    status = AcsCase.Status.OPEN
    owner = factory.SubFactory(ColleagueFactory, role=roles.ACSSL)
    opened_at = factory.LazyAttribute(lambda o: o.referred_at + dt.timedelta(hours=4))


class ClosedCaseFactory(OpenCaseFactory):
    status = AcsCase.Status.CLOSED
    closed_at = factory.LazyAttribute(lambda o: o.referred_at + dt.timedelta(days=30))
    outcome = factory.LazyFunction(lambda: outcome("support_in_place"))
    closure_summary = "Support in place; customer safe."


class ReferralFactory(ModelFactory[Referral]):
    class Meta:
        model = Referral

    case = factory.SubFactory(AcsCaseFactory)
    customer = factory.SelfAttribute("case.customer")
    referred_by = factory.SubFactory(ColleagueFactory, role=roles.WORK_COACH)
    reason = "Customer said they cannot afford food or heating and sounded desperate."
    urgency = Urgency.STANDARD
    customer_agreed = "Agreed to a call from an ACSSL and to sharing details with partners."


class CaseActionFactory(ModelFactory[CaseAction]):
    class Meta:
        model = CaseAction

    case = factory.SubFactory(OpenCaseFactory)
    description = "Call the customer back"
    owner = factory.SelfAttribute("case.owner")
    created_by = factory.SelfAttribute("case.owner")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=3))


class CaseNoteFactory(ModelFactory[CaseNote]):
    class Meta:
        model = CaseNote

    case = factory.SubFactory(OpenCaseFactory)
    text = "Spoke to the customer; they are safe tonight."
    author = factory.SelfAttribute("case.owner")


class PartnerReferralFactory(ModelFactory[PartnerReferral]):
    class Meta:
        model = PartnerReferral

    case = factory.SubFactory(OpenCaseFactory)
    organisation = factory.LazyFunction(lambda: partner("moneyhelper"))
    referred_on = factory.LazyFunction(timezone.localdate)
    consent = PartnerReferral.Consent.GIVEN
    created_by = factory.SelfAttribute("case.owner")
