"""Create one demo colleague per role (local mode only) and print their sign-in details."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import colleague_ensure_demo_users


class Command(BaseCommand):
    help = "Create or refresh one demo colleague per role. Refuses outside local mode."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("Demo users exist only in local mode (DEMO_MODE is off).")
        for username, password, role in colleague_ensure_demo_users():
            self.stdout.write(f"  {role:<12} username: {username:<8} password: {password}")
