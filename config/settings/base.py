"""Settings shared by every environment, read top-down: one section per concern, each setting defined once.

Everything a deployment changes is read from the environment (`.env.example` lists it all); local.py, test.py
and production.py only override. Over 400 lines: the one place where every app's settings are read.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured

from core.storage_settings import storages_from_env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(str(env_file))

# --- Django core: secrets, hosts, apps, middleware, templates ---------------------------------------------
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Index expressions with operator classes (trigram indexes behind `icontains` searches); harmless on SQLite.
    "django.contrib.postgres",
    # third party
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mozilla_django_oidc",
    "mptt",
    "phonenumber_field",
    # ours
    "core",
    "accounts",
    "merchants",
    "catalog",
    "orders",
    "tracking",
    "notifications",
    "webhooks",
    "dashboard",
    # Django admin sign-in lockout (django-axes) and Content-Security-Policy (django-csp), see "Security".
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything that could read the body (CSRF reads forms, sessions nothing, DRF the rest).
    "core.upload_limits.RequestBodyLimitMiddleware",
    "core.middleware.RejectNullBytesMiddleware",
    "core.middleware.ApiUtcMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.exceptions.ApiExceptionMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "core.exceptions.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------------------------------
# Database: DATABASE_URL, or an SQLite file in the project for `make run`.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
# A persistent connection the server dropped (restart, failover) is noticed and replaced before a request or
# a task uses it, instead of failing that request once (web and workers alike).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Concurrent local requests wait for the write lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL (psycopg 3): send parameters separately from the SQL (server-side binding) instead of
    # quoting them into the query text, and let psycopg prepare a query once this connection has run it
    # DB_PREPARE_THRESHOLD times, so repeated queries skip parsing and planning. Both cut per-query CPU.
    # Behind PgBouncer in transaction mode, prepared statements need PgBouncer >= 1.22 with
    # max_prepared_statements > 0 (1.21 lacks the DEALLOCATE ALL psycopg sends after a rollback); with an
    # older pooler set DB_PREPARE_THRESHOLD=none (server-side binding alone works through any pooler).
    _prepare_threshold = env.str("DB_PREPARE_THRESHOLD", default="5").strip().lower()
    if _prepare_threshold not in ("", "none") and not _prepare_threshold.isdigit():
        raise ImproperlyConfigured(
            f"DB_PREPARE_THRESHOLD must be a whole number or 'none', not {_prepare_threshold!r}"
        )
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Unset or blank: on.
            "server_side_binding": env.bool("DB_SERVER_SIDE_BINDING")
            if env.str("DB_SERVER_SIDE_BINDING", default="").strip()
            else True,
            "prepare_threshold": int(_prepare_threshold) if _prepare_threshold.isdigit() else None,
        }
    )
    # Once a query is prepared, PostgreSQL may switch it to one generic plan for any parameters after five
    # runs. For searches and skewed filters that plan can be a sequential scan: at a million orders a product
    # search of 3 ms took 270 ms on connections that had prepared it (docs/scale.md). Planning each run for
    # its own values costs a fraction of a millisecond; parsing is still saved. (PgBouncer refuses the
    # `options` startup parameter unless it is in its ignore_startup_parameters: README, "PgBouncer".)
    if _prepare_threshold.isdigit():
        _options = DATABASES["default"]["OPTIONS"].get("options", "")
        DATABASES["default"]["OPTIONS"]["options"] = (
            f"{_options} -c plan_cache_mode=force_custom_plan".strip()
        )
    # A host that drops packets fails the connect in DB_CONNECT_TIMEOUT seconds instead of hanging.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Time and languages ------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
# Local time for people: the admin, emails, the tracking page. The API always answers in UTC
# (core.middleware.ApiUtcMiddleware).
TIME_ZONE = env("TIME_ZONE", default="Africa/Nairobi")
USE_I18N = True
USE_TZ = True

# --- Static files, file stores, uploads and request bodies -------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# File stores (core.storage): "default" is public (product images), "private" holds KYC documents.
# Unset: local directories, MEDIA_ROOT served by the app at MEDIA_URL and PRIVATE_MEDIA_ROOT served by no route.
# STORAGE_URL or AWS_STORAGE_BUCKET_NAME (+ AWS_S3_ENDPOINT_URL, keys...): an S3-protocol bucket (AWS, MinIO, R2).
STORAGES = {
    **storages_from_env(os.environ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# KYC documents live outside MEDIA_ROOT and are only served through an authorised view.
PRIVATE_MEDIA_ROOT = env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media"))

# Product images (catalog.images): decoding is refused above this many pixels (decompression bombs).
PRODUCT_IMAGE_MAX_PIXELS = env.int("PRODUCT_IMAGE_MAX_PIXELS", default=40_000_000)

# Request bodies (core.upload_limits): a Content-Length over the path's limit is a 413 before anything is read.
# Endpoints taking a file (at most 5 MB, checked by the app) accept the file plus its form fields; a file a little
# over 5 MB still gets the app's own 400 naming the limit.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=1024 * 1024)
UPLOAD_REQUEST_MAX_BYTES = env.int("UPLOAD_REQUEST_MAX_BYTES", default=7 * 1024 * 1024)
REQUEST_BODY_LIMITS = [
    # The webhook view reads at most 256 KB + 1 byte itself, answers 413 and records the refused delivery.
    (r"^/api/v1/webhooks/[^/]+/$", None),
    (r"^/api/v1/products/(?:[^/]+/)?$", UPLOAD_REQUEST_MAX_BYTES),
    (r"^/api/v1/merchants/me/kyc/$", UPLOAD_REQUEST_MAX_BYTES),
    (r"^/admin/", UPLOAD_REQUEST_MAX_BYTES),
]
# Form fields of a multipart body (files excluded) and `request.body`.
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
# Every upload the limits above let through stays in memory: no temporary file is ever written.
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_REQUEST_MAX_BYTES

# --- Cache -------------------------------------------------------------------------------------------------
CACHE_URL = env("CACHE_URL", default="")
CACHES = {
    "default": env.cache_url("CACHE_URL")
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ordertrail"}
}
# Redis down or hung: cache operations answer as misses within 250 ms instead of failing the request.
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "core.cache.FailOpenRedisCache"

# --- Security: client address, Django admin lockout, Content-Security-Policy, API docs (README "Security") --
# How many proxies in front of the app append to X-Forwarded-For. 0: the client is the socket's address and
# the header is ignored. N: the N-th address from the right is the client's (what the outermost trusted
# proxy saw); anything left of it was written by the client. Every reader of the client address (DRF
# throttles through NUM_PROXIES, the admin lockout, core.client_address) goes through this one number.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
# Django admin sign-in lockout (django-axes; attempts in the database, shared by every process).
AXES_HANDLER = "accounts.admin_lockout.AdminLoginLockoutHandler"
AXES_ONLY_ADMIN_SITE = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("ADMIN_LOGIN_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.admin_lockout.admin_login_username"
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"

# Content-Security-Policy on every response (django-csp 4). Inline <script>/<style> need
# nonce="{{ request.csp_nonce }}"; nothing is loaded from another origin (the API docs' assets are local).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.NONE],
        "script-src": [csp_constants.SELF, csp_constants.NONCE],
        "style-src": [csp_constants.SELF, csp_constants.NONCE],
        "img-src": [csp_constants.SELF, "data:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "manifest-src": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
        "base-uri": [csp_constants.NONE],
        "object-src": [csp_constants.NONE],
    }
}

# The OpenAPI schema, Swagger and Redoc: public for `make run`; production requires a staff user (signed in to
# the admin, or a bearer token) unless API_DOCS_PUBLIC=1. Unset or blank: the environment's default.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC") if env.str("API_DOCS_PUBLIC", default="").strip() else True

# --- Accounts: users, passwords, our JWTs, refresh-token reuse ---------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.admin_lockout.AdminLoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "accounts.oidc.OrdertrailOIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Access tokens carry a hash of the password hash: changing the password revokes them at once.
    "CHECK_REVOKE_TOKEN": True,
}

# A rotated refresh token presented again within this many seconds is refused without revoking its family
# (two parallel refreshes by one client); later, it is reuse and the family is revoked (accounts.refresh_tokens).
REFRESH_TOKEN_REUSE_GRACE_SECONDS = env.float("REFRESH_TOKEN_REUSE_GRACE_SECONDS", default=10)
OTP_TTL_MINUTES = 10
OTP_MAX_ATTEMPTS = 5

# --- Accounts: identity providers (OpenID Connect userinfo and browser sign-in; provider JWTs verified locally)
# OpenID Connect: enabled when the provider endpoints are configured.
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_ENABLED = bool(OIDC_OP_USER_ENDPOINT)
OIDC_USERINFO_CACHE_SECONDS = env.int("OIDC_USERINFO_CACHE_SECONDS", default=60)
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=5)
LOGIN_REDIRECT_URL = "/api/v1/auth/me/"
LOGOUT_REDIRECT_URL = "/"
# The browser code flow answers a plain 503 instead of redirecting nowhere when no provider is configured.
OIDC_AUTHENTICATE_CLASS = "accounts.oidc_browser.OIDCAuthenticateView"
OIDC_CALLBACK_CLASS = "accounts.oidc_browser.OIDCCallbackView"
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email profile")
# Browser sign-in ends at this URL with `?code=<one-time code>` (or `?error=signin_failed`); the client trades
# the code at POST /api/v1/auth/oidc/exchange/ within OIDC_SIGNIN_CODE_SECONDS for our JWT pair.
OIDC_SIGNIN_REDIRECT_URL = env("OIDC_SIGNIN_REDIRECT_URL", default="/oidc/signed-in/")
OIDC_SIGNIN_CODE_SECONDS = env.int("OIDC_SIGNIN_CODE_SECONDS", default=60)

# Firebase ID tokens of one project; the key URL is Google's, overridable for tests and proxies.
FIREBASE_PROJECT_ID = env("FIREBASE_PROJECT_ID", default="")
FIREBASE_JWKS_URL = env(
    "FIREBASE_JWKS_URL",
    default="https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com",
)
# Auth0 access tokens for this API (the names Auth0's quick-starts use); keys default to the tenant's.
AUTH0_DOMAIN = env("AUTH0_DOMAIN", default="")
AUTH0_AUDIENCE = env.list("AUTH0_AUDIENCE", default=[])
AUTH0_JWKS_URL = env("AUTH0_JWKS_URL", default="")
# Any other provider whose access or ID tokens are JWTs; the key URL defaults to its discovery document.
OIDC_JWT_ISSUER = env("OIDC_JWT_ISSUER", default="")
OIDC_JWT_AUDIENCE = env.list("OIDC_JWT_AUDIENCE", default=[])
OIDC_JWKS_URL = env("OIDC_JWKS_URL", default="")
OIDC_JWKS_CACHE_SECONDS = env.int("OIDC_JWKS_CACHE_SECONDS", default=3600)
# A userinfo answer may serve this much longer while the provider rate-limits us (Auth0: 429).
OIDC_USERINFO_STALE_SECONDS = env.int("OIDC_USERINFO_STALE_SECONDS", default=600)
# Without an audience, a token the provider issued to any other application would be accepted.
if AUTH0_DOMAIN and not AUTH0_AUDIENCE:
    raise ImproperlyConfigured("AUTH0_DOMAIN is set: set AUTH0_AUDIENCE (your API's identifier) too.")
if OIDC_JWT_ISSUER and not OIDC_JWT_AUDIENCE:
    raise ImproperlyConfigured("OIDC_JWT_ISSUER is set: set OIDC_JWT_AUDIENCE too.")

# --- Domain: money, phones, languages, public links, webhooks ---------------------------------------------
DEFAULT_CURRENCY = env("DEFAULT_CURRENCY", default="KES")
PHONENUMBER_DEFAULT_REGION = env("PHONENUMBER_DEFAULT_REGION", default="KE")
PHONENUMBER_DB_FORMAT = "E164"
# The language customers are written to when neither the order nor their profile names one (core.languages).
DEFAULT_LANGUAGE = env("DEFAULT_LANGUAGE", default="en")
if DEFAULT_LANGUAGE not in ("en", "sw"):
    raise ImproperlyConfigured(f"DEFAULT_LANGUAGE must be en or sw, not {DEFAULT_LANGUAGE!r}")
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
WEBHOOK_SECRET_GRACE_HOURS = env.float("WEBHOOK_SECRET_GRACE_HOURS", default=24)
# Deliveries that fail verification recorded per merchant per minute (2 KB each); the rest are only counted.
WEBHOOK_REJECTED_RECORD_LIMIT_PER_MINUTE = env.int("WEBHOOK_REJECTED_RECORD_LIMIT_PER_MINUTE", default=60)

# --- REST API: authentication, pagination, errors, throttles ---------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.BearerAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "login": env("THROTTLE_LOGIN", default="10/min"),
        "otp_verify": env("THROTTLE_OTP_VERIFY", default="10/min"),
        "otp_request": env("THROTTLE_OTP_REQUEST", default="3/min"),
        # Per client address: generous, since offices and mobile carriers put many people behind one address.
        "login_ip": env("THROTTLE_LOGIN_IP", default="300/min"),
        "otp_verify_ip": env("THROTTLE_OTP_VERIFY_IP", default="300/min"),
        "otp_request_ip": env("THROTTLE_OTP_REQUEST_IP", default="100/min"),
        "webhook": env("THROTTLE_WEBHOOK", default="600/min"),
        # Per client address, deliveries that failed verification only (a platform's own errors stay well below).
        "webhook_failure_ip": env("THROTTLE_WEBHOOK_FAILURE_IP", default="120/min"),
        # Per target email (canonical form): bounds mail sent to one address and guesses at one account.
        "register": env("THROTTLE_REGISTER", default="10/hour"),
        "password_reset": env("THROTTLE_PASSWORD_RESET", default="5/hour"),
        "password_reset_confirm": env("THROTTLE_PASSWORD_RESET_CONFIRM", default="10/min"),
        # Per signed-in account: guesses at the current password with a stolen access token.
        "change_password": env("THROTTLE_CHANGE_PASSWORD", default="10/hour"),
        # Per client address: generous, many people share one.
        "register_ip": env("THROTTLE_REGISTER_IP", default="20/hour"),
        "password_reset_ip": env("THROTTLE_PASSWORD_RESET_IP", default="30/hour"),
        "password_reset_confirm_ip": env("THROTTLE_PASSWORD_RESET_CONFIRM_IP", default="60/min"),
        "oidc_token_ip": env("THROTTLE_OIDC_TOKEN_IP", default="60/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Throttles find the client address the way everything else does (TRUSTED_PROXY_COUNT).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

# --- OpenAPI schema, Swagger and Redoc --------------------------------------------------------------------
SPECTACULAR_SETTINGS = {
    "TITLE": "Ordertrail API",
    "DESCRIPTION": "Order management and order tracking: merchants, catalog, orders, public tracking, "
    "signed inbound webhooks and notifications.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Offline docs: assets from drf-spectacular-sidecar (Redoc's bundle minus its remote logo, core/api_docs.py),
    # no Google Fonts (core/templates/api_docs) and no call to Swagger's online validator.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.document_error_responses",
    ],
    # One component name per choice set that shares a field name across apps (merchant `kyc_status` and
    # submission `status`; a notification's channel as a field or inside a list; ...).
    "ENUM_NAME_OVERRIDES": {
        "KYCStatusEnum": "merchants.models.KYCStatus",
        "NotificationChannelEnum": "notifications.models.Channel",
        "NotificationStatusEnum": "notifications.models.NotificationStatus",
        "OrderStatusEnum": "orders.lifecycle.OrderStatus",
        "OrderSourceEnum": "orders.models.OrderSource",
        "TrackingEventSourceEnum": "orders.models.EventSource",
    },
}

# --- Email and SMS providers -----------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Ordertrail <no-reply@ordertrail.local>")
ADMIN_NOTIFICATION_EMAILS = env.list("ADMIN_NOTIFICATION_EMAILS", default=[])
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Africa's Talking SMS
AFRICASTALKING_USERNAME = env("AFRICASTALKING_USERNAME", default="")
AFRICASTALKING_API_KEY = env("AFRICASTALKING_API_KEY", default="")
AFRICASTALKING_SENDER_ID = env("AFRICASTALKING_SENDER_ID", default="")
AFRICASTALKING_BASE_URL = env("AFRICASTALKING_BASE_URL", default="")
AFRICASTALKING_TIMEOUT_SECONDS = env.float("AFRICASTALKING_TIMEOUT_SECONDS", default=10)
# Africa's Talking delivery reports: POSTed to /api/v1/notifications/delivery-reports/africastalking/<token>/.
# Unset token: the endpoint answers 404. Allowed networks: CIDRs the reports may come from (unset: any).
AFRICASTALKING_CALLBACK_TOKEN = env("AFRICASTALKING_CALLBACK_TOKEN", default="")
AFRICASTALKING_CALLBACK_ALLOWED_NETWORKS = env.list("AFRICASTALKING_CALLBACK_ALLOWED_NETWORKS", default=[])

# --- Notifications: retries, the sweeper, publishing and the outbox journal ---------------------------------
# Retries: exponential backoff with full jitter, base * 2**(attempt-1) capped at MAX, up to MAX_ATTEMPTS tries.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.float("NOTIFICATIONS_RETRY_BASE_SECONDS", default=30)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.float("NOTIFICATIONS_RETRY_MAX_SECONDS", default=3600)
# Waits up to this long are broker countdowns (well under the Redis visibility timeout); longer ones are
# left in `next_attempt_at` for the sweeper.
NOTIFICATIONS_COUNTDOWN_MAX_SECONDS = env.float("NOTIFICATIONS_COUNTDOWN_MAX_SECONDS", default=300)
# The sweeper (celery beat) re-enqueues pending rows due for this long without a worker picking them up
# (e.g. the broker was down at commit) and fails rows claimed for longer than the lease (worker died mid-send).
NOTIFICATIONS_SWEEP_INTERVAL_SECONDS = env.float("NOTIFICATIONS_SWEEP_INTERVAL_SECONDS", default=30)
NOTIFICATIONS_SWEEP_GRACE_SECONDS = env.float("NOTIFICATIONS_SWEEP_GRACE_SECONDS", default=60)
NOTIFICATIONS_SENDING_LEASE_SECONDS = env.float("NOTIFICATIONS_SENDING_LEASE_SECONDS", default=300)
NOTIFICATIONS_SMS_BATCH_SIZE = env.int("NOTIFICATIONS_SMS_BATCH_SIZE", default=100)
# Publishing an outbox task from a request: how long a down or hung broker may hold it (connect, then each
# answer), and how long this process then leaves publishing to the sweeper instead of trying again.
NOTIFICATIONS_PUBLISH_TIMEOUT_SECONDS = env.float("NOTIFICATIONS_PUBLISH_TIMEOUT_SECONDS", default=0.4)
NOTIFICATIONS_PUBLISH_PAUSE_SECONDS = env.float("NOTIFICATIONS_PUBLISH_PAUSE_SECONDS", default=5)
# After the provider answered, how long a worker retries writing the outcome while the database refuses it,
# before keeping it in its local journal (replayed by its next tasks and sweeps; keep it on a volume).
NOTIFICATIONS_RECORD_RETRY_SECONDS = env.float("NOTIFICATIONS_RECORD_RETRY_SECONDS", default=60)
NOTIFICATIONS_JOURNAL_DIR = env("NOTIFICATIONS_JOURNAL_DIR", default="") or str(
    Path(tempfile.gettempdir()) / "ordertrail-outbox-journal"
)

# --- Celery: broker, queues, schedule ------------------------------------------------------------------------
# No broker configured: tasks run eagerly in-process (after the transaction commits), and an in-memory
# transport keeps kombu from looking for a broker on localhost.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=120)
# One queue per channel so a slow SMTP server never holds up SMS; the sweeper runs on the default queue.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "notifications.send_sms": {"queue": "sms"},
    "notifications.send_sms_batch": {"queue": "sms"},
    "notifications.send_email": {"queue": "email"},
    "notifications.sweep": {"queue": "celery"},
}
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {"task": "notifications.sweep", "schedule": NOTIFICATIONS_SWEEP_INTERVAL_SECONDS},
}

# --- Public tracking: live updates (tracking/live.py) ------------------------------------------------------
# Changes reach every web process's streams through Redis pub/sub: TRACKING_STREAM_REDIS_URL, else the cache or
# broker when it is Redis (an empty value too). Neither (`make run`): in-process only, all one process needs.
_redis_urls = [url for url in (CACHE_URL, CELERY_BROKER_URL) if url.startswith(("redis://", "rediss://"))]
TRACKING_STREAM_REDIS_URL = env("TRACKING_STREAM_REDIS_URL", default="") or next(iter(_redis_urls), "")
TRACKING_STREAM_CHANNEL = env("TRACKING_STREAM_CHANNEL", default="") or "ordertrail:tracking"
# A comment line this often keeps proxies from closing an idle stream (and finds departed watchers on WSGI).
TRACKING_STREAM_HEARTBEAT_SECONDS = env.float("TRACKING_STREAM_HEARTBEAT_SECONDS", default=15)
# Streams end after this long and the browser reconnects at once: connections rebalance across processes.
TRACKING_STREAM_MAX_SECONDS = env.float("TRACKING_STREAM_MAX_SECONDS", default=600)
# Open streams one stream-server process holds at most (~20 KiB each); more get 503 and retry elsewhere.
TRACKING_STREAM_MAX_PER_PROCESS = env.int("TRACKING_STREAM_MAX_PER_PROCESS", default=10000)

# --- Logging -----------------------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
