"""Payments synced before the parsers told future-dated ones apart were all stored as paid: one
dated after the day it was synced was still to be made when its source recorded it (arrears
decided and paid weeks later), so it is scheduled. A later version from the source corrects
each again as it is paid."""

from django.db import migrations

FORWARD = """
UPDATE benefits_payment SET status = 'scheduled'
WHERE status = 'paid' AND payment_date > (synced_at AT TIME ZONE 'UTC')::date
"""


class Migration(migrations.Migration):
    dependencies = [("benefits", "0009_source_changed_at")]

    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
