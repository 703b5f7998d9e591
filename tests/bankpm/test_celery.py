"""The worker's start-up: what a first task would otherwise load on the clock is loaded when a process starts."""
from celery.signals import worker_init, worker_process_init
from django.urls import clear_url_caches, get_resolver

from bankpm import celery


def test_a_worker_process_loads_the_url_conf_before_its_first_task():
    clear_url_caches()
    assert not get_resolver()._populated
    celery.warm_up()
    assert get_resolver()._populated


def test_the_warm_up_runs_on_the_workers_start_signals():
    assert celery.load_pages_and_languages in [ref() for _key, ref in worker_init.receivers]
    assert celery.warm_up in [ref() for _key, ref in worker_process_init.receivers]
