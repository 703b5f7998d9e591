"""One domain-error hierarchy for every app, mapped once for the API (bankpm.api.exceptions) and once for pages.

- `DomainConflict`: the request is valid but the current state forbids it -> 409 `{"code", "detail"}`.
- `BulkValidationError`: some items of a bulk request are invalid -> 400 `{"<index>": {field: [messages]}}`.
- Django's `ValidationError` (field -> messages) and `PermissionDenied` stay as they are: 400 and 403.
"""
from django.core.exceptions import PermissionDenied, ValidationError


class DomainConflict(Exception):
    """A state conflict with a stable machine-readable `code` and a human message."""

    def __init__(self, code, message=None):
        self.code = str(code)
        label = getattr(code, "label", None)
        self.message = str(message or label or code)
        super().__init__(self.message)


class BulkValidationError(Exception):
    """Per-index errors of a bulk write; nothing was written."""

    def __init__(self, errors: dict[int, object]):
        self.errors = errors
        super().__init__(f"{len(errors)} invalid item(s)")


def error_messages(error: Exception) -> list[str]:
    """Plain messages of a domain error for a page (a form's non-field errors or a card's message)."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return [m for messages in error.message_dict.values() for m in messages]
        return list(error.messages)
    if isinstance(error, DomainConflict):
        return [error.message]
    if isinstance(error, PermissionDenied):
        return [str(error) or "403"]
    return [str(error)]


def error_text(error: Exception) -> str:
    return "; ".join(error_messages(error))


DOMAIN_ERRORS = (ValidationError, DomainConflict, PermissionDenied, BulkValidationError)
