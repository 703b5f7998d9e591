"""One error shape for the API: DRF's field-keyed dict, with Django model validation folded in.

Requests the parser cannot take are answered in the same JSON shape: a body nested deeper than the interpreter can
decode (RecursionError) is a 400, a body over DATA_UPLOAD_MAX_MEMORY_SIZE a 413 that names the limit.
"""
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import BulkValidationError, DomainConflict, FieldValidationError
from core.pages import error_body, error_status


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


def as_drf_validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        detail = {("non_field_errors" if k == "__all__" else k): v for k, v in error.message_dict.items()}
    else:
        detail = {"non_field_errors": error.messages}
    return exceptions.ValidationError(detail)


def body_limit_text() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _("请求体过大：最多 %(limit)s 字节（%(mb)s MB）。") % {"limit": f"{limit:,}", "mb": f"{limit / 2**20:g}"}


def exception_handler(exc, context):
    """Domain errors mapped once for every endpoint: conflicts are 409 `{"detail", "code"}`, plus `"field"` when the
    conflict is about one body field, plus the error's `extra` fields (e.g. the failing pilot criteria); bulk
    errors 400 `{"errors": [{"index", "errors"}]}`, model validation 400 keyed by field."""
    if isinstance(exc, DomainConflict | FieldValidationError | BulkValidationError):
        return Response(error_body(exc), status=error_status(exc))  # the pages' script endpoints answer the same
    if isinstance(exc, DjangoValidationError):
        exc = as_drf_validation_error(exc)
    elif isinstance(exc, RecursionError):
        exc = exceptions.ParseError(_("请求体嵌套过深，无法解析。"))
    elif isinstance(exc, RequestDataTooBig):
        response = drf_exception_handler(RequestTooLarge(body_limit_text()), context)
        response.data["limit"] = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return response
    return drf_exception_handler(exc, context)
