"""Row counts kept by triggers (core.counts): exact after every kind of write, and only for unfiltered lists."""
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.counts import CountedPaginator, compact_row_counts, table_count
from requirements.models import Requirement
from tests.factories import ProductFactory, RequirementFactory

pytestmark = pytest.mark.django_db


def true_count():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM requirements_requirement")
        return cursor.fetchone()[0]


def test_count_follows_creates_bulk_creates_and_deletes(pm):
    product = ProductFactory(owner=pm)
    RequirementFactory(product=product)
    template = RequirementFactory.build(product=product, created_by=pm)
    Requirement.objects.bulk_create([Requirement(**{f.attname: getattr(template, f.attname)
                                                    for f in Requirement._meta.concrete_fields
                                                    if not f.primary_key and not f.generated}) for _ in range(5)])
    Requirement.objects.filter(pk=Requirement.objects.order_by("pk").first().pk).delete()
    assert table_count(Requirement) == true_count() == 5


def test_count_of_a_rolled_back_write_is_rolled_back_too(pm):
    product = ProductFactory(owner=pm)
    before = table_count(Requirement)
    with pytest.raises(RuntimeError), transaction.atomic():
        RequirementFactory(product=product)
        raise RuntimeError
    assert table_count(Requirement) == before == true_count()


def test_compaction_keeps_the_count(pm):
    product = ProductFactory(owner=pm)
    for _ in range(3):
        RequirementFactory(product=product)
    compact_row_counts()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_rowcountdelta WHERE \"table\" = 'requirements_requirement'")
        assert cursor.fetchone()[0] == 1
    assert table_count(Requirement) == true_count()


def test_paginator_counts_an_unfiltered_list_without_counting_rows(pm):
    product = ProductFactory(owner=pm)
    RequirementFactory(product=product)
    with CaptureQueriesContext(connection) as ctx:
        count = CountedPaginator(Requirement.objects.all(), 50).count
    assert count == true_count() == 1
    assert [q["sql"] for q in ctx.captured_queries if "requirements_requirement\"" in q["sql"]] == []


def test_paginator_counts_a_filtered_list_itself(pm):
    product = ProductFactory(owner=pm)
    RequirementFactory(product=product)
    RequirementFactory(product=ProductFactory(owner=pm))
    paginator = CountedPaginator(Requirement.objects.filter(product=product), 50)
    assert paginator.count == 1
