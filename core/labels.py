"""The one label registry: every stored code, field name and value shown to a person passes through here.

Codes are found by themselves: each choice field of the project's models is registered under its model and field
on first use, so a value is named by the choices of the field it came from (`draft` of a change and `draft` of a
version can differ), then by any registered code. Apps add codes that live outside a model's choices
(`register_codes`) and the labels of keys that are not model fields (`register_field_labels`). Values that are ids
of other rows (owners, channels, metrics) are named in one query per related model for a whole page of entries
(`describe_changes`).
"""
from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

_CODES: dict[str, object] = {}
_FIELD_CODES: dict[tuple[str, str], dict[str, object]] = {}
_FIELD_LABELS: dict[str, object] = {}
_ALIASES: dict[str, str] = {}
_built = False
EMPTY = "—"
# Models that hold the app's own bookkeeping: never the object of a person's action, never offered in a filter.
INTERNAL_APPS = {"core", "notifications"}
INTERNAL_MODELS = {"observation", "snapshot", "staleperiod", "taskrun", "exitprogress", "comment", "exitsegment",
                   "pilotcriterion", "riskassessment", "riskcontrol", "tag", "department", "saleschannel"}
# Keys of the audited dicts (progress counts, control snapshots) that are not fields of the entry's own model.
_FIELD_LABELS.update({"closed": _("已关闭"), "migrated": _("已迁移"), "customers": _("客户数"), "name": _("名称"),
                      "owner": _("负责人"), "type": _("类型"), "description": _("描述"),
                      "on_behalf_of": _("代理对象")})


def _project_models() -> list[type[models.Model]]:
    base = str(settings.BASE_DIR)
    return [m for m in apps.get_models() if str(m._meta.app_config.path).startswith(base)
            and ".venv" not in str(m._meta.app_config.path)]


def _build() -> None:
    global _built
    if _built:
        return
    for model in _project_models():
        for field in model._meta.concrete_fields:
            if field.choices:
                codes = {str(code): label for code, label in field.flatchoices if isinstance(code, str)}
                _FIELD_CODES[(model._meta.model_name, field.name)] = codes
                for code, label in codes.items():
                    _CODES.setdefault(code, label)
    _built = True


def register_codes(*choices: type[models.Choices]) -> None:
    """Codes stored outside a model's choices (actions, departments in from/to values), named everywhere."""
    for each in choices:
        _CODES.update({str(code): label for code, label in each.choices})


def register_code(code: str, label) -> None:
    """One code stored outside a model's choices (e.g. a process registered at start-up), named everywhere."""
    _CODES[str(code)] = label


def register_field_labels(labels: dict[str, object]) -> None:
    """Labels of dict keys and pseudo-fields an app writes into its audit diffs."""
    _FIELD_LABELS.update(labels)


def register_alias(model_name: str, *, fields_of: str) -> None:
    """Diffs of `model_name` hold fields of another model (a terms change holds the product's terms)."""
    _ALIASES[model_name] = fields_of


def code_label(code, *, model: str = "", field: str = "") -> str:
    """A stored code in the reader's language: by the choices of its field, else any registered code."""
    _build()
    code = str(code)
    by_field = _FIELD_CODES.get((model, field)) or _FIELD_CODES.get((_ALIASES.get(model, ""), field), {})
    return str(by_field.get(code, _CODES.get(code, code)))


def _model(model_name: str):
    return next((m for m in _project_models() if m._meta.model_name == model_name), None)


def field_label(model_name: str, field: str) -> str:
    """A field (or a reverse relation, or a registered key) by its verbose name; the code when nothing knows it."""
    model = _model(model_name)
    if model is not None:
        try:
            found = model._meta.get_field(field)
        except FieldDoesNotExist:
            found = None
        if found is not None and hasattr(found, "verbose_name"):
            return str(found.verbose_name)
        if found is not None:  # a reverse relation (a risk's controls): named by the related model
            return str(found.related_model._meta.verbose_name_plural)
    if model_name in _ALIASES:
        return field_label(_ALIASES[model_name], field)
    if field in _FIELD_LABELS:
        return str(_FIELD_LABELS[field])
    if "@" in field:  # a dated entry of a named row (exit progress: "segment@2026-11-27")
        name, _sep, day = field.partition("@")
        return f"{name} {day}"
    return field


