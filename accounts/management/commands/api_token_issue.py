"""Issue an API token for a colleague and print it once (only its hash is stored)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from accounts.api_tokens import api_token_issue
from accounts.hooks import ColleagueChangeSource
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Issue an API token for a colleague. The token is printed once and cannot be shown again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument("--days", type=int, default=90)

    def handle(self, *args: object, username: str, name: str, days: int, **options: object) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No colleague with username {username!r}.")
        try:
            token = api_token_issue(
                user=user,
                name=name,
                lifetime=timedelta(days=days),
                source=ColleagueChangeSource.for_command(command="api_token_issue"),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(token)
