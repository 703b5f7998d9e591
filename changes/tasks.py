"""Celery tasks: thin wrappers around the services, safe to re-run."""
from celery import shared_task

from . import services


@shared_task
def activate_terms_versions():
    """Daily beat at the start of the day: scheduled terms versions whose day has come go into force."""
    return services.terms_versions_activate()
