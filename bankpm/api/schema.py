"""Schema post-processing: document the error responses every endpoint can give, in one shape."""
import re

import drf_spectacular.openapi
from rest_framework import serializers

from bankpm.validators import SingleLineTextValidator

ERROR_SCHEMA = {
    "type": "object",
    "description": "400: field-keyed messages (`{field: [messages]}`), or `{detail: message}`; bulk writes: per "
                   "index. 409: `{detail, code}` with a stable machine-readable `code`, plus `field` when the "
                   "conflict is about one body field (a taken product code: `{\"code\": \"duplicate_code\", "
                   "\"field\": \"code\", \"detail\"}`).",
    "additionalProperties": True,
}
ERROR_RESPONSES = {
    "400": "Bad request: the named fields are invalid; nothing was changed.",
    "401": "Not authenticated.",
    "403": "Not allowed for this user.",
    "404": "Not found.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "Conflict with the current state: `{detail, code}`, plus `field` when one body field is concerned.",
    "413": "The request body is over the limit named in the message (`limit`, in bytes).",
    "415": "Unsupported media type.",
}
WRITE_ONLY = {"400", "409", "413", "415"}


def drop_empty_enums(result, generator, request, public):
    """A choice set registered at start-up may be empty (no approval process declares its own outcomes yet): its
    enum component would accept nothing, which JSON Schema frowns on. Drop the component and its alternatives in
    `oneOf`, so that a field reads as what it accepts (e.g. only the blank value)."""
    schemas = result.get("components", {}).get("schemas", {})
    empty = {name for name, component in schemas.items() if component.get("enum") == []}
    if not empty:
        return result
    refs = {f"#/components/schemas/{name}" for name in empty}
    for name in empty:
        del schemas[name]
    for component in schemas.values():
        for prop in component.get("properties", {}).values():
            if "oneOf" in prop:
                prop["oneOf"] = [alt for alt in prop["oneOf"] if alt.get("$ref") not in refs]
    return result


def close_request_bodies(result, generator, request, public):
    """Request bodies refuse unknown fields (RejectUnknownFieldsMixin): say so, so that clients and fuzzers agree.
    A decimal's pattern needs a digit: drf-spectacular's allows "", "-" and ".", which are no numbers."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object" and "properties" in component:
            component.setdefault("additionalProperties", False)
        for prop in component.get("properties", {}).values():
            if prop.get("format") == "decimal" and "pattern" in prop:
                prop["pattern"] = _decimal_pattern(prop["pattern"])
    return result


def _decimal_pattern(pattern: str) -> str:
    """`^-?\\d{0,5}(?:\\.\\d{0,1})?$` -> at least one digit, before or after the point."""
    match = re.fullmatch(r"\^-\?\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)\?\$", pattern)
    if not match:
        return pattern
    whole, fraction = match.groups()
    if fraction == "0":
        return rf"^-?\d{{1,{whole}}}$"
    return rf"^-?(?:\d{{1,{whole}}}(?:\.\d{{0,{fraction}}})?|\.\d{{1,{fraction}}})$"


def add_error_responses(result, generator, request, public):
    from core import idempotency  # core.models: loaded once the apps are

    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                if code in responses or (code in WRITE_ONLY and method == "get" and code != "400"):
                    continue
                if code == "404" and "{" not in path and method != "get":
                    continue
                responses[code] = {"description": description, "content": {"application/json": {"schema": ref}}}
            if any(p.get("in") == "header" and p.get("name") == idempotency.HEADER
                   for p in operation.get("parameters", [])):
                responses.setdefault("422", {"description": idempotency.KEY_MISMATCH,
                                             "content": {"application/json": {"schema": ref}}})
    return result


# Django refuses a NUL character in any text it reads (ProhibitNullCharactersValidator).
NO_NUL = "^[^\\x00]*$"


def query_parameter_limits(result, generator, request, public):
    """What the filters refuse beyond a parameter's type: a comma-separated list (`ordering=a,b`) holds at least one
    item (an empty list would be sent as `ordering=`, refused as empty), and text holds no NUL character."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if parameter.get("in") != "query":
                    continue
                if schema.get("type") == "array" and not parameter.get("explode", True):
                    schema.setdefault("minItems", 1)
                if schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(schema):
                    schema["pattern"] = NO_NUL
    return result


