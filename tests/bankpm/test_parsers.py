"""The API's JSON parser (orjson) accepts and refuses exactly what DRF's own parser does."""
import io

import pytest
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from bankpm.api.parsers import FastJSONParser

BODIES = [b'[{"product": "P-1", "value": 1.5}]', b'{"a": 1, "a": 2}', b'[12345678901234567890123]',
          b'[9223372036854775807, -9223372036854775808]', b'"text"', b'[1e400]', b'[NaN]', b'["\\ud800"]',
          b'\xef\xbb\xbf[1]', b'[1,]', b'\xff', b'[-0.0, 1E-7]', '["汉字"]'.encode(),
          b'[1.5, "2026-10-01", 18446744073709551616]', b'{"v": -99999999999999999999}']


def parse(parser, body):
    try:
        return "ok", parser.parse(io.BytesIO(body), "application/json", {})
    except ParseError:
        return "refused", None


@pytest.mark.parametrize("body", BODIES)
def test_orjson_parser_answers_what_drf_answers(body):
    assert parse(FastJSONParser(), body) == parse(JSONParser(), body)
