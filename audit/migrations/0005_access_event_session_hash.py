"""The colleague's signed-in session on each access event, as a keyed hash
(audit.context.session_hash_of), so "who viewed this record" groups one session's looks. Blank
on older events and on those without a session; the database keeps '' as the column's default,
so a row written without it (by SQL of our own) is still valid."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_access_events_partitioned")]

    operations = [
        migrations.AddField(
            model_name="accessevent",
            name="session_hash",
            field=models.CharField(blank=True, db_default="", default="", max_length=32),
        ),
    ]
