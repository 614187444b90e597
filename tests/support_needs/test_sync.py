"""UC's additional support needs arrive by sync, stay current, and join colleague-recorded ones."""

import pytest

from benefits.models import SyncRun
from support_needs.models import SupportNeed
from support_needs.selectors import support_need_panel
from support_needs.services.uc_synced import support_needs_sync_from_uc
from tests.factories import CustomerFactory, UniversalCreditAwardFactory
from tests.support_needs.conftest import audit_as, record

pytestmark = pytest.mark.django_db


def uc_need(code, details="From UC", recorded="2026-01-10"):
    return {"code": code, "details": details, "recorded_date": recorded}


def sync(*customers, run=None):
    return support_needs_sync_from_uc(customer_ids=[c.pk for c in customers], sync_run=run)


def test_uc_needs_arrive_with_source_uc_and_stay_current(work_coach):
    run = SyncRun.objects.create(source="uc", status="running")
    customer = CustomerFactory()
    award = UniversalCreditAwardFactory(
        customer=customer,
        support_needs=[uc_need("LARGE_PRINT", "Font 18"), uc_need("MENTAL_HEALTH")],
    )
    result = sync(customer, run=run)
    assert result.added == 2
    needs = {n.need_type.code: n for n in SupportNeed.objects.filter(customer=customer)}
    assert set(needs) == {"large-print", "mental-health"}
    large_print = needs["large-print"]
    assert large_print.sources == ["UC"]
    assert large_print.uc_details == "Font 18"
    assert large_print.uc_sync_run == run
    assert large_print.how_learned == "uc"
    assert large_print.changes.get().action == "uc_added"

    # Replaying the same data changes nothing.
    again = sync(customer)
    assert (again.added, again.changed, again.removed) == (0, 0, 0)

    # UC changes a need's details and drops another.
    award.support_needs = [uc_need("LARGE_PRINT", "Font 24")]
    award.save()
    result = sync(customer)
    assert (result.changed, result.removed) == (1, 1)
    large_print.refresh_from_db()
    assert large_print.uc_details == "Font 24"
    mental_health = SupportNeed.objects.get(customer=customer, need_type__code="mental-health")
    assert mental_health.status == "ended"
    assert "No longer in UC" in mental_health.end_reason


def test_colleague_and_uc_need_shown_once_with_both_sources(work_coach):
    customer = CustomerFactory()
    UniversalCreditAwardFactory(
        customer=customer,
        support_needs=[{"need_code": "HOMELESS", "details": "No fixed address", "recorded_on": ""}],
    )
    recorded = record(customer, work_coach, "homelessness", details="Sofa surfing")
    assert sync(customer).joined == 1
    (need,) = SupportNeed.objects.filter(customer=customer)
    assert need.pk == recorded.pk
    assert need.sources == ["Portal", "UC"]
    panel = support_need_panel(customer=customer, audit=audit_as(work_coach))
    assert [n.pk for n in panel.needs] == [need.pk]

    # UC drops it: the colleague's record stays, without the UC source.
    customer.uc_award.support_needs = []
    customer.uc_award.save()
    sync(customer)
    need.refresh_from_db()
    assert need.status == "active"
    assert need.sources == ["Portal"]


def test_uc_need_first_then_colleague_records_the_same_need(work_coach):
    customer = CustomerFactory()
    UniversalCreditAwardFactory(customer=customer, support_needs=[uc_need("APPOINTEE")])
    sync(customer)
    need = record(customer, work_coach, "appointee")
    assert need.sources == ["Portal", "UC"]
    assert SupportNeed.objects.filter(customer=customer).count() == 1


def test_unknown_codes_are_reported_not_guessed():
    customer = CustomerFactory()
    UniversalCreditAwardFactory(
        customer=customer, support_needs=[uc_need("SOMETHING_NEW"), "junk", {"code": ""}]
    )
    result = sync(customer)
    assert result.unknown_codes == {"SOMETHING_NEW": 1}
    assert not SupportNeed.objects.exists()


def test_sync_raises_signals_for_the_customers_it_touched():
    customer = CustomerFactory()
    UniversalCreditAwardFactory(
        customer=customer,
        support_needs=[uc_need("MENTAL_HEALTH")],
        deductions=[{"kind": "overpayment", "amount_pence": 6000}],
    )
    sync(customer)
    assert customer.support_signals.filter(rule="sanction_mh", status="open").exists()


@pytest.mark.usefixtures("legacy")
def test_the_real_uc_sync_brings_uc_needs_into_the_panel():
    """End to end: the UC feed's additional support needs reach SupportNeed through the sync."""
    from benefits.models import UniversalCreditAward
    from tests.benefits.conftest import sync_inline

    sync_inline("uc")
    with_needs = [award for award in UniversalCreditAward.objects.all() if award.support_needs]
    assert with_needs, "the simulated UC population should hold some support needs"
    for award in with_needs[:10]:
        from_uc = SupportNeed.objects.filter(customer_id=award.customer_id, from_uc=True)
        assert from_uc.count() >= 1, award.support_needs
