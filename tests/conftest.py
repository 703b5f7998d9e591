"""Suite-wide fixtures. The suite runs only against real PostgreSQL and Redis: it stops at once otherwise."""
import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections

from tests import demo_snapshot
from tests.factories import UserFactory, reviewers_by_department
from tests.reference_data import MIGRATED, reference_rows, reseed

START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
START_REDIS = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)


def _check_postgres():
    import psycopg

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return f"DATABASE_URL must point to PostgreSQL for the tests, not {db['ENGINE']}"
    try:
        psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
                        dbname="postgres", connect_timeout=3).close()
    except psycopg.OperationalError as error:
        where = f"{db['HOST']}:{db['PORT'] or 5432}"
        return f"PostgreSQL is unreachable at {where} ({error}). Start it with: {START_POSTGRES}"
    return None


def _check_redis():
    import redis

    url = settings.CELERY_BROKER_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        return f"Redis is unreachable at {url} ({error}). Start it with: {START_REDIS}"
    return None


def pytest_sessionstart(session):
    problems = [p for p in (_check_postgres(), _check_redis()) if p]
    if problems:
        pytest.exit("\n".join(problems), returncode=3)


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    return bool({"transactional_db", "live_server"} & set(item.fixturenames)) or bool(
        marker and marker.kwargs.get("transaction")
    )


@pytest.fixture(autouse=True)
def _default_language():
    """A page request activates its language for the whole thread; every test starts in the default one, whatever
    the test before it asked for."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A database kept from an earlier run (--reuse-db) may have been left flushed: seed it once per session."""
    with django_db_blocker.unblock():
        MIGRATED.update(reference_rows())
        reseed()
        connections.close_all()


@pytest.fixture(scope="session")
def demo_snapshot_taken(django_db_setup, django_db_blocker):
    """The demo, seeded once per test database (see tests/demo_snapshot.py); tests ask for it through
    `demo_data` (browser tests) or the API fuzzing's tokens, which copy it back."""
    with django_db_blocker.unblock():
        demo_snapshot.take()
        connections.close_all()


@pytest.fixture
def demo_data(request, demo_snapshot_taken):
    """The demo's rows: copied back inside the test's transaction, or committed for a transactional test."""
    if not _is_transactional(request.node):
        request.getfixturevalue("db")
    demo_snapshot.restore()
    yield
    ContentType.objects.clear_cache()  # a rollback or flush takes the demo's content types away again


@pytest.fixture(scope="module")
def demo_data_for_module(demo_snapshot_taken, django_db_blocker):
    """The demo committed for a whole module of tests that each roll their own changes back (the API fuzzing,
    whose every operation wants it), then emptied again."""
    with django_db_blocker.unblock():
        demo_snapshot.restore()
    yield
    with django_db_blocker.unblock():
        demo_snapshot.empty()
        connections.close_all()
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests (live server, real threads, a real worker) start with the reference rows in place."""
    if _is_transactional(request.node):
        request.getfixturevalue("transactional_db")
        reseed()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with a flush that empties every table, the reference rows included: put them back
    once its teardown is over, so that no later test depends on which transactional test ran before it."""
    result = yield
    if nextitem is not None and _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            reseed()
            connections.close_all()
    return result


@pytest.fixture
def make_user(db):
    return UserFactory


@pytest.fixture
def pm(db):
    return UserFactory(role="product_manager", username="pm_a")


@pytest.fixture
def other_pm(db):
    return UserFactory(role="product_manager", username="pm_b")


@pytest.fixture
def head(db):
    return UserFactory(role="head_of_product", username="head_a")


@pytest.fixture
def admin_user(db):
    return UserFactory(role="administrator", username="admin_a", is_superuser=True, is_staff=True)


@pytest.fixture
def reviewer(db):
    return UserFactory(role="reviewer", username="risk_a", departments=["risk"])


@pytest.fixture
def owner(db):
    """The product manager who owns the products of a test (changes, lifecycle, exits, risks, roadmap)."""
    return UserFactory(username="owner_pm", role="product_manager", departments=["product"])


@pytest.fixture
def reviewers(db):
    """One reviewer per reviewing department, keyed by department code."""
    return reviewers_by_department()


@pytest.fixture
def executive(db):
    return UserFactory(role="senior_management", username="exec_a", departments=["senior_management"])


@pytest.fixture(autouse=True)
def _security_policy_not_cached():
    """The security policy is cached per process; a test's own policy row must not outlive its rolled-back test."""
    from django.core.cache import cache

    from accounts.models import SecurityPolicy

    cache.delete(SecurityPolicy.CACHE_KEY)
    yield
    cache.delete(SecurityPolicy.CACHE_KEY)
