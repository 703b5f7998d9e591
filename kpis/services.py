"""KPI rules: ingestion of observations, snapshot computation, early-warning alerts.

Pages, API views, the admin, Celery tasks and management commands all call these functions.
"""
import logging
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import compress
from operator import itemgetter, not_
from typing import NamedTuple

import msgspec
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.choices import DepartmentCode
from accounts.permissions import can_manage_products
from bankpm.broker import publish
from core.audit import audit_edit, audit_record, diff, field_values
from core.collector import collector_paused
from core.errors import BulkValidationError, DomainConflict
from core.roles import in_department, is_administrator, is_portfolio_manager, products_editable_filter
from notifications.services import localised, notify_many
from products.choices import LifecycleStage, ProductCategory
from products.models import Product

from . import dimension_sql, dimensions, sql
from .choices import (
    ACTIVE_ALERT_STATUSES,
    ALERT_COMMENT_MAX_LENGTH,
    MAX_OBSERVATIONS_PER_REQUEST,
    Aggregation,
    AlertKind,
    AlertStatus,
    Granularity,
    IngestError,
    KpiAuditAction,
    KpiFamily,
    MetricCode,
    ObservationSource,
    SnapshotStatus,
    TargetGranularity,
)
from .formulas import derived_sql
from .hooks import metric_fed_elsewhere, run_alert_opened
from .models import Alert, Metric, Observation, Snapshot, StalePeriod, Target, TaskRun
from .periods import Period, add_months, parse_period, period_containing, period_range

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------------------------
# Ingestion
# ---------------------------------------------------------------------------------------------------------------

ITEM_FIELDS = ("product", "metric", "date", "value")
OPTIONAL_FIELDS = dimensions.DIMENSION_FIELDS


@dataclass
class IngestResult:
    received: int
    created: int
    updated: int
    dry_run: bool


@collector_paused()  # a batch allocates ~10^5 short-lived containers, no cycles (core.collector)
def observations_ingest(*, user, items, source: str = ObservationSource.API, dry_run: bool = False) -> IngestResult:
    """Validate every item, then upsert all of them in one statement, or nothing at all.

    Heads of product and admins may send figures for any product, product managers for their own products.
    Derived metrics and backlog-fed metrics are computed by the system and refused here.
    """
    _check_may_ingest(user)
    if not isinstance(items, list):
        raise ValidationError({"non_field_errors": [IngestError.NOT_A_LIST.label]})
    if not items:
        raise ValidationError({"non_field_errors": [IngestError.EMPTY.label]})
    if len(items) > MAX_OBSERVATIONS_PER_REQUEST:
        raise ValidationError({"non_field_errors": [
            _("单次最多提交 %(max)s 条观测值，本次收到 %(count)s 条；请分批提交。")
            % {"max": f"{MAX_OBSERVATIONS_PER_REQUEST:,}", "count": f"{len(items):,}"}
        ]})
    rows, errors, dimensioned, indexes, totals = _validate_items(user=user, items=items)
    if not errors:
        errors = _fed_elsewhere_errors(totals, dimensioned, indexes)
    dimensioned = dimensions.batch_of(dimensioned) if dimensioned else None
    if not errors and (dimensioned or dimensions.totals_blocked(product_ids=rows[0], dates=rows[2])):
        errors = dimensions.rule_errors(totals=totals, batch=dimensioned or dimensions.batch_of([]),
                                        indexes=indexes)
    if errors:
        raise BulkValidationError(errors)
    return _store(rows, user=user, source=source, dry_run=dry_run, dimensioned=dimensioned)


