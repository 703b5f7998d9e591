"""Monthly partitions of the observation table on PostgreSQL (declarative range partitioning by `date`).

`kpis_observation` is the partitioned parent; `kpis_observation_pYYYYMM` holds one month; the default partition
catches a date whose month has no partition yet. Partitions are created ahead by the beat
(`kpis.tasks.ensure_observation_partitions`) and for the months of every ingested batch, so a month's snapshot
reads only its own partitions and an old year can be detached (`ALTER TABLE … DETACH PARTITION`) without touching
the rest. On SQLite (`make run`) the table is a plain table and these functions do nothing.
"""
from datetime import date

from django.db import connection, transaction

from .periods import add_months

PARENT = "kpis_observation"
DEFAULT_PARTITION = "kpis_observation_default"
MONTHS_AHEAD = 3
# Serialises partition creation between concurrent ingestions and the beat (pg_advisory_xact_lock key).
_LOCK_KEY = 0x6B706973  # "kpis"


def is_partitioned() -> bool:
    return connection.vendor == "postgresql"


def partition_name(month: date) -> str:
    return f"{PARENT}_p{month.year:04d}{month.month:02d}"


def existing_partitions() -> set[str]:
    """Names of the month partitions attached to the parent."""
    if not is_partitioned():
        return set()
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass""", [PARENT])
        return {name for (name,) in cursor.fetchall() if name != DEFAULT_PARTITION}


def months_between(first: date, last: date) -> list[date]:
    """First days of every month from first's month through last's month."""
    month, end, months = first.replace(day=1), last.replace(day=1), []
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def observation_partitions_ensure(*, first: date | None = None, last: date | None = None,
                                  days: set[date] | None = None) -> list[str]:
    """Create the missing month partitions for [first's month, last's month], or for the months of `days` only
    (a batch naming one day in 1970 and one in 2099 needs two partitions, not 1,560); returns the names created.

    Rows of those months already sitting in the default partition move into their new partition in the same
    transaction, so nothing is left behind in the default.
    """
    if not is_partitioned():
        return []
    months = {day.replace(day=1) for day in days} if days is not None else months_between(first, last)
    wanted = {partition_name(m): m for m in months}
    if not set(wanted) - existing_partitions():
        return []
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        missing = sorted(set(wanted) - existing_partitions())
        for name in missing:
            _create_partition(cursor, name, wanted[name])
            created.append(name)
    return created


def _create_partition(cursor, name: str, month: date) -> None:
    start, end = month, add_months(month, 1)
    bounds = f"FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE date >= %s AND date < %s)", [start, end])
    if not cursor.fetchone()[0]:
        cursor.execute(f"CREATE TABLE {name} PARTITION OF {PARENT} FOR VALUES {bounds}")
        return
    cursor.execute(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    cursor.execute(f"""
        WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE date >= %s AND date < %s RETURNING *)
        INSERT INTO {name} SELECT * FROM moved""", [start, end])
    cursor.execute(f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES {bounds}")


def observation_partitions_ahead(*, today: date, months: int = MONTHS_AHEAD) -> list[str]:
    """The beat's job: this month's and the next `months` months' partitions exist before their data arrives."""
    return observation_partitions_ensure(first=today, last=add_months(today.replace(day=1), months))


def partition_of(*, product_id: int, metric_id: int, day: date) -> str | None:
    """Which table holds an observation (for tests and operators); None on SQLite."""
    if not is_partitioned():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {PARENT} WHERE product_id = %s AND metric_id = %s "
                       "AND date = %s", [product_id, metric_id, day])
        row = cursor.fetchone()
    return row[0] if row else None
