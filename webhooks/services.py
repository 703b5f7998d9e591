"""Webhook rules: subscriptions, publishing events into the outbox, delivering, retrying, pausing, resending.

Lock order: a delivery row, then its subscription row.
"""
import json
import time
import uuid
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bankpm.broker import publish
from core.audit import audit_record, field_values
from core.roles import is_administrator

from . import transport
from .choices import DeliveryStatus, WebhookAuditAction
from .models import AllowedNetwork, Delivery, DeliveryAttempt, Event, Subscription, new_secret

RETRY_WINDOW = timedelta(days=1)  # retried with backoff for a day, then given up
PAUSE_AFTER = timedelta(days=1)  # a subscription failing this long is paused
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=4)
ROTATION_OVERLAP = timedelta(hours=24)
EDITABLE = ("name", "target_url", "events", "active")


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … doubling after each failed attempt, at most 4 hours apart."""
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def allowed_networks() -> list[str]:
    return list(AllowedNetwork.objects.values_list("network", flat=True))


def target_check(url: str) -> None:
    """Refuse, when saved, a target that the delivery would refuse (the delivery checks again: DNS changes)."""
    try:
        transport.resolve(url, allowed_networks())
    except transport.TargetRefused as error:
        raise ValidationError({"target_url": str(error)}) from error


def _can_manage(user, subscription: Subscription) -> bool:
    """Administrators manage every subscription, an owner their own."""
    return is_administrator(user) or subscription.owner_id == user.pk


def subscription_can_create(user) -> bool:
    """Only administrators subscribe: pushing data out of the bank's app is their decision."""
    return is_administrator(user)


@transaction.atomic
def subscription_create(*, user, data: dict) -> Subscription:
    """Only administrators subscribe (pushing data out of the bank's app is their decision); the owner, who is
    notified when it is paused, is the administrator or the user they name. The secret is generated."""
    if not subscription_can_create(user):
        raise PermissionDenied(_("只有管理员可以创建 Webhook 订阅。"))
    owner = data.get("owner") or user
    subscription = Subscription(owner=owner, **{k: v for k, v in data.items() if k in EDITABLE})
    subscription.full_clean()
    target_check(subscription.target_url)
    subscription.save()
    audit_record(action=WebhookAuditAction.SUBSCRIPTION_CREATED, actor=user, obj=subscription,
                 to_value=subscription.target_url)
    return subscription


@transaction.atomic
def subscription_update(*, user, subscription: Subscription, data: dict) -> Subscription:
    """Edit name, target, events or the active flag; reactivating a paused subscription clears its failure run."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if not _can_manage(user, subscription):
        raise PermissionDenied(_("您无权修改该订阅。"))
    before = field_values(subscription, EDITABLE)
    for name in EDITABLE:
        if name in data:
            setattr(subscription, name, data[name])
    subscription.full_clean()
    if "target_url" in data:
        target_check(subscription.target_url)
    if subscription.active and not before["active"]:
        subscription.failing_since = subscription.paused_at = None
    subscription.save()
    from core.audit import audit_edit

    audit_edit(action=WebhookAuditAction.SUBSCRIPTION_UPDATED, actor=user, obj=subscription, before=before,
               fields=EDITABLE)
    return subscription


@transaction.atomic
def subscription_rotate_secret(*, user, subscription: Subscription,
                               overlap: timedelta = ROTATION_OVERLAP) -> Subscription:
    """A new secret; the old one keeps signing (a second `sha256=`) until the overlap ends."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if not _can_manage(user, subscription):
        raise PermissionDenied(_("您无权修改该订阅。"))
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_expires_at = timezone.now() + overlap
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    audit_record(action=WebhookAuditAction.SECRET_ROTATED, actor=user, obj=subscription,
                 to_value=f"{subscription.previous_secret_expires_at:%Y-%m-%d %H:%M}")
    return subscription


def signing_secrets(subscription: Subscription, now: datetime) -> list[str]:
    overlap = subscription.previous_secret and subscription.previous_secret_expires_at and \
        subscription.previous_secret_expires_at > now
    return [subscription.secret, subscription.previous_secret] if overlap else [subscription.secret]


@transaction.atomic
def webhook_event_publish(*, type: str, data: dict, occurred_at: datetime | None = None) -> Event | None:
    """Write the event and one delivery per active subscription to it, in the caller's transaction; the deliveries
    are queued after commit. Nothing is written when no one subscribes."""
    events = webhook_events_publish(events=[(type, data, occurred_at)])
    return events[0] if events else None


@transaction.atomic
def webhook_events_publish(*, events: list[tuple[str, dict, datetime | None]]) -> list[Event]:
    """Several (type, data, occurred_at) events at once: one read of the subscriptions, one insert of the events
    and one of their deliveries (what a computation opening many alerts publishes)."""
    # Filtered here, not by a JSON lookup: subscriptions are few, and SQLite (the embedded default) has no
    # `contains` on JSON.
    active = list(Subscription.objects.filter(active=True).values_list("pk", "events"))
    now = timezone.now()
    written, deliveries = [], []
    for type, data, occurred_at in events:
        subscriptions = [pk for pk, kinds in active if str(type) in kinds]
        if not subscriptions:
            continue
        event = Event(id=uuid.uuid4(), type=str(type), occurred_at=occurred_at or now,
                      data=json.loads(json.dumps(data, cls=DjangoJSONEncoder)))
        written.append(event)
        deliveries += [Delivery(event=event, subscription_id=pk, next_attempt_at=now) for pk in subscriptions]
    if not written:
        return []
    Event.objects.bulk_create(written)
    ids = [d.pk for d in Delivery.objects.bulk_create(deliveries)]
    transaction.on_commit(lambda: enqueue_deliveries(ids))
    return written


