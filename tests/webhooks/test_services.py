"""Webhooks end to end against a real local HTTP server: signed bodies, retries, pausing, rotation, resend, SSRF."""
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import AuditEntry
from lifecycle import services as lifecycle
from notifications.models import Notification
from tests.factories import ProductFactory, UserFactory, complete_deliverables
from webhooks import services, transport
from webhooks.models import Delivery, DeliveryAttempt, Event, Subscription

pytestmark = pytest.mark.django_db


def subscribe(admin, receiver, events=("review.submitted",), path="/hook"):
    return services.subscription_create(user=admin, data={"name": "核心系统", "target_url": receiver.url + path,
                                                          "events": list(events)})


def publish(django_capture_on_commit_callbacks, type="review.submitted", data=None):
    with django_capture_on_commit_callbacks(execute=True):
        return services.webhook_event_publish(type=type, data=data or {"object_id": "1"})


def expected_signature(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_submitted_review_is_delivered_signed_to_the_subscriber(admin, receiver, allow_loopback,
                                                                   django_capture_on_commit_callbacks):
    subscription = subscribe(admin, receiver)
    product = ProductFactory()
    complete_deliverables(product)
    with django_capture_on_commit_callbacks(execute=True):
        review = lifecycle.gate_review_submit(product=product, user=product.owner)
    [request] = receiver.requests
    body = json.loads(request["body"])
    assert (body["type"], body["data"]["object_id"]) == ("review.submitted", str(review.pk))
    assert body["data"]["product"] == {"id": product.pk, "code": product.code}
    assert body["id"] == str(Event.objects.get().id) and body["time"]
    assert request["headers"]["X-BankPM-Signature"] == expected_signature(subscription.secret, request["body"])
    assert request["headers"]["X-BankPM-Timestamp"] == str(body["timestamp"])
    assert Delivery.objects.get().status == "succeeded"
    assert DeliveryAttempt.objects.get().status_code == 200


def test_an_event_no_one_subscribes_to_writes_nothing(admin, receiver, allow_loopback,
                                                      django_capture_on_commit_callbacks):
    subscribe(admin, receiver, events=["risk.accepted"])
    assert publish(django_capture_on_commit_callbacks) is None
    assert not Event.objects.exists() and receiver.requests == []


def test_an_inactive_subscription_receives_nothing(admin, receiver, allow_loopback,
                                                   django_capture_on_commit_callbacks):
    subscription = subscribe(admin, receiver)
    services.subscription_update(user=admin, subscription=subscription, data={"active": False})
    publish(django_capture_on_commit_callbacks)
    assert receiver.requests == []


def test_a_failed_attempt_is_logged_and_retried_with_backoff(admin, receiver, allow_loopback,
                                                             django_capture_on_commit_callbacks):
    subscribe(admin, receiver)
    receiver.status = 503
    publish(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 503)
    assert timedelta(seconds=25) < delivery.next_attempt_at - delivery.last_attempt_at <= timedelta(seconds=30)
    assert services.delivery_attempt(delivery_id=delivery.pk) is None  # not due yet: nothing sent
    assert len(receiver.requests) == 1
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    receiver.status = 204
    assert services.delivery_attempt(delivery_id=delivery.pk).status == "succeeded"
    assert list(DeliveryAttempt.objects.order_by("at", "id").values_list("status_code", flat=True)) == [503, 204]


def test_the_backoff_doubles_up_to_four_hours():
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert services.backoff(30) == timedelta(hours=4)


def test_a_delivery_failing_past_a_day_of_retries_is_given_up(admin, receiver, allow_loopback,
                                                              django_capture_on_commit_callbacks):
    subscribe(admin, receiver)
    receiver.status = 500
    publish(django_capture_on_commit_callbacks)
    Delivery.objects.update(first_attempt_at=timezone.now() - timedelta(hours=23, minutes=59),
                            next_attempt_at=timezone.now(), attempts=12)
    delivery = services.delivery_attempt(delivery_id=Delivery.objects.get().pk)
    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)


