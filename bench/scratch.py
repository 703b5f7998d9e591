"""Scratch databases for the benchmarks: `<DATABASE_URL name>_<suffix>`, created empty and dropped afterwards."""
import os
from urllib.parse import urlparse, urlunparse


def _admin(url):
    import psycopg

    return psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username, password=url.password,
                           dbname="postgres", autocommit=True)


def scratch_database(suffix: str):
    """Create the scratch database afresh and point DATABASE_URL at it; returns (server url, database name)."""
    url = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bankpm"))
    name = f"{url.path.lstrip('/')}_{suffix}"
    with _admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunparse(url._replace(path="/" + name))
    return url, name


def drop(url, name: str) -> None:
    with _admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
