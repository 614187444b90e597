"""The sync services against the simulated systems and the real database (pages run in-process)."""

import dataclasses
import io
import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from audit.context import AuditContext, Channel
from audit.models import AccessEvent
from benefits.models import (
    BenefitEvent,
    EsaAward,
    Payment,
    PipAward,
    QuarantinedRecord,
    SourceWatermark,
    SyncRun,
    UniversalCreditAward,
)
from benefits.sources import client_for
from benefits.sources.base import PaymentRecord
from benefits.sync import services
from benefits.sync.apply import records_apply
from benefits.sync.selectors.reconcile import reconcile
from benefits.sync.services import quarantine_discard, quarantine_replay
from customers.models import Customer, SourceIdentity
from tests.benefits.conftest import OPERATOR, SYSTEM, as_admin, sync_all_inline, sync_inline
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def holders(legacy, source):
    return sum(1 for t in legacy.truth() if source in t["sources"])


def snapshot():
    return {
        "customers": sorted(
            Customer.objects.values_list(
                "nino", "first_name", "last_name", "date_of_death", "restricted",
                "benefits_held", "search_name", "updated_at",
            )
        ),
        "identities": sorted(SourceIdentity.objects.values_list("customer__nino", "source",
                                                                "source_version", "updated_at")),
        "payments": sorted(Payment.objects.values_list("reference", "amount_pence", "status",
                                                       "synced_at")),
        "events": BenefitEvent.objects.count(),
        "uc": sorted(UniversalCreditAward.objects.values_list("claim_id", "source_version",
                                                              "synced_at")),
    }  # fmt: skip


def test_initial_load_matches_the_ground_truth_and_every_run_adds_up(legacy):
    runs = sync_all_inline()
    for source, run in runs.items():
        assert run.status == SyncRun.Status.SUCCEEDED, run.error
        assert run.fetched == run.created + run.updated + run.unchanged + run.quarantined
        assert run.created == holders(legacy, source)
        watermark = SourceWatermark.objects.get(source=source)
        assert watermark.position == run.watermark_to
        assert watermark.last_success_at
    assert runs["uc"].pages > 1
    assert runs["sp"].pages > 1
    differences, compared = reconcile(audit=OPERATOR)
    assert compared > 400
    assert differences == []
    # The customer record is built from every source: names searchable, benefits listed.
    customer = Customer.objects.exclude(benefits_held=[]).first()
    assert customer.search_name
    assert customer.benefits_held
    assert BenefitEvent.objects.filter(kind="award_started").exists()


def test_replaying_every_page_changes_nothing(legacy):
    sync_all_inline()
    before = snapshot()
    runs = sync_all_inline(full=True)  # read every feed again from its start
    for run in runs.values():
        assert run.created == run.updated == 0
        assert run.unchanged == run.fetched > 0
    assert snapshot() == before


def test_an_older_version_never_overwrites_a_newer_one(legacy):
    sync_inline("uc")
    record = client_for("uc").read_page("").records[0]
    newer = dataclasses.replace(
        record,
        version=record.version + 10_000,
        award=dataclasses.replace(record.award, work_coach="Newer Coach"),
    )
    run = SyncRun.objects.create(source="uc", status="succeeded")
    assert records_apply(source="uc", records=[newer], run_id=run.pk).updated == 1
    result = records_apply(source="uc", records=[record], run_id=run.pk)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    award = UniversalCreditAward.objects.get(customer__nino=record.nino)
    assert award.work_coach == "Newer Coach"
    assert award.source_version == newer.version
    # In one page, the newest copy wins whatever the order.
    result = records_apply(source="uc", records=[newer, record], run_id=run.pk)
    assert result.unchanged == 2


