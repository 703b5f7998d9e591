"""Figures by segment, channel and region: validation of the dimension fields, the total/dimension rule, storage
with the day's total rolled up, and the labels of dimension values.

The rule (docs/kpis.md, "Figures by segment, channel and region"): for one product, metric and day, figures arrive
either as one total (no dimension field) or as dimensioned rows, never both. Dimensioned rows of one day all use the
same dimensions (e.g. all segment + channel), so that they add up without double counting. The day's total is then
rolled up from all its dimensioned rows in the same transaction — SUM for sum and `last` metrics, AVG, MAX or MIN
for those aggregations — and stored as an ordinary observation with source `rollup`. A total sent for a day that has
dimensioned rows (or dimensioned rows for a day that has a sent total) is refused per index, and nothing is written.
"""
from datetime import date
from itertools import repeat
from operator import itemgetter
from typing import NamedTuple

from django.db import connection
from django.utils.translation import gettext as _

from products.choices import CustomerSegment, SalesChannelCode

from .choices import Dimension, IngestError, ObservationSource
from .models import DimensionObservation, Region
from .sql import _in_list

DIMENSION_FIELDS = ("segment", "channel", "region")


def active_region_codes() -> set[str]:
    return set(Region.objects.filter(is_active=True).values_list("code", flat=True))


def item_dimensions(item: dict, regions: set[str]) -> tuple[tuple[str, str, str] | None, dict]:
    """The (segment, channel, region) of an item ('' where absent or null) and the problems with them."""
    allowed = {"segment": (set(CustomerSegment.values), IngestError.UNKNOWN_SEGMENT),
               "channel": (set(SalesChannelCode.values), IngestError.UNKNOWN_CHANNEL),
               "region": (regions, IngestError.UNKNOWN_REGION)}
    values, problems = [], {}
    for name in DIMENSION_FIELDS:
        value = item.get(name)
        if value is None or value == "":
            values.append("")
            continue
        codes, error = allowed[name]
        if not isinstance(value, str) or value not in codes:
            problems[name] = [error.label]
        values.append(value if isinstance(value, str) else "")
    return (None if problems else tuple(values)), problems


_SEGMENTS, _CHANNELS = frozenset(CustomerSegment.values), frozenset(SalesChannelCode.values)


def fast_key(item: dict, core_key, regions: set[str]) -> tuple:
    """(key, dims) of a well-formed dimensioned item in a few lookups (`core_key` checks the four required
    fields), else (None, None) for the full checks."""
    segment, channel, region = item.get("segment") or "", item.get("channel") or "", item.get("region") or ""
    if type(segment) is not str or type(channel) is not str or type(region) is not str \
            or (segment and segment not in _SEGMENTS) or (channel and channel not in _CHANNELS) \
            or (region and region not in regions):
        return None, None
    core = {name: item[name] for name in ("product", "metric", "date", "value") if name in item}
    if len(item) - len(core) != sum(1 for name in DIMENSION_FIELDS if name in item):
        return None, None  # an unknown field
    key = core_key(core)
    return (key, (segment, channel, region)) if key is not None else (None, None)


def known_members(dims: tuple[str, str, str], regions: set[str]) -> bool:
    """Whether every non-empty (segment, channel, region) value is a known code."""
    segment, channel, region = dims
    return (not segment or segment in _SEGMENTS) and (not channel or channel in _CHANNELS) \
        and (not region or region in regions)


def has_dimensions(item) -> bool:
    return type(item) is dict and any(item.get(name) not in (None, "") for name in DIMENSION_FIELDS)


def _shape(dims: tuple[str, str, str]) -> tuple[bool, bool, bool]:
    return tuple(bool(v) for v in dims)


class Rows:
    """A batch's rows kept as its seven columns (product id, metric id, day, segment, channel, region, value), as
    the fast ingestion builds them, and read as tuples one at a time: the COPY then writes 10,000 rows without a
    list of 10,000 tuples made first (and `zip` reuses its tuple once the COPY has formatted it)."""

    __slots__ = ("columns",)

    def __init__(self, columns: list[list]):
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns[0])

    def __iter__(self):
        return zip(*self.columns, strict=True)

    def with_value(self, value):
        """The rows with one more field, the same in every row (the source, for the COPY)."""
        return zip(*self.columns, repeat(value, len(self)), strict=True)

    def __eq__(self, other):
        return isinstance(other, Rows) and self.columns == other.columns

    __hash__ = None