def test_a_subscription_failing_for_a_day_is_paused_audited_and_its_owner_notified(
        admin, receiver, allow_loopback, django_capture_on_commit_callbacks):
    subscription = subscribe(admin, receiver)
    receiver.status = 500
    Subscription.objects.filter(pk=subscription.pk).update(failing_since=timezone.now() - timedelta(days=1))
    publish(django_capture_on_commit_callbacks)
    subscription.refresh_from_db()
    assert not subscription.active and subscription.paused_at is not None
    assert AuditEntry.objects.filter(action="webhook_subscription_paused", object_id=str(subscription.pk)).exists()
    assert Notification.objects.filter(recipient=admin, title__contains=subscription.name).exists()
    publish(django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 1  # paused: the next event is not sent


def test_a_success_ends_the_failure_run(admin, receiver, allow_loopback, django_capture_on_commit_callbacks):
    subscription = subscribe(admin, receiver)
    Subscription.objects.filter(pk=subscription.pk).update(failing_since=timezone.now() - timedelta(hours=5))
    publish(django_capture_on_commit_callbacks)
    subscription.refresh_from_db()
    assert subscription.failing_since is None and subscription.active


def test_a_redirect_is_not_followed_and_counts_as_a_failure(admin, receiver, allow_loopback,
                                                            django_capture_on_commit_callbacks):
    subscribe(admin, receiver)
    receiver.status, receiver.headers = 302, {"Location": receiver.url + "/elsewhere"}
    publish(django_capture_on_commit_callbacks)
    assert [r["path"] for r in receiver.requests] == ["/hook"]
    assert (Delivery.objects.get().status, Delivery.objects.get().last_status_code) == ("pending", 302)


def test_a_slow_target_times_out(admin, receiver, allow_loopback, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(transport, "TIMEOUT_SECONDS", 0.3)  # the real 10 s, shortened for the test
    subscribe(admin, receiver)
    receiver.delay = 1.0
    publish(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.last_status_code is None and "timed out" in delivery.last_error.lower()


def test_during_a_rotation_both_secrets_sign_and_afterwards_only_the_new(admin, receiver, allow_loopback,
                                                                        django_capture_on_commit_callbacks):
    old = subscribe(admin, receiver).secret
    rotated = services.subscription_rotate_secret(user=admin, subscription=Subscription.objects.get())
    publish(django_capture_on_commit_callbacks)
    request = receiver.requests[-1]
    assert request["headers"]["X-BankPM-Signature"].split(",") == [
        expected_signature(rotated.secret, request["body"]), expected_signature(old, request["body"])]
    Subscription.objects.update(previous_secret_expires_at=timezone.now() - timedelta(seconds=1))
    publish(django_capture_on_commit_callbacks)
    request = receiver.requests[-1]
    assert request["headers"]["X-BankPM-Signature"] == expected_signature(rotated.secret, request["body"])
    assert AuditEntry.objects.filter(action="webhook_secret_rotated").count() == 1


def test_a_failed_delivery_is_resent_from_the_log(admin, receiver, allow_loopback,
                                                  django_capture_on_commit_callbacks):
    subscribe(admin, receiver)
    receiver.status = 500
    publish(django_capture_on_commit_callbacks)
    Delivery.objects.update(status="failed", next_attempt_at=None)
    receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_resend(user=admin, delivery=Delivery.objects.get())
    assert Delivery.objects.get().status == "succeeded"
    assert len(receiver.requests) == 2
    assert AuditEntry.objects.filter(action="webhook_delivery_resent").exists()


@pytest.mark.parametrize("host", ["127.0.0.1", "10.1.2.3", "192.168.0.5", "169.254.169.254", "[::1]", "0.0.0.0",
                                  "localhost"])
def test_internal_targets_are_refused_without_an_allow_list(admin, host):
    with pytest.raises(ValidationError) as refused:
        services.subscription_create(user=admin, data={"name": "x", "target_url": f"http://{host}/hook",
                                                       "events": ["risk.accepted"]})
    assert "target_url" in refused.value.message_dict
    assert not Subscription.objects.exists()


def test_a_target_that_turned_internal_is_refused_at_delivery(admin, receiver, allow_loopback,
                                                              django_capture_on_commit_callbacks):
    subscribe(admin, receiver)
    allow_loopback.delete()
    publish(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert receiver.requests == [] and delivery.last_status_code is None and "127.0.0.1" in delivery.last_error


def test_only_administrators_subscribe(receiver, allow_loopback):
    with pytest.raises(PermissionDenied):
        services.subscription_create(user=UserFactory(role="head_of_product"), data={
            "name": "x", "target_url": receiver.url, "events": ["risk.accepted"]})


def test_unknown_event_types_are_refused(admin, receiver, allow_loopback):
    with pytest.raises(ValidationError) as refused:
        services.subscription_create(user=admin, data={"name": "x", "target_url": receiver.url,
                                                       "events": ["product.deleted"]})
    assert "events" in refused.value.message_dict
