"""Give the portal's database role exactly its privileges (run as the owner role)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from audit.db_roles import grants_apply, owner_connection


class Command(BaseCommand):
    help = (
        "Grant the app role (DATABASE_URL's user) data access only, with the access audit and "
        "every change-history table append-only. Connects as DATABASE_OWNER_URL's role. "
        "`migrate` runs this itself; run it by hand after restoring a dump."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections["default"]
        with owner_connection(connection):
            try:
                applied = grants_apply(connection)
            except ValueError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(
            f"{applied.app_role}: data access on {applied.tables} tables owned by "
            f"{applied.owner}; append-only: {', '.join(applied.append_only)}"
        )
