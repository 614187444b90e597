"""Production settings: password sign-in is off (no form, a POST refused, no password backend,
admin's login form not reachable); single sign-on is the way in."""

import json

from django.db import connection

from tests.dwpportal.test_settings import GOOD_ENV, run_production

# The static manifest exists only after collectstatic in a deployment; the plain storage stands
# in so pages render (as in tests/security/test_production_headers.py). Nothing else changes.
PROBE = """
import json
from django.conf import settings
from django.test import Client, override_settings
with override_settings(STORAGES={
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}):
    client = Client(HTTP_HOST="portal.dwp.example")
    page = client.get("/accounts/sign-in/", secure=True)
    post = client.post(
        "/accounts/sign-in/", {"username": "coach", "password": "coach-demo-2026"}, secure=True
    )
    admin_login = client.get("/admin/login/?next=/admin/", secure=True)
    start = client.get("/accounts/sso/start/", secure=True)
print("RESULT " + json.dumps({
    "backends": settings.AUTHENTICATION_BACKENDS,
    "password_sign_in": settings.PASSWORD_SIGN_IN,
    "page_status": page.status_code,
    "page_has_password_field": 'type="password"' in page.content.decode(),
    "page_offers_sso": "/accounts/sso/start/" in page.content.decode(),
    "post_status": post.status_code,
    "admin_login": [admin_login.status_code, admin_login.get("Location", "")],
    "start": [start.status_code, start.get("Location", "")],
}))
"""


def production_sign_in_facts() -> dict:
    # The test database: migrated (starting single sign-on saves a session), unlike the local
    # database a fresh checkout has not migrated yet.
    # The portal's own (app) role, as production connects, on the test database.
    base, _, _ = GOOD_ENV["DATABASE_URL"].rpartition("/")
    database_url = f"{base}/{connection.settings_dict['NAME']}"
    result = run_production(["shell", "-c", PROBE], DATABASE_URL=database_url)
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, result.stdout + result.stderr
    return json.loads(lines[0].removeprefix("RESULT "))


def test_production_refuses_password_sign_in_and_offers_only_single_sign_on(django_db_setup):
    facts = production_sign_in_facts()
    assert facts["password_sign_in"] is False
    assert "django.contrib.auth.backends.ModelBackend" not in facts["backends"]
    assert "accounts.sso.SsoBackend" in facts["backends"]
    assert facts["page_status"] == 200
    assert facts["page_has_password_field"] is False
    assert facts["page_offers_sso"] is True
    assert facts["post_status"] == 405
    status, location = facts["admin_login"]
    assert status == 302
    assert location.startswith("/accounts/sign-in/")
    status, location = facts["start"]
    assert status == 302
    assert location.startswith("https://sso.dwp.example/oauth2/authorize?")
    assert (
        "redirect_uri=https%3A%2F%2Fportal.dwp.example%2Faccounts%2Fsso%2Fcallback%2F" in location
    )
