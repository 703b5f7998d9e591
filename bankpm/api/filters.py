"""The API's filter backend: the pages' FilterSets, with ids read the way the schema declares them."""
import django_filters
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError


class FilterBackend(DjangoFilterBackend):
    """An id filter (`?product=12`) is declared as any integer: an id that matches no row filters everything out
    instead of being refused as an invalid choice. Any other invalid filter value is still a 400."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        unfiltered = getattr(filterset_class, "unfiltered", None)
        if unfiltered is not None and not set(request.query_params) & set(filterset_class.base_filters):
            # No filter given: a FilterSet that says what that yields spares building and validating its form.
            return unfiltered(queryset)
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        errors = _malformed(filterset, request.query_params)
        if errors:
            raise ValidationError(errors)
        if not filterset.is_valid() and _only_unknown_ids(filterset):
            return queryset.none()
        return super().filter_queryset(request, queryset, view)


def _malformed(filterset, params) -> dict:
    """What the form fields would quietly read as "no filter": an empty date, number, choice or list item, a boolean
    other than true/false, or a single-valued filter given twice. The schema declares none of them valid."""
    errors = {}
    for name, filter_ in filterset.filters.items():
        values = params.getlist(name)
        if not values or isinstance(filter_, django_filters.CharFilter):
            continue
        if isinstance(filter_, django_filters.filters.BaseCSVFilter):
            # `ordering=` or `ordering=a,,b`: an empty item, which the comma-separated field would skip.
            values = values[0].split(",") if len(values) == 1 else values
        if len(values) > 1 and not isinstance(filter_, django_filters.MultipleChoiceFilter
                                              | django_filters.filters.BaseCSVFilter):
            errors[name] = [_("只能给出一次。")]
        elif "" in values:
            errors[name] = [_("不能为空。")]
        elif isinstance(filter_, django_filters.BooleanFilter) and values[0] not in ("true", "false"):
            errors[name] = [_("必须是 true 或 false。")]
    return errors


def _only_unknown_ids(filterset) -> bool:
    for name, errors in filterset.errors.as_data().items():
        value = filterset.data.get(name, "")
        is_id_filter = isinstance(filterset.filters.get(name), django_filters.ModelChoiceFilter)
        is_integer = value.isascii() and value.lstrip("-").isdecimal()
        if not (is_id_filter and is_integer and all(e.code == "invalid_choice" for e in errors)):
            return False
    return True


def boolean_query_parameter(request, name: str, default: bool = False) -> bool:
    """A boolean query parameter as the schema declares it (`true`/`false`, or 1/0, yes/no): anything else, such as
    `dry_run=null`, is a 400 on the parameter rather than silently false."""
    from rest_framework import exceptions, serializers

    if name not in request.query_params:
        return default
    try:
        return serializers.BooleanField().to_internal_value(request.query_params[name])
    except exceptions.ValidationError as error:
        raise exceptions.ValidationError({name: error.detail}) from error
