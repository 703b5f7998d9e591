"""The COPY references of the ingestion benchmarks: the same rows COPYed into a freshly created keyed table, in
PostgreSQL's text format and in its binary format (each value sent in its binary form, `set_types`), timed one after
the other; the faster of the two is the reference. psycopg only, independent of the project's code."""
import time


def time_copy_formats(cursor, *, table: str, create: str, types: list[str], rows) -> dict[str, float]:
    """Seconds of each format for COPYing `rows` (an iterable made afresh for each format by calling `rows()`) into
    `table`, created by `create` before each and dropped after; each COPY is one transaction, committed."""
    from django.db import transaction

    seconds = {}
    for fmt in ("text", "binary"):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(create)
        start = time.perf_counter()
        with transaction.atomic():
            options = " (FORMAT BINARY)" if fmt == "binary" else ""
            with cursor.copy(f"COPY {table} FROM STDIN{options}") as copy:
                if fmt == "binary":
                    copy.set_types(types)
                for row in rows():
                    copy.write_row(row)
        seconds[fmt] = time.perf_counter() - start
        cursor.execute(f"DROP TABLE {table}")
    return seconds
