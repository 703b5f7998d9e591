"""The benchmark's independent reference for the backlog API: the same 50-row JSON page (same fields, same order,
same total count) written by hand with psycopg and json, no Django, no DRF.

It does what a minimal hand-written service does per request: look the token up, `SELECT count(*)` (a plain
count, as a naive implementation would), fetch the page in one statement and dump it. Used in-process
(`page_json`) and as a WSGI application under gunicorn (`application`), so that each BankPM measure has a
reference taken in the same run, on the same loaded machine. Nothing here imports the project.
"""
import json
import os
from urllib.parse import parse_qs

import psycopg

PAGE_SQL = """
SELECT r.id, r.product_id, p.code, r.title, r.description, r.source, r.type, r.requester, r.assignee_id, r.priority,
       ARRAY(SELECT t.name FROM requirements_tag t JOIN requirements_requirement_tags rt ON rt.tag_id = t.id
             WHERE rt.requirement_id = r.id ORDER BY t.name),
       r.due_date, r.target_version_id, r.reach, r.impact, r.confidence, r.effort, r.rice_score, r.status,
       r.status_reason, r.delivered_at, (SELECT count(*) FROM requirements_feedback f WHERE f.requirement_id = r.id),
       r.created_at, r.updated_at
FROM requirements_requirement r JOIN products_product p ON p.id = r.product_id
ORDER BY r.rice_score DESC, r.id DESC LIMIT %s OFFSET %s
"""
TOKEN_SQL = ("SELECT u.id FROM authtoken_token t JOIN accounts_user u ON u.id = t.user_id "
             "WHERE t.key = %s AND u.is_active")
KEYS = ["id", "product", "product_code", "title", "description", "source", "type", "requester", "assignee",
        "priority", "tags", "due_date", "target_version", "reach", "impact", "confidence", "effort", "rice_score",
        "status", "status_reason", "delivered_at", "feedback_count", "created_at", "updated_at"]


def connect():
    conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    conn.execute("SET TIME ZONE 'Asia/Shanghai'")
    return conn


def _iso(value):
    return None if value is None else value.isoformat()


def page_json(conn, token: str, base: str, page: int = 1, size: int = 50) -> bytes | None:
    """The page as JSON bytes, or None when the token is unknown."""
    if conn.execute(TOKEN_SQL, [token]).fetchone() is None:
        return None
    total = conn.execute("SELECT count(*) FROM requirements_requirement").fetchone()[0]
    results = []
    for row in conn.execute(PAGE_SQL, [size, (page - 1) * size]):
        item = dict(zip(KEYS, row, strict=True))
        item["url"] = f"{base}/api/v1/requirements/{item['id']}/"
        item["impact"] = float(item["impact"])
        item["effort"], item["rice_score"] = f"{item['effort']:f}", f"{item['rice_score']:.2f}"
        for key in ("due_date", "delivered_at", "created_at", "updated_at"):
            item[key] = _iso(item[key])
        results.append(item)
    last = (total + size - 1) // size
    body = {"count": total, "next": f"{base}/api/v1/requirements/?page={page + 1}" if page < last else None,
            "previous": None if page == 1 else f"{base}/api/v1/requirements/?page={page - 1}", "results": results}
    return json.dumps(body, ensure_ascii=False).encode()


_conn = None


def application(environ, start_response):
    """WSGI: one connection per worker process, kept (what CONN_MAX_AGE does for Django)."""
    global _conn
    if _conn is None:
        _conn = connect()
    token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Token ")
    page = int(parse_qs(environ.get("QUERY_STRING", "")).get("page", ["1"])[0])
    body = page_json(_conn, token, f"http://{environ.get('HTTP_HOST', 'localhost')}", page=page)
    if body is None:
        start_response("401 Unauthorized", [("Content-Type", "application/json")])
        return [b'{"detail": "unauthorized"}']
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
