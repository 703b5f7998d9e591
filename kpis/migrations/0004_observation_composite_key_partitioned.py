"""Observations keyed by (product, metric, date) with no surrogate id; monthly range partitions on PostgreSQL.

No database foreign keys: their per-row trigger checks cost more than the insert itself (about 19 µs a row, two
thirds of an ingestion); the ingestion service validates product and metric ids and locks the products it writes
(FOR KEY SHARE), deleting a product deletes its observations (Django CASCADE), and the snapshot statement reads
only observations of existing products.

The table is rebuilt (Django cannot turn an existing single-column key into a composite one): on PostgreSQL as a
partitioned parent with a default partition and one partition per month of the existing data plus the months
ahead; on SQLite (`make run`) as a plain table with the composite key. Rows are copied over in one statement.
"""
import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

PG_CREATE = """
CREATE TABLE kpis_observation (
    product_id bigint NOT NULL,
    metric_id bigint NOT NULL,
    value double precision NOT NULL,
    date date NOT NULL,
    source varchar(10) NOT NULL,
    CONSTRAINT kpis_observation_pkey PRIMARY KEY (product_id, metric_id, date)
) PARTITION BY RANGE (date)"""

SQLITE_CREATE = """
CREATE TABLE kpis_observation (
    product_id bigint NOT NULL,
    metric_id bigint NOT NULL,
    date date NOT NULL,
    value real NOT NULL,
    source varchar(10) NOT NULL,
    PRIMARY KEY (product_id, metric_id, date)
)"""

COPY = """INSERT INTO kpis_observation (product_id, metric_id, date, value, source)
SELECT product_id, metric_id, date, value, source FROM kpis_observation_old"""


def rebuild(apps, schema_editor):
    from kpis.partitions import DEFAULT_PARTITION, MONTHS_AHEAD, PARENT, observation_partitions_ensure
    from kpis.periods import add_months

    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"kpis 0004 supports PostgreSQL and SQLite, not {vendor}")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE kpis_observation RENAME TO kpis_observation_old")
        if vendor == "sqlite":
            cursor.execute(SQLITE_CREATE)
        else:
            cursor.execute("ALTER INDEX kpis_observation_pkey RENAME TO kpis_observation_old_pkey")
            cursor.execute(PG_CREATE)
            cursor.execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {PARENT} DEFAULT")
            cursor.execute("SELECT MIN(date), MAX(date) FROM kpis_observation_old")
            first, last = cursor.fetchone()
            today = timezone.localdate()
            observation_partitions_ensure(first=min(first or today, today),
                                          last=max(last or today, add_months(today.replace(day=1), MONTHS_AHEAD)))
        cursor.execute(COPY)
        cursor.execute("DROP TABLE kpis_observation_old")


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0003_metric_unit_en"),
        ("products", "0002_sales_channels"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="observation", name="kpi_observation_unique_day"),
                migrations.RemoveIndex(model_name="observation", name="kpi_observation_date_idx"),
                migrations.RemoveField(model_name="observation", name="id"),
                migrations.AddField(
                    model_name="observation", name="pk",
                    field=models.CompositePrimaryKey("product", "metric", "date", blank=True, editable=False,
                                                     primary_key=True, serialize=False),
                ),
                migrations.AlterField(
                    model_name="observation", name="metric",
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="observations", to="kpis.metric", verbose_name="指标"),
                ),
                migrations.AlterField(
                    model_name="observation", name="product",
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name="kpi_observations", to="products.product",
                                            verbose_name="产品"),
                ),
            ],
            database_operations=[migrations.RunPython(rebuild)],
        ),
    ]
