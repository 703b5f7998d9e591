"""Test mode: the real PostgreSQL and Redis, never a silent fallback (tests/conftest.py checks both)."""
from .base import *  # noqa: F401,F403
from .base import env

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/bankpm")}
# The test runner empties every table between transactional tests (TRUNCATE); the audit tables refuse that unless
# the session allows it (core migration 0003). Tests of the refusal switch it off with SET LOCAL.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c bankpm.audit_truncate=allowed"
# The replica tests (tests/core/test_replica.py) read through a second connection to the test database; the router
# is installed only by them.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = []
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
# Unit tests run tasks in-process; the tests that need a real worker switch this off themselves.
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_FAILURE_LIMIT = 50
# Rate limits far above what the suite or the schema fuzz sends; tests of the limits override them.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "100000/min", "address": "100000/min"}}  # noqa: F405
LANGUAGE_CODE = "zh-hans"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No external audit anchors by default: each test's rolled-back entries would pile up in one shared file.
BANKPM_AUDIT_ANCHOR_FILE = ""
