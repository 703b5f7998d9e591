"""GET /api/v1/reviews/{id}/pack.pdf: a review as a PDF for committee minutes (session or token)."""
from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from approvals.models import GateReview

from ..reviews import review_pack_pdf, review_pack_review


def reader_language(request) -> str:
    """The language the pages' switcher chose (its cookie); for another system's token, the user's own setting."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return translation.get_language()
    return getattr(request.user, "language", "") or settings.LANGUAGE_CODE


class ReviewPackView(APIView):
    """The review pack of any review (stage gate, terms change, risk acceptance, periodic review) in the reader's
    language: subject, what was submitted, the decisions with comments and times."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY,
                                                                         description="The pack as a PDF.")})
    def get(self, request, pk: int):
        try:
            review = review_pack_review(pk=pk)
        except GateReview.DoesNotExist:
            raise Http404 from None
        with translation.override(reader_language(request)):
            content = review_pack_pdf(review=review)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="review-{review.pk}-{review.product.code}.pdf"'
        return response
