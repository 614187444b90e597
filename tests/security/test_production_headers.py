"""The headers a browser gets in production mode (ASVS 3.3, 3.4, 14.3.2), read from real responses.

Runs Django in a subprocess with dwpportal.settings.production (as the deploy check does), so
HSTS, the HTTPS redirect and the __Host- cookies are the ones production really sends.
"""

import json

import pytest

from tests.dwpportal.test_settings import run_production

HOST = "portal.dwp.example"
# The static manifest only exists after collectstatic in a deployment; pages here only need the
# tag to render, so the plain storage stands in. Nothing else is changed.
SCRIPT = f"""
import json, re
from django.test import Client, override_settings
with override_settings(STORAGES={{
    "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}},
    "staticfiles": {{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
}}):
    client = Client(HTTP_HOST="{HOST}")
    page = client.get("/accounts/sign-in/", secure=True)
    plain = client.get("/accounts/sign-in/")
    api = client.get("/api/v1/me", secure=True)
    print("RESULT=" + json.dumps({{
        "status": page.status_code,
        "headers": dict(page.headers),
        "cookies": {{name: dict(c) for name, c in page.cookies.items()}},
        "script_nonces": re.findall(r'<script[^>]*nonce="([^"]+)"', page.content.decode()),
        "plain": [plain.status_code, plain.get("Location", "")],
        "api": [api.status_code, dict(api.headers)],
    }}))
"""


@pytest.fixture(scope="module")
def production():
    result = run_production(["shell", "-c", SCRIPT], ALLOWED_HOSTS=HOST)
    line = next((x for x in result.stdout.splitlines() if x.startswith("RESULT=")), None)
    assert line, result.stdout + result.stderr
    return json.loads(line.removeprefix("RESULT="))


def test_plain_http_is_redirected_to_https(production):
    status, location = production["plain"]
    assert status == 301
    assert location == f"https://{HOST}/accounts/sign-in/"


def test_hsts_for_a_year_with_subdomains(production):
    assert production["status"] == 200
    hsts = production["headers"]["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts


def test_strict_csp_with_the_pages_nonce(production):
    csp = production["headers"]["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    nonce = directives["script-src"].split("'nonce-")[1].split("'")[0]
    assert production["script_nonces"], "the sign-in page has scripts"
    assert set(production["script_nonces"]) == {nonce}


@pytest.mark.parametrize("which", ["page", "api"])
def test_hygiene_headers_on_pages_and_api(production, which):
    headers = production["headers"] if which == "page" else production["api"][1]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_cookies_are_host_prefixed_secure_httponly(production):
    csrf = production["cookies"]["__Host-csrftoken"]
    assert csrf["secure"]
    assert csrf["httponly"]
    assert csrf["path"] == "/"
    assert not csrf["domain"]  # __Host- cookies carry no Domain


def test_session_cookie_settings_in_production():
    result = run_production(
        [
            "shell",
            "-c",
            "from django.conf import settings as s; print('SESSION=' + repr(("
            "s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
            " s.SESSION_COOKIE_SAMESITE, s.DEBUG)))",
        ]
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("SESSION="))
    assert line == "SESSION=('__Host-sessionid', True, True, 'Lax', False)"
