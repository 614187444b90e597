"""The access audit partitioned by month of occurred_at (core/partitioning.py). Its id is
64-bit already; its append-only trigger moves with it and reaches every partition."""

from django.db import migrations

from core.partitioning import partition_operation


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_access_event_channel")]

    operations = [
        partition_operation(table="audit_accessevent", column="occurred_at", interval="month")
    ]
