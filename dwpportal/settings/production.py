"""Production settings: refuse to start without real secrets, hosts and database."""

import os

from django.core.exceptions import ImproperlyConfigured

from dwpportal.settings.base import *  # noqa: F403
from dwpportal.settings.base import DATABASE_OWNER as _OWNER
from dwpportal.settings.base import DATABASES
from dwpportal.settings.env import env, env_bool, env_list

ENVIRONMENT = "production"
DEBUG = False
DEMO_MODE = False

SECRET_KEY = env("SECRET_KEY") or ""
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("local-", "django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of 50+ characters.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the portal's host names.")
# From the real environment only: var/local.env (the private development cluster) must never
# stand in for the production database.
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must be set in production.")
# The read replica and PgBouncer too: only from the real environment, never var/local.env.
if not os.environ.get("REPLICA_DATABASE_URL"):
    DATABASES.pop("replica", None)
if env_bool("PGBOUNCER", False) and not os.environ.get("PGBOUNCER_DATABASE_URL"):
    raise ImproperlyConfigured("PGBOUNCER=1 needs PGBOUNCER_DATABASE_URL in production.")
# The portal connects as a role that owns nothing; the owner role (DATABASE_OWNER_URL) is for
# `manage.py migrate` only (audit/db_roles.py, docs/security.md).
if _OWNER and _OWNER.get("USER") == DATABASES["default"].get("USER"):
    raise ImproperlyConfigured("DATABASE_URL must name the app role, not the owner role.")

# Colleagues sign in only with single sign-on: no password backend, no password form (the sign-in
# page refuses a POST, Django admin's login sends colleagues to it).
PASSWORD_SIGN_IN = False
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.sso.SsoBackend"]
# The department's identity provider, from the real environment only, over HTTPS.
for _name in (
    "OIDC_OP_ISSUER",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
):
    _value = os.environ.get(_name, "")
    if not _value or (_name.startswith("OIDC_OP_") and not _value.startswith("https://")):
        raise ImproperlyConfigured(f"{_name} must be set (an https:// URL for endpoints).")
    globals()[_name] = _value

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False

LOG_FORMAT = "json"
LOGGING["handlers"]["default"]["formatter"] = "json"  # noqa: F405
