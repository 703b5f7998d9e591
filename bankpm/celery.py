"""Celery application; tasks are discovered in every installed app's tasks.py."""
import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankpm.settings.local")

app = Celery("bankpm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def load_pages_and_languages(**_kwargs) -> None:
    """Load once, when a worker starts (before the prefork pool forks, so every child shares it), what its first
    task would otherwise load on the clock: the URL conf (notifications carry page addresses; 0.7-0.9 s cold) and
    every language's catalogues. No connection is opened here: a forked child must not share one."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("")
            get_resolver().reverse_dict  # noqa: B018 (imports every app's URL module, indexes names for reverse)


@worker_process_init.connect
def warm_up(**_kwargs) -> None:
    """In each pool process: the above (a no-op once loaded) and the result backend's connection."""
    load_pages_and_languages()
    app.backend  # noqa: B018 (the property connects to the result backend)
