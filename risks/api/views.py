"""Risk register API: thin views over risks.services (domain errors are mapped by bankpm.api.exceptions)."""
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from products.models import Product

from .. import selectors, services
from ..choices import RiskStatus
from ..filtersets import RiskFilterSet
from ..models import Risk
from .serializers import (
    AcceptSerializer,
    AssessmentSerializer,
    HeatmapSerializer,
    ReviewSerializer,
    RiskSerializer,
    RiskUpdateSerializer,
    RiskWriteSerializer,
)


def risk_body(risk: Risk) -> dict:
    return RiskSerializer(selectors.risk_list().get(pk=risk.pk)).data


class ProductRiskListView(generics.ListCreateAPIView):
    """A product's register; POST registers a risk with its controls."""

    serializer_class = RiskSerializer
    filterset_class = RiskFilterSet
    queryset = Risk.objects.none()  # for the schema generator; get_queryset() is what runs

    def get_product(self) -> Product:
        if not hasattr(self, "_product"):
            self._product = get_object_or_404(Product, pk=self.kwargs["product_pk"])
        return self._product

    def get_queryset(self):
        return selectors.risk_list().filter(product=self.get_product())

    @extend_schema(request=RiskWriteSerializer, responses={201: RiskSerializer})
    def post(self, request, *args, **kwargs):
        product = self.get_product()
        data = RiskWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        controls = fields.pop("controls", [])
        risk = services.risk_create(user=request.user, product=product, data=fields, controls=controls)
        return Response(risk_body(risk), status=status.HTTP_201_CREATED)


class RiskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The whole register, filterable like the pages; PATCH edits (or closes with a reason); no delete."""

    queryset = selectors.risk_list()
    serializer_class = RiskSerializer
    filterset_class = RiskFilterSet

    @extend_schema(request=RiskUpdateSerializer, responses={200: RiskSerializer})
    def partial_update(self, request, *args, **kwargs):
        risk = self.get_object()
        data = RiskUpdateSerializer(instance=risk, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        controls = fields.pop("controls", None)
        new_status = fields.pop("status", None)
        reason = fields.pop("closure_reason", "")
        if new_status not in (None, risk.status, RiskStatus.CLOSED):
            raise ValidationError({"status": _(
                "状态只能改为 closed（并填写关闭理由）；接受与重新评估请使用各自的接口。")})
        # One service call per request: an edit that also closes is one transaction (a refused close writes nothing).
        close_reason = reason if new_status == RiskStatus.CLOSED else None
        if fields or controls is not None:
            risk = services.risk_update(user=request.user, risk=risk, data=fields, controls=controls,
                                        close_reason=close_reason)
        elif close_reason is not None:
            risk = services.risk_close(user=request.user, risk=risk, reason=close_reason)
        return Response(risk_body(risk))

    @extend_schema(request=AcceptSerializer, responses={200: RiskSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        risk = self.get_object()
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        risk = services.risk_accept(user=request.user, risk=risk, **data.validated_data)
        return Response(risk_body(risk))

    @extend_schema(methods=["get"], responses={200: AssessmentSerializer(many=True)})
    @extend_schema(methods=["post"], request=ReviewSerializer, responses={201: RiskSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def reviews(self, request, pk=None):
        risk = self.get_object()
        if request.method == "GET":
            return Response(AssessmentSerializer(selectors.risk_assessments(risk=risk), many=True).data)
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        risk = services.risk_review(user=request.user, risk=risk, **data.validated_data)
        return Response(risk_body(risk), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("basis", OpenApiTypes.STR, enum=["inherent", "residual"])],
                   responses={200: HeatmapSerializer})
    @action(detail=False, methods=["get"], pagination_class=None)
    def heatmap(self, request):
        basis = request.query_params.get("basis", "inherent")
        if basis not in selectors.BASES:
            raise ValidationError({"basis": _("basis 必须是 inherent 或 residual。")})
        queryset = self.filter_queryset(selectors.risk_base())
        return Response({"basis": basis, "cells": selectors.heatmap(queryset=queryset, basis=basis)})
