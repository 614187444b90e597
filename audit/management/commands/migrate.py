"""`migrate` as the owner role: schema changes never run as the portal's own role."""

from typing import Any

from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connections

from audit.db_roles import owner_connection


class Command(MigrateCommand):
    help = MigrateCommand.help + " Runs as DATABASE_OWNER_URL's role when that is set."

    def handle(self, *args: Any, **options: Any) -> None:
        with owner_connection(connections[options["database"]]):
            super().handle(*args, **options)