def test_a_payment_keeps_when_its_source_recorded_it_until_the_source_changes_it(legacy):
    """The feeds give no time per payment: a payment says when its record's version first
    carried it as it stands, and when that reached the portal; later versions of the record
    that carry it unchanged rewrite neither."""
    record = next(r for r in client_for("pip").read_page("").records if len(r.payments) > 1)
    first_run = SyncRun.objects.create(source="pip", status="succeeded")
    records_apply(source="pip", records=[record], run_id=first_run.pk)

    def rows():
        return Payment.objects.filter(customer__nino=record.nino)

    def state():
        return {p.reference: (p.source_changed_at, p.synced_at, p.sync_run_id) for p in rows()}

    before = state()
    assert {changed for changed, _, _ in before.values()} == {record.changed_at}

    later = record.changed_at + timedelta(days=3)
    moved = dataclasses.replace(
        record,
        version=record.version + 10_000,
        changed_at=later,
        award=dataclasses.replace(record.award, assessment_provider="Another provider"),
    )
    second_run = SyncRun.objects.create(source="pip", status="succeeded")
    assert records_apply(source="pip", records=[moved], run_id=second_run.pk).updated == 1
    assert state() == before

    changed, *kept = moved.payments
    corrected = dataclasses.replace(
        moved,
        version=moved.version + 1,
        changed_at=later + timedelta(days=1),
        payments=(dataclasses.replace(changed, amount_pence=changed.amount_pence + 100), *kept),
    )
    third_run = SyncRun.objects.create(source="pip", status="succeeded")
    records_apply(source="pip", records=[corrected], run_id=third_run.pk)
    now = {p.reference: p for p in rows()}
    assert now[changed.reference].source_changed_at == corrected.changed_at
    assert now[changed.reference].sync_run_id == third_run.pk
    for payment in kept:
        row = now[payment.reference]
        assert (row.source_changed_at, row.synced_at, row.sync_run_id) == before[payment.reference]


def test_clock_advance_is_picked_up_exactly_by_the_incremental_sync(legacy):
    sync_all_inline()
    changed = legacy.advance(40)
    assert sum(changed.values()) > 10
    events_before = BenefitEvent.objects.count()
    runs = sync_all_inline()
    for source, run in runs.items():
        assert run.fetched == changed[source], source
        assert run.created + run.updated == changed[source], source
        assert not run.full
        assert run.watermark_from
    assert BenefitEvent.objects.count() > events_before
    assert reconcile(audit=OPERATOR)[0] == []
    # Nothing new: the next incremental run fetches nothing.
    assert all(run.fetched == 0 for run in sync_all_inline().values())


def test_a_page_that_fails_keeps_nothing_and_the_watermark_stays(legacy, monkeypatch):
    real_apply = services.records_apply
    calls = []

    def failing_apply(**kwargs):
        calls.append(1)
        result = real_apply(**kwargs)
        if len(calls) == 2:
            raise RuntimeError("worker died mid-page")
        return result

    monkeypatch.setattr(services, "records_apply", failing_apply)
    run = services.sync_start(source="sp", audit=SYSTEM)
    assert services.sync_page_process(run_id=run.pk, page=1) == "page done"
    after_first = (Customer.objects.count(), SourceWatermark.objects.get(source="sp").position)
    with pytest.raises(RuntimeError):
        services.sync_page_process(run_id=run.pk, page=2)
    run.refresh_from_db()
    assert run.pages == 1
    assert run.watermark_to == after_first[1]
    assert (Customer.objects.count(), SourceWatermark.objects.get(source="sp").position) == (
        after_first
    )
    # The redelivered page is done once, and the run completes with the truth.
    monkeypatch.setattr(services, "records_apply", real_apply)
    page = 2
    while services.sync_page_process(run_id=run.pk, page=page) == "page done":
        page += 1
    run.refresh_from_db()
    assert run.status == "succeeded"
    assert run.created == holders(legacy, "sp")
    assert services.sync_page_process(run_id=run.pk, page=2) == "inactive"