class _Observation(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """One item exactly as the API documents it (every field present, of its type, a real calendar day)."""

    product: str
    metric: str
    date: date
    value: float
    segment: str | None = None
    channel: str | None = None
    region: str | None = None


_DECODE_OBSERVATIONS = msgspec.json.Decoder(list[_Observation])


@collector_paused()
def observations_ingest_json(*, user, body: bytes, source: str = ObservationSource.API,
                             dry_run: bool = False) -> IngestResult | None:
    """`observations_ingest` for a UTF-8 JSON body, decoded and type-checked in C (msgspec): a 10,000-item batch
    in a few milliseconds, where building dicts and checking them in Python takes about twenty.

    Returns None, having written nothing, unless every item is well-formed, writable, within range and distinct;
    the caller then parses the body and calls `observations_ingest`, whose checks say what is wrong, per index.
    So this path never accepts what those checks refuse (tests compare both on generated batches)."""
    _check_may_ingest(user)
    try:
        items = _DECODE_OBSERVATIONS.decode(body)
    except msgspec.DecodeError:
        return None
    if not 0 < len(items) <= MAX_OBSERVATIONS_PER_REQUEST:
        return None
    codes = {item.product for item in items}
    writable, ingestible, ranges = _lookups(user=user, codes=codes)
    # Column by column in comprehensions and set operations (C loops), each check on the whole batch at once: any
    # doubt sends the batch to the full checks. (10,000 items: about 8 ms, against 25 for a loop over the items.)
    # The columns have the batch's length by construction: zips of them need no strict check (another pass).
    if not codes <= writable.keys() or not {item.metric for item in items} <= ingestible.keys():
        return None
    product_ids = [writable[item.product] for item in items]
    metric_ids = [ingestible[item.metric] for item in items]
    dates = [item.date for item in items]
    values = [item.value for item in items]
    days = set(dates)
    total = sum(values)
    if min(days) < FIRST_OBSERVATION_DATE or max(days) > _last_day() or total - total != 0.0:
        return None  # a day out of range, or an inf or nan (or values whose sum overflows: the full checks decide)
    for metric in ranges.keys() & set(metric_ids):  # a valid range holds for the batch's extremes, or not
        sent = [value for m, value in zip(metric_ids, values, strict=True) if m == metric]
        if ranges[metric].range_error(min(sent)) or ranges[metric].range_error(max(sent)):
            return None
    fed = metric_fed_elsewhere(product_ids=set(product_ids), metric_ids=set(metric_ids))
    if fed and fed & set(zip(product_ids, metric_ids, strict=False)):
        return None  # figures another app computes: the full checks name the items
    segments = [item.segment or "" for item in items]
    channels = [item.channel or "" for item in items]
    regions = [item.region or "" for item in items]
    members = set(zip(segments, channels, regions, strict=False))
    if members - {NO_MEMBERS}:  # figures by segment, channel or region
        known = dimensions.active_region_codes()
        if not all(dimensions.known_members(combo, known) for combo in members - {NO_MEMBERS}):
            return None
    dimensioned, total_indexes = None, range(len(items))
    if members != {NO_MEMBERS}:  # split the batch into totals and figures by dimension
        columns = [product_ids, metric_ids, dates, segments, channels, regions, values]
        if NO_MEMBERS in members:
            is_total = [combo == NO_MEMBERS for combo in zip(segments, channels, regions, strict=True)]
            is_dimensioned = list(map(not_, is_total))
            total_indexes = list(compress(total_indexes, is_total))
            columns, (product_ids, metric_ids, dates, values) = (
                [list(compress(column, is_dimensioned)) for column in columns],
                [list(compress(column, is_total)) for column in (product_ids, metric_ids, dates, values)])
        else:
            total_indexes, product_ids, metric_ids, dates, values = [], [], [], [], []
        # An item sent twice: the full checks say which. Stored in PostgreSQL, the table's key finds it (the
        # storage raises SentTwice, below) for free, where a set of the batch's 10,000 keys costs 2–10 ms.
        if (dry_run or connection.vendor != "postgresql") \
                and len(set(zip(*columns[:6], strict=False))) != len(columns[0]):
            return None
        dimensioned = dimensions.Batch(dimensions.Rows(columns), set(zip(*columns[:3], strict=False)),
                                       members - {NO_MEMBERS})
    totals = dict(zip(zip(product_ids, metric_ids, dates, strict=True), total_indexes, strict=True))
    if len(totals) != len(product_ids):
        return None
    if dimensioned:  # the same rule as the full checks, or nothing here
        if dimensions.rule_errors(totals=totals, batch=dimensioned):
            return None
    elif dimensions.totals_blocked(product_ids=product_ids, dates=dates):
        return None  # days with figures by dimension: the full checks say which
    try:
        return _store((product_ids, metric_ids, dates, values), user=user, source=source, dry_run=dry_run,
                      dimensioned=dimensioned)
    except dimensions.SentTwice:
        return None  # nothing written (the storage's transaction rolled back)


NO_MEMBERS = ("", "", "")


def _fed_elsewhere_errors(totals: dict, dimensioned: list, indexes: list) -> list[dict]:
    """Items of a (product, metric) whose figures another app computes (the "metric_source" hooks of kpis.hooks);
    `indexes` are the dimensioned rows' item indexes."""
    pairs = {key[:2] for key in totals} | set(map(_PRODUCT_METRIC, dimensioned))
    fed = metric_fed_elsewhere(product_ids={p for p, _m in pairs}, metric_ids={m for _p, m in pairs})
    if not fed & pairs:  # the common case: no item to name, so no per-item list to build
        return []
    keys = [(index, p, m) for (p, m, _d), index in totals.items()] + [
        (i, p, m) for i, (p, m, *_r) in zip(indexes, dimensioned, strict=True)]
    return [{"index": i, "errors": {"metric": [IngestError.FED_ELSEWHERE.label]}}
            for i, p, m in sorted(keys) if (p, m) in fed]


_PRODUCT_METRIC = itemgetter(0, 1)


def _check_may_ingest(user) -> None:
    if not can_manage_products(user):
        raise PermissionDenied(_("只有产品经理、产品负责人和管理员可以提交指标数据。"))


def _store(rows, *, user, source: str, dry_run: bool, dimensioned: dimensions.Batch | None = None) -> IngestResult:
    received = len(rows[0]) + (len(dimensioned.rows) if dimensioned else 0)
    if dry_run:
        return IngestResult(received=received, created=0, updated=0, dry_run=True)
    with transaction.atomic():
        created = _upsert_observations(rows, source) if rows[0] else 0
        months = _product_months(rows)
        if dimensioned:
            created += dimensions.store(batch=dimensioned, source=source)
            months |= {(p, d.replace(day=1)) for p, _m, d in dimensioned.keys}
            from .target_market import target_market_check

            days = {d for _p, _m, d in dimensioned.keys}
            target_market_check(product_ids={p for p, _m, _d in dimensioned.keys}, first=min(days), last=max(days),
                                sold=({m for _p, m, _d in dimensioned.keys},
                                      {(s, c) for s, c, _r in dimensioned.members}))
        snapshots_mark_stale(product_months=months)
        # One entry per batch, not per figure (up to 10,000): who sent how many figures of which products, when.
        product_ids = sorted({p for p, _month in months})
        audit_record(action=KpiAuditAction.OBSERVATIONS_INGESTED, actor=user, to_value=source,
                     product=Product.objects.get(pk=product_ids[0]) if len(product_ids) == 1 else None,
                     comment=f"{received} ({created} new, {received - created} replaced)",
                     changes=[{"field": "products", "old": None, "new": product_ids}])
    return IngestResult(received=received, created=created, updated=received - created, dry_run=False)


def _lookups(*, user, codes: set) -> tuple[dict, dict, dict]:
    """Product code → id of the products named that this user may edit, metric code → id of the metrics one may
    send, metric id → metric for those with a valid range."""
    codes = {code for code in codes if isinstance(code, str) and _is_storable(code)}
    # Same rule as editing the product itself, as a filter: one query, no model instance per product.
    writable = dict(Product.objects.filter(products_editable_filter(user=user), code__in=codes)
                    .values_list("code", "id")) if codes else {}
    metrics = list(Metric.objects.all())
    ingestible = {m.code: m.pk for m in metrics
                  if m.aggregation != Aggregation.DERIVED and m.code != MetricCode.REQUIREMENTS_DELIVERED}
    # Valid ranges (counts ≥ 0, rates 0–100 …) are checked per item like every other error.
    ranges = {m.pk: m for m in metrics if m.min_value is not None or m.max_value is not None}
    return writable, ingestible, ranges


def _validate_items(*, user, items: list) -> tuple[tuple[list, list, list, list], list[dict], list[tuple], list[int],
                                                 dict]:
    """Plain-Python validation with dicts of codes → ids: fast enough for 10,000 items per request.

    Returns the totals as four columns, the errors per index, the dimensioned items as (product id, metric id,
    day, segment, channel, region, value) with their indexes, and the totals' keys → index (for the
    total/dimension rule).
    """
    try:  # the common case in one pass; an item that is no object, or a code that is a list, takes the long way
        named = {item["product"] for item in items}
    except (TypeError, KeyError):
        named = {item.get("product") for item in items
                 if isinstance(item, dict) and isinstance(item.get("product"), str)}
    writable, ingestible, ranges = _lookups(user=user, codes=named)
    # The full checks (only for items the fast path below does not take) name unknown and other people's codes.
    codes = {code for code in named if isinstance(code, str) and _is_storable(code)}
    products = {code: pk for code, pk in Product.objects.filter(code__in=codes).values_list("code", "id")} \
        if len(writable) < len(codes) else writable
    metrics = {code: (pk, agg) for code, pk, agg in Metric.objects.values_list("code", "id", "aggregation")}
    product_ids, metric_ids, dates, values = [], [], [], []
    errors, seen, days, dimensioned, indexes, regions = [], {}, {}, [], [], None
    for index, item in enumerate(items):
        dims = None
        key = _fast_key(item, writable, ingestible, days)
        if key is None and type(item) is dict and 4 < len(item) <= 7:  # a figure by dimension, well-formed
            regions = dimensions.active_region_codes() if regions is None else regions
            key, dims = dimensions.fast_key(item, lambda core: _fast_key(core, writable, ingestible, days), regions)
        if key is None:
            problems = _item_problems(item, products, metrics, writable)
            if isinstance(item, dict) and any(name in item for name in OPTIONAL_FIELDS):
                regions = dimensions.active_region_codes() if regions is None else regions
                dims, dim_problems = dimensions.item_dimensions(item, regions)
                problems.update(dim_problems)
            if not problems:
                key = (products[item["product"]], metrics[item["metric"]][0], date.fromisoformat(item["date"]))
        else:
            problems = None
        if key is not None:
            value = float(item["value"])
            # The range applies on both paths (fast and full): per index, and one bad item writes nothing.
            outside = ranges[key[1]].range_error(value) if key[1] in ranges else None
            full_key = (*key, *dims) if dims and any(dims) else key
            if outside:
                problems = {"value": [outside]}
            elif full_key in seen:
                problems = {"date": [_("与第 %(other)d 项重复（同一产品、指标和日期）。") % {"other": seen[full_key]}]}
            elif full_key is not key:
                seen[full_key] = index
                dimensioned.append((*full_key, value))
                indexes.append(index)
            else:
                seen[key] = index
                product_ids.append(key[0])
                metric_ids.append(key[1])
                dates.append(key[2])
                values.append(value)
        if problems:
            errors.append({"index": index, "errors": problems})
    totals = {key: index for key, index in seen.items() if len(key) == 3}
    return (product_ids, metric_ids, dates, values), errors, dimensioned, indexes, totals


# Figures of a bank's products: a date outside these is a typo, and the periods around it (previous period, last
# year) must exist as dates.
FIRST_OBSERVATION_DATE, LAST_OBSERVATION_DATE = date(1970, 1, 1), date(2099, 12, 31)


def _last_day() -> date:
    """The latest day a figure may be for: today (a figure dated later has not happened; a pilot would otherwise
    be judged on it)."""
    return min(LAST_OBSERVATION_DATE, timezone.localdate())


_NUMBER_TYPES = (float, int)


def _fast_key(item, writable: dict, ingestible: dict, days: dict) -> tuple | None:
    """The (product id, metric id, date) of a well-formed item in a few lookups; None sends it to the full checks.
    `days` keeps the dates checked so far (10,000 items name a few dozen days), a bad one as False."""
    if type(item) is not dict or len(item) != 4:
        return None
    try:
        product, metric = writable[item["product"]], ingestible[item["metric"]]
        day, value = days[item["date"]], item["value"]
    except (KeyError, TypeError):  # a missing field, an unknown code, a list or object as a code, a new date
        return _fast_key_new_day(item, writable, ingestible, days)
    if day is False or type(value) not in _NUMBER_TYPES:
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return (product, metric, day) if number - number == 0.0 else None  # inf and nan are not finite


def _fast_key_new_day(item, writable: dict, ingestible: dict, days: dict) -> tuple | None:
    day, product, metric = item.get("date"), item.get("product"), item.get("metric")
    if type(day) is not str or day in days or type(product) is not str or type(metric) is not str \
            or product not in writable or metric not in ingestible:
        return None
    days[day] = _checked_day(day)
    return _fast_key(item, writable, ingestible, days)


def _checked_day(text: str):
    """The date of a well-formed ISO day within the accepted range, else False."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        return False
    return parsed if FIRST_OBSERVATION_DATE <= parsed <= _last_day() else False


def _item_problems(item, products, metrics, editable) -> dict:
    if not isinstance(item, dict):
        return {"non_field_errors": [IngestError.NOT_AN_OBJECT.label]}
    problems = {name: [IngestError.UNKNOWN_FIELD.label] for name in item
                if name not in ITEM_FIELDS and name not in OPTIONAL_FIELDS}
    for name in ITEM_FIELDS:
        if name not in item or item[name] is None:
            problems[name] = [IngestError.REQUIRED.label]
    code = item.get("product")
    if "product" not in problems:
        if not _is_storable(code) or code not in products:
            problems["product"] = [_("未知产品代码 '%(code)s'。") % {"code": _printable(code)}]
        elif code not in editable:
            problems["product"] = [IngestError.NOT_YOUR_PRODUCT.label]
    metric = item.get("metric")
    if "metric" not in problems:
        if not _is_storable(metric) or metric not in metrics:
            problems["metric"] = [_("未知指标代码 '%(code)s'。") % {"code": _printable(metric)}]
        elif metrics[metric][1] == Aggregation.DERIVED or metric == MetricCode.REQUIREMENTS_DELIVERED:
            problems["metric"] = [IngestError.NOT_INGESTIBLE.label]
    if "date" not in problems and not _is_iso_date(item["date"]):
        problems["date"] = [IngestError.BAD_DATE.label]
    elif "date" not in problems and not FIRST_OBSERVATION_DATE <= date.fromisoformat(item["date"]) \
            <= LAST_OBSERVATION_DATE:
        problems["date"] = [IngestError.DATE_OUT_OF_RANGE.label]
    elif "date" not in problems and date.fromisoformat(item["date"]) > _last_day():
        problems["date"] = [IngestError.DATE_IN_FUTURE.label]
    if "value" not in problems and not _is_finite_number(item["value"]):
        problems["value"] = [IngestError.BAD_VALUE.label]
    return problems


def _is_storable(text) -> bool:
    """A string PostgreSQL can be asked about: no NUL character and no lone surrogate (JSON admits both)."""
    if not isinstance(text, str) or "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(value) -> str:
    """Echo a bad code back safely: the error response itself must be encodable."""
    return str(value).replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def _is_finite_number(value) -> bool:
    """Booleans are not numbers here; an integer too large for a float (JSON allows any) is not finite either."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _is_iso_date(text) -> bool:
    if not isinstance(text, str) or len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


_MERGE_PG = """
WITH existing AS (
  SELECT count(*) AS n FROM kpi_staging s
  JOIN kpis_observation o ON o.product_id = s.product_id AND o.metric_id = s.metric_id AND o.date = s.date
  WHERE o.date >= %s AND o.date <= %s  -- only the partitions of the batch's months
), merged AS (
  INSERT INTO kpis_observation (product_id, metric_id, date, value, source)
  SELECT product_id, metric_id, date, value, source FROM kpi_staging
  ON CONFLICT (product_id, metric_id, date) DO UPDATE SET value = EXCLUDED.value, source = EXCLUDED.source
  RETURNING 1
)
SELECT (SELECT count(*) FROM merged) - (SELECT n FROM existing)"""


def _upsert_observations(rows, source: str) -> int:
    """One set-based merge; returns how many rows were new.

    PostgreSQL: the rows are COPYed into a temporary staging table, then merged in one statement that also counts
    the keys that existed before it (the same snapshot), after making sure their month partitions exist.
    """
    product_ids, metric_ids, dates, values = rows
    if connection.vendor == "postgresql":
        return _upsert_observations_pg(rows, source)
    existing = set(Observation.objects.filter(
        product_id__in=set(product_ids), metric_id__in=set(metric_ids), date__in=set(dates)
    ).values_list("product_id", "metric_id", "date"))
    objects = [Observation(product_id=p, metric_id=m, date=d, value=v, source=source)
               for p, m, d, v in zip(product_ids, metric_ids, dates, values, strict=True)]
    Observation.objects.bulk_create(objects, batch_size=2000, update_conflicts=True,
                                    unique_fields=["product", "metric", "date"], update_fields=["value", "source"])
    return sum(1 for key in zip(product_ids, metric_ids, dates, strict=True) if key not in existing)


def _upsert_observations_pg(rows, source: str) -> int:
    """COPY straight into the table when every key is new (the common case: new days); if one exists, the COPY
    rolls back to its savepoint and the rows go through a staging table and one merge that also counts the keys
    that existed before it. The products are locked FOR KEY SHARE, which the table's missing foreign keys would
    otherwise have done row by row (see kpis/migrations/0004)."""
    from psycopg.errors import UniqueViolation

    from .partitions import observation_partitions_ensure

    product_ids, metric_ids, dates, values = rows
    days = {d: d.isoformat() for d in set(dates)}
    observation_partitions_ensure(days=set(days))  # a few dozen distinct days: format each once
    # Encoded once here: psycopg would otherwise encode the text again on every write.
    lines = "".join([f"{p}\t{m}\t{days[d]}\t{v!r}\t{source}\n"
                     for p, m, d, v in zip(product_ids, metric_ids, dates, values, strict=True)]).encode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM products_product WHERE id = ANY(%s) FOR KEY SHARE", [sorted(set(product_ids))])
        try:
            with transaction.atomic():
                _copy(cursor, "kpis_observation", lines)
            return len(product_ids)
        except (IntegrityError, UniqueViolation):
            pass  # some keys exist: merge instead
        cursor.execute("CREATE TEMP TABLE kpi_staging (product_id bigint, metric_id bigint, date date, "
                       "value double precision, source varchar(10)) ON COMMIT DROP")
        _copy(cursor, "kpi_staging", lines)
        cursor.execute("ANALYZE kpi_staging")  # a temporary table has no statistics otherwise
        cursor.execute(_MERGE_PG, [min(dates), max(dates)])
        created = cursor.fetchone()[0]
        cursor.execute("DROP TABLE kpi_staging")  # a second batch in the same transaction stages afresh
    return created


def _copy(cursor, table: str, lines: bytes) -> None:
    with cursor.copy(f"COPY {table} (product_id, metric_id, date, value, source) FROM STDIN") as copy:
        copy.write(lines)


def _product_months(rows) -> set[tuple[int, date]]:
    product_ids, _metrics, dates, _values = rows
    return {(p, d.replace(day=1)) for p, d in set(zip(product_ids, dates, strict=True))}


# ---------------------------------------------------------------------------------------------------------------
# Snapshots
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class ComputeResult:
    periods: int = 0
    snapshots: int = 0
    alerts_opened: int = 0
    alerts_resolved: int = 0


COMPUTE_TASK = "kpis.tasks.compute_kpi_snapshots"
# A run no worker has started after REPUBLISH_AFTER is published again (the upserts are idempotent); a run without
# a sign of life for ABANDONED_AFTER is failed. Progress is reported per period, one SQL statement each.
REPUBLISH_AFTER = timedelta(minutes=2)
ABANDONED_AFTER = timedelta(minutes=10)


def kpi_can_compute(*, user) -> bool:
    """Heads of product and admins trigger a recomputation; everybody else waits for the nightly run."""
    return is_portfolio_manager(user)


def kpi_compute_request(*, user, period: str, granularity: str) -> str:
    """Check, record who asked (TaskRun, the outbox row) and queue the Celery task after commit, without waiting on
    the broker; returns the task id the caller can poll."""
    if not kpi_can_compute(user=user):
        raise PermissionDenied(_("只有产品负责人和管理员可以重新计算指标快照。"))
    parsed = parse_period(period, granularity)
    run = TaskRun.objects.create(id=uuid.uuid4(), task=COMPUTE_TASK, arguments=[parsed.label, parsed.granularity],
                                 started_by=user)
    transaction.on_commit(lambda: _publish(run))
    return str(run.id)


def _publish(run: TaskRun) -> None:
    from .tasks import compute_kpi_snapshots

    publish(lambda: compute_kpi_snapshots.apply_async(args=run.arguments, task_id=str(run.id)),
            what=f"task run {run.id}")


def task_run_readable(*, user, run: TaskRun) -> bool:
    """A task's state is its starter's and the administrators' to read."""
    return user.is_authenticated and (is_administrator(user) or run.started_by_id == user.pk)


def task_run_heartbeat(*, task_id: str | None) -> None:
    """A worker's sign of life for the run (no row for the nightly runs, which nobody polls)."""
    if task_id:
        TaskRun.objects.filter(pk=task_id).update(heartbeat_at=timezone.now())


def task_runs_sweep(*, now=None) -> dict:
    """Beat: re-publish runs no worker has picked up (the broker was down, or the message was lost), and mark
    failed the runs whose worker went silent, so that nobody waits on `PROGRESS 71/84` for an hour and the same
    computation can simply be asked for again."""
    from celery.result import AsyncResult

    now = now or timezone.now()
    open_runs = TaskRun.objects.filter(abandoned_at__isnull=True)
    waiting = open_runs.filter(heartbeat_at__isnull=True, created_at__lt=now - REPUBLISH_AFTER,
                               created_at__gte=now - ABANDONED_AFTER)
    silent = open_runs.filter(Q(heartbeat_at__lt=now - ABANDONED_AFTER)
                              | Q(heartbeat_at__isnull=True, created_at__lt=now - ABANDONED_AFTER))
    republished = abandoned = 0
    for run in waiting[:100]:
        if AsyncResult(str(run.id)).state == "PENDING":
            _publish(run)
            republished += 1
    for run in silent[:100]:
        result = AsyncResult(str(run.id))
        if result.state not in ("SUCCESS", "FAILURE"):
            result.backend.store_result(str(run.id), TaskAbandoned(_("任务中断：工作进程长时间无响应，请重新发起。")),
                                        "FAILURE")
            abandoned += 1
        TaskRun.objects.filter(pk=run.pk).update(abandoned_at=now)
    return {"republished": republished, "abandoned": abandoned}


def task_run_status(*, run: TaskRun) -> dict:
    """A run's state and progress from the result backend; when the backend (the broker's Redis) cannot be read,
    the state the run's own row knows (abandoned: FAILURE, a heartbeat: STARTED, else PENDING), never an error."""
    from celery.result import AsyncResult

    try:
        result = AsyncResult(str(run.id))
        state, info = result.state, result.info
    except Exception:  # noqa: BLE001 - any backend error: the row answers instead
        logger.warning("Result backend unreadable; task %s answered from its row", run.id, exc_info=True)
        return _task_run_stored_status(run)
    progress = info if state == "PROGRESS" and isinstance(info, dict) else None
    outcome = info if state == "SUCCESS" else (str(info) if state == "FAILURE" else None)
    return {"id": str(run.id), "state": state, "progress": progress, "result": outcome}


def _task_run_stored_status(run: TaskRun) -> dict:
    if run.abandoned_at is not None:
        return {"id": str(run.id), "state": "FAILURE", "progress": None,
                "result": str(_("任务中断：工作进程长时间无响应，请重新发起。"))}
    return {"id": str(run.id), "state": "STARTED" if run.heartbeat_at else "PENDING", "progress": None,
            "result": None}


class TaskAbandoned(Exception):
    """Stored as the result of a run whose worker died or went silent."""


def kpi_snapshots_compute(
    *, period: str, granularity: str, through: str | None = None,
    progress: Callable[[int, int], None] | None = None, alerts: bool = True,
) -> ComputeResult:
    """Compute snapshots of one period, or of every period from `period` through `through` (a backfill).

    One set-based statement covers all the periods (kpis.sql), then alerts are opened, moved to the latest
    breach and resolved period by period in order, all in one transaction. Idempotent: the upsert is keyed by
    product, metric, granularity and period start. A large backfill is split by the Celery task (kpis.tasks).
    """
    first = parse_period(period, granularity)
    last = parse_period(through, granularity) if through else first
    if last.start < first.start:
        raise ValidationError({"through": _("结束周期不能早于开始周期。")})
    periods = period_range(first, last)
    if progress:
        progress(0, len(periods))
    from .sources import sync_backlog_observations

    with transaction.atomic():
        sync_backlog_observations(start=periods[0].start, end=periods[-1].end)
        result = _compute_periods(periods, alerts=alerts, progress=progress)
    return result


SNAPSHOT_WORK_MEM = "64MB"


def metric_plan() -> sql.MetricPlan:
    """Metric ids by aggregation and the derived metrics compiled from their formulas (data, not code)."""
    metrics = list(Metric.objects.values_list("id", "code", "aggregation", "formula"))
    by_aggregation: dict[str, list[int]] = {}
    for pk, _code, aggregation, _formula in metrics:
        by_aggregation.setdefault(aggregation, []).append(pk)
    return sql.MetricPlan(by_aggregation=by_aggregation, derived=derived_sql(metrics))


def _compute_periods(periods: list[Period], *, alerts: bool = True, product_ids=None, scope=None,
                     progress: Callable[[int, int], None] | None = None) -> ComputeResult:
    now = timezone.now()
    # The raw statement stores `now` as the ORM would (SQLite keeps datetimes as text in the ORM's own format),
    # so that the rows it wrote can be found by their computed_at below.
    plan, stored_now = metric_plan(), connection.ops.adapt_datetimefield_value(now)
    statements = sql.snapshot_statements(vendor=connection.vendor, granularity=periods[0].granularity,
                                         periods=periods, plan=plan, now=stored_now, scope=scope)
    by_dimension = dimension_sql.dimension_snapshot_statements(
        vendor=connection.vendor, granularity=periods[0].granularity, periods=periods, plan=plan, now=stored_now,
        product_ids=product_ids)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a batch statement: hash and sort in memory, not on disk; and no
            # JIT: compiling its ~400 expressions costs more (0.1-0.2 s) than they take to run interpreted
            cursor.execute(f"SET LOCAL work_mem = '{SNAPSHOT_WORK_MEM}'")
            cursor.execute("SET LOCAL jit = off")
        for statement, params in statements:
            cursor.execute(statement, params)
        rows = cursor.rowcount
        if connection.vendor == "postgresql":
            _write_staged_snapshots(cursor, periods)
        for statement, params in by_dimension:  # the breakdowns by segment, channel and region
            cursor.execute(statement, params)
    if rows < 0:  # SQLite does not count rows of an INSERT with a WITH clause
        rows = Snapshot.objects.filter(granularity=periods[0].granularity, computed_at=now).count()
    result = ComputeResult(periods=len(periods), snapshots=rows)
    if alerts:
        result.alerts_opened, result.alerts_resolved = _reconcile_alerts(periods, now, product_ids=product_ids,
                                                                         progress=progress)
    elif progress:
        progress(len(periods), len(periods))
    return result


def _write_staged_snapshots(cursor, periods: list[Period]) -> None:
    """Write the computed rows (kpis.sql.STAGING). Periods with no snapshot yet take a plain INSERT, which skips the
    per-row conflict check of an upsert (a third of the write); a concurrent run that wrote one of these keys first
    makes it fail in its savepoint, and the upsert runs instead."""
    from psycopg.errors import UniqueViolation

    cursor.execute("SELECT EXISTS (SELECT 1 FROM kpis_snapshot WHERE granularity = %s AND period_start = ANY(%s))",
                   [periods[0].granularity, [p.start for p in periods]])
    if not cursor.fetchone()[0]:
        try:
            with transaction.atomic():
                cursor.execute(sql.STAGED_INSERT)
        except (IntegrityError, UniqueViolation):
            pass
        else:
            cursor.execute(f"DROP TABLE {sql.STAGING}")
            return
    cursor.execute(sql.STAGED_UPSERT)
    cursor.execute(f"DROP TABLE {sql.STAGING}")


class _Breach(NamedTuple):
    """The snapshot fields an alert takes from its red (or green) period."""

    snapshot_id: int
    product_id: int
    metric_id: int
    period: str
    period_start: date
    status: str
    value: float | None
    critical_threshold: float | None


_BREACH_COLUMNS = ("id", *_Breach._fields[1:])


def _reconcile_alerts(periods: list[Period], now, *, product_ids=None, progress=None) -> tuple[int, int]:
    """Period by period in order: open alerts on red (unless the metric has an active alert or is green in a later
    period), move them to the latest breach, resolve them on green.

    One pass over the few metrics concerned (a red snapshot in the periods, or an active alert; most have neither):
    five queries and the writes, whatever the number of periods, instead of three statements per period."""
    granularity, first, last = periods[0].granularity, periods[0].start, periods[-1].start
    snapshots = Snapshot.objects.filter(granularity=granularity)
    active = Alert.objects.filter(kind=AlertKind.METRIC, status__in=ACTIVE_ALERT_STATUSES)
    if product_ids is not None:
        snapshots, active = snapshots.filter(product_id__in=product_ids), active.filter(product_id__in=product_ids)
    in_periods = snapshots.filter(period_start__gte=first, period_start__lte=last)
    # An active alert of any granularity keeps another from opening (one active alert per metric); only this
    # granularity's move and resolve here. Locked: a person resolving one waits, then finds it resolved.
    alerts = {(a.product_id, a.metric_id): a for a in
              active.select_for_update(of=("self",)).select_related("product", "metric").order_by("pk")}
    reds = [_Breach(*row) for row in in_periods.filter(status=SnapshotStatus.RED).values_list(*_BREACH_COLUMNS)]
    pairs = set(alerts) | {(r.product_id, r.metric_id) for r in reds}
    opened = resolved = 0
    if pairs:
        products, metrics = {p for p, _m in pairs}, {m for _p, m in pairs}
        greens = [_Breach(*row) for row in in_periods.filter(status=SnapshotStatus.GREEN, product_id__in=products,
                                                             metric_id__in=metrics).values_list(*_BREACH_COLUMNS)]
        latest_green = {(p, m): start for p, m, start in snapshots.filter(
            status=SnapshotStatus.GREEN, product_id__in=products, metric_id__in=metrics)
            .values_list("product_id", "metric_id").annotate(latest=Max("period_start")).order_by()}
        history: dict[tuple[int, int], list[_Breach]] = {}
        for row in sorted(reds + greens, key=lambda r: r.period_start):
            if (row.product_id, row.metric_id) in pairs:
                history.setdefault((row.product_id, row.metric_id), []).append(row)
        opened, resolved = _replay_alerts(history, alerts, latest_green, granularity, now)
    if progress:
        progress(len(periods), len(periods))
    return opened, resolved


def _replay_alerts(history, alerts, latest_green, granularity: str, now) -> tuple[int, int]:
    """Walk each metric's red and green periods in order (kpis._reconcile_alerts), then write: resolutions first
    (they free the metric for a new alert), new alerts (notified with the breach they opened on), moves."""
    to_resolve, to_open, latest = [], {}, {}
    for pair, rows in history.items():
        alert = alerts.get(pair)
        for row in rows:
            if alert is not None and alert.granularity != granularity:
                break  # another granularity's alert is active: nothing opens, moves or resolves here
            if row.status == SnapshotStatus.RED:
                if alert is None:
                    if latest_green.get(pair, date.min) > row.period_start:
                        continue  # a later period is green again: an old breach recomputed opens nothing
                    alert = to_open[pair] = _alert_on(Alert(opened_at=now, kind=AlertKind.METRIC,
                                                             granularity=granularity), row)
                if alert.period_start <= row.period_start:
                    latest[pair] = row
            elif alert is not None and alert.period_start <= row.period_start:
                if pair in latest and alert.pk:
                    _alert_on(alert, latest.pop(pair))
                to_resolve.append((alert, row))
                alert = None
                latest.pop(pair, None)
    for alert, green in to_resolve:
        previous = alert.status
        alert.resolve(user=None, comment=_("指标已恢复达标（%(period)s），系统自动解除。") % {"period": green.period},
                      at=now, automatic=True)
        alert.save()
        _audit_alert(action=KpiAuditAction.ALERT_RESOLVED, user=None, alert=alert, old=previous,
                     comment=alert.resolution_comment)
        alerts.pop((alert.product_id, alert.metric_id))
    new = _open_alerts(list(to_open.values()), now, granularity)
    for alert in new:
        alerts[(alert.product_id, alert.metric_id)] = alert
    changed = [_alert_on(alerts[pair], row) for pair, row in latest.items()
               if pair in alerts and _shown(alerts[pair]) != (row.snapshot_id, row.period_start, row.value,
                                                              row.critical_threshold)]
    Alert.objects.bulk_update(changed, ["snapshot", "period", "period_start", "value", "critical_threshold"])
    return len(new), len(to_resolve)


def _shown(alert: Alert) -> tuple:
    return alert.snapshot_id, alert.period_start, alert.value, alert.critical_threshold


def _alert_on(alert: Alert, row: _Breach) -> Alert:
    alert.product_id, alert.metric_id, alert.snapshot_id = row.product_id, row.metric_id, row.snapshot_id
    alert.period, alert.period_start = row.period, row.period_start
    alert.value, alert.critical_threshold = row.value, row.critical_threshold
    return alert


@transaction.atomic
def kpi_alerts_reconcile(*, period: str, granularity: str, through: str | None = None) -> ComputeResult:
    """The alert pass alone over computed snapshots: what closes a backfill fanned out over workers."""
    first = parse_period(period, granularity)
    periods = period_range(first, parse_period(through, granularity) if through else first)
    opened, resolved = _reconcile_alerts(periods, timezone.now())
    return ComputeResult(periods=len(periods), alerts_opened=opened, alerts_resolved=resolved)


# Figures arriving in a burst are recomputed together, well within a minute of the first.
STALE_RECOMPUTE_DELAY_SECONDS = 20
STALE_CLAIM_BATCH = 5000
_STALE_SCHEDULED_KEY = "kpis:stale-recompute-scheduled"


def snapshot_periods_affected(month: date) -> list[tuple[str, date]]:
    """Snapshots a change to one month's figures touches: its month and quarter (their value), the next month and
    quarter (their previous value) and the same month and quarter a year later (their last-year value)."""
    quarter = period_containing(month, Granularity.QUARTER).start
    return [(Granularity.MONTH, month), (Granularity.MONTH, add_months(month, 1)),
            (Granularity.MONTH, add_months(month, 12)), (Granularity.QUARTER, quarter),
            (Granularity.QUARTER, add_months(quarter, 3)), (Granularity.QUARTER, add_months(quarter, 12))]


@transaction.atomic(savepoint=False)  # one statement: the caller's transaction is enough
def snapshots_mark_stale(*, product_months: set[tuple[int, date]]) -> int:
    """Mark the product × period snapshots that figures of these (product id, month start) pairs change, and queue
    their recomputation after commit (debounced). Returns how many marks were written."""
    now = timezone.now()
    marks = {(p, g, start) for p, month in product_months for g, start in snapshot_periods_affected(month)}
    if not marks:
        return 0
    if connection.vendor == "postgresql":
        products, granularities, starts = (list(column) for column in zip(*marks, strict=True))
        # Granularities and days as comma-separated text: psycopg quotes a text[] or date[] element by element.
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO kpis_staleperiod (product_id, granularity, period_start, marked_at) "
                           "SELECT u.p, u.g, u.s, %s FROM unnest(%s::bigint[], string_to_array(%s, ','), "
                           "string_to_array(%s, ',')::date[]) AS u(p, g, s) ON CONFLICT DO NOTHING",
                           [now, products, ",".join(granularities), ",".join(map(date.isoformat, starts))])
    else:
        StalePeriod.objects.bulk_create(
            [StalePeriod(product_id=p, granularity=g, period_start=start, marked_at=now) for p, g, start in marks],
            batch_size=2000, ignore_conflicts=True)
    transaction.on_commit(_schedule_stale_recompute)
    return len(marks)


