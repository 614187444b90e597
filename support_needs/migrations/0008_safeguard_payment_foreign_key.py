"""The safeguard's foreign key to its payment, on the payment's primary key in the database
(id, payment_date) now that payments are partitioned; deferred to the end of the transaction,
as Django's own was."""

from django.db import migrations

FOREIGN_KEY = """
ALTER TABLE support_needs_arrearssafeguard ADD CONSTRAINT safeguard_payment_fk
    FOREIGN KEY (payment_id, payment_date) REFERENCES benefits_payment (id, payment_date)
    DEFERRABLE INITIALLY DEFERRED
"""


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0012_payments_partitioned"),
        ("support_needs", "0007_safeguard_payment_key_in_database"),
    ]

    operations = [
        migrations.RunSQL(
            FOREIGN_KEY,
            "ALTER TABLE support_needs_arrearssafeguard DROP CONSTRAINT safeguard_payment_fk",
        ),
    ]
