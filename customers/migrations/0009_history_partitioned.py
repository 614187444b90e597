"""Change history: 64-bit ids, and each table partitioned by month (core/partitioning.py)."""

from django.db import migrations

from core.partitioning import history_partition_operations


class Migration(migrations.Migration):
    dependencies = [("customers", "0008_customer_first_names_index")]

    operations = history_partition_operations(
        "customers", ["CustomerEvent", "InteractionEvent", "SourceIdentityEvent"]
    )