def _schedule_stale_recompute() -> None:
    from django.core.cache import cache

    from .tasks import recompute_stale_kpi_snapshots

    if not cache.add(_STALE_SCHEDULED_KEY, 1, timeout=STALE_RECOMPUTE_DELAY_SECONDS):
        return  # one is already queued and will see these marks
    try:
        recompute_stale_kpi_snapshots.apply_async(countdown=STALE_RECOMPUTE_DELAY_SECONDS)
    except Exception:  # broker down: the beat's sweep (every minute) recomputes the marks
        cache.delete(_STALE_SCHEDULED_KEY)
        logger.warning("could not queue the stale KPI recomputation; the beat sweep will", exc_info=True)


def kpi_snapshots_recompute_stale() -> ComputeResult:
    """Claim the stale marks and recompute exactly those product × period snapshots, alerts included.

    Claiming deletes the marks inside this transaction: figures committed while it runs mark their periods again
    (the insert waits for this transaction, then finds no mark), so nothing is lost; a failure restores them.
    """
    from django.core.cache import cache

    cache.delete(_STALE_SCHEDULED_KEY)
    total = ComputeResult()
    while True:
        with transaction.atomic():
            claimed = _claim_stale_marks()
            for granularity in Granularity.values:
                pairs = sorted({(p, start) for p, g, start in claimed if g == granularity})
                if not pairs:
                    continue
                periods = [Period(granularity, start) for start in sorted({start for _p, start in pairs})]
                result = _compute_periods(periods, scope=pairs, product_ids=sorted({p for p, _s in pairs}))
                total.periods += result.periods
                total.snapshots += result.snapshots
                total.alerts_opened += result.alerts_opened
                total.alerts_resolved += result.alerts_resolved
        if len(claimed) < STALE_CLAIM_BATCH:
            return total


