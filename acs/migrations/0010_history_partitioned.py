"""Change history: 64-bit ids, and each table partitioned by month (core/partitioning.py)."""

from django.db import migrations

from core.partitioning import history_partition_operations


class Migration(migrations.Migration):
    dependencies = [("acs", "0009_referral_source_partner")]

    operations = history_partition_operations("acs", ["AcsCaseEvent", "CaseActionEvent"])
