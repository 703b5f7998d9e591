"""Settings shared by every mode; the environment is read here and only here."""
import hashlib
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
# The audit chain's HMAC key: outside the database, so that a database superuser who rewrites an entry cannot
# recompute the chain after it. Set its own value in production; never change it once entries are written.
BANKPM_AUDIT_KEY = env("BANKPM_AUDIT_KEY", default=SECRET_KEY)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "simple_history",
    "import_export",
    "django_htmx",
    "bankpm.apps.BankpmConfig",
    "accounts",
    "core",
    "products",
    "approvals",
    "lifecycle",
    "requirements",
    "kpis",
    "risks",
    "exits",
    "changes",
    "complaints",
    "notifications",
    "webhooks",
    "sso",
    "roadmap",
    "reports",
    "reviews",
    "portal",  # the composition on top (search, the demo seed): after every app it reads
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "bankpm.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.replica.ReplicaMiddleware",
    "bankpm.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Idle timeout and key rotation on a privilege change (the admin's security policy).
    "accounts.middleware.SessionSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "sso.middleware.DirectoryRecheckMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that lockouts see the authenticated request.
    "axes.middleware.AxesMiddleware",
]

# Scripts only from the app's own static files (no inline script, no eval); styles may be inline (ECharts and
# Tabler set style attributes); nothing is framed, posted or fetched elsewhere.
BANKPM_CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
    "font-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
    "frame-ancestors 'none'",
])
BANKPM_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_REFERRER_POLICY = "same-origin"

ROOT_URLCONF = "bankpm.urls"
WSGI_APPLICATION = "bankpm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# The cache counts API rate limits: give every worker the same one (Redis) in production via CACHE_URL.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# Every audit write appends the signed chain head to this file, outside the database (docs/hardening.md says
# what is detected). Empty: no external anchors (the unit tests; tests of the anchors set their own file). The
# default file is the database's own, so that a second database (a fresh demo, the SQLite default) never reads
# another's anchors as its missing tail.
_DB_NAME = str(DATABASES["default"].get("NAME") or "db")
_DB_TAG = f"{Path(_DB_NAME).stem[:40]}-{hashlib.sha1(_DB_NAME.encode()).hexdigest()[:8]}"
BANKPM_AUDIT_ANCHOR_FILE = env("BANKPM_AUDIT_ANCHOR_FILE",
                               default=str(BASE_DIR / "var" / f"audit-anchors-{_DB_TAG}.log"))
if env("DATABASE_CONNECT_TIMEOUT", default=""):  # fail fast (a 503) rather than hang while the database is down
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DATABASE_CONNECT_TIMEOUT")
# A streaming replica for the lag-tolerant pages (core/replica.py); unset, every read goes to the primary.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
BANKPM_REPLICA_MAX_LAG = env.float("DATABASE_REPLICA_MAX_LAG", default=5.0)
BANKPM_READ_YOUR_WRITES = env.int("DATABASE_READ_YOUR_WRITES", default=5)
# Pages whose reads may lag a few seconds: the portfolio and the lists.
BANKPM_REPLICA_VIEWS = {
    "kpis:dashboard", "products:list", "requirements:list", "risks:list", "changes:list", "exits:list",
    "roadmap:timeline",
}
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {**env.db_url_config(DATABASE_REPLICA_URL), "TEST": {"MIRROR": "default"}}
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASE_ROUTERS = ["core.replica.ReplicaRouter"] if DATABASE_REPLICA_URL else []

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading the page frame's department codes and unread count with the user (bankpm/auth.py);
    # local passwords can be switched off but for break-glass administrators (sso/backends.py).
    "sso.backends.LocalPasswordBackend",
]

