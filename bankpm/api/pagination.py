from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from core.counts import CountedPaginator


class StandardPagination(PageNumberPagination):
    """`page` and `page_size` are positive integers, as the schema declares; anything else is a 400."""

    django_paginator_class = CountedPaginator  # an unfiltered list of a large table is not counted row by row
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        for name in (self.page_query_param, self.page_size_query_param):
            values = request.query_params.getlist(name)
            if len(values) > 1 or any(not (v.isascii() and v.isdecimal() and int(v) > 0) for v in values):
                raise ValidationError({name: [_("必须是一个正整数。")]})
            if name == self.page_size_query_param and values and int(values[0]) > self.max_page_size:
                raise ValidationError({name: [_("每页最多 %(max)s 条。") % {"max": self.max_page_size}]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
