"""Change history: 64-bit ids, and each table partitioned by month (core/partitioning.py)."""

from django.db import migrations

from core.partitioning import history_partition_operations


class Migration(migrations.Migration):
    dependencies = [("benefits", "0010_future_payments_scheduled")]

    operations = history_partition_operations(
        "benefits",
        [
            "EsaAwardEvent",
            "PaymentEvent",
            "PipAwardEvent",
            "StatePensionAwardEvent",
            "UniversalCreditAwardEvent",
        ],
    )
