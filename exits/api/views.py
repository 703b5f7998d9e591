"""Exit runbook API: thin views over exits.services (domain errors are mapped by bankpm.api.exceptions)."""
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.response import Response

from bankpm.api.filters import boolean_query_parameter
from core.idempotency import idempotent
from products.models import Product

from .. import selectors, services
from ..choices import ExitError
from ..models import ExitPlan
from . import serializers as s


class ProductScopedMixin:
    def get_product(self) -> Product:
        if not hasattr(self, "_product"):
            self._product = get_object_or_404(Product.objects.select_related("owner"), pk=self.kwargs["product_pk"])
        return self._product


class ExitPlanView(ProductScopedMixin, generics.GenericAPIView):
    """The product's exit plan: evidence, successor, dates, segments with progress, aftercare tasks."""

    serializer_class = s.ExitPlanSerializer
    queryset = ExitPlan.objects.none()

    def get_object(self) -> ExitPlan:
        # DRF's OPTIONS metadata asks for the object a PUT would replace.
        return get_object_or_404(ExitPlan, product=self.get_product())

    def _body(self, product):
        plan = selectors.plan_detail(product=product)
        if plan is None:
            return None
        return s.plan_representation(plan)

    @extend_schema(responses={200: s.ExitPlanSerializer})
    def get(self, request, *args, **kwargs):
        body = self._body(self.get_product())
        if body is None:
            return Response({"detail": str(ExitError.NO_PLAN.label)}, status=status.HTTP_404_NOT_FOUND)
        return Response(body)

    @extend_schema(request=s.ExitPlanWriteSerializer,
                   responses={200: s.ExitPlanSerializer, 201: s.ExitPlanSerializer})
    def put(self, request, *args, **kwargs):
        product = self.get_product()
        data = s.ExitPlanWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.exit_plan_save(user=request.user, product=product, data=data.to_plan_input())
        return Response(self._body(product),
                        status=status.HTTP_201_CREATED if plan.created_now else status.HTTP_200_OK)


class ExitProgressView(ProductScopedMixin, generics.GenericAPIView):
    """Cumulative migration progress from the bank's systems."""

    serializer_class = s.ProgressResultSerializer
    queryset = ExitPlan.objects.none()

    @idempotent
    @extend_schema(
        request=s.ProgressItemSerializer(many=True),
        parameters=[OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Validate only, write nothing.")],
        responses={200: s.ProgressResultSerializer},
        description='A list of `{"segment", "date", "migrated", "closed"}` cumulative counts, all-or-nothing: a 400 '
                    'is keyed by index (`{"3": {"segment": ["…"]}}`) and writes nothing; a segment and date sent '
                    'again replaces its counts.')
    def post(self, request, *args, **kwargs):
        """A list of `{"segment", "date", "migrated", "closed"}`, all-or-nothing; a segment and date sent again
        replaces its counts."""
        dry_run = boolean_query_parameter(request, "dry_run")
        result = services.exit_progress_record(user=request.user, product=self.get_product(), items=request.data,
                                               dry_run=dry_run)
        return Response(s.ProgressResultSerializer(result).data)


class ExitTaskViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One aftercare task; PATCH marks it done or waives it (with a reason)."""

    queryset = selectors.task_list()
    serializer_class = s.ExitTaskSerializer

    @extend_schema(request=s.ExitTaskUpdateSerializer, responses={200: s.ExitTaskSerializer})
    def partial_update(self, request, *args, **kwargs):
        task = self.get_object()
        data = s.ExitTaskUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.exit_task_update(user=request.user, task=task, **data.validated_data)
        return Response(s.ExitTaskSerializer(selectors.task_list().get(pk=task.pk)).data)
