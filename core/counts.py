"""Exact row counts of large tables without scanning them, for the pagination of unfiltered lists.

A list page of 50 rows out of 100,000 spent more time in `SELECT COUNT(*)` (an index scan of every row) than in
everything else. On PostgreSQL the tables in COUNTED_TABLES carry statement-level triggers (installed by their
app's migration with `install_sql`) that insert one `core_rowcountdelta` row per INSERT or DELETE statement with
the number of rows it added or removed, and clear the table's deltas on TRUNCATE; the table's count is the sum of
its deltas, exact and transactional (a delta commits or rolls back with its rows, and a statement sees exactly the
deltas of the rows it sees). The beat folds each table's deltas into one row so that the sum stays small.
Filtered lists still count their rows (`CountedPaginator` only answers for an unfiltered queryset).
"""
from django.core.paginator import Paginator
from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNTED_TABLES = frozenset({"requirements_requirement"})

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION core_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO core_rowcountdelta ("table", delta) SELECT TG_TABLE_NAME, count(*) FROM counted_rows
      HAVING count(*) > 0;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO core_rowcountdelta ("table", delta) SELECT TG_TABLE_NAME, -count(*) FROM counted_rows
      HAVING count(*) > 0;
  ELSE
    DELETE FROM core_rowcountdelta WHERE "table" = TG_TABLE_NAME;
  END IF;
  RETURN NULL;
END $$;
"""


def install_sql(table: str) -> str:
    """The triggers that keep `table`'s count, and its first delta (the rows it has now)."""
    return f"""
    CREATE TRIGGER {table}_count_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS counted_rows
      FOR EACH STATEMENT EXECUTE FUNCTION core_count_rows();
    CREATE TRIGGER {table}_count_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS counted_rows
      FOR EACH STATEMENT EXECUTE FUNCTION core_count_rows();
    CREATE TRIGGER {table}_count_truncate AFTER TRUNCATE ON {table}
      FOR EACH STATEMENT EXECUTE FUNCTION core_count_rows();
    DELETE FROM core_rowcountdelta WHERE "table" = '{table}';
    INSERT INTO core_rowcountdelta ("table", delta) SELECT '{table}', count(*) FROM {table};
    """


def uninstall_sql(table: str) -> str:
    return f"""
    DROP TRIGGER IF EXISTS {table}_count_insert ON {table};
    DROP TRIGGER IF EXISTS {table}_count_delete ON {table};
    DROP TRIGGER IF EXISTS {table}_count_truncate ON {table};
    DELETE FROM core_rowcountdelta WHERE "table" = '{table}';
    """


def _counted(queryset) -> bool:
    query = queryset.query
    return (connections[queryset.db].vendor == "postgresql" and queryset.model._meta.db_table in COUNTED_TABLES
            and not query.where and not query.distinct and not query.combinator and not query.group_by
            and query.low_mark == 0 and query.high_mark is None)


def table_count(model, using: str = "default") -> int:
    """The exact number of rows of a counted table (PostgreSQL), from its deltas."""
    with connections[using].cursor() as cursor:
        cursor.execute('SELECT coalesce(sum(delta), 0) FROM core_rowcountdelta WHERE "table" = %s',
                       [model._meta.db_table])
        return int(cursor.fetchone()[0])


def compact_row_counts(using: str = "default") -> None:
    """Fold each counted table's deltas into one row (the beat; concurrent writers' deltas are left alone)."""
    if connections[using].vendor != "postgresql":
        return
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for table in sorted(COUNTED_TABLES):
            cursor.execute(
                'WITH gone AS (DELETE FROM core_rowcountdelta WHERE "table" = %s RETURNING delta) '
                'INSERT INTO core_rowcountdelta ("table", delta) SELECT %s, coalesce(sum(delta), 0) FROM gone',
                [table, table])


class CountedPaginator(Paginator):
    """Django's Paginator, counting an unfiltered queryset of a counted table from its deltas."""

    @cached_property
    def count(self):
        if isinstance(self.object_list, QuerySet) and _counted(self.object_list):
            return table_count(self.object_list.model, using=self.object_list.db)
        return super().count
