"""Validators every app shares: stored links that cannot run script, single-line text that cannot spoof."""
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

_web_url = URLValidator(schemes=["http", "https"])


def validate_link(value: str) -> None:
    """An absolute http(s) URL or one of the app's own paths ("/products/3/"); never `javascript:` and the like,
    nor "//host" or "/\\host", which browsers read as another site."""
    if not value:
        return
    if value.startswith("/"):
        if value.startswith(("//", "/\\")) or any(unicodedata.category(ch)[0] in "CZ" for ch in value):
            raise ValidationError(_("站内链接须是以 / 开头的路径。"), code="link")
        return
    try:
        _web_url(value)
    except ValidationError as error:
        raise ValidationError(_("链接只能是 http、https 地址或本站路径。"), code="link") from error


def link_constraint(field: str, *, name: str):
    """The database's half of validate_link, so that no path (bulk_create, update(), raw admin) stores a script
    link: empty, http(s)://, or a path that does not start a network path."""
    from django.db.models import CheckConstraint

    safe = (Q(**{field: ""}) | Q(**{f"{field}__startswith": "http://"}) | Q(**{f"{field}__startswith": "https://"})
            | (Q(**{f"{field}__startswith": "/"}) & ~Q(**{f"{field}__startswith": "//"})
               & ~Q(**{f"{field}__startswith": "/\\"})))
    return CheckConstraint(condition=safe, name=name,
                           violation_error_message=_("链接只能是 http、https 地址或本站路径。"))


# Bidirectional controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, U+200E/U+200F/U+061C
# marks) reorder what a reader sees; the rest of category C (controls such as ESC of ANSI sequences, format
# characters, unassigned and private-use code points) has no place in a name or a title.
_BIDI = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))}
_ALLOWED_FORMAT = {"\u200d"}  # zero-width joiner: part of emoji sequences


@deconstructible
class SingleLineTextValidator:
    """Refuses bidi controls and every control or format character in a single-line text field."""

    message = _("不能包含控制字符或双向文本控制符（如 U+202E）。")
    code = "control_character"

    def __call__(self, value):
        if not isinstance(value, str):
            return
        for ch in value:
            if ch in _BIDI or (unicodedata.category(ch).startswith("C") and ch not in _ALLOWED_FORMAT):
                raise ValidationError(self.message, code=self.code, params={"value": f"U+{ord(ch):04X}"})

    def __eq__(self, other):
        return isinstance(other, SingleLineTextValidator)


validate_single_line = SingleLineTextValidator()
