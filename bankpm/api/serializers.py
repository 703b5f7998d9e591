"""Base serializers: unknown fields are refused and model rules (Model.clean) run exactly as in forms."""
import copy
import operator

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import relations, serializers

from .exceptions import as_drf_validation_error


class RejectUnknownFieldsMixin:
    """Unknown fields are refused, and a text field takes only a JSON string (DRF would turn `0` into "0", which
    the schema's `type: string` calls invalid)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - known)
            if unknown:
                raise serializers.ValidationError({name: [_("未知字段。")] for name in unknown})
            not_text = sorted(name for name, field in self.fields.items()
                              if isinstance(field, serializers.CharField) and not field.read_only and name in data
                              and data[name] is not None and not isinstance(data[name], str))
            if not_text:
                raise serializers.ValidationError({name: [_("必须是字符串。")] for name in not_text})
        return super().to_internal_value(data)


class StrictModelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """Validates through `Model.full_clean()` so that the API and the forms apply the same rules.

    A serializer of bulk writes may skip the per-item queries: `resolved_relations` names the related fields its
    own fields have just resolved (not fetched again), and `validate_constraints = False` leaves out the check
    constraints where they only repeat the field validators; a 1,000-item bulk then validates in a constant number
    of queries (requirements)."""

    resolved_relations: tuple[str, ...] = ()
    validate_constraints = True

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
            candidate.full_clean(exclude=[*self.full_clean_exclude(attrs), *self.resolved_relations],
                                 validate_unique=True, validate_constraints=self.validate_constraints)
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


_URL_SENTINEL = 987654321987654321


class FastReadMixin:
    """`to_representation` without DRF's per-field walk (each field looks its value up through the generic
    `get_attribute`, a Mapping check and a try/except, then a SkipField/None dance): the fields are read through a
    plan built once per serializer (so once per page of a list), by plain attribute access where a field is a plain
    column, the id column of a primary-key relation, or the detail URL (reversed once, then filled in). Output is
    DRF's own, field for field (tests compare both); fields that do more keep DRF's path."""

    def get_fields(self):
        # ModelSerializer derives every field from the model on each instance (a few ms for 25 fields, on each
        # request): derive them once per class, hand out copies (as DRF does with declared fields).
        cache = type(self).__dict__.get("_field_templates")
        if cache is None:
            cache = super().get_fields()
            type(self)._field_templates = cache
        return copy.deepcopy(cache)

    def to_representation(self, instance):
        plan = self.__dict__.get("_read_plan")
        if plan is None:
            plan = self._read_plan = self._build_read_plan()
        out = {}
        for name, read, convert, field in plan:
            try:
                value = read(instance)
            except AttributeError:
                try:
                    value = field.get_attribute(instance)
                except serializers.SkipField:
                    continue
                convert = field.to_representation
            if value is None or (isinstance(value, relations.PKOnlyObject) and value.pk is None):
                out[name] = None
            else:
                out[name] = convert(value)
        return out

    def _build_read_plan(self):
        plan = []
        model = self.Meta.model
        for field in self._readable_fields:
            read, convert = field.get_attribute, field.to_representation
            attrs = field.source_attrs
            if isinstance(field, relations.HyperlinkedIdentityField):
                read, convert = (lambda obj: obj), self._url_builder(field)
            elif isinstance(field, relations.PrimaryKeyRelatedField):
                if (len(attrs) == 1 and field.use_pk_only_optimization() and field.pk_field is None
                        and type(field).get_attribute is relations.RelatedField.get_attribute):
                    read, convert = operator.attrgetter(model._meta.get_field(attrs[0]).attname), _same
            elif len(attrs) == 1 and type(field).get_attribute is serializers.Field.get_attribute:
                read = operator.attrgetter(attrs[0])
            plan.append((field.field_name, read, convert, field))
        return plan

    @staticmethod
    def _url_builder(field):
        parts = []

        def url(obj):
            if not parts:
                template = field.to_representation(_PkOnly(_URL_SENTINEL))
                if template is None or str(_URL_SENTINEL) not in template:
                    return field.to_representation(obj)
                parts.extend(str(template).rsplit(str(_URL_SENTINEL), 1))
            if field.lookup_field != "pk" or obj.pk in (None, ""):
                return field.to_representation(obj)
            return relations.Hyperlink(f"{parts[0]}{obj.pk}{parts[1]}", obj)
        return url


class _PkOnly:
    def __init__(self, pk):
        self.pk = pk


def _same(value):
    return value
