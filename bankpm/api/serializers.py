"""Base serializers: unknown fields are refused and model rules (Model.clean) run exactly as in forms."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .exceptions import as_drf_validation_error


class RejectUnknownFieldsMixin:
    def to_internal_value(self, data):
        if isinstance(data, dict):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - known)
            if unknown:
                raise serializers.ValidationError({name: [_("未知字段。")] for name in unknown})
        return super().to_internal_value(data)


class StrictModelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """Validates through `Model.full_clean()` so that the API and the forms apply the same rules."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        m2m = {f.name for f in self.Meta.model._meta.many_to_many}
        scalar = {k: v for k, v in attrs.items() if k not in m2m}
        instance = self.instance or self.Meta.model()
        # Generated columns cannot be read from an unsaved instance; the database computes them anyway.
        fields = [f for f in instance._meta.concrete_fields if not f.generated]
        candidate = self.Meta.model(**{f.attname: getattr(instance, f.attname) for f in fields})
        candidate._state.adding = self.instance is None
        for key, value in scalar.items():
            setattr(candidate, key, value)
        try:
            candidate.full_clean(exclude=self.full_clean_exclude(attrs), validate_unique=True)
        except DjangoValidationError as error:
            raise as_drf_validation_error(error) from error
        return attrs

    def full_clean_exclude(self, attrs):
        """Fields the API does not set (read-only, server-filled or not exposed) are not validated here."""
        excluded = {name for name, field in self.fields.items() if field.read_only}
        if self.instance is None:
            excluded |= {name for name, field in self.fields.items() if not field.required and name not in attrs}
        excluded |= {f.name for f in self.Meta.model._meta.concrete_fields if not f.generated} - set(self.fields)
        excluded |= {f.name for f in self.Meta.model._meta.concrete_fields if f.generated}
        return sorted(excluded)


class StrictSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    pass