class Batch(NamedTuple):
    """Validated dimensioned rows with the two sets every step asks of them, computed once: their (product id,
    metric id, day) keys and their (segment, channel, region) members. A 10,000-row batch names a few hundred keys
    and a few dozen members."""

    rows: Rows
    keys: set[tuple]
    members: set[tuple]


_DAY_KEY, _MEMBERS = itemgetter(0, 1, 2), itemgetter(3, 4, 5)


def batch_of(rows: list[tuple]) -> Batch:
    """The batch of these (product id, metric id, day, segment, channel, region, value) tuples."""
    columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(7)]
    return Batch(Rows(columns), set(map(_DAY_KEY, rows)), set(map(_MEMBERS, rows)))


def rule_errors(*, totals: dict, batch: Batch, indexes: list[int] | None = None) -> list[dict]:
    """Per-index errors of the total/dimension rule for a validated batch.

    `totals` maps (product id, metric id, day) → index of the total items; `indexes` are the item indexes of the
    batch's rows (by default their positions). Two queries for the stored side.
    """
    errors: dict[int, dict] = {}
    # The common batch has one shape (every row broken down the same way) and no day also sent as a total: then
    # the batch's keys alone settle it. Otherwise the per-row loop names the items.
    dimensioned, keys = batch.rows, batch.keys
    shape_of = {members: _shape(members) for members in batch.members}
    indexes = range(len(dimensioned)) if indexes is None else indexes
    shapes: dict[tuple, tuple] = {}
    if len(set(shape_of.values())) == 1 and totals.keys().isdisjoint(keys):
        shapes = dict.fromkeys(keys, next(iter(shape_of.values())))
    else:
        for index, (p, m, d, segment, channel, region, _value) in zip(indexes, dimensioned, strict=True):
            key, shape = (p, m, d), shape_of[segment, channel, region]
            if key in totals:
                errors[index] = {"non_field_errors": [IngestError.TOTAL_AND_DIMENSIONS.label]}
            elif shapes.setdefault(key, shape) != shape:
                errors[index] = {"non_field_errors": [IngestError.MIXED_DIMENSIONS.label]}
    stored_totals, stored_shapes = _stored(totals=totals, dimensioned_keys=shapes.keys() | (keys & totals.keys()))
    if stored_shapes:
        for key, index in totals.items():
            if key in stored_shapes:
                errors.setdefault(index, {"non_field_errors": [IngestError.TOTAL_AND_DIMENSIONS.label]})
    # Without errors so far every row of a key has that key's shape (`shapes`): the stored side is settled per key,
    # and only a conflict sends the per-row loop over the batch to name the items (a day split between two
    # requests otherwise walked 10,000 rows to find none).
    if errors or stored_totals or any(
            shape not in stored_shapes[key] for key, shape in shapes.items() if key in stored_shapes):
        for index, (p, m, d, segment, channel, region, _value) in zip(indexes, dimensioned, strict=True):
            key = (p, m, d)
            if key in stored_totals:
                errors.setdefault(index, {"non_field_errors": [IngestError.TOTAL_AND_DIMENSIONS.label]})
            elif key in stored_shapes and (segment != "", channel != "", region != "") not in stored_shapes[key]:
                errors.setdefault(index, {"non_field_errors": [IngestError.MIXED_DIMENSIONS.label]})
    return [{"index": i, "errors": errors[i]} for i in sorted(errors)]


# Raw statements: these run on every batch, and composing them through the ORM cost more than running them
# (1–2 ms each on a 10,000-row request). Ids are integers written in; days are parameters.
_STORED_SHAPES = ("SELECT DISTINCT product_id, metric_id, date, segment <> '', channel <> '', region <> '' "
                  "FROM kpis_dimensionobservation WHERE product_id IN ({products}) AND metric_id IN ({metrics}) "
                  "AND date >= %s AND date <= %s")
_STORED_TOTALS = ("SELECT product_id, metric_id, date FROM kpis_observation WHERE product_id IN ({products}) "
                  "AND metric_id IN ({metrics}) AND date >= %s AND date <= %s AND source <> %s")


