"""The safeguard's foreign key to its payment leaves Django's hands before payments are
partitioned (benefits 0012): PostgreSQL cannot check a key on payment_id alone against a
partitioned table. Migration 0008 puts it back on (payment_id, payment_date)."""

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0011_history_partitioned"),
        ("support_needs", "0006_history_partitioned"),
    ]
    run_before = [("benefits", "0012_payments_partitioned")]

    operations = [
        migrations.AlterField(
            model_name="arrearssafeguard",
            name="payment",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="arrears_safeguard",
                to="benefits.payment",
            ),
        ),
    ]
