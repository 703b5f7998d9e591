"""Webhook subscriptions and their delivery log: thin views over webhooks.services."""
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.idempotency import idempotent
from core.roles import is_administrator

from .. import services
from ..models import Delivery, DeliveryAttempt, Subscription
from . import serializers as s


def _visible(user, queryset, owner_field="owner"):
    return queryset if is_administrator(user) else queryset.filter(**{owner_field: user})


class SubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """`GET|POST /webhooks/`: administrators see and create every subscription, others see their own."""

    serializer_class = s.SubscriptionSerializer
    queryset = Subscription.objects.select_related("owner").order_by("id")
    filterset_class = None

    def get_queryset(self):
        return _visible(self.request.user, super().get_queryset())

    @extend_schema(request=s.SubscriptionWriteSerializer, responses={201: s.SubscriptionWithSecretSerializer})
    @idempotent
    def create(self, request):
        if not services.subscription_can_create(request.user):  # before the body: a 403 whatever it holds
            raise PermissionDenied()
        body = s.SubscriptionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        subscription = services.subscription_create(user=request.user, data=body.validated_data)
        return Response(s.SubscriptionWithSecretSerializer(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SubscriptionUpdateSerializer, responses={200: s.SubscriptionSerializer})
    def partial_update(self, request, pk=None):
        subscription = self.get_object()  # 404 for someone else's, whatever the body holds
        body = s.SubscriptionUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        subscription = services.subscription_update(user=request.user, subscription=subscription,
                                                    data=body.validated_data)
        return Response(s.SubscriptionSerializer(subscription).data)

    @extend_schema(request=None, responses={200: s.SubscriptionWithSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new secret; the old one still signs (a second `sha256=`) for 24 hours."""
        subscription = services.subscription_rotate_secret(user=request.user, subscription=self.get_object())
        return Response(s.SubscriptionWithSecretSerializer(subscription).data)


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log (`?subscription=<id>`), newest first; `resend/` queues a delivery again."""

    serializer_class = s.DeliverySerializer
    queryset = (Delivery.objects.select_related("event")
                .prefetch_related(Prefetch("log", DeliveryAttempt.objects.order_by("-at", "-id")))
                .order_by("-created_at", "-id"))
    filterset_fields = ["subscription", "status"]

    def get_queryset(self):
        return _visible(self.request.user, super().get_queryset(), "subscription__owner")

    @extend_schema(request=None, responses={202: s.DeliverySerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        delivery = services.delivery_resend(user=request.user, delivery=self.get_object())
        return Response(s.DeliverySerializer(self.get_queryset().get(pk=delivery.pk)).data,
                        status=status.HTTP_202_ACCEPTED)
