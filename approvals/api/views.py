"""The approval engine's API: reviews of every process, one decisions endpoint, conditions and delegations; thin
views over approvals.services (domain errors are mapped by bankpm.api.exceptions)."""
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.idempotency import idempotent

from .. import conditions, delegations, selectors, services
from ..filtersets import ConditionFilterSet, GateReviewFilterSet
from ..models import Condition, Delegation
from .serializers import (
    ConditionDoneSerializer,
    ConditionSerializer,
    ConditionWaiveSerializer,
    DecisionSerializer,
    DelegationSerializer,
    GateReviewSerializer,
)


class GateReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """Gate reviews, filterable by status, department and product; decisions are posted per department."""

    queryset = selectors.gate_review_list()
    serializer_class = GateReviewSerializer
    filterset_class = GateReviewFilterSet

    @extend_schema(request=DecisionSerializer, responses={201: GateReviewSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def decisions(self, request, pk=None):
        review = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.approval_step_decide(review=review, user=request.user, **data.validated_data)
        body = GateReviewSerializer(selectors.gate_review_list().get(pk=review.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


class DelegationViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
                        viewsets.GenericViewSet):
    """The signed-in reviewer's delegations, given and received; only the delegator ends one."""

    serializer_class = DelegationSerializer
    queryset = Delegation.objects.none()

    def get_queryset(self):
        return delegations.delegation_list(user=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = delegations.delegation_create(user=self.request.user, delegate=data["delegate"],
                                                            starts_on=data["starts_on"], ends_on=data["ends_on"])

    def perform_destroy(self, instance):
        delegations.delegation_delete(user=self.request.user, delegation=instance)


class ConditionViewSet(viewsets.ReadOnlyModelViewSet):
    """Conditions of approvals, filterable by product, status, owner and review; done (with evidence) or waived
    (by the deciding department) through the services."""

    queryset = Condition.objects.select_related("owner").order_by("due", "id")
    serializer_class = ConditionSerializer
    filterset_class = ConditionFilterSet

    @extend_schema(request=ConditionDoneSerializer, responses={200: ConditionSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        data = ConditionDoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        condition = conditions.condition_complete(user=request.user, condition=self.get_object(),
                                                  comment=data.validated_data["comment"])
        return Response(ConditionSerializer(condition).data)

    @extend_schema(request=ConditionWaiveSerializer, responses={200: ConditionSerializer})
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None):
        data = ConditionWaiveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        condition = conditions.condition_waive(user=request.user, condition=self.get_object(),
                                               reason=data.validated_data["reason"])
        return Response(ConditionSerializer(condition).data)