def test_a_colleague_needs_the_role_to_start_a_sync_or_resolve_quarantine(
    legacy, work_coach, admin_user
):
    coach = AuditContext(user=work_coach, channel=Channel.PAGE)
    with pytest.raises(PermissionDenied):
        services.sync_start(source="sp", audit=coach)
    assert not SyncRun.objects.exists()
    assert services.sync_start(
        source="sp", audit=AuditContext(user=admin_user, channel=Channel.PAGE)
    )
    run = SyncRun.objects.create(source="sp", status="succeeded")
    entry = QuarantinedRecord.objects.create(
        source="sp", sync_run=run, position="1", record_key="x", raw_payload="{}", reason="test"
    )
    with pytest.raises(PermissionDenied):
        quarantine_discard(record=entry, audit=coach, note="not mine to discard")
    entry.refresh_from_db()
    assert entry.status == "open"


def test_one_active_run_per_source(legacy):
    first = services.sync_start(source="pip", audit=SYSTEM)
    assert services.sync_start(source="pip", audit=SYSTEM).pk == first.pk
    assert services.sync_start(source="esa", audit=SYSTEM).pk != first.pk


def test_malformed_records_are_quarantined_counted_and_explain_reconcile(legacy, admin_user):
    legacy.faults("*:malformed=0.04")
    runs = sync_all_inline()
    quarantined = sum(run.quarantined for run in runs.values())
    assert quarantined == QuarantinedRecord.objects.count() > 0
    for run in runs.values():
        assert run.fetched == run.created + run.updated + run.unchanged + run.quarantined
    differences, _ = reconcile(audit=OPERATOR)
    assert differences
    assert all(d.explained for d in differences)
    call_command("reconcile_legacy")  # explained only: exits 0

    # An admin corrects one record from the truth and replays it: the difference goes.
    truth = {t["nino"][:8]: t for t in legacy.truth()}
    entry = QuarantinedRecord.objects.filter(source="uc", reason__contains="date of birth").first()
    if entry is None:
        entry = QuarantinedRecord.objects.filter(reason__contains="real date").first()
    assert entry is not None
    true_birth = truth[entry.record_key[:8]]["sources"][entry.source]["identity"]["date_of_birth"]
    corrected = _correct_birth_date(entry, true_birth)
    admin = admin_user
    result = quarantine_replay(record=entry, audit=as_admin(admin), corrected_payload=corrected)
    replayed = AccessEvent.objects.get(what="quarantined record replayed")
    assert (replayed.user, replayed.action, replayed.channel) == (admin, "change", "admin")
    assert replayed.customer is not None
    assert replayed.detail["record"] == entry.pk
    assert result.created + result.updated == 1
    entry.refresh_from_db()
    assert entry.status == "replayed"
    assert "Replayed in sync run" in entry.resolution_note
    replay_run = SyncRun.objects.get(watermark_from=f"quarantine #{entry.pk}")
    assert replay_run.fetched == 1 == replay_run.created + replay_run.updated
    with pytest.raises(ValidationError):
        quarantine_replay(record=entry, audit=as_admin(admin))

    # Another is discarded with a note; it then no longer explains its difference.
    other = QuarantinedRecord.objects.filter(status="open").first()
    with pytest.raises(ValidationError):
        quarantine_discard(record=other, audit=as_admin(admin), note=" ")
    quarantine_discard(record=other, audit=as_admin(admin), note="Duplicate of a corrected record")
    other.refresh_from_db()
    assert other.status == "discarded"
    assert other.resolved_by == admin
    assert AccessEvent.objects.filter(what="quarantined record discarded", user=admin).exists()
    differences, _ = reconcile(audit=OPERATOR)
    assert any(not d.explained for d in differences)
    with pytest.raises(CommandError, match="unexplained"):
        call_command("reconcile_legacy")


