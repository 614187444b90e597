"""Seed one SyncSchedule per legacy source: every 5 minutes, enabled (admins edit them)."""

from django.db import migrations

SOURCES = ("uc", "pip", "esa", "sp")


def seed(apps, schema_editor):
    SyncSchedule = apps.get_model("benefits", "SyncSchedule")
    for source in SOURCES:
        SyncSchedule.objects.get_or_create(
            source=source, defaults={"enabled": True, "interval_minutes": 5}
        )


class Migration(migrations.Migration):
    dependencies = [("benefits", "0003_sync_fields")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
