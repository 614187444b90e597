"""A real OpenID Connect provider (oidc-provider-mock) in its own process on a loopback port.

Tests register colleagues at it with their groups and `amr`, sign in through it over HTTP (the
Django test client for the portal's side, plain HTTP for the provider's form, or the browser),
disable colleagues there by revoking their tokens, and end sessions at its end-session page.
"""

import html
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import user_role_names
from accounts.sso import groups_for_roles

ROOT = Path(__file__).resolve().parent.parent
MFA = ["pwd", "mfa"]


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OidcProvider:
    """`python -m oidc_provider_mock` on 127.0.0.1 and a free port, until stop()."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        port = free_loopback_port()
        self.url = f"http://127.0.0.1:{port}"
        log = open(ROOT / "var" / f"test-oidc-provider-{os.getpid()}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "oidc_provider_mock",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env={**os.environ, "NO_COLOR": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the OpenID provider exited with {self.process.returncode}")
            try:
                requests.get(f"{self.url}/.well-known/openid-configuration", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the OpenID provider did not answer within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def settings(self) -> dict[str, str]:
        """The portal's OIDC settings for this provider (its issuer and endpoints)."""
        return {
            "OIDC_PROVIDER_URL": self.url,
            "OIDC_OP_ISSUER": self.url,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/oauth2/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/oauth2/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
        }

    def put_user(self, subject: str, claims: dict[str, Any]) -> None:
        """Create or replace a user at the provider (their claims, groups and `amr` included)."""
        response = requests.put(f"{self.url}/users/{quote(subject, safe='')}", json=claims)
        response.raise_for_status()

    def put_colleague(self, user: User, *, amr: list[str] | None = None) -> None:
        """The colleague at the provider, in the groups of their roles here, signing in with MFA."""
        self.put_user(
            user.username,
            {
                "groups": groups_for_roles(user_role_names(user)),
                "amr": MFA if amr is None else amr,
                "given_name": user.first_name,
                "family_name": user.last_name,
            },
        )

    def revoke_tokens(self, subject: str) -> None:
        """What disabling an account at the provider does: its tokens stop working."""
        response = requests.post(f"{self.url}/users/{quote(subject, safe='')}/revoke-tokens")
        response.raise_for_status()

    def authorize(self, authorization_url: str, subject: str | None) -> str:
        """The colleague's step at the provider: sign in as `subject` (or deny, when None);
        returns where the provider sends the browser back to."""
        form = requests.get(authorization_url, timeout=10)
        form.raise_for_status()
        data = {"sub": subject} if subject is not None else {"action": "deny"}
        answer = requests.post(authorization_url, data=data, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]

    def discovery(self) -> dict[str, Any]:
        """The provider's discovery document (/.well-known/openid-configuration)."""
        response = requests.get(f"{self.url}/.well-known/openid-configuration", timeout=10)
        response.raise_for_status()
        return dict(response.json())

    def end_session(self, end_session_url: str) -> str:
        """The colleague's step at the provider's end-session page: confirm ending the session;
        returns where the provider sends the browser back to."""
        form = requests.get(end_session_url, timeout=10)
        form.raise_for_status()
        action = re.search(r'<form method="post" action="([^"]+)"', form.text)
        back = re.search(r'name="redirect_uri" value="([^"]+)"', form.text)
        assert action, form.text
        assert back, form.text
        answer = requests.post(
            f"{self.url}{html.unescape(action.group(1))}",
            data={"redirect_uri": html.unescape(back.group(1))},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]


def sso_sign_in(client: Client, provider: OidcProvider, subject: str | None, next_url: str = ""):
    """The whole code flow with the Django test client; returns the callback's response."""
    start = reverse("accounts:sso-start") + (f"?next={quote(next_url)}" if next_url else "")
    response = client.get(start)
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith(f"{provider.url}/oauth2/authorize?")
    back = urlsplit(provider.authorize(response["Location"], subject))
    assert back.path == reverse("accounts:sso-callback"), back
    return client.get(f"{back.path}?{back.query}")
