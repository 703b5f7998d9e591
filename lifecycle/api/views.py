"""Stage-gate API (deliverables, gate submissions, history): thin views over lifecycle.services (domain errors
are mapped by bankpm.api.exceptions)."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from approvals.api.serializers import GateReviewSerializer
from approvals.models import GateReview
from approvals.selectors import gate_review_list
from core.idempotency import idempotent
from core.models import AuditEntry
from core.roles import audit_product_can_read
from core.serializers import AuditEntrySerializer
from products.models import Product

from .. import selectors, services, waivers
from ..filtersets import AuditEntryFilterSet
from ..models import Deliverable
from .serializers import (
    DeliverableSerializer,
    DeliverableUpdateSerializer,
    GateReviewSubmitSerializer,
    WaiverDecisionSerializer,
)


class ProductScopedMixin:
    """Views nested under /products/{product_pk}/ (404 for an unknown product)."""

    def get_product(self) -> Product:
        if not hasattr(self, "_product"):
            self._product = get_object_or_404(Product, pk=self.kwargs["product_pk"])
        return self._product


class ProductDeliverableListView(ProductScopedMixin, generics.ListAPIView):
    """The checklist of the product's current stage (created with the product, on each stage change and when a
    template is saved: reading it writes nothing)."""

    serializer_class = DeliverableSerializer

    queryset = Deliverable.objects.none()  # for the schema generator; get_queryset() is what runs

    def get_queryset(self):
        return selectors.product_deliverables(product=self.get_product())


class DeliverableViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One deliverable; PATCH ticks, waives (with a reason) or reopens it."""

    queryset = selectors.deliverable_list()
    serializer_class = DeliverableSerializer

    @extend_schema(request=DeliverableUpdateSerializer, responses={200: DeliverableSerializer})
    def partial_update(self, request, *args, **kwargs):
        deliverable = self.get_object()
        data = DeliverableUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deliverable = services.deliverable_update(user=request.user, deliverable=deliverable, **data.validated_data)
        return Response(DeliverableSerializer(selectors.deliverable_list().get(pk=deliverable.pk)).data)

    @extend_schema(request=WaiverDecisionSerializer, responses={200: DeliverableSerializer, 409: OpenApiResponse(
        description="The item has no waiver waiting (code waiver_not_requested).")})
    @action(detail=True, methods=["post"])
    def waiver(self, request, pk=None):
        """Approve or refuse a required item's requested waiver: heads of product and the next gate's reviewers,
        never its makers."""
        data = WaiverDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deliverable = waivers.deliverable_waiver_decide(user=request.user, deliverable=self.get_object(),
                                                        **data.validated_data)
        return Response(DeliverableSerializer(selectors.deliverable_list().get(pk=deliverable.pk)).data)


class ProductGateReviewListView(ProductScopedMixin, generics.ListCreateAPIView):
    """A product's gate reviews; POST submits a new one."""

    serializer_class = GateReviewSerializer
    queryset = GateReview.objects.none()

    def get_queryset(self):
        return gate_review_list().filter(product=self.get_product())

    @idempotent
    @extend_schema(request=GateReviewSubmitSerializer, responses={201: GateReviewSerializer})
    def post(self, request, *args, **kwargs):
        data = GateReviewSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.gate_review_submit(product=self.get_product(), user=request.user, **data.validated_data)
        body = GateReviewSerializer(gate_review_list().get(pk=review.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


class ProductHistoryView(ProductScopedMixin, generics.ListAPIView):
    """The product's audit trail, newest first; filterable like the history page (action, actor, since, until)."""

    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilterSet
    queryset = AuditEntry.objects.none()

    def get_queryset(self):
        product = self.get_product()
        if not audit_product_can_read(user=self.request.user, product=product):
            raise PermissionDenied(_("无权查看该产品的审计记录。"))
        return selectors.product_history(product=product, user=self.request.user).order_by("-id")
