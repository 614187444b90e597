"""Base settings, used as they are for local development (`make run`)."""

from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP
from kombu import Queue

from dwpportal.settings.env import BASE_DIR, env, env_bool, env_int, env_list

ENVIRONMENT = "local"
# Off unless DJANGO_DEBUG=1, so `make run` shows the portal's own 404, 403 and 500 pages.
DEBUG = env_bool("DJANGO_DEBUG", False)
# A fixed key is acceptable only locally; production.py refuses to start without a real one.
SECRET_KEY = env("SECRET_KEY", "local-development-only-not-secret")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# How many of our own proxies stand in front of the portal (X-Forwarded-For is trusted that far).
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)
# Demo users and passwords exist only in local mode (see accounts/management/commands).
DEMO_MODE = True

INSTALLED_APPS = [
    "dwpportal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "pgtrigger",
    "pghistory",
    "accounts",
    "customers",
    "benefits",
    "support_needs",
    "acs",
    "audit",
    "customer_view",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dwpportal.middleware.RequestLogMiddleware",
    # Request latency by view for Prometheus (/metrics, dwpportal/metrics.py).
    "dwpportal.metrics.RequestMetricsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Puts the colleague and URL of every write request into the change-history context.
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    # Checks a single-sign-on session at the identity provider every few minutes.
    "accounts.sso.SsoRecheckMiddleware",
    "customers.middleware.RestrictedRecordMiddleware",
    # Search and customer-page reads from the read replica, unless the colleague just wrote.
    "core.replica.ReplicaReadsMiddleware",
    "dwpportal.middleware.NoStoreMiddleware",
    "dwpportal.middleware.PermissionsPolicyMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dwpportal.urls"
WSGI_APPLICATION = "dwpportal.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out username/address never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "accounts.sso.SsoBackend",
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:signed-out"
# Username and password sign-in: local demo colleagues and tests only; production turns it off
# (and drops ModelBackend above). Colleagues sign in with single sign-on.
PASSWORD_SIGN_IN = True

# Single sign-on with OpenID Connect (accounts/sso.py, mozilla-django-oidc). Locally the provider
# is the oidc-provider-mock process `make run` starts (its endpoint paths are the defaults here);
# production names the department's identity provider with every OIDC_* variable.
OIDC_PROVIDER_URL = (env("OIDC_PROVIDER_URL", "") or "http://127.0.0.1:8200").rstrip("/")
# (An empty variable counts as unset, as in .env.example.)
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", "") or OIDC_PROVIDER_URL
OIDC_OP_AUTHORIZATION_ENDPOINT = (
    env("OIDC_OP_AUTHORIZATION_ENDPOINT", "") or f"{OIDC_PROVIDER_URL}/oauth2/authorize"
)
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", "") or f"{OIDC_PROVIDER_URL}/oauth2/token"
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", "") or f"{OIDC_PROVIDER_URL}/userinfo"
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", "") or f"{OIDC_PROVIDER_URL}/jwks"
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", "") or "dwpportal-local"
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", "") or "local-only-not-secret"
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid profile email"
OIDC_USE_PKCE = True
OIDC_STORE_ACCESS_TOKEN = True
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso-callback"
# Sign-out ends the session at the provider too (its discovery document's end_session_endpoint,
# with the ID token as id_token_hint): accounts/sso.py::provider_logout_url.
OIDC_STORE_ID_TOKEN = True
OIDC_OP_LOGOUT_URL_METHOD = "accounts.sso.provider_logout_url"
OIDC_TIMEOUT = 10
# The claim holding the colleague's groups (accounts.sso.GROUP_ROLES maps them to roles).
OIDC_GROUPS_CLAIM = env("OIDC_GROUPS_CLAIM", "") or "groups"
# Multi-factor authentication is required: an `amr` value here, or an `acr` level here.
OIDC_MFA_AMR_VALUES = env_list("OIDC_MFA_AMR_VALUES", "mfa,otp,hwk")
OIDC_MFA_ACR_VALUES = env_list("OIDC_MFA_ACR_VALUES")
# How often a session is checked again at the provider (a colleague disabled there is signed out
# at the next check), and how long an unreachable provider is tolerated.
OIDC_RECHECK_SECONDS = env_int("OIDC_RECHECK_SECONDS", 5 * 60)
OIDC_RECHECK_GRACE_SECONDS = env_int("OIDC_RECHECK_GRACE_SECONDS", 15 * 60)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dwpportal.context_processors.portal",
            ],
        },
    },
]

