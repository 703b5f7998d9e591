"""GET /api/v1/roadmap/: the roadmap's items, from the same selector as the page and the export."""
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from products.choices import LifecycleStage, ProductCategory

from ..views import roadmap_request
from .serializers import RoadmapSerializer

PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day shown (default: the quarter's first)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day shown, at most five years after `from`."),
    OpenApiParameter("category", str, many=True, enum=ProductCategory.values, description="Product categories."),
    OpenApiParameter("stage", str, many=True, enum=LifecycleStage.values, description="Current stages."),
    OpenApiParameter("owner", int, description="The owning product manager's user id."),
]


class RoadmapAPIView(APIView):
    """Every product the filters select, with its stage spans, target dates (planned vs actual), gate reviews,
    terms versions, pilots, rollouts, exit dates, due deliverables and open approval conditions in the window. Not
    paginated: a roadmap is one picture; its query count does not depend on the number of products."""

    @extend_schema(parameters=PARAMETERS, responses={200: RoadmapSerializer})
    def get(self, request):
        # An empty value is not "unset" here: the schema says a date, an enum or an id (the page's form may leave
        # them blank).
        blank = {p.name: [_("该参数不能为空。")] for p in PARAMETERS if "" in request.query_params.getlist(p.name)}
        if blank:
            raise ValidationError(blank)
        form, filterset, items = roadmap_request(request._request)
        if items is None:
            errors = form.errors_by_param() if form.errors else {k: list(v) for k, v in filterset.errors.items()}
            raise ValidationError(errors)
        window = form.window
        return Response({"from": window.start, "to": window.end, "today": timezone.localdate(), "products": items})
