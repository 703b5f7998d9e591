"""The demo data, seeded once per test database and copied back into it for each test that needs it.

`seed_demo` walks some sixty products through their gates with every service (about 19,000 queries, over 30 s
on two cores), and the browser tests and the API fuzzing each want the whole demo. The first of them in a session
seeds it for real (committed), copies every table into the schema `demo_snapshot` and empties the tables again
the way a transactional test does; each test then gets the same rows back in a fraction of a second. Triggers are
off while the rows are copied back (`session_replication_role = replica`): the rows already are what the triggers
made of them (row counts, the audit chain), and the append-only guards would refuse the emptying.
"""
import os

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction

from tests.reference_data import reseed

SCHEMA = "demo_snapshot"
COLUMNS_SQL = """SELECT table_name, string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
                   FROM information_schema.columns
                  WHERE table_schema = 'public' AND is_generated = 'NEVER' GROUP BY table_name"""
# Each table's stored columns (generated ones, such as a requirement's RICE score, are computed on insert).
_columns: dict[str, str] = {}


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def take() -> None:
    """Seed the demo into the test database, copy every table aside, then empty the database again."""
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    with connection.cursor() as cursor:
        cursor.execute(COLUMNS_SQL)
        stored = dict(cursor.fetchall())
        _columns.clear()
        _columns.update((table, stored[table]) for table in _tables())
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        for table, columns in _columns.items():
            cursor.execute(f'CREATE TABLE {SCHEMA}."{table}" AS SELECT {columns} FROM public."{table}"')
        cursor.execute(f"CREATE TABLE {SCHEMA}._sequences AS SELECT sequencename, last_value FROM pg_sequences "
                       "WHERE schemaname = 'public' AND last_value IS NOT NULL")
    empty()


def empty() -> None:
    """Empty every table as a transactional test's teardown does, then put the reference rows back."""
    call_command("flush", interactive=False, verbosity=0)  # post_migrate puts content types and permissions back
    reseed()


def restore() -> None:
    """Replace whatever the tables hold with the demo, in one transaction (a test's own, if it runs in one)."""
    assert _columns, "demo_snapshot.take() has not run in this process"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table, columns in _columns.items():
            cursor.execute(f'DELETE FROM public."{table}"')
            cursor.execute(f'INSERT INTO public."{table}" ({columns}) SELECT {columns} FROM {SCHEMA}."{table}"')
        # Never move a sequence back: rows committed before the snapshot was taken may still hold higher ids.
        cursor.execute(f"""SELECT setval(format('public.%I', s.sequencename), greatest(s.last_value,
                               coalesce(p.last_value, 0)))
                             FROM {SCHEMA}._sequences s
                             JOIN pg_sequences p ON p.schemaname = 'public' AND p.sequencename = s.sequencename""")
        cursor.execute("SET LOCAL session_replication_role = origin")
    ContentType.objects.clear_cache()  # the demo's content types have the ids they had when it was seeded