# PostgreSQL always (no SQLite path). scripts/dev.sh starts a private cluster and writes
# DATABASE_URL to var/local.env; set DATABASE_URL yourself to use another server.
DATABASE_URL = env("DATABASE_URL")
if not DATABASE_URL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DATABASE_URL is not set and var/local.env is missing: run `make run` or "
        "`scripts/dev.sh services` to start the private PostgreSQL, or export DATABASE_URL."
    )
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 600), conn_health_checks=True
    )
}
# PgBouncer in transaction mode (scripts/dev.sh pgbouncer; PGBOUNCER=1): the app role's
# connections go through it. A server connection serves one transaction at a time, so nothing may
# outlive a transaction: no server-side cursors (a named cursor's FETCH could reach another server
# connection) and no persistent connections of our own (PgBouncer pools instead). Migrations use
# the owner's direct connection (DATABASE_OWNER_URL).
PGBOUNCER = env_bool("PGBOUNCER", False)
if PGBOUNCER:
    DATABASES["default"] = dj_database_url.parse(
        env("PGBOUNCER_DATABASE_URL", "") or DATABASE_URL, conn_max_age=0
    )
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# Least privilege (audit/db_roles.py): DATABASE_URL's role only reads and writes data; the owner
# role (DATABASE_OWNER_URL) owns the tables and runs `migrate`, which then re-applies the grants.
DATABASE_OWNER_URL = env("DATABASE_OWNER_URL", "") or ""
DATABASE_OWNER = dj_database_url.parse(DATABASE_OWNER_URL) if DATABASE_OWNER_URL else {}
DATABASE_APP_ROLE = DATABASES["default"]["USER"] if DATABASE_OWNER_URL else ""
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A streaming read replica (scripts/dev.sh replica writes REPLICA_DATABASE_URL): search and the
# customer page read from it while it keeps up; everything else uses the primary (core/replica.py).
REPLICA_DATABASE_URL = env("REPLICA_DATABASE_URL", "") or ""
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = dj_database_url.parse(
        REPLICA_DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 600), conn_health_checks=True
    )
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 2}
    # In tests the replica serves the test database the primary streams to it.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
REPLICA_READS = env_bool("REPLICA_READS", True)
REPLICA_MAX_LAG_SECONDS = float(env("REPLICA_MAX_LAG_SECONDS", "5") or 5)
REPLICA_CHECK_SECONDS = float(env("REPLICA_CHECK_SECONDS", "2") or 2)
# After a colleague's write, their reads stay on the primary this long (read-your-writes).
REPLICA_READ_YOUR_WRITES_SECONDS = env_int("REPLICA_READ_YOUR_WRITES_SECONDS", 30)
# Partitioned tables (docs/scaling.md, "Partitioning"): months each kind keeps in the database
# before `manage.py partitions detach --older-than-policy` takes its old partitions out (then
# `partitions archive` writes them to PARTITION_ARCHIVE_DIR). Seven years (six whole years and
# the current one) for all three: set them from the department's records-retention schedule.
PARTITION_RETENTION_MONTHS = {
    "audit": env_int("RETENTION_AUDIT_MONTHS", 84),
    "history": env_int("RETENTION_HISTORY_MONTHS", 84),
    "payments": env_int("RETENTION_PAYMENTS_MONTHS", 84),
}
# Partitions are made this many months ahead (by every migrate and `partitions ensure`).
PARTITION_AHEAD_MONTHS = env_int("PARTITION_AHEAD_MONTHS", 3)
PARTITION_ARCHIVE_DIR = Path(env("PARTITION_ARCHIVE_DIR", "") or BASE_DIR / "var" / "archive")

# /metrics (Prometheus) answers a scraper sending this bearer token (none: no token is accepted),
# or any address on these networks (client_address_of: X-Forwarded-For only behind our proxies).
METRICS_BEARER_TOKEN = env("METRICS_BEARER_TOKEN", "") or ""
METRICS_NETWORKS = env_list("METRICS_NETWORKS", "127.0.0.0/8,::1/128")

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "dwpportal",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
# Third-party front-end files come from node_modules (installed by npm at setup, never
# committed); the compiled stylesheet from var/static-build. GOV.UK and MOJ image assets share
# one /static/assets/ prefix because MOJ's Sass points both at the same assets path.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("build", BASE_DIR / "var" / "static-build"),
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("moj", BASE_DIR / "node_modules" / "@ministryofjustice" / "frontend" / "moj"),
    ("assets", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "assets"),
    ("assets", BASE_DIR / "node_modules" / "@ministryofjustice" / "frontend" / "moj" / "assets"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Sign-in lockout: 5 failures for one username from one address locks that pair for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = 0.5  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "core.requests.client_address_of"
AXES_VERBOSE = False

# Sessions: idle timeout 30 minutes (refreshed on every request), absolute limit enforced by
# accounts.middleware. Cookies are HttpOnly; Secure in production.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_TIMEOUT_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Headers. Strict CSP with nonces: no inline script or style without the request's nonce.
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features no page of the portal uses: allowed for no origin (an empty list).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
        "browsing-topics",
    )
}
X_FRAME_OPTIONS = "DENY"

