"""Settings switch on the environment; production passes `check --deploy` cleanly."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
    "'broker': s.CELERY_BROKER_URL, 'debug': s.DEBUG}))"
)


def run(env, *args):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_", "DJANGO_"))}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
                          timeout=120)


def probe(env):
    result = run({"DJANGO_SETTINGS_MODULE": "bankpm.settings.local", **env}, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_default_is_sqlite_with_eager_tasks():
    assert probe({}) == {"engine": "django.db.backends.sqlite3", "eager": True, "broker": "", "debug": False}


def test_debug_pages_need_the_explicit_switch():
    assert probe({"DJANGO_DEBUG": "1"})["debug"] is True


def test_database_and_broker_urls_switch_to_postgresql_and_redis():
    config = probe({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"})
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["eager"] is False
    assert config["broker"] == "redis://127.0.0.1:6379/0"


def test_production_settings_pass_check_deploy_without_warnings():
    env = {
        "DJANGO_SETTINGS_MODULE": "bankpm.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
        "DJANGO_ALLOWED_HOSTS": "bankpm.example",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    }
    result = run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {"DJANGO_SETTINGS_MODULE": "bankpm.settings.production", "DJANGO_ALLOWED_HOSTS": "bankpm.example"}
    result = run(env, "manage.py", "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_chinese_is_the_default_whatever_the_browser_prefers(client, pm):
    client.force_login(pm)
    body = client.get("/products/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "产品目录" in body


API_MAP_PROBE = (
    "import django, json; django.setup(); from django.test import Client; c = Client(HTTP_HOST='bankpm.example'); "
    "print(json.dumps([c.get(p, secure=True).status_code for p in ('/api/schema/', '/api/docs/')]))"
)


def test_in_production_the_api_schema_and_docs_need_a_signed_in_user():
    env = {
        "DJANGO_SETTINGS_MODULE": "bankpm.settings.production", "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "bankpm.example", "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
    }
    result = run(env, "-c", API_MAP_PROBE)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [401, 401]
