"""Rows that data migrations seed (departments, sales channels, gate policy, metric definitions).

A transactional test (live server, real threads, real Celery worker) ends with a flush that empties every table,
these rows included. tests/conftest.py puts them back with their original ids before each such test, after its
flush, and once per session (a database kept with --reuse-db may have been left flushed), so that no test depends
on which transactional test ran before it. This is the suite's one way of seeding reference rows.
"""
import importlib

SEEDS = [
    ("accounts.migrations.0002_departments", "create_departments"),
    ("products.migrations.0002_sales_channels", "create_channels"),
    ("lifecycle.migrations.0002_seed_policy_and_audit_trigger", "seed"),
    ("changes.migrations.0002_seed_change_policy", "seed"),
    ("kpis.migrations.0002_seed_metrics", "seed"),
    ("kpis.migrations.0003_metric_unit_en", "fill_units"),
    ("kpis.migrations.0005_metric_formula", "fill_formulas"),
    ("risks.migrations.0002_seed_matrix_and_requirements", "seed"),
    ("exits.migrations.0002_seed_defaults", "seed"),
    ("kpis.migrations.0008_metric_value_kind_and_range", "fill_kinds_and_ranges"),
    ("complaints.migrations.0002_seed_response_policy", "seed"),
    ("reviews.migrations.0002_seed_cadence_and_policy", "seed"),
    ("risks.migrations.0003_risk_acceptance_on_the_engine", "forward"),
]
SEEDED_TABLES = ["accounts_department", "products_saleschannel", "kpis_metric", "risks_risklevelmatrix",
                 "risks_riskcategoryrequirement", "complaints_responsepolicy", "reviews_cadencepolicy"]


def reseed():
    from django.apps import apps
    from django.db import connection

    with connection.cursor() as cursor:
        for table in SEEDED_TABLES:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if not cursor.fetchone()[0]:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1, false)")
    for module, function in SEEDS:
        getattr(importlib.import_module(module), function)(_LiveApps(apps), None)


# Models that moved app since the seeding migrations were written: the seeds name them by their old app.
MOVED = {("lifecycle", "gatepolicy"): "approvals"}


class _LiveApps:
    """The live app registry as the seeding migrations address it."""

    def __init__(self, apps):
        self.apps = apps

    def get_model(self, app_label, model_name):
        return self.apps.get_model(MOVED.get((app_label, model_name.lower()), app_label), model_name)


# What migrate left in the reference tables, recorded once per session before anything is flushed (see
# tests/test_reference_data.py). Ids are left out: content types and permissions come back with new ones.
MIGRATED: dict[str, list] = {}
NOT_REFERENCE = {"django_migrations", "django_content_type", "auth_permission", "core_rowcountdelta"}


def reference_rows() -> dict[str, list]:
    from django.db import connection

    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(set(connection.introspection.django_table_names(only_existing=True)) - NOT_REFERENCE):
            cursor.execute(f'SELECT * FROM "{table}"')
            names = [column.name for column in cursor.description]
            found = sorted(repr({n: v for n, v in zip(names, row, strict=True) if n != "id"})
                           for row in cursor.fetchall())
            if found:
                rows[table] = found
    return rows
