"""Production mode: passes `manage.py check --deploy` with no warnings."""
from .base import *  # noqa: F401,F403
from .base import MIDDLEWARE, SPECTACULAR_SETTINGS, env

DEBUG = False
BANKPM_PRODUCTION = True
SECRET_KEY = env("DJANGO_SECRET_KEY")
# Its own secret in production (docker-compose passes it); falling back to the secret key ties the chain to it.
BANKPM_AUDIT_KEY = env("BANKPM_AUDIT_KEY", default=SECRET_KEY)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Persistent database connections: opening one per request was most of the gap between an API call in-process
# and over HTTP (bench/README.md). Health checks drop a connection the server closed.
DATABASES = {**DATABASES, "default": {  # noqa: F405
    **DATABASES["default"], "CONN_MAX_AGE": env.int("DATABASE_CONN_MAX_AGE", default=60),  # noqa: F405
    "CONN_HEALTH_CHECKS": True,
}}

# A cache shared by every web node (rate limits, cached probes); without it each process keeps its own.
if env("CACHE_URL", default=""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("CACHE_URL")}}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Load balancers probe /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# Static files are served by the app itself (whitenoise) from `collectstatic` output.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "bankpm.staticstorage.StaticFilesStorage"},
}
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
# The API map is for signed-in users only (session or token), not for whoever can reach the host.
SPECTACULAR_SETTINGS = {**SPECTACULAR_SETTINGS, "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"]}
