"""The API's JSON parser: DRF's, through orjson."""
import io

import orjson
from django.conf import settings
from rest_framework.parsers import JSONParser

# Every digit as "0": a run of 19 digits is then one `in` (a regex scan costs more than orjson's whole parse).
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS = b"0" * 19


class FastJSONParser(JSONParser):
    """DRF's JSONParser, parsing with orjson (a 10,000-observation body: ~25 ms with the standard library, a few
    with orjson). A body orjson refuses (not UTF-8, a lone surrogate, NaN, a number out of a double's range) goes
    through DRF's own parser, so that what is accepted, and every error, stay exactly DRF's; so does a body in
    another charset than UTF-8 or with a run of 19 digits or more (orjson reads an integer beyond 64 bits as a
    float, Python's json as an int)."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        if not _is_utf8((parser_context or {}).get("encoding")) or _LONG_DIGITS in body.translate(_DIGITS_AS_ZERO):
            return super().parse(io.BytesIO(body), media_type, parser_context)
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            return super().parse(io.BytesIO(body), media_type, parser_context)


def _is_utf8(encoding: str | None) -> bool:
    return (encoding or settings.DEFAULT_CHARSET).lower().replace("-", "") == "utf8"


def is_utf8_json(request) -> bool:
    """Whether this parser would read the request's body as UTF-8 JSON (a view may then decode the raw body)."""
    http = request._request
    return http.content_type == "application/json" and _is_utf8(http.content_params.get("charset"))