def _correct_birth_date(entry, true_birth):
    if entry.source == "uc":
        change = json.loads(entry.raw_payload)
        change["claim"]["claimant"]["date_of_birth"] = true_birth
        return json.dumps(change)
    if entry.source == "pip":
        return entry.raw_payload.replace(true_birth[:4] + "-02-30", true_birth)
    if entry.source == "esa":
        return entry.raw_payload.replace(true_birth[:4] + "0230", true_birth.replace("-", ""))
    y, m, d = true_birth.split("-")
    return entry.raw_payload.replace(f"30/02/{y}", f"{d}/{m}/{y}")


def test_a_replay_that_is_still_malformed_stays_open(legacy):
    legacy.faults("uc:malformed=0.1")
    sync_inline("uc")
    entry = QuarantinedRecord.objects.first()
    with pytest.raises(ValidationError, match="Still not trustworthy"):
        quarantine_replay(record=entry, audit=SYSTEM)
    entry.refresh_from_db()
    assert entry.status == "open"


def test_reconcile_reports_a_difference_nobody_explains(legacy):
    sync_all_inline()
    award = PipAward.objects.first()
    PipAward.objects.filter(pk=award.pk).update(daily_living_weekly_pence=1)
    Payment.objects.filter(benefit="sp").first().delete()
    differences, _ = reconcile(audit=OPERATOR)
    whats = {d.what for d in differences if not d.explained}
    assert {"award.daily_living_weekly_pence", "payments missing"} <= whats
    with pytest.raises(CommandError):
        call_command("reconcile_legacy")


def test_reconcile_legacy_is_one_audited_export_and_hides_restricted_values(legacy):
    held = [t for t in legacy.truth() if t["sources"]]
    nino = held[0]["nino"]
    CustomerFactory(nino=nino, restricted=True)
    report = io.StringIO()
    with pytest.raises(CommandError):  # nothing synced: every difference is unexplained
        call_command("reconcile_legacy", "--limit", "100000", stdout=report)
    event = AccessEvent.objects.get(what="legacy reconciliation")
    assert (event.action, event.channel, event.username, event.customer_id) == (
        "export",
        "command",
        "(system: reconcile_legacy)",
        None,
    )
    counts = event.detail
    lines = report.getvalue().splitlines()
    assert lines[-1] == (
        f"Compared {len(held):,} customers: {counts['differences']:,} differences, "
        f"0 explained by quarantined records, {counts['unexplained']:,} unexplained."
    )
    assert (counts["compared"], counts["explained"]) == (len(held), 0)
    restricted = [line for line in lines if line.startswith(nino)]
    assert restricted
    assert all("values hidden (restricted record)" in line for line in restricted)
    assert counts["hidden"] == sum("values hidden" in line for line in lines) >= len(restricted)


