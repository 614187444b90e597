"""A new kind of access event: a colleague's access changed (disabled, enabled, sessions ended,
an API token issued or revoked); and a new channel: the identity provider at a sign-in or a
session check. Choices only: no change to the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_access_event_colleague_change")]

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
                    ("colleague_access", "Changed a colleague's access"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="accessevent",
            name="channel",
            field=models.CharField(
                blank=True,
                choices=[
                    ("page", "Page"),
                    ("fragment", "Part of a page"),
                    ("api", "API"),
                    ("admin", "Admin"),
                    ("task", "Background task"),
                    ("command", "Command"),
                    ("sign_in", "Sign-in"),
                ],
                max_length=10,
            ),
        ),
    ]