def list_separator() -> str:
    return "、" if (translation.get_language() or "").startswith("zh") else ", "


def value_text(value, *, model: str = "", field: str = "", names: dict | None = None) -> str:
    """A stored value for a person: codes by label, related ids by name, lists joined, dicts as `key: value`."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, list):
        return list_separator().join(value_text(v, model=model, field=field, names=names) for v in value)
    if isinstance(value, dict):
        separator = "；" if list_separator() == "、" else "; "
        return separator.join(f"{field_label(model, str(k))}: {value_text(v, model=model, field=str(k), names=names)}"
                              for k, v in value.items())
    if names and str(value) in names.get((model, field), {}):
        return names[(model, field)][str(value)]
    if isinstance(value, str):
        return code_label(value, model=model, field=field)
    return str(value)


def _related_model(model_name: str, field: str):
    model = _model(model_name) if model_name not in _ALIASES else _model(_ALIASES[model_name])
    try:
        found = model._meta.get_field(field) if model is not None else None
    except FieldDoesNotExist:
        return None
    return found.related_model if found is not None and found.is_relation and found.concrete else None


def related_names(pairs: Iterable[tuple[str, str, object]]) -> dict[tuple[str, str], dict[str, str]]:
    """Names of the rows that (model, field, value) triples point at: one query per related model."""
    wanted: dict[type, set] = defaultdict(set)
    fields: dict[tuple[str, str], type] = {}
    for model_name, field, value in pairs:
        related = _related_model(model_name, field)
        if related is None:
            continue
        fields[(model_name, field)] = related
        for each in value if isinstance(value, list) else [value]:
            if isinstance(each, int) and not isinstance(each, bool):
                wanted[related].add(each)
    names = {related: {str(obj.pk): str(obj) for obj in related._default_manager.filter(pk__in=pks)}
             for related, pks in wanted.items()}
    return {key: names.get(related, {}) for key, related in fields.items()}


def describe_changes(entries) -> None:
    """Give each audit entry `described`: its changes as [{field, old, new}] in words, and its from/to values."""
    entries = list(entries)
    names = related_names((e.object_type, str(c.get("field")), c.get(side)) for e in entries
                          for c in e.changes or [] for side in ("old", "new"))
    for e in entries:
        e.described = [{"field": field_label(e.object_type, str(c.get("field"))),
                        "old": value_text(c.get("old"), model=e.object_type, field=str(c.get("field")), names=names),
                        "new": value_text(c.get("new"), model=e.object_type, field=str(c.get("field")), names=names)}
                       for c in e.changes or []]
        e.from_text, e.to_text = (_edge_text(e, e.from_value), _edge_text(e, e.to_value))


def _edge_text(entry, value: str) -> str:
    """An entry's from/to value: a code by its label; a list of changed field names (an edit) by their labels."""
    if not value:
        return ""
    if ", " in value and all(_is_field(entry.object_type, part) for part in value.split(", ")):
        return list_separator().join(field_label(entry.object_type, part) for part in value.split(", "))
    _build()
    for field in ("status", "stage"):  # a transition's ends: by the object's own state choices first
        codes = _FIELD_CODES.get((entry.object_type, field), {})
        if value in codes:
            return str(codes[value])
    return code_label(value)


def _is_field(model_name: str, name: str) -> bool:
    return field_label(model_name, name) != name


def object_types() -> list[tuple[str, str]]:
    """The kinds of object a person acts on (the audit filter's choices), named by their verbose names."""
    found = []
    for m in _project_models():
        opts = m._meta
        if (opts.app_label in INTERNAL_APPS or opts.auto_created or opts.model_name.startswith("historical")
                or opts.model_name in INTERNAL_MODELS):
            continue
        found.append((opts.model_name, str(opts.verbose_name)))
    return sorted(found, key=lambda c: c[0])
