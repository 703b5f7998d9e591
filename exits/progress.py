"""Validation of migration progress items: plain Python over one read of the plan's segments and earlier rows.

Every rule is checked per index so the sender sees all problems at once; nothing is written when any fails.
"""
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.errors import BulkValidationError

from .choices import MAX_PROGRESS_ITEMS

FIELDS = ("segment", "date", "migrated", "closed")


@dataclass
class ProgressRow:
    index: int
    segment: object
    date: date
    migrated: int
    closed: int


def validate_progress(*, items, segments: dict, existing: dict, today: date) -> list[ProgressRow]:
    """The valid rows, or BulkValidationError naming every bad item (`[{"index", "errors": {field: [...]}}]`)."""
    if not isinstance(items, list):
        raise ValidationError({"non_field_errors": [_("请求体必须是数组。")]})
    if not items:
        raise ValidationError({"non_field_errors": [_("没有数据。")]})
    if len(items) > MAX_PROGRESS_ITEMS:
        raise ValidationError({"non_field_errors": [_("单次最多提交 %(max)d 条进度。") % {"max": MAX_PROGRESS_ITEMS}]})
    errors: dict[int, dict] = {}
    rows: list[ProgressRow] = []
    seen: dict[tuple, int] = {}
    for index, item in enumerate(items):
        problems, row = _item(item, index, segments, today)
        if row is not None:
            key = (row.segment.pk, row.date)
            if key in seen:
                problems["date"] = [_("与第 %(other)d 项重复（同一客群和日期）。") % {"other": seen[key]}]
            else:
                seen[key] = index
                rows.append(row)
        if problems:
            errors[index] = problems
    for index, problems in _cumulative_problems(rows, existing).items():
        errors.setdefault(index, {}).update(problems)
    if errors:
        raise BulkValidationError(dict(sorted(errors.items())))
    return rows


def _item(item, index, segments, today) -> tuple[dict, ProgressRow | None]:
    if not isinstance(item, dict):
        return {"non_field_errors": [_("每一项必须是对象。")]}, None
    problems = {name: [_("未知字段。")] for name in item if name not in FIELDS}
    for name in FIELDS:
        if item.get(name) is None:
            problems[name] = [_("必填。")]
    segment = segments.get(item.get("segment")) if isinstance(item.get("segment"), str) else None
    if "segment" not in problems and segment is None:
        problems["segment"] = [_("未知客群 '%(name)s'。") % {"name": _printable(item.get("segment"))}]
    day = _parse_date(item.get("date"))
    if "date" not in problems and day is None:
        problems["date"] = [_("日期格式应为 YYYY-MM-DD。")]
    elif day is not None and day > today:
        problems["date"] = [_("不能提交未来日期的进度。")]
    for name in ("migrated", "closed"):
        value = item.get(name)
        if name not in problems and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            problems[name] = [_("须为非负整数。")]
    if not problems and item["migrated"] + item["closed"] > segment.customers:
        problems["closed"] = [_("已迁移与已销户之和（%(sum)d）超过客群「%(name)s」的客户数 %(n)d。") % {
            "sum": item["migrated"] + item["closed"], "name": segment.name, "n": segment.customers}]
    if problems:
        return problems, None
    return {}, ProgressRow(index=index, segment=segment, date=day, migrated=item["migrated"], closed=item["closed"])


def _cumulative_problems(rows: list[ProgressRow], existing: dict) -> dict[int, dict]:
    """Counts are cumulative: per segment, neither migrated nor closed may fall from one day to a later one.
    Days sent now replace the stored ones; the check runs over the merged series."""
    series: dict[int, dict[date, tuple]] = {}
    for (segment_id, day), (migrated, closed) in existing.items():
        series.setdefault(segment_id, {})[day] = (migrated, closed, None)
    for row in rows:
        series.setdefault(row.segment.pk, {})[row.date] = (row.migrated, row.closed, row.index)
    problems: dict[int, dict] = {}
    for days in series.values():
        ordered = sorted(days.items())
        for (day_a, (mig_a, clo_a, idx_a)), (day_b, (mig_b, clo_b, idx_b)) in zip(ordered, ordered[1:],
                                                                                  strict=False):
            for name, earlier, later in (("migrated", mig_a, mig_b), ("closed", clo_a, clo_b)):
                if later >= earlier:
                    continue
                # Blame the item sent now: the later day when it is new, otherwise the earlier one.
                index, message = (idx_b, _("低于 %(day)s 的累计数 %(n)d：累计数不能下降。") % {
                    "day": day_a.isoformat(), "n": earlier}) if idx_b is not None else (
                    idx_a, _("高于 %(day)s 的累计数 %(n)d：累计数不能下降。") % {"day": day_b.isoformat(), "n": later})
                if index is not None:
                    problems.setdefault(index, {}).setdefault(name, []).append(message)
    return problems


def _parse_date(text) -> date | None:
    if not isinstance(text, str) or len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _printable(value) -> str:
    return str(value).replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")[:100]
