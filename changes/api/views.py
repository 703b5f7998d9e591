"""Changes and terms-versions API: thin views over changes.services (domain errors are mapped once, in
bankpm.api.exceptions)."""
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import ReadOrProductEditor
from products.models import Product

from .. import selectors, services
from ..filtersets import ChangeFilterSet
from ..models import Change, TermsVersion
from .serializers import (
    ChangeInputSerializer,
    ChangeSerializer,
    ChangeSubmittedSerializer,
    ChangeUpdateSerializer,
    CriteriaNotMetSerializer,
    PilotInputSerializer,
    RolloutInputSerializer,
    TermsVersionSerializer,
    WithdrawInputSerializer,
)


class ReadOrChangeActor(ReadOrProductEditor):
    """Product editors write; senior management may also reach rollout (its override). Services decide the rest."""

    def has_permission(self, request, view):
        if getattr(view, "action", None) == "rollout" and request.user and request.user.is_authenticated:
            return True
        return super().has_permission(request, view)


def _detail(change_pk: int, serializer=ChangeSerializer) -> dict:
    return serializer(selectors.change_list().get(pk=change_pk), context={"actuals": True}).data


class ProductChangeListView(generics.ListCreateAPIView):
    """A product's changes; POST proposes one (a draft)."""

    serializer_class = ChangeSerializer
    permission_classes = [ReadOrProductEditor]
    queryset = Change.objects.none()

    def get_product(self) -> Product:
        return get_object_or_404(Product, pk=self.kwargs["product_pk"])

    def get_queryset(self):
        return selectors.change_list().filter(product=self.get_product())

    @extend_schema(request=ChangeInputSerializer, responses={201: ChangeSerializer})
    def post(self, request, *args, **kwargs):
        data = ChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.change_create(user=request.user, product=self.get_product(), data=data.validated_data)
        return Response(_detail(change.pk), status=status.HTTP_201_CREATED)


class ChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Changes, filterable by product and status; a draft is edited with PATCH, then submitted."""

    queryset = selectors.change_list()
    serializer_class = ChangeSerializer
    filterset_class = ChangeFilterSet
    permission_classes = [ReadOrChangeActor]

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "actuals": self.action != "list"}

    @extend_schema(request=ChangeUpdateSerializer, responses={200: ChangeSerializer})
    def partial_update(self, request, pk=None):
        data = ChangeUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        change = services.change_update(user=request.user, change=self.get_object(), data=data.validated_data)
        return Response(_detail(change.pk))

    @extend_schema(request=None, responses={201: ChangeSubmittedSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        change = services.change_submit(user=request.user, change=self.get_object())
        return Response(_detail(change.pk, ChangeSubmittedSerializer), status=status.HTTP_201_CREATED)

    @extend_schema(request=PilotInputSerializer, responses={200: ChangeSerializer})
    @action(detail=True, methods=["post"])
    def pilot(self, request, pk=None):
        data = PilotInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.change_pilot_start(user=request.user, change=self.get_object(), data=data.validated_data)
        return Response(_detail(change.pk))

    @extend_schema(request=RolloutInputSerializer, responses={200: ChangeSerializer, 409: CriteriaNotMetSerializer})
    @action(detail=True, methods=["post"])
    def rollout(self, request, pk=None):
        data = RolloutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.change_rollout(user=request.user, change=self.get_object(),
                                         override_reason=data.validated_data.get("override_reason"))
        return Response(_detail(change.pk))

    @extend_schema(request=WithdrawInputSerializer, responses={200: ChangeSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = WithdrawInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.change_withdraw(user=request.user, change=self.get_object(), **data.validated_data)
        return Response(_detail(change.pk))


class ProductTermsListView(generics.ListAPIView):
    """The product's terms versions, newest first; `?at=YYYY-MM-DD` keeps only the version in force that day."""

    serializer_class = TermsVersionSerializer
    queryset = TermsVersion.objects.none()

    @extend_schema(parameters=[OpenApiParameter("at", OpenApiTypes.DATE, description="The day to look up.")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        product = get_object_or_404(Product, pk=self.kwargs["product_pk"])
        versions = selectors.terms_versions(product=product, today=timezone.localdate())
        at = self.request.query_params.get("at")
        if at is not None:
            try:
                day = parse_date(at)
            except ValueError:
                day = None
            if day is None:
                raise exceptions.ValidationError({"at": [_("日期格式应为 YYYY-MM-DD。")]})
            versions = versions.in_force_on(day)
        return versions
