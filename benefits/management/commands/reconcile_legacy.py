"""List every difference between the portal and the legacy systems' ground truth.

Exits non-zero when any difference is not explained by an open quarantined record. The
comparison is audited (one EXPORT access event with the counts); a restricted customer's
differences are listed without their values.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.context import AuditContext
from benefits.sync.selectors.reconcile import reconcile


class Command(BaseCommand):
    help = "Compare the portal with GET /_truth/customers and list every difference."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default=None, help="default: settings.LEGACY_BASE_URL")
        parser.add_argument("--limit", type=int, default=200, help="differences to print")

    def handle(self, *args: object, **options: object) -> None:
        differences, compared = reconcile(
            audit=AuditContext.for_command(command="reconcile_legacy"),
            base_url=options["base_url"],  # type: ignore[arg-type]
        )
        unexplained = [d for d in differences if not d.explained]
        limit = int(options["limit"])  # type: ignore[call-overload]
        for difference in (unexplained + [d for d in differences if d.explained])[:limit]:
            self.stdout.write(str(difference))
        if len(differences) > limit:
            self.stdout.write(f"… and {len(differences) - limit} more")
        self.stdout.write(
            f"Compared {compared:,} customers: {len(differences):,} differences, "
            f"{len(differences) - len(unexplained):,} explained by quarantined records, "
            f"{len(unexplained):,} unexplained."
        )
        if unexplained:
            raise CommandError(f"{len(unexplained)} unexplained differences")
