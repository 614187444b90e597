"""Change history: 64-bit ids, and the table partitioned by month (core/partitioning.py)."""

from django.db import migrations

from core.partitioning import history_partition_operations


class Migration(migrations.Migration):
    dependencies = [("support_needs", "0005_remove_supportneed_update_update_and_more")]

    operations = history_partition_operations("support_needs", ["SupportNeedEvent"])