# Celery (see dwpportal/celery.py for why each option is set).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = False
# One queue per legacy source for its sync pages, and "default" for everything else
# (benefits.sync.queues). A worker started without -Q consumes them all (`make run`); at scale,
# workers are started per queue: `celery -A dwpportal worker -Q uc` (docs/scaling.md).
SYNC_QUEUES = {"uc": "uc", "pip": "pip", "esa": "esa", "sp": "state_pension"}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in (CELERY_TASK_DEFAULT_QUEUE, *SYNC_QUEUES.values())]
CELERY_TASK_ROUTES = ["benefits.sync.queues.route_task"]

# The simulated legacy systems (legacy_mocks), one base URL serving all four.
LEGACY_BASE_URL = env("LEGACY_BASE_URL", "http://127.0.0.1:8100")

# Large arrears: a payment of arrears at or above this many pence is flagged on the customer page
# (benefits.selectors) and, to a customer with complex needs, raises a support signal and a
# safeguard task for the team (support_needs.rules). Default £5,000.
SUPPORT_NEEDS_LARGE_ARREARS_PENCE = env_int("SUPPORT_NEEDS_LARGE_ARREARS_PENCE", 500000)
# The other support-signal thresholds (support_needs.rules).
SUPPORT_NEEDS_PIP_ENDING_DAYS = env_int("SUPPORT_NEEDS_PIP_ENDING_DAYS", 90)
SUPPORT_NEEDS_LARGE_DEDUCTION_PERCENT = env_int("SUPPORT_NEEDS_LARGE_DEDUCTION_PERCENT", 10)
SUPPORT_NEEDS_CONTACTS_COUNT = env_int("SUPPORT_NEEDS_CONTACTS_COUNT", 3)
SUPPORT_NEEDS_CONTACTS_DAYS = env_int("SUPPORT_NEEDS_CONTACTS_DAYS", 14)
# Anti-automation for the HTML customer search (ASVS 2.4.1): most searches per colleague per
# window (seconds), live searches and result pages included; the API has its own throttle.
SEARCH_RATE_LIMITS = {
    60: env_int("SEARCH_RATE_PER_MINUTE", 120),
    3600: env_int("SEARCH_RATE_PER_HOUR", 1200),
}
# A legacy source with no successful sync for this long is shown as stale.
SOURCE_STALE_AFTER_HOURS = env_int("SOURCE_STALE_AFTER_HOURS", 24)
# Legacy sync tuning (benefits.sync; see docs/adr/0003). Tests make these small.
LEGACY_HTTP_TIMEOUT = float(env("LEGACY_HTTP_TIMEOUT", "10") or 10)
LEGACY_HTTP_ATTEMPTS = env_int("LEGACY_HTTP_ATTEMPTS", 6)
LEGACY_HTTP_BACKOFF = float(env("LEGACY_HTTP_BACKOFF", "0.5") or 0.5)
SYNC_PAGE_SIZE = env_int("SYNC_PAGE_SIZE", 2000)
SYNC_LOCK_TTL = env_int("SYNC_LOCK_TTL", 30)
SYNC_STALL_SECONDS = env_int("SYNC_STALL_SECONDS", 120)
LEGACY_HTTP_BACKOFF_CAP = float(env("LEGACY_HTTP_BACKOFF_CAP", "30") or 30)
SYNC_BUSY_RETRIES = env_int("SYNC_BUSY_RETRIES", 600)  # a page finding its source busy
SYNC_PAGE_RETRIES = env_int("SYNC_PAGE_RETRIES", 8)  # a page whose source is unavailable
SYNC_PAGE_RETRY_CAP = env_int("SYNC_PAGE_RETRY_CAP", 300)  # seconds between those retries

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api_tokens.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.StrictJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.PerTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"per_token": env("API_RATE_PER_TOKEN", "600/minute")},
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "core.api.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DWP Colleague Portal API",
    "DESCRIPTION": "The single customer view for other DWP services. Same rules as the portal.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # One named enum per choice set, so the schema has no ambiguous names (and no warnings).
    "ENUM_NAME_OVERRIDES": {
        "BenefitEnum": "customers.models.Benefit",
        "PaymentStatusEnum": "benefits.models.Payment.Status",
        "SyncRunStatusEnum": "benefits.models.SyncRun.Status",
        "QuarantineStatusEnum": "benefits.models.QuarantinedRecord.Status",
        "SupportNeedStatusEnum": "support_needs.models.SupportNeed.Status",
        "AcsCaseStatusEnum": "acs.models.AcsCase.Status",
        "TrackedStatusEnum": "acs.models.TrackedStatus",
    },
}

LOG_FORMAT = env("LOG_FORMAT", "console")
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_nino": {"()": "dwpportal.logging.RedactNinoFilter"}},
    "formatters": {
        "json": {"()": "dwpportal.logging.JsonFormatter"},
        "console": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "default": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact_nino"],
        }
    },
    "root": {"handlers": ["default"], "level": LOG_LEVEL},
    "loggers": {
        # Our request log replaces Django's, which would print raw paths twice.
        "django.server": {"handlers": [], "propagate": False},
        "django.request": {"handlers": ["default"], "level": "ERROR", "propagate": False},
    },
}
