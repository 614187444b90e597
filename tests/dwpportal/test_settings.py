"""Settings guards: production refuses to start without real secrets; check --deploy is clean."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from dwpportal.settings.env import env

ROOT = Path(__file__).resolve().parent.parent.parent
GOOD_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "portal.dwp.example",
    # The private cluster's address, passed explicitly: production ignores var/local.env for it.
    "DATABASE_URL": env("DATABASE_URL") or "",
    # The department's identity provider (single sign-on is the only sign-in in production).
    "OIDC_OP_ISSUER": "https://sso.dwp.example",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://sso.dwp.example/oauth2/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://sso.dwp.example/oauth2/token",
    "OIDC_OP_USER_ENDPOINT": "https://sso.dwp.example/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://sso.dwp.example/jwks",
    "OIDC_RP_CLIENT_ID": "dwp-colleague-portal",
    "OIDC_RP_CLIENT_SECRET": secrets.token_urlsafe(32),
}


def run_production(command: list[str], **overrides: str) -> subprocess.CompletedProcess[str]:
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update({"DJANGO_SETTINGS_MODULE": "dwpportal.settings.production", **GOOD_ENV})
    env.update(overrides)
    env = {k: v for k, v in env.items() if v != ""}
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_tests_use_postgresql_and_real_redis():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": ""}, "DATABASE_URL"),
        ({"OIDC_RP_CLIENT_SECRET": ""}, "OIDC_RP_CLIENT_SECRET"),
        ({"OIDC_OP_TOKEN_ENDPOINT": "http://sso.dwp.example/token"}, "OIDC_OP_TOKEN_ENDPOINT"),
    ],
)
def test_production_refuses_to_start_without_real_settings(override, message):
    result = run_production(["check"], **override)
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_is_clean_in_production_mode():
    result = run_production(["check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_logs_are_json():
    result = run_production(
        [
            "shell",
            "-c",
            "from django.conf import settings; "
            "print('formatter=' + settings.LOGGING['handlers']['default']['formatter'])",
        ]
    )
    assert "formatter=json" in result.stdout.splitlines()
