"""Benefit events keep when their system recorded the change and when the portal synced it.

Events written before: synced when their sync run finished; recorded when they happened, for the
kinds dated by their record's changed_at (the others are dated by the award or payment itself,
and their recording time was not kept)."""

from django.db import migrations, models

BACKFILL = """
UPDATE benefits_benefitevent e SET synced_at = coalesce(r.finished_at, r.started_at)
FROM benefits_syncrun r WHERE e.sync_run_id = r.id;
UPDATE benefits_benefitevent SET recorded_at = occurred_at
WHERE sync_run_id IS NOT NULL AND kind IN ('pip_rate_increased', 'pip_rate_reduced',
  'esa_group_changed', 'uc_sanction_applied', 'uc_support_need_recorded');
"""


class Migration(migrations.Migration):
    dependencies = [("benefits", "0012_payments_partitioned")]

    operations = [
        migrations.AddField(
            model_name="benefitevent",
            name="recorded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="benefitevent",
            name="synced_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
