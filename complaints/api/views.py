from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from products.models import Product
from requirements.api.serializers import ConflictSerializer
from requirements.models import Feedback

from .. import selectors, services
from ..choices import ComplaintSource
from ..filtersets import ComplaintFilterSet
from . import serializers as s

BULK_ERRORS = OpenApiResponse(description='{"errors": [{"index": 3, "errors": {"category": ["…"]}}]}')


class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The complaints register. POST takes a JSON array (bulk, all or nothing, errors per index)."""

    serializer_class = s.ComplaintSerializer
    filterset_class = ComplaintFilterSet
    queryset = selectors.complaint_detail().order_by("-received_on", "-id")

    @extend_schema(request=s.ComplaintBulkSerializer, responses={201: s.RegisteredSerializer, 400: BULK_ERRORS})
    def create(self, request):
        """Register up to 1,000 complaints; any bad item (reported by index) writes nothing."""
        created = services.complaints_register(user=request.user, items=request.data, source=ComplaintSource.API)
        return Response({"created": len(created), "ids": [c.pk for c in created]}, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ComplaintUpdateSerializer, responses={200: s.ComplaintSerializer})
    def partial_update(self, request, pk=None):
        """Edit facts (while open), root cause and links to risks, requirements and changes."""
        body = s.ComplaintUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        complaint = services.complaint_update(user=request.user, complaint=self.get_object(),
                                              data=dict(request.data))
        return Response(s.ComplaintSerializer(selectors.complaint_detail().get(pk=complaint.pk)).data)

    @extend_schema(request=s.ComplaintTransitionSerializer, responses={
        200: s.ComplaintSerializer, 400: OpenApiResponse(description="A missing reason, root cause or resolution."),
        409: OpenApiResponse(ConflictSerializer, description="Not possible in the complaint's status.")})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """investigate, resolve (root cause and resolution required) or reject (reason required)."""
        body = s.ComplaintTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        complaint = services.complaint_transition(user=request.user, complaint=self.get_object(),
                                                  **body.validated_data)
        return Response(s.ComplaintSerializer(selectors.complaint_detail().get(pk=complaint.pk)).data)

    @extend_schema(request=s.FromFeedbackSerializer, responses={
        201: s.ComplaintSerializer, 400: BULK_ERRORS, 404: OpenApiResponse(description="No such feedback."),
        409: OpenApiResponse(ConflictSerializer, description="Not of the complaint channel, or registered already.")})
    @action(detail=False, methods=["post"], url_path="from-feedback")
    def from_feedback(self, request):
        """Turn a feedback item of the complaint channel into a complaint (once)."""
        body = s.FromFeedbackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        feedback = Feedback.objects.filter(pk=body.validated_data["feedback"]).first()
        if feedback is None:
            raise NotFound()
        complaint = services.complaint_from_feedback(user=request.user, feedback=feedback,
                                                     data=body.validated_data)
        return Response(s.ComplaintSerializer(selectors.complaint_detail().get(pk=complaint.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("product", OpenApiTypes.INT, description="A product's id; the "
                                                "portfolio without it.")],
                   responses={200: s.ParetoRowSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def pareto(self, request):
        """Root causes by count with the cumulative share, for one product or the portfolio."""
        product = None
        if "product" in request.query_params:
            text = request.query_params["product"].strip()
            digits = text[1:] if text[:1] in "+-" else text
            if not (digits.isascii() and digits.isdecimal()):
                raise ValidationError({"product": [_("必须是产品编号。")]})
            pk = int(text)
            product = Product.objects.filter(pk=pk).first() if 0 < pk < 2 ** 63 else None
            if product is None:
                raise NotFound()
        return Response(selectors.root_cause_pareto(product=product))
