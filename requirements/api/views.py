"""REST API of the backlog: thin views over the services, one FilterSet with the pages."""
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.permissions import ReadOrProductEditor
from core.idempotency import IdempotentCreateMixin, idempotent

from .. import selectors, services
from ..filtersets import FeedbackFilterSet, RequirementFilterSet, VersionFilterSet
from .serializers import (
    BulkErrorSerializer,
    ConflictSerializer,
    FeedbackConvertSerializer,
    FeedbackSerializer,
    RequirementBulkItemSerializer,
    RequirementSerializer,
    TransitionSerializer,
    VersionReleaseSerializer,
    VersionSerializer,
)

CONFLICT = OpenApiResponse(ConflictSerializer, description="The state machine refuses this now; nothing changed.")


class RequirementViewSet(IdempotentCreateMixin, viewsets.ModelViewSet):
    """The backlog: requirements of every product, filtered like the backlog page."""

    serializer_class = RequirementSerializer
    filterset_class = RequirementFilterSet
    permission_classes = [ReadOrProductEditor]
    queryset = selectors.requirement_list()
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        # The list reads columns only (product code, tag names, feedback count in the row); the other actions keep
        # the related objects the services read.
        return selectors.requirement_backlog() if self.action == "list" else super().get_queryset()

    def perform_create(self, serializer):
        instance = services.requirement_create(user=self.request.user, data=serializer.validated_data)
        instance.feedback_count = 0
        serializer.instance = instance

    def perform_update(self, serializer):
        serializer.instance = services.requirement_update(
            user=self.request.user, requirement=serializer.instance, data=serializer.validated_data
        )

    @extend_schema(responses={204: None, 409: CONFLICT})
    def destroy(self, request, *args, **kwargs):
        services.requirement_delete(user=request.user, requirement=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=TransitionSerializer, responses={200: RequirementSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk=None):
        """Perform a state-machine transition (`{"transition": "confirm"}`); 409 with the reason if refused."""
        requirement = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.requirement_transition(user=request.user, requirement=requirement, **payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=requirement.pk)).data)

    @extend_schema(
        request=RequirementBulkItemSerializer(many=True, min_length=1, max_length=services.MAX_BULK_ITEMS),
        responses={201: RequirementSerializer(many=True),
                   400: OpenApiResponse(BulkErrorSerializer, description="Errors per item index; nothing created.")},
    )
    # Not paginated: the 201 is every requirement created (the schema would otherwise declare a page).
    @action(detail=False, methods=["post"], pagination_class=None)
    @idempotent
    def bulk(self, request):
        """Create up to 1,000 requirements: all or nothing, errors per item index."""
        items = request.data
        if not isinstance(items, list):
            raise ValidationError({"non_field_errors": [_("请求体必须是需求数组。")]})
        if not 1 <= len(items) <= services.MAX_BULK_ITEMS:
            raise ValidationError({"non_field_errors": [
                _("一次可创建 1–%(n)s 条需求。") % {"n": services.MAX_BULK_ITEMS}]})
        validated, errors = [], []
        context = {**self.get_serializer_context(), "preloaded": RequirementBulkItemSerializer.preload(items)}
        for index, item in enumerate(items):
            serializer = RequirementBulkItemSerializer(data=item, context=context)
            if serializer.is_valid():
                validated.append(serializer.validated_data)
            else:
                errors.append({"index": index, "errors": serializer.errors})
        if errors:
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        with transaction.atomic():  # a BulkValidationError is a 400 {"errors": [...]} (bankpm.api.exceptions)
            created = services.requirement_bulk_create(user=request.user, items=validated)
        rows = self.get_queryset().filter(pk__in=[r.pk for r in created]).order_by("id")
        return Response(self.get_serializer(rows, many=True).data, status=status.HTTP_201_CREATED)


class VersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Product versions (releases) with their scope and progress."""

    serializer_class = VersionSerializer
    filterset_class = VersionFilterSet
    permission_classes = [ReadOrProductEditor]
    queryset = selectors.version_list().order_by("product__code", "planned_date", "id")

    def perform_create(self, serializer):
        serializer.instance = services.version_create(user=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        version = services.version_update(user=self.request.user, version=serializer.instance,
                                          data=serializer.validated_data)
        # With its scope counts: a PATCH (partial) would otherwise leave `total` and `delivered` out of the body.
        serializer.instance = self.get_queryset().get(pk=version.pk)

    @extend_schema(request=VersionReleaseSerializer, responses={200: VersionSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Mark the version as released today; with unfinished requirements, say where they go (`unfinished`)."""
        body = VersionReleaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.version_release(user=request.user, version=self.get_object(),
                                 unfinished=body.validated_data.get("unfinished", ""),
                                 move_to=body.validated_data.get("move_to"))
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)


class FeedbackViewSet(viewsets.ModelViewSet):
    """Customer feedback; `convert` turns selected items into one requirement."""

    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilterSet
    permission_classes = [ReadOrProductEditor]
    queryset = selectors.feedback_list()

    def perform_create(self, serializer):
        serializer.instance = services.feedback_create(user=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.feedback_update(
            user=self.request.user, feedback=serializer.instance, data=serializer.validated_data
        )

    @extend_schema(responses={204: None, 409: CONFLICT})
    def destroy(self, request, *args, **kwargs):
        services.feedback_delete(user=request.user, feedback=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=FeedbackConvertSerializer, responses={201: RequirementSerializer, 409: CONFLICT})
    @action(detail=False, methods=["post"])
    def convert(self, request):
        """Create one requirement from the given feedback items (`{"feedback": [ids], "title": ...}`)."""
        payload = FeedbackConvertSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        requirement = services.feedback_convert(
            user=request.user, feedback_ids=data.pop("feedback"), title=data.pop("title"), data=data
        )
        row = get_object_or_404(selectors.requirement_list(), pk=requirement.pk)
        return Response(RequirementSerializer(row, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

