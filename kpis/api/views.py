from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from bankpm.api.exceptions import as_drf_validation_error
from bankpm.api.filters import boolean_query_parameter
from bankpm.api.parsers import is_utf8_json
from core.idempotency import idempotent

from .. import selectors, services
from ..filtersets import AlertFilterSet, SnapshotFilterSet
from ..models import Metric, TaskRun
from ..periods import parse_period
from . import serializers as s


class MetricViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Metric definitions; `observations/` takes the daily figures pushed by other bank systems."""

    serializer_class = s.MetricSerializer
    queryset = Metric.objects.all()
    lookup_field = "code"

    @extend_schema(
        request=s.ObservationBulkSerializer,
        parameters=[OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Validate only, write nothing.")],
        responses={200: s.IngestResultSerializer,
                   400: OpenApiResponse(description='{"errors": [{"index": 3, "errors": {"metric": ["…"]}}]}')},
    )
    @action(detail=False, methods=["post"], url_path="observations")
    @idempotent
    def observations(self, request):
        """Up to 10,000 observations, all-or-nothing; a (product, metric, date) sent again replaces its value."""
        dry_run = boolean_query_parameter(request, "dry_run")
        try:
            # A clean UTF-8 JSON batch goes the fast way; anything else, or any item with a problem, is parsed as
            # every body is and checked item by item.
            result = services.observations_ingest_json(user=request.user, body=request.body, dry_run=dry_run) \
                if is_utf8_json(request) else None
            if result is None:
                result = services.observations_ingest(user=request.user, items=request.data, dry_run=dry_run)
        except services.BulkValidationError as error:
            return Response({"errors": error.item_errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(s.IngestResultSerializer(result).data)


class SnapshotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Period snapshots: value, previous period, last year, target, attainment and status."""

    serializer_class = s.SnapshotSerializer
    filterset_class = SnapshotFilterSet
    queryset = selectors.snapshot_list().order_by("period_start", "product__code", "metric__display_order")

    @extend_schema(request=s.ComputeRequestSerializer, responses={202: s.TaskQueuedSerializer})
    @action(detail=False, methods=["post"])
    def compute(self, request):
        """Queue `compute_kpi_snapshots`; poll the returned status URL for state and progress."""
        body = s.ComputeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task_id = services.kpi_compute_request(user=request.user, **body.validated_data)
        url = reverse("api:task-detail", args=[task_id], request=request)
        return Response({"task_id": task_id, "status_url": url}, status=status.HTTP_202_ACCEPTED)


class TaskViewSet(viewsets.ViewSet):
    """State and progress of a background task, read from the Celery result backend."""

    lookup_value_regex = "[0-9a-fA-F-]{36}"

    @extend_schema(responses={200: s.TaskStatusSerializer},
                   parameters=[OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)])
    def retrieve(self, request, pk=None):
        """Only the run's starter and administrators read it; for anyone else it does not exist."""
        run = TaskRun.objects.filter(pk=pk).first()
        if run is None or not services.task_run_readable(user=request.user, run=run):
            raise exceptions.NotFound()
        return Response(s.TaskStatusSerializer(services.task_run_status(run=run)).data)


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Early warnings; acknowledge and resolve them with a comment."""

    serializer_class = s.AlertSerializer
    filterset_class = AlertFilterSet
    queryset = selectors.alert_list()

    def _transition(self, request, service):
        body = s.CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # StateConflict is a DomainConflict: 409 {"detail"} (bankpm.api.exceptions)
        alert = service(user=request.user, alert=self.get_object(), comment=body.validated_data["comment"])
        return Response(s.AlertSerializer(alert).data)

    @extend_schema(request=s.CommentSerializer, responses={200: s.AlertSerializer, 409: OpenApiResponse(
        description="The alert is not open.")})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._transition(request, services.alert_acknowledge)

    @extend_schema(request=s.CommentSerializer, responses={200: s.AlertSerializer, 409: OpenApiResponse(
        description="The alert is already resolved.")})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._transition(request, services.alert_resolve)


class ScorecardViewSet(viewsets.ViewSet):
    """Product managers ranked by their products' attainment for a quarter."""

    @extend_schema(
        parameters=[OpenApiParameter("quarter", {"type": "string", "pattern": "^((19|2[0-9])[0-9]{2}-Q[1-4])?$"},
                                     description="2026-Q3; default: the last completed quarter")],
        responses={200: s.ScorecardSerializer(many=True)},
    )
    def list(self, request):
        try:
            quarter = _quarter(request.query_params.get("quarter"))
        except services.ValidationError as error:
            raise as_drf_validation_error(error) from error
        cards = selectors.scorecards(user=request.user, quarter=quarter)
        return Response(s.ScorecardSerializer(cards, many=True).data)


def _quarter(text):
    if text:
        return parse_period(text, "quarter")
    return selectors.default_scorecard_quarter()
