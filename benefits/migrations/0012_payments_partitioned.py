"""Payments partitioned by the year of their date (core/partitioning.py). The natural key's
unique constraint gains the partition key, as PostgreSQL requires:
(benefit, reference, payment_date); the reference holds the date already."""

from django.db import migrations, models

from core.partitioning import partition_operation


class Migration(migrations.Migration):
    dependencies = [("benefits", "0011_history_partitioned")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="payment", name="payment_unique_reference"),
                migrations.AddConstraint(
                    model_name="payment",
                    constraint=models.UniqueConstraint(
                        fields=("benefit", "reference", "payment_date"),
                        name="payment_unique_reference",
                    ),
                ),
            ]
        ),
        # partition_table adds the key to the primary key and to payment_unique_reference.
        partition_operation(table="benefits_payment", column="payment_date", interval="year"),
    ]