def _claim_stale_marks() -> list[tuple[int, str, date]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM kpis_staleperiod WHERE (product_id, granularity, period_start) IN ("
            " SELECT product_id, granularity, period_start FROM kpis_staleperiod"
            " ORDER BY product_id, granularity, period_start LIMIT %s)"
            " RETURNING product_id, granularity, period_start", [STALE_CLAIM_BATCH])
        rows = cursor.fetchall()
    return [(p, g, start if isinstance(start, date) else date.fromisoformat(start)) for p, g, start in rows]


# ---------------------------------------------------------------------------------------------------------------
# Alerts
# ---------------------------------------------------------------------------------------------------------------

class StateConflict(DomainConflict):
    """The alert is not in a state that allows this action: 409 `{"detail"}` (no code, as the API always said)."""

    def __init__(self, message):
        super().__init__("", message)


def _open_alerts(alerts: list[Alert], now, granularity: str) -> list[Alert]:
    """Create the alerts, tell the product's manager (and the risk department for a risk metric), run the
    alert_opened hooks. A concurrent run may have opened the same alert: the partial unique constraint makes that a
    no-op, and only the alerts this run created come back."""
    if not alerts:
        return []
    Alert.objects.bulk_create(alerts, ignore_conflicts=True)
    new = list(Alert.objects.filter(opened_at=now, granularity=granularity, kind=AlertKind.METRIC)
               .select_related("product__owner", "metric").order_by("pk"))
    risk_members = None
    messages = []
    for alert in new:
        recipients = [alert.product.owner]
        if alert.metric.family == KpiFamily.RISK:
            if risk_members is None:
                risk_members = list(get_user_model().objects.filter(departments__code=DepartmentCode.RISK,
                                                                    is_active=True))
            recipients += risk_members
        messages.append(_alert_message(alert, recipients))
    notify_many(messages=messages)
    run_alert_opened(alerts=new)
    return new


def _alert_message(alert: Alert, recipients) -> dict:
    """The notice of an opened alert (notifications.services.notify's arguments)."""
    from django.urls import reverse

    metric = alert.metric
    return dict(
        recipients=recipients,
        title_code=gettext_noop("指标预警：%(product)s %(metric)s（%(period)s）"),
        body_code=gettext_noop("%(metric)s 为 %(value)s，已越过预警阈值 %(limit)s。请确认并说明应对措施。"),
        params={"product": alert.product.code, "metric": localised(lambda: metric.display_name), "period": alert.period,
                "value": _fmt(alert.value), "limit": _fmt(alert.critical_threshold)},
        url=reverse("kpis:alert-list") + f"?product={alert.product_id}",
    )


def _fmt(value) -> str:
    return "—" if value is None else f"{value:,.2f}"


def alert_can_handle(*, user, alert: Alert) -> bool:
    """The product's manager, heads of product, admins, for risk metrics the risk department, and for
    target-market alerts compliance and risk."""
    if not user.is_authenticated:
        return False
    if is_portfolio_manager(user) or alert.product.owner_id == user.pk:
        return True
    if alert.kind == AlertKind.TARGET_MARKET:
        return any(in_department(user=user, department=d) for d in (DepartmentCode.COMPLIANCE, DepartmentCode.RISK))
    return alert.metric.family == KpiFamily.RISK and in_department(user=user, department=DepartmentCode.RISK)


def _locked_alert(*, user, alert: Alert, comment: str) -> Alert:
    if not alert_can_handle(user=user, alert=alert):
        raise PermissionDenied(_("您无权处理该预警。"))
    if not (comment or "").strip():
        raise ValidationError({"comment": _("请填写说明。")})
    if len(comment.strip()) > ALERT_COMMENT_MAX_LENGTH:
        raise ValidationError({"comment": _("说明不能超过 %(max)d 个字符。") % {"max": ALERT_COMMENT_MAX_LENGTH}})
    return Alert.objects.select_for_update().select_related("product", "metric").get(pk=alert.pk)


@transaction.atomic
def alert_acknowledge(*, user, alert: Alert, comment: str) -> Alert:
    """Acknowledge an open alert with a comment saying what is being done."""
    locked = _locked_alert(user=user, alert=alert, comment=comment)
    if locked.status != AlertStatus.OPEN:
        raise StateConflict(_("只有待处理的预警可以确认。"))
    locked.acknowledge(user=user, comment=comment.strip(), at=timezone.now())
    locked.save()
    _audit_alert(action=KpiAuditAction.ALERT_ACKNOWLEDGED, user=user, alert=locked, old=AlertStatus.OPEN,
                 comment=locked.acknowledge_comment)
    return locked


@transaction.atomic
def alert_resolve(*, user, alert: Alert, comment: str) -> Alert:
    """Resolve an open or acknowledged alert with a comment."""
    locked = _locked_alert(user=user, alert=alert, comment=comment)
    if locked.status not in ACTIVE_ALERT_STATUSES:
        raise StateConflict(_("该预警已解除。"))
    old = locked.status
    locked.resolve(user=user, comment=comment.strip(), at=timezone.now())
    locked.save()
    _audit_alert(action=KpiAuditAction.ALERT_RESOLVED, user=user, alert=locked, old=old,
                 comment=locked.resolution_comment)
    return locked


def _audit_alert(*, action: str, user, alert: Alert, old: str, comment: str) -> None:
    audit_record(action=action, actor=user, product=alert.product, obj=alert, from_value=old, to_value=alert.status,
                 comment=f"{alert.metric.code} {alert.period}: {comment}")


# ---------------------------------------------------------------------------------------------------------------
# Targets and metric definitions (the admin saves through these, audited with the field diff)
# ---------------------------------------------------------------------------------------------------------------

TARGET_FIELDS = ("product", "metric", "granularity", "period_start", "target_value", "warning_threshold",
                 "critical_threshold")
METRIC_FIELDS = ("code", "name", "name_en", "unit", "unit_en", "direction", "family", "aggregation", "is_key",
                 "scorecard_weight", "display_order")


def target_can_edit(*, user) -> bool:
    """Targets judge product managers, so heads of product and admins set them, not the managers themselves."""
    return is_portfolio_manager(user)


def _before(model, obj, fields) -> dict:
    if obj.pk is None:
        return {}
    saved = model.objects.select_for_update().filter(pk=obj.pk).first()
    return field_values(saved, fields) if saved is not None else {}


@transaction.atomic
def target_save(*, user, target: Target) -> Target:
    """Create or edit a target (validated), audited with the field-by-field diff in the same transaction."""
    if not target_can_edit(user=user):
        raise PermissionDenied(_("只有产品负责人和管理员可以设置指标目标。"))
    created = target.pk is None
    before = _before(Target, target, TARGET_FIELDS)
    target.full_clean()
    target.save()
    action = KpiAuditAction.TARGET_CREATED if created else KpiAuditAction.TARGET_UPDATED
    audit_edit(action=action, actor=user, product=target.product, obj=target, before=before, fields=TARGET_FIELDS,
               comment=f"{target.metric.code} {target.granularity} {target.period_start}")
    return target


@transaction.atomic
def target_delete(*, user, targets) -> None:
    """Delete targets, each audited with the values it had."""
    if not target_can_edit(user=user):
        raise PermissionDenied(_("只有产品负责人和管理员可以设置指标目标。"))
    for target in targets:
        before = field_values(target, TARGET_FIELDS)
        audit_record(action=KpiAuditAction.TARGET_DELETED, actor=user, product=target.product, obj=target,
                     comment=f"{target.metric.code} {target.granularity} {target.period_start}",
                     changes=diff(before, dict.fromkeys(TARGET_FIELDS)))
        target.delete()


@transaction.atomic
def metric_save(*, user, metric: Metric) -> Metric:
    """Create or edit a metric definition (admins only), audited with the field-by-field diff."""
    if not is_administrator(user):
        raise PermissionDenied(_("只有管理员可以修改指标定义。"))
    created = metric.pk is None
    before = _before(Metric, metric, METRIC_FIELDS)
    metric.full_clean()
    metric.save()
    action = KpiAuditAction.METRIC_CREATED if created else KpiAuditAction.METRIC_UPDATED
    audit_edit(action=action, actor=user, obj=metric, before=before, fields=METRIC_FIELDS, comment=metric.code)
    return metric


# Annual plans: a head of product sets a year's target once; the service spreads it over months or quarters.
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class TargetPlan:
    """One annual target to spread: the products it applies to (one, or every product of a category), the metric,
    the year, the annual value, monthly or quarterly periods, and the thresholds as a percentage of each period's
    target (warning and critical)."""

    products: list
    metric: Metric
    year: int
    annual_value: float
    granularity: str
    warning_pct: float
    critical_pct: float


def target_plan_periods(*, plan: TargetPlan) -> list[tuple[date, float, float, float]]:
    """(period start, target, warning, critical) per period. A metric summed over a period (revenue, new customers)
    has its annual value divided between the periods; a level (a rate, a balance, a score) keeps it in each."""
    count = 12 if plan.granularity == TargetGranularity.MONTH else 4
    step = 12 // count
    value = plan.annual_value / count if plan.metric.aggregation == Aggregation.SUM else plan.annual_value
    value = round(value, 4)
    warning, critical = (round(value * pct / 100, 4) for pct in (plan.warning_pct, plan.critical_pct))
    return [(date(plan.year, 1 + i * step, 1), value, warning, critical) for i in range(count)]


def _target_plan_errors(plan: TargetPlan) -> dict:
    errors = {}
    if not plan.products:
        errors["products"] = [_("请选择产品或产品类别。")]
    if plan.granularity not in (TargetGranularity.MONTH, TargetGranularity.QUARTER):
        errors["granularity"] = [_("只能分解到月度或季度。")]
    if not 2000 <= plan.year <= 2100:
        errors["year"] = [_("年份必须在 2000 到 2100 之间。")]
    for name in ("annual_value", "warning_pct", "critical_pct"):
        value = getattr(plan, name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            errors[name] = [_("必须是数字。")]
    if not errors.keys() & {"warning_pct", "critical_pct"}:
        lower = plan.metric.is_lower_better
        if (lower and plan.critical_pct <= plan.warning_pct) or (not lower and plan.critical_pct >= plan.warning_pct):
            errors["critical_pct"] = [_("预警阈值必须比关注阈值更差（越低越好的指标应更高，反之更低）。")]
    return errors


@transaction.atomic
def target_plan_apply(*, user, plan: TargetPlan) -> int:
    """Set the year's targets of every product of the plan in one go (created or replaced), each product audited
    with the periods whose values changed. Refused as a whole, changing nothing, on any invalid field."""
    if not target_can_edit(user=user):
        raise PermissionDenied(_("只有产品负责人和管理员可以设置指标目标。"))
    errors = _target_plan_errors(plan)
    if errors:
        raise ValidationError(errors)
    periods = target_plan_periods(plan=plan)
    product_ids = [p.pk for p in plan.products]
    existing = {(t.product_id, t.period_start): t for t in Target.objects.select_for_update().filter(
        product_id__in=product_ids, metric=plan.metric, granularity=plan.granularity,
        period_start__in=[start for start, *_rest in periods])}
    rows = [Target(product_id=pk, metric=plan.metric, granularity=plan.granularity, period_start=start,
                   target_value=value, warning_threshold=warning, critical_threshold=critical)
            for pk in product_ids for start, value, warning, critical in periods]
    Target.objects.bulk_create(rows, update_conflicts=True,
                               unique_fields=["product", "metric", "granularity", "period_start"],
                               update_fields=["target_value", "warning_threshold", "critical_threshold"])
    for product in plan.products:
        before = {start.isoformat(): _plan_cell(existing.get((product.pk, start))) for start, *_rest in periods}
        after = {start.isoformat(): f"{value:g} / {warning:g} / {critical:g}"
                 for start, value, warning, critical in periods}
        changes = diff(before, after)
        if changes:
            audit_record(action=KpiAuditAction.TARGET_PLANNED, actor=user, product=product, changes=changes,
                         comment=f"{plan.metric.code} {plan.year} {plan.granularity} {plan.annual_value:g}")
    return len(rows)


def _plan_cell(target: Target | None) -> str | None:
    """A period's target, warning and critical values as the audit shows them ("100 / 95 / 90")."""
    if target is None:
        return None
    return f"{target.target_value:g} / {target.warning_threshold:g} / {target.critical_threshold:g}"


TARGET_IMPORT_COLUMNS = ("product", "category", "metric", "year", "annual_target", "granularity", "warning_pct",
                         "critical_pct")


def category_products(*, category: str):
    """The products a category's plan applies to: those not retired or cancelled."""
    return Product.objects.filter(category=category).exclude(
        stage__in=[LifecycleStage.RETIRED, LifecycleStage.CANCELLED]).order_by("code")


def target_plans_import(*, user, rows: list[dict], dry_run: bool = False) -> int:
    """Annual plans from an import (one row each: a product code or a category, metric code, year, annual target,
    month/quarter, thresholds in percent), all or nothing: any row in error refuses the file with every row's errors
    by index. Returns the number of period targets written (or that would be)."""
    if not target_can_edit(user=user):
        raise PermissionDenied(_("只有产品负责人和管理员可以设置指标目标。"))
    metrics = {m.code: m for m in Metric.objects.all()}
    codes = {str(r.get("product")).strip() for r in rows if r.get("product")}
    products = {p.code: p for p in Product.objects.filter(code__in=codes)}
    plans, errors = [], {}
    for index, row in enumerate(rows):
        plan, problems = _import_plan(row, metrics, products)
        if plan is not None:
            problems.update(_target_plan_errors(plan))
        if problems:
            errors[index] = problems
        else:
            plans.append(plan)
    if errors:
        raise BulkValidationError(errors)
    if dry_run:
        return sum(len(p.products) * (12 if p.granularity == TargetGranularity.MONTH else 4) for p in plans)
    with transaction.atomic():
        return sum(target_plan_apply(user=user, plan=plan) for plan in plans)


def _import_plan(row: dict, metrics: dict, products: dict) -> tuple[TargetPlan | None, dict]:
    problems: dict = {}
    code, category = (row.get("product") or "").strip(), (row.get("category") or "").strip()
    if bool(code) == bool(category):
        problems["product"] = [_("请填写产品代码或产品类别（二选一）。")]
    elif code and code not in products:
        problems["product"] = [_("未知的产品代码。")]
    elif category and category not in ProductCategory.values:
        problems["category"] = [_("未知的产品类别。")]
    metric = metrics.get((row.get("metric") or "").strip())
    if metric is None:
        problems["metric"] = [_("未知指标代码。")]
    numbers = {}
    for name in ("year", "annual_target", "warning_pct", "critical_pct"):
        try:
            numbers[name] = float(str(row.get(name, "")).strip().replace(",", ""))
        except ValueError:
            problems[name] = [_("必须是数字。")]
    if problems:
        return None, problems
    scope = [products[code]] if code else list(category_products(category=category))
    return TargetPlan(products=scope, metric=metric, year=int(numbers["year"]), annual_value=numbers["annual_target"],
                      granularity=(row.get("granularity") or "").strip(), warning_pct=numbers["warning_pct"],
                      critical_pct=numbers["critical_pct"]), {}


REGION_FIELDS = ("code", "name", "name_en", "is_active", "position")


@transaction.atomic
def region_save(*, user, region):
    """Create or edit a region of the reference list (admins only), audited; regions are deactivated, never
    deleted, because figures and pilots keep naming them."""
    from .models import Region

    if not is_administrator(user):
        raise PermissionDenied(_("只有管理员可以维护地区。"))
    created = region.pk is None
    before = _before(Region, region, REGION_FIELDS)
    region.full_clean()
    region.save()
    action = KpiAuditAction.REGION_CREATED if created else KpiAuditAction.REGION_UPDATED
    audit_edit(action=action, actor=user, obj=region, before=before, fields=REGION_FIELDS, comment=region.code)
    return region