# What the serializers refuse in typed text, spelled as patterns any JSON Schema engine reads the same way (each
# character named, no Unicode property classes).
_SPACE = "".join(f"\\u{ord(c):04x}" for c in map(chr, range(0x3000 + 1)) if c.isspace())  # what str.strip() strips
# Control characters (category Cc) and the bidi controls SingleLineTextValidator names; the rest of category C
# (format, private-use and unassigned code points) is the `single-line` format's, as no short class spells it.
_CONTROL = "\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"
SINGLE_LINE_FORMAT = "single-line"
SINGLE_LINE_DESCRIPTION = ("Single-line text: no control or format characters (Unicode category C, the zero-width "
                           "joiner of emoji sequences excepted), no bidi controls such as U+202E.")


def text_pattern(*, single_line: bool, blank: bool) -> str:
    """What a CharField takes: no NUL (Django refuses it in any text), no control characters on a single line;
    unless it may be blank, at least one character that is no whitespace (the field strips it first)."""
    barred = _CONTROL if single_line else "\\u0000"
    if blank:
        return f"^[^{barred}]*$"
    return f"^[^{barred}]*[^{barred}{_SPACE}][^{barred}]*$"


def _decimal_floor(pattern: str, minimum) -> str | None:
    """A decimal's pattern without the sign when the field refuses negative values."""
    if minimum is None or minimum < 0 or not pattern.startswith("^-?"):
        return None
    return "^" + pattern[3:]