def _stored(*, totals: dict, dimensioned_keys) -> tuple[set, dict]:
    """Sent (not rolled-up) totals on the days of the dimensioned rows; dimension shapes on every day named."""
    keys = set(totals) | set(dimensioned_keys)
    if not keys:
        return set(), {}
    shapes: dict[tuple, set] = {}
    # The metric too: the key (product, metric, date, …) then bounds the index scan by the dates.
    days = sorted({k[2] for k in keys})
    with connection.cursor() as cursor:
        cursor.execute(_STORED_SHAPES.format(products=_in_list(sorted({k[0] for k in keys})),
                                             metrics=_in_list(sorted({k[1] for k in keys}))),
                       [days[0], days[-1]])
        for p, m, d, *shape in cursor.fetchall():
            d = d if isinstance(d, date) else date.fromisoformat(d)  # SQLite returns text
            if (p, m, d) in keys:
                shapes.setdefault((p, m, d), set()).add(_shape(tuple(shape)))
        dim_keys = set(dimensioned_keys)
        stored_totals = set()
        if dim_keys:
            dim_days = sorted({k[2] for k in dim_keys})
            cursor.execute(_STORED_TOTALS.format(products=_in_list(sorted({k[0] for k in dim_keys})),
                                                 metrics=_in_list(sorted({k[1] for k in dim_keys}))),
                           [dim_days[0], dim_days[-1], ObservationSource.ROLLUP])
            for p, m, d in cursor.fetchall():
                key = (p, m, d if isinstance(d, date) else date.fromisoformat(d))
                if key in dim_keys:
                    stored_totals.add(key)
    return stored_totals, shapes


def totals_blocked(*, product_ids: list[int], dates: list[date]) -> bool:
    """Whether any of these products has dimensioned figures in the batch's date range (the fast path then
    leaves the batch to the full checks, which name the items). One index range scan."""
    if not product_ids:
        return False
    return DimensionObservation.objects.filter(product_id__in=set(product_ids), date__gte=min(dates),
                                               date__lte=max(dates)).exists()


# The day's aggregates first, the metric's aggregation picked per group after (avg is the sum over the count, as in
# kpis.sql): a join to the metric per day (hundreds) instead of per row (10,000 in a batch). Where the table's
# statistics cover the days the planner hashes the groups (3.4 ms against 8 ms for a sort of a batch's 10,000 rows);
# for days newer than the statistics, the usual case of a daily feed until autovacuum analyses, it estimates one row
# and sorts.
_ROLLUP = """
INSERT INTO kpis_observation (product_id, metric_id, date, value, source)
SELECT a.product_id, a.metric_id, a.date,
  CASE m.aggregation WHEN 'avg' THEN a.v_sum / a.v_n WHEN 'max' THEN a.v_max WHEN 'min' THEN a.v_min
                     ELSE a.v_sum END, %s
FROM (
  SELECT d.product_id, d.metric_id, d.date, SUM(d.value) AS v_sum, COUNT(*) AS v_n, MAX(d.value) AS v_max,
    MIN(d.value) AS v_min
  FROM kpis_dimensionobservation d
  WHERE d.product_id IN ({products}) AND d.metric_id IN ({metrics}) AND d.date >= %s AND d.date <= %s
  GROUP BY d.product_id, d.metric_id, d.date
) a JOIN kpis_metric m ON m.id = a.metric_id
ON CONFLICT (product_id, metric_id, date) DO UPDATE SET value = excluded.value, source = excluded.source"""


def store(*, batch: Batch, source: str) -> int:
    """Upsert a batch's rows, then roll the days' totals up from every dimensioned row of those days in one
    statement. Returns how many rows were new."""
    from .partitions import observation_partitions_ensure

    rows = batch.rows
    products, metrics = sorted({k[0] for k in batch.keys}), sorted({k[1] for k in batch.keys})
    days = sorted({k[2] for k in batch.keys})
    if connection.vendor == "postgresql":
        created = _merge_pg(rows, source)
    else:
        keys = {row[:6] for row in rows}
        existing = sum(1 for key in DimensionObservation.objects.filter(
            product_id__in=products, metric_id__in=metrics, date__gte=days[0], date__lte=days[-1]).values_list(
            "product_id", "metric_id", "date", "segment", "channel", "region") if key in keys)
        DimensionObservation.objects.bulk_create(
            [DimensionObservation(product_id=p, metric_id=m, date=d, segment=s, channel=c, region=r, value=v,
                                  source=source) for p, m, d, s, c, r, v in rows],
            batch_size=2000, update_conflicts=True, update_fields=["value", "source"],
            unique_fields=["product", "metric", "date", "segment", "channel", "region"])
        created = len(keys) - existing
    observation_partitions_ensure(days=set(days))
    rollup_totals(product_ids=products, metric_ids=metrics, first=days[0], last=days[-1])
    return created