def test_meaningful_changes_become_timeline_events(legacy):
    sync_inline("pip")
    sync_inline("esa")
    run = SyncRun.objects.create(source="pip", status="succeeded")
    pip_record = next(
        r for r in client_for("pip").read_page("").records
        if r.award.status == "live" and r.award.daily_living_rate == "enhanced"
    )  # fmt: skip
    reduced = dataclasses.replace(
        pip_record,
        version=pip_record.version + 5000,
        award=dataclasses.replace(
            pip_record.award, daily_living_rate="standard", daily_living_weekly_pence=7390
        ),
        payments=(
            *pip_record.payments,
            PaymentRecord("PIP-ARREARS-TEST", timezone.localdate(), 650_000, "arrears", "paid"),
        ),
    )
    records_apply(source="pip", records=[reduced], run_id=run.pk)
    kinds = set(BenefitEvent.objects.filter(sync_run=run).values_list("kind", flat=True))
    assert {"pip_rate_reduced", "arrears_payment"} <= kinds
    arrears = BenefitEvent.objects.get(sync_run=run, kind="arrears_payment")
    assert "£6,500.00" in arrears.summary
    # Each event says when its system recorded the change (its record's version) and when the
    # portal synced it.
    for event in BenefitEvent.objects.filter(sync_run=run):
        assert event.recorded_at == reduced.changed_at, event.kind
        assert event.synced_at is not None, event.kind

    esa_record = next(
        r for r in client_for("esa").read_page("").records if r.award.group == "support"
    )
    died = date(2025, 6, 1)
    changed = dataclasses.replace(
        esa_record,
        version=esa_record.version + 5000,
        identity=dataclasses.replace(esa_record.identity, date_of_death=died),
        award=dataclasses.replace(esa_record.award, group="wrag", status="closed", end_date=died),
    )
    esa_run = SyncRun.objects.create(source="esa", status="succeeded")
    records_apply(source="esa", records=[changed], run_id=esa_run.pk)
    kinds = set(BenefitEvent.objects.filter(sync_run=esa_run).values_list("kind", flat=True))
    assert {"esa_group_changed", "award_ended", "death_recorded"} <= kinds
    for event in BenefitEvent.objects.filter(sync_run=esa_run):
        assert (event.recorded_at, bool(event.synced_at)) == (changed.changed_at, True), event.kind
    customer = Customer.objects.get(nino=esa_record.nino)
    assert customer.date_of_death == died
    assert "esa" not in customer.benefits_held
    assert EsaAward.objects.get(customer=customer).group == "wrag"


def test_identity_precedence_prefers_uc_over_the_upper_case_mainframe(legacy):
    sync_all_inline()
    both = (
        Customer.objects.filter(identities__source="esa").filter(identities__source="pip").first()
    )
    assert both is not None
    assert not both.last_name.isupper() or len(both.last_name) <= 2
    only_esa = Customer.objects.filter(benefits_held=["esa"]).first()
    if only_esa is not None:
        assert only_esa.last_name == only_esa.identities.get(source="esa").last_name


def test_schedules_start_due_sources_and_resume_stalled_runs(legacy):
    from benefits.models import SyncSchedule

    for source in ("uc", "pip", "esa", "sp"):
        SyncSchedule.objects.update_or_create(
            source=source, defaults={"enabled": source != "sp", "interval_minutes": 5,
                                     "last_dispatched_at": None}
        )  # fmt: skip
    started = services.sync_schedules_dispatch()
    assert sorted(run.source for run in started) == ["esa", "pip", "uc"]
    assert services.sync_schedules_dispatch() == []  # not due again, and already active
    from django.utils import timezone

    later = timezone.now() + timedelta(minutes=6)
    assert services.sync_schedules_dispatch(now=later) == []  # still active: not started twice
    # A running run nobody works on (its worker died) is picked up again.
    run = started[0]
    SyncRun.objects.filter(pk=run.pk).update(
        status="running", heartbeat_at=timezone.now() - timedelta(minutes=10)
    )
    assert services.sync_runs_resume_stalled() == [run.pk]
    assert services.sync_runs_resume_stalled() == []  # the heartbeat was renewed


def test_sync_legacy_command_prints_progress(legacy):
    import io

    out = io.StringIO()
    call_command("sync_legacy", source="sp", inline=True, stdout=out)
    text = out.getvalue()
    assert "sp: sync run #" in text
    assert "succeeded 100% pages" in text
    assert "quarantined 0" in text
    with pytest.raises(CommandError):
        call_command("sync_legacy", source="nope")


def test_a_full_re_read_counts_malformed_records_again_but_keeps_one_entry_each(legacy):
    legacy.faults("uc:malformed=0.05")
    first = sync_inline("uc")
    assert first.quarantined > 0
    entries = QuarantinedRecord.objects.count()
    assert entries == first.quarantined
    quarantine_discard(record=QuarantinedRecord.objects.first(), audit=SYSTEM, note="Known bad")
    again = sync_inline("uc", full=True)
    assert again.quarantined == first.quarantined  # counted: fetched still adds up
    assert again.fetched == again.created + again.updated + again.unchanged + again.quarantined
    assert QuarantinedRecord.objects.count() == entries  # nothing re-opened or doubled