class AutoSchema(drf_spectacular.openapi.AutoSchema):
    """drf-spectacular's, saying in request bodies what the serializers refuse beyond a field's type: text with NUL
    or control characters (single-line fields), blank-after-stripping text, empty lists, negative decimals."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        handler = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        if getattr(handler, "idempotent", False):
            from core.idempotency import KEY_PARAMETER  # core.models: loaded once the apps are

            parameters = [*parameters, KEY_PARAMETER]
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        self._direction = direction  # read by _insert_field_validators, which drf-spectacular calls without it
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request" or not isinstance(schema, dict):
            return schema
        if isinstance(field, serializers.ListSerializer | serializers.ListField):
            if not field.allow_empty:
                schema["minItems"] = max(schema.get("minItems", 0), 1)
            if getattr(field, "max_length", None) is not None:
                schema.setdefault("maxItems", field.max_length)
            if getattr(field, "min_length", None) is not None:
                schema["minItems"] = max(schema.get("minItems", 0), field.min_length)
        elif isinstance(field, serializers.PrimaryKeyRelatedField) and schema.get("type") == "integer":
            schema["minimum"] = 1  # ids start at 1: `{"owner": 0}` names no row and the schema says so
        elif isinstance(field, serializers.DecimalField) and "pattern" in schema:
            floor = _decimal_floor(_decimal_pattern(schema["pattern"]), field.min_value)
            if floor:
                schema["pattern"] = floor
            if field.min_value is not None and field.min_value > 0:
                schema["not"] = {"pattern": "^[0.]*$"}  # no zero: the smallest step is the minimum
        return schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if getattr(self, "_direction", None) != "request":
            return
        if (isinstance(field, serializers.CharField) and not isinstance(field, serializers.ChoiceField)
                and schema.get("type") == "string" and not {"format", "pattern", "enum", "oneOf"} & set(schema)):
            single_line = any(isinstance(v, SingleLineTextValidator) for v in field.validators)
            schema["pattern"] = text_pattern(single_line=single_line,
                                             blank=field.allow_blank or not field.trim_whitespace)
            if single_line:
                schema["format"] = SINGLE_LINE_FORMAT
                schema.setdefault("description", SINGLE_LINE_DESCRIPTION)

    def _get_request_for_media_type(self, serializer, direction="request"):
        schema, required = super()._get_request_for_media_type(serializer, direction)
        serializer = drf_spectacular.openapi.force_instance(serializer)
        if isinstance(serializer, serializers.ListSerializer) and isinstance(schema, dict):
            if not serializer.allow_empty or serializer.min_length:
                schema["minItems"] = max(serializer.min_length or 0, 1 if not serializer.allow_empty else 0)
            if serializer.max_length is not None:
                schema["maxItems"] = serializer.max_length
        return schema, required


def _required_when(field: str, values: list[str], needed: str) -> dict:
    """`needed` must be sent, not blank, when `field` is one of `values` (a body without `field` is not concerned)."""
    return {"anyOf": [
        {"properties": {field: {"not": {"enum": values}}}},
        {"required": [needed], "properties": {needed: {"type": "string",
                                                       "pattern": text_pattern(single_line=False, blank=False)}}},
    ]}


# Rules between the fields of one body that the services enforce (400 on the named field) and a schema can say.
BODY_RULES = {
    # approvals.services.approval_step_decide: a rejection gives its reason.
    "DecisionRequest": [_required_when("decision", ["reject"], "comment")],
    # requirements.services.requirement_transition: rejecting or deferring gives a reason.
    "TransitionRequest": [_required_when("transition", ["reject", "defer"], "reason")],
    # lifecycle.services.deliverable_update and exits.services.exit_task_update: a waiver gives its reason.
    "PatchedDeliverableUpdateRequest": [_required_when("status", ["waived"], "reason")],
    "PatchedExitTaskUpdateRequest": [_required_when("status", ["waived"], "reason")],
    # risks.models.Risk.clean: a transfer names its instrument, a quantitative assessment its model. (That a
    # residual score is no higher than the inherent one is said in the fields' descriptions: JSON Schema compares
    # no two values.)
    "RiskWriteRequest": [_required_when("response", ["transfer"], "transfer_instrument"),
                         _required_when("method", ["quantitative"], "method_note")],
    # requirements.services.version_release: moving the unfinished scope names the version it goes to.
    "VersionReleaseRequest": [{"anyOf": [{"properties": {"unfinished": {"not": {"enum": ["move"]}}}},
                                         {"required": ["move_to"], "properties": {"move_to": {"type": "integer"}}}]}],
    # risks.services.risk_close: closing a risk gives the reason.
    "PatchedRiskUpdateRequest": [_required_when("status", ["closed"], "closure_reason")],
    # kpis.services.observations_ingest: days from 1970 to 2099.
    "ObservationItemRequest": [{"properties": {"date": {
        "pattern": "^(19[7-9][0-9]|20[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"}}}],
    # kpis.periods.parse_period: a month is spelled 2026-10; a quarter 2026-Q4, or by one of its months.
    "ComputeRequestRequest": [{"anyOf": [
        {"properties": {"granularity": {"not": {"enum": ["month"]}}}},
        {"properties": {"period": {"pattern": "^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$"}}},
    ]}],
}
# Dates the services refuse in the past (risks.services: a next review by hand is today or later). JSON Schema
# has no "today": the pattern admits the years after the current one (through 2099), each a valid date.
FUTURE_DATES = {"RiskWriteRequest": ["review_due"], "PatchedRiskUpdateRequest": ["review_due"],
                "ReviewRequest": ["review_due"]}


def future_date_pattern() -> str:
    from django.utils import timezone

    years = "|".join(str(year) for year in range(timezone.localdate().year + 1, 2100))
    return f"^({years})-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$"


# Products.clean: only deposits and wealth products have an expected-yield range (elsewhere null or zero).
_NO_YIELD = {"type": "string", "nullable": True, "pattern": "^[0.]*$"}
YIELD_RULE = {"anyOf": [
    {"properties": {"category": {"enum": ["deposit", "wealth"]}}},
    {"properties": {"expected_yield_min": _NO_YIELD, "expected_yield_max": _NO_YIELD}},
]}


def body_rules(result, generator, request, public):
    """What one body's fields must say together (BODY_RULES); a product's `owner` is asked for on create and on a
    full update: heads of product and administrators must name one (a product manager may name only themself, and
    an omitted owner is still taken as them)."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, rules in BODY_RULES.items():
        if name in schemas:
            schemas[name].setdefault("allOf", []).extend(rules)
    if "ImpactEnum" in schemas:  # a generated client names the values by the RICE scale, not VALUE_0 ...
        schemas["ImpactEnum"]["x-enum-varnames"] = ["MASSIVE", "HIGH", "MEDIUM", "LOW", "MINIMAL"]
    for name in FUTURE_DATES:
        for field in FUTURE_DATES[name]:
            prop = schemas.get(name, {}).get("properties", {}).get(field)
            if prop is not None:
                prop["pattern"] = future_date_pattern()
    if "ProductRequest" in schemas:
        product = schemas["ProductRequest"]
        product["required"] = sorted({*product.get("required", []), "owner"})
        product.setdefault("allOf", []).append(YIELD_RULE)
    return result
