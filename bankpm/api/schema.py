"""Schema post-processing: document the error responses every endpoint can give, in one shape."""
import re

ERROR_SCHEMA = {
    "type": "object",
    "description": "Field-keyed messages (`{field: [messages]}`), or `{detail: message}`; bulk writes: per index.",
    "additionalProperties": True,
}
ERROR_RESPONSES = {
    "400": "Bad request: the named fields are invalid; nothing was changed.",
    "401": "Not authenticated.",
    "403": "Not allowed for this user.",
    "404": "Not found.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "Conflict with the current state.",
    "413": "The request body is over the limit named in the message (`limit`, in bytes).",
    "415": "Unsupported media type.",
}
WRITE_ONLY = {"400", "409", "413", "415"}


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
