"""Create one demo colleague per role (local mode only), write the local identity provider's
users, and print how to sign in."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import colleague_ensure_demo_users
from accounts.sso import demo_provider_users, mfa_satisfied, roles_for_groups


class Command(BaseCommand):
    help = (
        "Create or refresh one demo colleague per role and write the local OpenID Connect"
        " provider's users (--sso-users-file). Refuses outside local mode."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--sso-users-file",
            help="Write the provider's users here (JSON: oidc-provider-mock --user-claims-file).",
        )

    def handle(self, *args: object, sso_users_file: str | None = None, **options: object) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("Demo users exist only in local mode (DEMO_MODE is off).")
        colleagues = colleague_ensure_demo_users()
        provider_users = demo_provider_users()
        if sso_users_file:
            Path(sso_users_file).write_text(json.dumps(provider_users, indent=1) + "\n")
        self.stdout.write(
            f" Single sign-on (the local OpenID Connect provider, {settings.OIDC_PROVIDER_URL}):\n"
            "   Sign in > 'Sign in with your DWP account' > on the provider's page choose a user:"
        )
        for user in provider_users:
            groups: list[str] = user["groups"]  # type: ignore[assignment]
            role_names = roles_for_groups(groups)
            if not mfa_satisfied(user):
                outcome = "signs in without MFA: refused"
            elif not role_names:
                outcome = "no portal group: refused"
            else:
                outcome = f"{', '.join(role_names)}, with MFA"
            self.stdout.write(f"  {user['sub']:<16} groups: {', '.join(groups):<25} {outcome}")
        self.stdout.write(" Local demo password sign-in (off in production):")
        for username, password, role in colleagues:
            self.stdout.write(f"  {role:<12} username: {username:<8} password: {password}")
