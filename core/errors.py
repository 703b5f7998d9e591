"""One domain-error hierarchy for every app, mapped once for the API (bankpm.api.exceptions) and once for pages
(`error_messages` for a message or card, `add_form_errors` for a form).

- `DomainConflict`: the request is valid but the current state forbids it -> 409 `{"detail", "code"}` (a conflict
  without a code answers `{"detail"}` alone, the shape the KPI alert endpoints have always had).
- `BulkValidationError`: some items of a bulk request are invalid, nothing was written -> 400
  `{"errors": [{"index": i, "errors": {field: [messages]}}]}`.
- Django's `ValidationError` (field -> messages) and `PermissionDenied` stay as they are: 400 and 403.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


class DomainConflict(Exception):
    """A state conflict with a stable machine-readable `code` and a human message."""

    def __init__(self, code, message=None, *, field=None):
        self.code = str(code)
        label = getattr(code, "label", None)
        self.message = str(message or label or code)
        self.field = field  # the form field a page shows the message on (the API answers `{"detail", "code"}`)
        super().__init__(self.message)


class BulkValidationError(ValidationError):
    """Per-item errors of a bulk write; nothing was written. `errors` is `[{"index": i, "errors": {...}}]` (a dict
    `{index: errors}` is accepted and put in that shape)."""

    def __init__(self, errors):
        if isinstance(errors, dict):
            errors = [{"index": index, "errors": item} for index, item in sorted(errors.items())]
        self.errors = list(errors)
        super().__init__(_("%(count)d 条数据有误，未写入任何数据。") % {"count": len(self.errors)})

    @property
    def item_errors(self) -> list[dict]:
        return self.errors


class FieldValidationError(ValidationError):
    """Field-keyed errors whose values may nest (e.g. `{"terms": {"fee": [...]}}` for a change's proposed terms):
    400 with `errors` as the body; nothing was written."""

    def __init__(self, errors: dict):
        self.errors = dict(errors)
        super().__init__(_("提交的数据有误，未写入任何数据。"))


def error_messages(error: Exception) -> list[str]:
    """Plain messages of a domain error for a page (a form's non-field errors or a card's message)."""
    if isinstance(error, DomainConflict):
        return [error.message]
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return [m for messages in error.message_dict.values() for m in messages]
        return list(error.messages)
    if isinstance(error, PermissionDenied):
        return [str(error) or _("您无权执行该操作。")]
    return [str(error)]


def error_text(error: Exception) -> str:
    return "；".join(error_messages(error))


def add_form_errors(form, error: Exception, *, field: str | None = None) -> None:
    """Put a service's error on the form: field errors on their fields, anything else on `field` (e.g. an upload's
    file) or on top as a non-field error. Nested field errors (`FieldValidationError`, e.g. a change's terms) go to
    a form that knows its nested fields through its `add_service_errors`."""
    if isinstance(error, FieldValidationError) and hasattr(form, "add_service_errors"):
        form.add_service_errors(error.errors)
    elif isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else field, messages)
    elif isinstance(error, DomainConflict) and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        form.add_error(field, error_messages(error))


DOMAIN_ERRORS = (ValidationError, DomainConflict, PermissionDenied)