_MERGE = """
WITH existing AS (
  SELECT count(*) AS n FROM kpi_dim_staging s JOIN kpis_dimensionobservation o ON o.product_id = s.product_id
    AND o.metric_id = s.metric_id AND o.date = s.date AND o.segment = s.segment AND o.channel = s.channel
    AND o.region = s.region
), merged AS (
  INSERT INTO kpis_dimensionobservation (product_id, metric_id, date, segment, channel, region, value, source)
  SELECT product_id, metric_id, date, segment, channel, region, value, source FROM kpi_dim_staging
  ON CONFLICT (product_id, metric_id, date, segment, channel, region)
  DO UPDATE SET value = EXCLUDED.value, source = EXCLUDED.source
  RETURNING 1
)
SELECT (SELECT count(*) FROM merged) - (SELECT n FROM existing)"""


_COLUMNS = "product_id, metric_id, date, segment, channel, region, value, source"
_TYPES = ["int8", "int8", "date", "varchar", "varchar", "varchar", "float8", "varchar"]


def _copy(cursor, table: str, rows: Rows, source: str) -> None:
    """Binary COPY, each row written by psycopg's C adapter: about half the time of formatting text lines in
    Python and parsing them again in the server (10,000 rows: 14 ms against 25-30 ms)."""
    with cursor.copy(f"COPY {table} ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_TYPES)
        write = copy.write_row
        for row in rows.with_value(source):
            write(row)


class SentTwice(Exception):
    """A batch names one (product, metric, day, segment, channel, region) twice: the fast ingestion leaves it to
    the full checks, which name the items (kpis.services.observations_ingest_json)."""


def _merge_pg(rows: Rows, source: str) -> int:
    """COPY straight into the table when every key is new (the common case: new days); if one exists, the COPY
    rolls back to its savepoint and the rows go through a staging table and one merge that also counts the keys
    that existed (as for totals, kpis.services._upsert_observations_pg). A key the batch names twice fails both
    (the table's key, then the merge's "cannot affect row a second time"): `SentTwice`, and the caller's
    transaction writes nothing."""
    from django.db import IntegrityError, ProgrammingError, transaction
    from psycopg.errors import CardinalityViolation, UniqueViolation

    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                _copy(cursor, "kpis_dimensionobservation", rows, source)
            return len(rows)
        except (IntegrityError, UniqueViolation):
            pass  # some keys exist: merge instead
        cursor.execute("CREATE TEMP TABLE kpi_dim_staging (product_id bigint, metric_id bigint, date date, "
                       "segment varchar(32), channel varchar(32), region varchar(40), value double precision, "
                       "source varchar(10)) ON COMMIT DROP")
        _copy(cursor, "kpi_dim_staging", rows, source)
        cursor.execute("ANALYZE kpi_dim_staging")
        try:
            cursor.execute(_MERGE)
        except ProgrammingError as error:  # Django's wrapper of psycopg's error
            if isinstance(error.__cause__, CardinalityViolation):
                raise SentTwice from error
            raise
        created = cursor.fetchone()[0]
        cursor.execute("DROP TABLE kpi_dim_staging")
    return created


def rollup_totals(*, product_ids, metric_ids, first: date, last: date) -> None:
    """(Re)compute the day totals of these products and metrics in [first, last] from their dimensioned rows."""
    with connection.cursor() as cursor:
        cursor.execute(_ROLLUP.format(products=_in_list(product_ids), metrics=_in_list(metric_ids)),
                       [ObservationSource.ROLLUP, first, last])


def member_label(dimension: str, member: str, regions: dict | None = None) -> str:
    """A dimension value as people read it (the region's name in the page's language, a segment's label)."""
    if dimension == Dimension.SEGMENT and member in CustomerSegment.values:
        return str(CustomerSegment(member).label)
    if dimension == Dimension.CHANNEL and member in SalesChannelCode.values:
        return str(SalesChannelCode(member).label)
    if dimension == Dimension.REGION:
        region = (regions or {}).get(member)
        if region is None:
            region = Region.objects.filter(code=member).first()
        return region.display_name if region else member
    return member or _("合计")
