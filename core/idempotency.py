"""Idempotent POSTs: `Idempotency-Key` on the API's creating and deciding endpoints.

The same user, key and body (method, path, query and raw bytes) within `IDEMPOTENCY_TTL` answer the first response
again, marked `Idempotent-Replayed: true`, and nothing is done; the same key with another body is 422. Only a
success (2xx) is kept: a refused request changes nothing, so it may be retried under its key once corrected.

Concurrency: the (user, key) row is inserted with ON CONFLICT DO NOTHING inside the request's transaction, before
the work. PostgreSQL makes a second insert of the same key wait for the first transaction; once it commits, the
second finds the stored answer and replays it; if it rolled back, the second does the work.
"""
import hashlib
import re
from datetime import timedelta
from functools import wraps

from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
IDEMPOTENCY_TTL = timedelta(hours=24)
# Printable ASCII, as the IETF draft's examples (UUIDs, random tokens); a header value cannot carry more anyway.
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")

KEY_PARAMETER = OpenApiParameter(
    HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    pattern=KEY_PATTERN.pattern,
    description="Optional, 1–255 printable ASCII characters (a UUID is ideal). The same key and body within 24 h "
                "answer the first success again (`Idempotent-Replayed: true`) without doing anything; the same key "
                "with another body is 422. Keys are per user.")
KEY_MISMATCH = "This Idempotency-Key was used with another request body in the last 24 hours; nothing was done."


class IdempotencyKeyReused(exceptions.APIException):
    """422: the key was already used for another request."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


def request_fingerprint(request) -> str:
    """SHA-256 of the method, path with query string and the raw body."""
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.get_full_path().encode(), request.body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def idempotency_key(request) -> str | None:
    """The request's key, or None; a malformed key is a 400 that names the header."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_PATTERN.match(key):
        raise exceptions.ValidationError({HEADER: [_("幂等键须为 1–255 个可打印 ASCII 字符。")]})
    return key


def idempotency_claim(*, user, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """Claim (user, key) in the caller's transaction: None when claimed now (the caller does the work), else the
    stored record (after waiting for a concurrent holder). An expired record is removed first."""
    now = timezone.now()
    IdempotencyRecord.objects.filter(user=user, key=key, created_at__lt=now - IDEMPOTENCY_TTL).delete()
    table = IdempotencyRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, key, fingerprint, status_code, content_type, body, created_at) "
            "VALUES (%s, %s, %s, NULL, '', %s, %s) ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
            [user.pk, key, fingerprint, b"", now],
        )
        if cursor.fetchone():
            return None
    return IdempotencyRecord.objects.get(user=user, key=key)


def idempotency_store(*, user, key: str, response) -> None:
    """Keep a successful response's rendered body for replays."""
    body = JSONRenderer().render(response.data) if response.data is not None else b""
    IdempotencyRecord.objects.filter(user=user, key=key).update(
        status_code=response.status_code, content_type="application/json" if body else "", body=body)


def _replay(record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(_("该幂等键已用于另一个请求（24 小时内），未执行任何操作。"))
    response = HttpResponse(bytes(record.body), status=record.status_code,
                            content_type=record.content_type or None)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(view_method):
    """Make a DRF view method (post, create or an @action) honour `Idempotency-Key`; the schema then documents the
    header and the 422."""

    @wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = idempotency_key(request)
        if key is None:
            return view_method(self, request, *args, **kwargs)
        fingerprint = request_fingerprint(request)
        with transaction.atomic():
            record = idempotency_claim(user=request.user, key=key, fingerprint=fingerprint)
            if record is not None:
                return _replay(record, fingerprint)
            response = view_method(self, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                idempotency_store(user=request.user, key=key, response=response)
            else:
                transaction.set_rollback(True)  # a refusal keeps nothing, the claim included
            return response

    # The schema reads this mark (bankpm.api.schema.AutoSchema): the header parameter, and the 422.
    wrapper.idempotent = True
    return wrapper


class IdempotentCreateMixin:
    """A viewset or generic view whose `create` honours `Idempotency-Key`."""

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


def idempotency_purge() -> int:
    """Remove records past the replay window; returns how many."""
    deleted, _count = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - IDEMPOTENCY_TTL).delete()
    return deleted
