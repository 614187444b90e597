"""A new kind of access event: a colleague's role or team changed (Django admin). Choices only:
no change to the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_access_event_session_hash")]

    operations = [
        migrations.AlterField(
            model_name="accessevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("view_customer", "Opened a customer record"),
                    ("view_fragment", "Loaded part of a customer record"),
                    ("search", "Searched for customers"),
                    ("api_read", "Read through the API"),
                    ("export", "Exported data"),
                    ("refused", "Was refused access"),
                    ("change", "Changed a customer's data"),
                    ("colleague_change", "Changed a colleague's role or team"),
                ],
                max_length=20,
            ),
        ),
    ]
