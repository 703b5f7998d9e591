"""Developer and demo mode: `make run`."""
from .base import *  # noqa: F401,F403
from .base import env

# The embedded default behaves like the real thing (styled error pages, no URL listing on a 404);
# developers switch Django's debug pages on explicitly with DJANGO_DEBUG=1.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Without DEBUG, runserver serves no static files: whitenoise serves them straight from the finders (no collectstatic).
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405
WHITENOISE_USE_FINDERS = True
