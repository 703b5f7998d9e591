from rest_framework import mixins, viewsets

from accounts.permissions import ReadOrProductEditor
from core.idempotency import IdempotentCreateMixin

from .. import selectors, services
from ..filtersets import ProductFilterSet
from .serializers import ProductSerializer


class ProductViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The product catalogue. Products are never deleted: they leave through the exit stage."""

    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    permission_classes = [ReadOrProductEditor]
    queryset = selectors.product_list()

    def perform_create(self, serializer):
        serializer.instance = services.product_create(user=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.product_update(
            user=self.request.user, product=serializer.instance, data=serializer.validated_data
        )