# Single sign-on (sso/): OpenID Connect and LDAP are on when configured; the directory rules (admin data) map groups
# to role and departments. Local passwords stay on unless BANKPM_LOCAL_PASSWORDS=false (production), which keeps
# only the accounts named in BANKPM_BREAK_GLASS_USERS.
BANKPM_LOCAL_PASSWORDS = env.bool("BANKPM_LOCAL_PASSWORDS", default=True)
BANKPM_BREAK_GLASS_USERS = env.list("BANKPM_BREAK_GLASS_USERS", default=[])
BANKPM_DIRECTORY_RECHECK_SECONDS = env.int("BANKPM_DIRECTORY_RECHECK_SECONDS", default=0)
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="")
BANKPM_OIDC_LABEL = env("BANKPM_OIDC_LABEL", default="")
if OIDC_OP_ISSUER:
    OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default=f"{OIDC_OP_ISSUER}/auth")
    OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default=f"{OIDC_OP_ISSUER}/token")
    OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default=f"{OIDC_OP_ISSUER}/me")
    OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default=f"{OIDC_OP_ISSUER}/jwks")
    OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid profile email groups")
    OIDC_STORE_ACCESS_TOKEN = True  # the request re-check asks userinfo with it
    AUTHENTICATION_BACKENDS.append("sso.backends.DirectoryOIDCBackend")
AUTH_LDAP_SERVER_URI = env("AUTH_LDAP_SERVER_URI", default="")
if AUTH_LDAP_SERVER_URI:
    from sso.ldap_settings import ldap_settings

    globals().update(ldap_settings(env))
    AUTHENTICATION_BACKENDS.append("sso.backends.DirectoryLDAPBackend")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection for the login page and the token endpoint.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
# One lock per (username, address) pair: failures for unknown or other users never lock everyone on an address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A filter left open reads "all", not django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("全部")