def test_every_row_knows_the_source_and_sync_run_that_last_wrote_it(legacy):
    from django.db.models import F

    from benefits.models import StatePensionAward

    awards = {
        "uc": UniversalCreditAward, "pip": PipAward, "esa": EsaAward, "sp": StatePensionAward,
    }  # fmt: skip
    first = sync_all_inline()
    for source, run in first.items():
        assert not awards[source].objects.exclude(sync_run=run).exists(), source
        assert not Payment.objects.filter(benefit=source).exclude(sync_run=run).exists(), source
        assert not SourceIdentity.objects.filter(source=source).exclude(sync_run=run).exists()
    assert not Customer.objects.filter(last_sync_run__isnull=True).exists()
    assert not Customer.objects.exclude(last_source=F("last_sync_run__source")).exists()

    before_rows = {c.pk: (customer_fields(c), c.last_sync_run_id) for c in Customer.objects.all()}
    legacy.advance(30)
    second = sync_all_inline()
    for source, run in second.items():
        # Exactly the rows this run changed name it; the others still name the first run.
        assert awards[source].objects.filter(sync_run=run).count() == run.created + run.updated
        assert awards[source].objects.filter(sync_run=first[source]).count() == (
            awards[source].objects.count() - run.created - run.updated
        )
        assert SourceIdentity.objects.filter(source=source, sync_run=run).count() == (
            run.created + run.updated
        )
        assert (
            not Payment.objects.filter(benefit=source)
            .exclude(sync_run__in=[first[source], run])
            .exists()
        )
    assert Payment.objects.filter(sync_run__in=list(second.values())).exists()
    # A customer row names the run that last changed it (unchanged rows are not rewritten).
    after = {c.pk: c for c in Customer.objects.all()}
    # New customers (the simulated systems gain some over 30 days) count as changed.
    changed = [
        pk
        for pk, row in after.items()
        if pk not in before_rows or customer_fields(row) != before_rows[pk][0]
    ]
    assert changed
    for pk, row in after.items():
        if pk in changed:
            assert row.last_sync_run_id in {run.pk for run in second.values()}, row.nino
        else:
            assert row.last_sync_run_id == before_rows[pk][1], row.nino
        assert row.last_source == SyncRun.objects.get(pk=row.last_sync_run_id).source


def customer_fields(customer):
    return (customer.first_name, customer.last_name, customer.date_of_birth,
            customer.date_of_death, customer.postcode, customer.restricted,
            customer.benefits_held)  # fmt: skip


def test_the_database_refuses_run_counts_that_do_not_add_up():
    from django.db import IntegrityError, transaction

    run = SyncRun.objects.create(source="esa", status="succeeded", fetched=3, created=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncRun.objects.filter(pk=run.pk).update(fetched=4)  # one record unaccounted for
    run.refresh_from_db()
    assert run.fetched == 3


def test_a_large_run_refreshes_the_planner_statistics_of_the_tables_it_filled(legacy, monkeypatch):
    """Right after a bulk load the planner would otherwise guess (searches then scan the whole
    table until autovacuum catches up). The test's transaction hides these rows from
    autovacuum, so only the sync's own ANALYZE can make pg_class agree with the table."""
    from django.db import connection

    def estimated_rows(table: str) -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            return cursor.fetchone()[0]

    monkeypatch.setattr(services, "BULK_LOAD_ROWS", 10**9)
    sync_inline("pip")
    assert estimated_rows("benefits_pipaward") != PipAward.objects.count()

    monkeypatch.setattr(services, "BULK_LOAD_ROWS", 1)
    sync_inline("uc")
    assert estimated_rows("benefits_universalcreditaward") == UniversalCreditAward.objects.count()
    assert estimated_rows("customers_customer") == Customer.objects.count()
