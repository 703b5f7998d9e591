"""Backlog pages, exports and endpoints answer in a number of queries that does not depend on their rows."""
import pytest

from requirements import services
from tests.factories import (
    FeedbackFactory,
    ProductFactory,
    ProductVersionFactory,
    RequirementFactory,
    UserFactory,
)
from tests.helpers import api, assert_constant_queries, login, queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(pm):
    return ProductFactory(owner=pm)


def test_requirement_detail_does_not_grow_with_comments_history_and_feedback(client, pm, product):
    requirement = RequirementFactory(product=product)

    def grow():
        commenter = UserFactory(username="commenter")
        for i in range(6):
            services.comment_create(user=pm if i % 2 else commenter, requirement=requirement, body=f"意见 {i}")
            FeedbackFactory(product=product, requirement=requirement)
            requirement.tags.create(name=f"标签{i}")
        for transition in ("analyse", "confirm"):
            services.requirement_transition(user=pm, requirement=requirement, transition=transition, reason="推进")

    services.comment_create(user=pm, requirement=requirement, body="第一条意见")
    assert_constant_queries(login(client, pm), f"/requirements/{requirement.pk}/", grow)


def test_version_detail_does_not_grow_with_its_requirements(client, pm, product):
    version = ProductVersionFactory(product=product)
    RequirementFactory(product=product, target_version=version, status="scheduled")
    assert_constant_queries(login(client, pm), f"/requirements/versions/{version.pk}/", lambda: [
        RequirementFactory(product=product, target_version=version, status="scheduled",
                           assignee=UserFactory(username=f"dev{i}")) for i in range(12)])


@pytest.mark.parametrize("url", ["/requirements/export/?format=csv", "/requirements/export/?format=xlsx"])
def test_backlog_exports_do_not_grow_with_rows(client, pm, product, url):
    version = ProductVersionFactory(product=product)

    def grow():
        for i in range(12):
            r = RequirementFactory(product=product, target_version=version, status="scheduled",
                                   assignee=UserFactory(username=f"dev{i}"))
            r.tags.create(name=f"导出{i}")

    grow_once = RequirementFactory(product=product)
    grow_once.tags.create(name="首个")
    assert_constant_queries(login(client, pm), url, grow)


@pytest.mark.parametrize("url", ["/requirements/feedback/export/?format=csv",
                                 "/requirements/feedback/export/?format=xlsx"])
def test_feedback_exports_do_not_grow_with_rows(client, pm, product, url):
    FeedbackFactory(product=product)
    assert_constant_queries(login(client, pm), url, lambda: [
        FeedbackFactory(product=product, requirement=RequirementFactory(product=product)) for _ in range(12)])


def test_feedback_page_does_not_grow_with_feedback_of_own_and_other_products(client, pm, product):
    FeedbackFactory(product=product)
    assert_constant_queries(login(client, pm), "/requirements/feedback/", lambda: [
        FeedbackFactory(product=owner_product) for owner_product in
        [ProductFactory(owner=pm) for _ in range(6)] + [ProductFactory() for _ in range(6)]])


def test_feedback_page_ticks_only_what_the_manager_may_convert(client, pm, product):
    own, other = FeedbackFactory(product=product), FeedbackFactory(product=ProductFactory())
    page = login(client, pm).get("/requirements/feedback/").content.decode()
    assert f'name="feedback" value="{own.pk}"' in page
    assert f'name="feedback" value="{other.pk}"' not in page


def test_versions_endpoint_does_not_grow_with_versions(pm, product):
    ProductVersionFactory(product=product)
    assert_constant_queries(api(pm), "/api/v1/versions/", lambda: [
        RequirementFactory(product=product, target_version=ProductVersionFactory(product=ProductFactory(owner=pm)),
                           status="scheduled") for _ in range(12)])


def test_feedback_endpoint_does_not_grow_with_feedback(pm, product):
    FeedbackFactory(product=product)
    assert_constant_queries(api(pm), "/api/v1/feedback/", lambda: [
        FeedbackFactory(product=ProductFactory(owner=pm), requirement=RequirementFactory(product=product))
        for _ in range(12)])


def _grow_backlog(pm, product):
    """Rows with everything the list shows: assignees, versions, tags, feedback, other products."""
    version = ProductVersionFactory(product=product)
    for i in range(12):
        r = RequirementFactory(product=product if i % 2 else ProductFactory(owner=pm), status="new",
                               assignee=UserFactory(username=f"assignee{i}"))
        r.tags.create(name=f"列表{i}")
        FeedbackFactory(product=r.product, requirement=r)
    RequirementFactory(product=product, target_version=version, status="scheduled")


def test_backlog_page_reads_in_at_most_six_queries_whatever_the_rows(client, pm, product):
    RequirementFactory(product=product)
    login(client, pm)
    assert_constant_queries(client, "/requirements/", lambda: _grow_backlog(pm, product))
    assert queries(client, "/requirements/") <= 6


def test_backlog_api_reads_in_at_most_six_queries_whatever_the_rows(pm, product):
    RequirementFactory(product=product)
    client = api(pm)
    assert_constant_queries(client, "/api/v1/requirements/", lambda: _grow_backlog(pm, product))
    assert queries(client, "/api/v1/requirements/?page_size=50") <= 6


def test_filtered_backlog_page_does_not_grow_with_rows(client, pm, product):
    RequirementFactory(product=product)
    login(client, pm)
    assert_constant_queries(client, f"/requirements/?product={product.pk}&status=new",
                            lambda: _grow_backlog(pm, product))
