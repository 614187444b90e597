"""Customer and benefit factories. NINOs are synthetic: prefix ZX, digits from 900000 upwards
(the legacy mocks use ZX from 000000), so factory customers never collide with mock ones."""

import datetime as dt

import factory
from django.utils import timezone

from benefits.models import (
    BenefitEvent,
    EsaAward,
    Payment,
    PipAward,
    StatePensionAward,
    UniversalCreditAward,
)
from customers.models import Customer, SourceIdentity
from tests.factories.base import ModelFactory


def synthetic_nino(n: int) -> str:
    return f"ZX{900000 + n:06d}{'ABCD'[n % 4]}"


class CustomerFactory(ModelFactory[Customer]):
    class Meta:
        model = Customer
        django_get_or_create = ("nino",)

    nino = factory.Sequence(synthetic_nino)
    first_name = factory.Faker("first_name", locale="en_GB")
    middle_names = ""
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)
    address_line_1 = factory.Faker("street_address", locale="en_GB")
    town = factory.Faker("city", locale="en_GB")
    postcode = factory.Faker("postcode", locale="en_GB")


class SourceIdentityFactory(ModelFactory[SourceIdentity]):
    class Meta:
        model = SourceIdentity

    customer = factory.SubFactory(CustomerFactory)
    source = "uc"
    first_name = factory.SelfAttribute("customer.first_name")
    middle_names = factory.SelfAttribute("customer.middle_names")
    last_name = factory.SelfAttribute("customer.last_name")
    date_of_birth = factory.SelfAttribute("customer.date_of_birth")
    address_line_1 = factory.SelfAttribute("customer.address_line_1")
    town = factory.SelfAttribute("customer.town")
    postcode = factory.SelfAttribute("customer.postcode")


class UniversalCreditAwardFactory(ModelFactory[UniversalCreditAward]):
    class Meta:
        model = UniversalCreditAward

    customer = factory.SubFactory(CustomerFactory)
    claim_id = factory.Sequence(lambda n: f"UC-{n:08d}")
    status = "live"
    assessment_period_start = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    assessment_period_end = factory.LazyAttribute(
        lambda o: o.assessment_period_start + dt.timedelta(days=30)
    )
    next_payment_date = factory.LazyAttribute(
        lambda o: o.assessment_period_end + dt.timedelta(days=7)
    )
    standard_allowance_pence = 40014
    next_payment_pence = 40014
    elements = factory.LazyFunction(list)
    deductions = factory.LazyFunction(list)
    sanctions = factory.LazyFunction(list)
    conditionality_regime = "Intensive work search"
    work_coach = "Sam Patel"


class PipAwardFactory(ModelFactory[PipAward]):
    class Meta:
        model = PipAward

    customer = factory.SubFactory(CustomerFactory)
    claim_reference = factory.Sequence(lambda n: f"PIP{n:08d}")
    claim_stage = "awarded"
    daily_living_rate = "standard"
    mobility_rate = "enhanced"
    daily_living_weekly_pence = 7390
    mobility_weekly_pence = 7705
    award_start = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=400))
    award_end = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=700))
    review_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=500))
    assessment_provider = "Capita"


class EsaAwardFactory(ModelFactory[EsaAward]):
    class Meta:
        model = EsaAward

    customer = factory.SubFactory(CustomerFactory)
    claim_reference = factory.Sequence(lambda n: f"ESA{n:08d}")
    status = "live"
    esa_type = "new_style"
    phase = "main"
    group = "support"
    weekly_rate_pence = 14055
    claim_start = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=300))


class StatePensionAwardFactory(ModelFactory[StatePensionAward]):
    class Meta:
        model = StatePensionAward

    customer = factory.SubFactory(CustomerFactory, date_of_birth=dt.date(1950, 5, 1))
    pension_type = "new"
    status = "in_payment"
    weekly_amount_pence = 23025
    qualifying_years = 35
    state_pension_date = dt.date(2016, 5, 1)
    payment_day = "Monday"


class PaymentFactory(ModelFactory[Payment]):
    class Meta:
        model = Payment

    customer = factory.SubFactory(CustomerFactory)
    benefit = "uc"
    reference = factory.Sequence(lambda n: f"PAY-{n:09d}")
    payment_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))
    amount_pence = 40014
    kind = Payment.Kind.REGULAR
    status = Payment.Status.PAID


class BenefitEventFactory(ModelFactory[BenefitEvent]):
    class Meta:
        model = BenefitEvent

    customer = factory.SubFactory(CustomerFactory)
    benefit = "pip"
    kind = "award_changed"
    occurred_at = factory.Faker("date_time_this_year", tzinfo=dt.UTC)
    summary = "PIP daily living reduced from enhanced to standard"
