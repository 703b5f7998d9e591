"""Transactional tests end with a flush that also empties the rows data migrations seeded (departments, sales
channels, metric definitions). Our transactional tests put them back before they start (`reseeded`) and once
their module is done (`reseed_after_module`), so that the tests after them find the rows they expect.
"""
import importlib

import pytest

SEEDS = [
    ("accounts.migrations.0002_departments", "create_departments"),
    ("products.migrations.0002_sales_channels", "create_channels"),
    ("kpis.migrations.0002_seed_metrics", "seed"),
    ("kpis.migrations.0003_metric_unit_en", "fill_units"),
]


SEEDED_TABLES = ["accounts_department", "products_saleschannel", "kpis_metric"]


def reseed():
    """Idempotent (the seed functions use get_or_create); emptied tables restart their ids at 1 so that the rows
    get the same ids as in a fresh test database (some tests refer to a channel by its id)."""
    from django.apps import apps
    from django.db import connection

    with connection.cursor() as cursor:
        for table in SEEDED_TABLES:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if not cursor.fetchone()[0]:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1, false)")
    for module, function in SEEDS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def reseeded(transactional_db):
    reseed()


@pytest.fixture(scope="module")
def reseed_after_module(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        reseed()