# Date inputs hold ISO dates in every language (bankpm/formats).
FORMAT_MODULE_PATH = ["bankpm.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries come from the npm registry (package.json) and are served by the app itself.
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Tabler's own CSS and JS only: its bundled third-party libraries (dist/libs) are unused and name files they
    # do not ship, which production's hashed storage refuses.
    ("vendor/tabler/css", _NODE / "@tabler/core/dist/css"),
    ("vendor/tabler/js", _NODE / "@tabler/core/dist/js"),
    ("vendor/htmx", _NODE / "htmx.org/dist"),
    ("vendor/sortablejs", _NODE / "sortablejs"),
    ("vendor/echarts", _NODE / "echarts/dist"),
    ("vendor/tom-select", _NODE / "tom-select/dist"),
]
# Bodies of API requests and forms (not uploaded files, which the upload bounds in bankpm/uploads.py check):
# room for 10,000 observations and for the import's second step, which re-posts a 2 MB file as base64.
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous or bad-token request is a 401 with `WWW-Authenticate: Token`, not a 403.
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "bankpm.api.pagination.StandardPagination",
    # JSON only: a form-encoded body cannot say null or an empty list, so the schema could not be honoured in it.
    "DEFAULT_PARSER_CLASSES": ["bankpm.api.parsers.FastJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["bankpm.api.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "bankpm.api.schema.AutoSchema",
    # Rate limits per API token and per address (bankpm/api/throttling.py); 429 with Retry-After beyond them.
    "DEFAULT_THROTTLE_CLASSES": ["bankpm.api.throttling.TokenRateThrottle",
                                 "bankpm.api.throttling.AddressRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env("API_RATE_PER_TOKEN", default="600/min"),
                               "address": env("API_RATE_PER_ADDRESS", default="1200/min")},
    "EXCEPTION_HANDLER": "bankpm.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "BankPM API",
    "DESCRIPTION": "Bank product lifecycle management: catalogue, stage gates, backlogs and KPIs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI and ReDoc assets are served by the app (no CDN on a bank intranet).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "bankpm.api.schema.drop_empty_enums",
        "bankpm.api.schema.add_error_responses",
        "bankpm.api.schema.close_request_bodies",
        "bankpm.api.schema.query_parameter_limits",
        "bankpm.api.schema.body_rules",
    ],
    # One schema name per choice set, so that every app's "status" or "department" field stays unambiguous.
    "ENUM_NAME_OVERRIDES": {
        "DepartmentCodeEnum": "accounts.choices.DepartmentCode",
        "ReviewingDepartmentEnum": "accounts.choices.REVIEWING_DEPARTMENTS",
        "LifecycleStageEnum": "products.choices.LifecycleStage",
        "DeliverableStatusEnum": "lifecycle.choices.DeliverableStatus",
        "GateReviewStatusEnum": "approvals.choices.GateReviewStatus",
        "ApprovalStepStatusEnum": "approvals.choices.StepStatus",
        "RequirementStatusEnum": "requirements.choices.RequirementStatus",
        "VersionStatusEnum": "requirements.choices.VersionStatus",
        "SnapshotStatusEnum": "kpis.choices.SnapshotStatus",
        "AlertStatusEnum": "kpis.choices.AlertStatus",
        "RiskCategoryEnum": "risks.choices.RiskCategory",
        "RiskSourceEnum": "risks.choices.RiskSource",
        "RiskLevelEnum": "risks.choices.RiskLevel",
        "RiskStatusEnum": "risks.choices.RiskStatus",
        "ControlTypeEnum": "risks.choices.ControlType",
        # The backlog's enums keep the names they had before the register's "source" and "type" fields came.
        "SourceEnum": "requirements.choices.RequirementSource",
        "TypeEnum": "requirements.choices.RequirementType",
        "CategoryEnum": "products.choices.ProductCategory",
        "ChangeStatusEnum": "changes.choices.ChangeStatus",
        "TermsVersionStatusEnum": "changes.choices.TermsVersionStatus",
        "CustomerSegmentEnum": "products.choices.CustomerSegment",
        # Sales channels keep their name wherever they appear (a product's channels, a figure's or complaint's);
        # a feedback's channel keeps "ChannelEnum", the complaint's category its own name.
        "SalesChannelsEnum": "products.choices.SalesChannelCode",
        "ChannelEnum": "requirements.choices.FeedbackChannel",
        "ComplaintCategoryEnum": "complaints.choices.ComplaintCategory",
        # A periodic review's outcome (an engine review's outcome is free text of its process).
        "ReviewOutcomeEnum": "reviews.choices.ReviewOutcome",
    },
}

# Celery: with no broker configured, tasks run eagerly in-process (embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_TRACK_STARTED = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker outage must not hang a web request: publishing fails fast and the outbox sweeper retries later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A task whose worker dies is delivered again: at once when a pool process is killed (reject on worker lost), after
# the visibility timeout (15 min, not Redis' default hour) when the whole worker vanished; the sweeper
# (kpis.tasks.sweep_task_runs) fails runs without a sign of life for 10 minutes. Tasks are idempotent.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 1,
                                   "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=15 * 60)}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 10
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"timeout": 2.0, "max_retries": 1}}
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
# Only one beat sends, even when a second is started by mistake (core/beat.py).
CELERY_BEAT_SCHEDULER = "core.beat:SingleBeatScheduler"
CELERY_BEAT_SCHEDULE = {
    "flush-notification-outbox": {
        "task": "notifications.tasks.flush_notification_outbox",
        "schedule": 60.0,
    },
}
# Apps add their periodic tasks to CELERY_BEAT_SCHEDULE in their own beat.py (see bankpm/settings/beat.py).
from bankpm.settings.beat import BEAT_SCHEDULE as _APP_BEAT  # noqa: E402

CELERY_BEAT_SCHEDULE.update(_APP_BEAT)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="bankpm@bank.example")

# Set BANKPM_PRODUCTION=1 only in production settings; demo seeding refuses to run there.
BANKPM_PRODUCTION = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "celery": {"level": "WARNING"}},
}
BANKPM_HOME_URL = "kpis:dashboard"
