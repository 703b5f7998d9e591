"""Helpers shared by the whole suite: clients signed in as a user, query counting, and threads that race.

Data builders (factories, observations, targets, walking a product through its gates) live in tests/factories.py;
rows the data migrations seed are put back by tests/conftest.py (see tests/reference_data.py). Test modules import
from these three modules only, never from one another.
"""
import os
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

# Hypothesis runs (the API fuzzing, the ingestion's property test) draw the same cases on every CI run, so a case
# found by chance never turns CI red at random; BANKPM_FUZZ_RANDOM=1 draws new ones (a developer's exploring run).
FUZZ_DERANDOMIZED = os.environ.get("BANKPM_FUZZ_RANDOM", "") != "1"


def api(user) -> APIClient:
    """A REST client authenticated as `user` (no session, no CSRF: what another bank system would use)."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def login(client, user):
    """Sign the page client in as `user` and hand it back, so that a request can follow on the same line."""
    client.force_login(user)
    return client


def count_queries(call: Callable[[], Any]) -> tuple[Any, int]:
    """Run `call` and return its result with the number of SQL queries it made."""
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return result, len(ctx)


def queries(client, url: str, status: int = 200) -> int:
    """The number of SQL queries a GET of `url` makes; the answer must have `status`."""
    response, count = count_queries(lambda: client.get(url))
    assert response.status_code == status, (url, response.status_code, response.content[:500])
    return count


def assert_constant_queries(client, url: str, grow: Callable[[], Any], status: int = 200) -> None:
    """GET `url`, `grow()` the data behind it, GET again: the query count must not change."""
    few = queries(client, url, status)
    grow()
    lots = queries(client, url, status)
    assert lots == few, f"{url}: {few} queries before, {lots} after the data grew"


def rows(*models) -> dict[str, list[dict]]:
    """Every row of every model, as plain values in primary-key order (what "nothing changed" compares)."""
    return {model._meta.label: list(model._base_manager.order_by("pk").values()) for model in models}


@contextmanager
def assert_unchanged(*models):
    """The block must leave every row of `models` exactly as it found it (a refused action writes nothing)."""
    before = rows(*models)
    yield
    after = rows(*models)
    for label in before:
        assert after[label] == before[label], f"{label} changed"


def written_tables() -> list:
    """Every table a request could write: the managed, concrete models of every installed app (the project's, the
    users, tokens, sessions and history of the libraries), one entry per table (proxies left out)."""
    from django.apps import apps

    seen, found = set(), []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and meta.db_table not in seen:
            seen.add(meta.db_table)
            found.append(model)
    return found


def table_states(models) -> dict[str, tuple[int, str]]:
    """Each model's table as (row count, checksum of its rows), in one query (PostgreSQL: the md5 of every row's
    text, in order): what "nothing changed" compares over many tables without loading their rows."""
    parts = [f"SELECT %s, count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
             f"FROM {connection.ops.quote_name(model._meta.db_table)} t" for model in models]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), [model._meta.label for model in models])
        return {label: (count, digest) for label, count, digest in cursor.fetchall()}


@contextmanager
def assert_nothing_written(models=None):
    """The block must leave every table of `models` (default: every table, see written_tables) as it found it:
    same rows, same values. A refused request writes nothing, wherever it might have."""
    models = list(models) if models is not None else written_tables()
    before = table_states(models)
    yield
    after = table_states(models)
    changed = sorted(label for label in before if after[label] != before[label])
    assert not changed, f"tables changed: {changed}"


@dataclass
class Outcome:
    """What one racing thread ended with: its return value, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None
    finished: bool = False


def race(*functions: Callable[[], Any], timeout: float = 60) -> list[Outcome]:
    """Start every function in its own thread, released together by a barrier; one Outcome each, in order.

    A worker's exception is kept in its Outcome (never hidden behind a None result); a worker still running after
    `timeout` seconds is reported as unfinished. Each thread closes its own database connection.
    """
    barrier = threading.Barrier(len(functions))
    outcomes = [Outcome() for _ in functions]

    def run(index, function):
        try:
            barrier.wait(timeout)
            outcomes[index].value = function()
        except BaseException as error:  # noqa: BLE001 - handed back to the test, which asserts on it
            outcomes[index].error = error
        finally:
            outcomes[index].finished = True
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f), daemon=True) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return outcomes


def race_values(worker: Callable[[int], Any], count: int, timeout: float = 60) -> list[Any]:
    """Run `worker(i)` for i in range(count) at once and return the values; any worker's failure fails the test."""
    outcomes = race(*(lambda i=i: worker(i) for i in range(count)), timeout=timeout)
    stuck = [i for i, o in enumerate(outcomes) if not o.finished]
    failed = [(i, o.error) for i, o in enumerate(outcomes) if o.error is not None]
    assert not stuck, f"workers {stuck} still running after {timeout}s"
    if failed:
        index, first = failed[0]
        raise AssertionError(f"{len(failed)} of {count} workers raised; worker {index}: {first!r}") from first
    return [o.value for o in outcomes]


def pdf_text(content: bytes) -> str:
    """The text of a PDF as poppler's pdftotext reads it (layout kept, so table rows stay on one line)."""
    import subprocess

    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True,
                          timeout=60).stdout.decode()


def pdf_first_page_png(content: bytes, name: str):
    """The PDF's first page as a PNG kept with the browser tests' screenshots (pdftoppm, 80 dpi)."""
    import subprocess
    from pathlib import Path

    folder = Path(__file__).parent / "e2e" / "screenshots"
    folder.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", "-", str(folder / name)],
                   input=content, check=True, timeout=60)
    return folder / f"{name}.png"