def enqueue_deliveries(ids: list[int]) -> None:
    """One task per delivery (a failure never re-sends the others); the beat sweeper picks up what the broker
    lost."""
    from .tasks import deliver_webhook

    for pk in ids:
        publish(lambda pk=pk: deliver_webhook.delay(pk), what=f"webhook delivery {pk}")


def event_body(event: Event, timestamp: int) -> bytes:
    """The JSON body: the event's id, type and time, the delivery's timestamp (signed with it) and the object."""
    return json.dumps({"id": str(event.id), "type": event.type, "time": event.occurred_at.isoformat(),
                       "timestamp": timestamp, "data": event.data}, ensure_ascii=False,
                      separators=(",", ":")).encode()


def delivery_attempt(*, delivery_id: int) -> Delivery | None:
    """Send a due pending delivery once and log it. Locks the row (skipping one a concurrent worker holds); the
    HTTP call happens outside the lock's transaction so that a slow target holds no database lock."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(skip_locked=True).select_related("event", "subscription")
                    .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now).first())
        if delivery is None:
            return None
        # Claimed: a second worker finds it not yet due until this attempt is logged.
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now + timedelta(minutes=5))
    subscription, event = delivery.subscription, delivery.event
    timestamp = int(now.timestamp())
    body = event_body(event, timestamp)
    headers = {transport.SIGNATURE_HEADER: transport.signature_header(signing_secrets(subscription, now), body),
               transport.TIMESTAMP_HEADER: str(timestamp), transport.EVENT_HEADER: event.type,
               "X-BankPM-Delivery": str(delivery.pk)}
    started = time.monotonic()
    outcome = transport.post(subscription.target_url, body, headers, allowed=allowed_networks())
    duration = int((time.monotonic() - started) * 1000)
    return _record(delivery=delivery, outcome=outcome, at=now, duration=duration)


@transaction.atomic
def _record(*, delivery: Delivery, outcome: transport.Outcome, at: datetime, duration: int) -> Delivery:
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    subscription = Subscription.objects.select_for_update().get(pk=delivery.subscription_id)
    DeliveryAttempt.objects.create(delivery=delivery, at=at, status_code=outcome.status_code, error=outcome.error,
                                   duration_ms=duration)
    delivery.attempts += 1
    delivery.first_attempt_at = delivery.first_attempt_at or at
    delivery.last_attempt_at, delivery.last_status_code, delivery.last_error = at, outcome.status_code, outcome.error
    if outcome.status_code is not None and 200 <= outcome.status_code < 300:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, None
        subscription.failing_since = None
        subscription.save(update_fields=["failing_since"])
    else:
        retry_at = at + backoff(delivery.attempts)
        if retry_at - delivery.first_attempt_at > RETRY_WINDOW:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = retry_at
        _note_failure(subscription, at)
    delivery.save()
    return delivery


def _note_failure(subscription: Subscription, at: datetime) -> None:
    """Start or extend the failure run; a run longer than PAUSE_AFTER pauses the subscription, audited, and its
    owner is notified."""
    if subscription.failing_since is None:
        subscription.failing_since = at
        subscription.save(update_fields=["failing_since"])
        return
    if subscription.active and at - subscription.failing_since >= PAUSE_AFTER:
        subscription.active, subscription.paused_at = False, at
        subscription.save(update_fields=["active", "paused_at"])
        audit_record(action=WebhookAuditAction.SUBSCRIPTION_PAUSED, obj=subscription, to_value=subscription.name)
        from notifications.services import notify

        notify(recipients=[subscription.owner], title_code=gettext_noop("Webhook 订阅已暂停：%(name)s"),
               body_code=gettext_noop("%(url)s 自 %(since)s 起持续投递失败超过一天，订阅已暂停。修复后请重新启用。"),
               params={"name": subscription.name, "url": subscription.target_url,
                       "since": f"{subscription.failing_since:%Y-%m-%d %H:%M}"})


@transaction.atomic
def delivery_resend(*, user, delivery: Delivery) -> Delivery:
    """Make a delivery pending again (a new day of retries) and queue it; audited."""
    delivery = Delivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
    if not _can_manage(user, delivery.subscription):
        raise PermissionDenied(_("您无权重新发送该投递。"))
    delivery.status, delivery.next_attempt_at, delivery.first_attempt_at = DeliveryStatus.PENDING, timezone.now(), None
    delivery.save(update_fields=["status", "next_attempt_at", "first_attempt_at"])
    audit_record(action=WebhookAuditAction.DELIVERY_RESENT, actor=user, obj=delivery, to_value=str(delivery.event_id))
    transaction.on_commit(lambda: enqueue_deliveries([delivery.pk]))
    return delivery


def due_deliveries(*, limit: int = 500) -> list[int]:
    """Pending deliveries whose next attempt is due (retries, and any the broker lost)."""
    return list(Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now(),
                                        subscription__active=True)
                .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


@transaction.atomic
def allowed_network_save(*, user, network: AllowedNetwork) -> AllowedNetwork:
    """Add or change an allow-listed network (administrators only), audited."""
    if not is_administrator(user):
        raise PermissionDenied(_("只有管理员可以修改允许列表。"))
    network.full_clean()
    network.save()
    audit_record(action=WebhookAuditAction.ALLOWLIST_CHANGED, actor=user, obj=network, to_value=network.network,
                 comment=network.reason)
    return network


@transaction.atomic
def allowed_network_delete(*, user, networks: list[AllowedNetwork]) -> None:
    if not is_administrator(user):
        raise PermissionDenied(_("只有管理员可以修改允许列表。"))
    for network in networks:
        audit_record(action=WebhookAuditAction.ALLOWLIST_CHANGED, actor=user, obj=network, from_value=network.network)
        network.delete()
