from django.contrib.auth import get_user_model
from rest_framework import serializers

from bankpm.api.serializers import StrictSerializer

from ..choices import EventType
from ..models import Delivery, DeliveryAttempt, Subscription


class SubscriptionSerializer(serializers.ModelSerializer):
    """A subscription as read; the secret is shown only when created or rotated."""

    owner = serializers.CharField(source="owner.username", read_only=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices))

    class Meta:
        model = Subscription
        fields = ["id", "name", "target_url", "events", "active", "owner", "failing_since", "paused_at",
                  "previous_secret_expires_at", "created_at"]
        read_only_fields = fields


class SubscriptionWithSecretSerializer(SubscriptionSerializer):
    """The answer to a create or a rotation: the only time the secret is shown."""

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class SubscriptionWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    target_url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices), min_length=1,
                                   max_length=len(EventType.values))
    active = serializers.BooleanField(required=False, default=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True),
                                               required=False, help_text="Default: you.")


class SubscriptionUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100, required=False)
    target_url = serializers.URLField(max_length=500, required=False)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices), min_length=1,
                                   max_length=len(EventType.values), required=False)
    active = serializers.BooleanField(required=False)


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["at", "status_code", "error", "duration_ms"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    """One event for one subscription, with its attempts (the delivery log)."""

    event_id = serializers.UUIDField(source="event.id", read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)
    log = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "subscription", "event_id", "event_type", "status", "attempts", "next_attempt_at",
                  "last_attempt_at", "last_status_code", "last_error", "created_at", "log"]
        read_only_fields = fields
