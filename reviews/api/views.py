"""Periodic reviews API: GET /api/v1/product-reviews/?product=&status=&due_before= and one review by id."""
from rest_framework import viewsets

from accounts.permissions import ReadOrProductEditor

from .. import selectors
from ..filtersets import ProductReviewFilterSet
from .serializers import ProductReviewSerializer


class ProductReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """Periodic product reviews, filterable by product, status, due date (`due_before`, inclusive), outcome,
    trigger, risk rating and category; soonest due first."""

    queryset = selectors.review_list().order_by("due_date", "id")
    serializer_class = ProductReviewSerializer
    filterset_class = ProductReviewFilterSet
    permission_classes = [ReadOrProductEditor]
