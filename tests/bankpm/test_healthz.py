import time


def test_healthz_reports_database_and_broker_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_reports_an_unreachable_broker_with_503(client, db, settings, monkeypatch):
    from bankpm.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")  # Celery prefers the variable to its conf
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    app._pool = None
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started
    app._pool = None
    assert elapsed < 1.0
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
    assert response.json()["database"] == "ok"


def test_api_paths_answer_404_in_json(client, pm):
    client.force_login(pm)
    response = client.get("/api/v1/products/not-a-number/deliverables/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}
