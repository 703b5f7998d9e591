"""Releasing a version decides about its unfinished scope; released versions and closed products take no new scope."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import DomainConflict
from requirements import services
from requirements.models import ProductVersion
from tests.factories import ProductFactory, ProductVersionFactory, RequirementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(pm):
    return ProductVersionFactory(product=ProductFactory(owner=pm), name="v1.0")


def test_release_with_unfinished_scope_needs_a_decision_and_changes_nothing(pm, version):
    RequirementFactory(product=version.product, target_version=version, status="scheduled")
    with pytest.raises(DomainConflict) as refused:
        services.version_release(user=pm, version=version)
    assert (refused.value.code, refused.value.field) == ("unfinished_scope", "unfinished")
    version.refresh_from_db()
    assert version.status == "planned"


def test_release_moves_unfinished_requirements_to_the_chosen_version(pm, version):
    later = ProductVersionFactory(product=version.product, name="v1.1")
    open_item = RequirementFactory(product=version.product, target_version=version, status="in_development")
    done = RequirementFactory(product=version.product, target_version=version, status="delivered")
    services.version_release(user=pm, version=version, unfinished="move", move_to=later)
    open_item.refresh_from_db()
    done.refresh_from_db()
    assert (open_item.target_version, open_item.status) == (later, "in_development")
    assert done.target_version == version
    assert open_item.history.first().history_user == pm


def test_release_sends_unfinished_requirements_back_to_the_backlog_as_confirmed(pm, version):
    scheduled = RequirementFactory(product=version.product, target_version=version, status="scheduled")
    analysing = RequirementFactory(product=version.product, target_version=version, status="analysing")
    services.version_release(user=pm, version=version, unfinished="backlog")
    scheduled.refresh_from_db()
    analysing.refresh_from_db()
    assert (scheduled.status, scheduled.target_version) == ("confirmed", None)
    assert (analysing.status, analysing.target_version) == ("analysing", None)


def test_moving_to_a_version_of_another_product_is_refused(pm, version):
    other = ProductVersionFactory(product=ProductFactory(owner=pm))
    RequirementFactory(product=version.product, target_version=version, status="scheduled")
    with pytest.raises(DomainConflict) as refused:
        services.version_release(user=pm, version=version, unfinished="move", move_to=other)
    assert (refused.value.code, refused.value.field) == ("wrong_version", "move_to")


def test_moving_to_no_version_is_a_bad_request(pm, version):
    RequirementFactory(product=version.product, target_version=version, status="scheduled")
    with pytest.raises(ValidationError) as error:
        services.version_release(user=pm, version=version, unfinished="move", move_to=None)
    assert "move_to" in error.value.message_dict


def test_a_released_version_takes_no_new_requirements(pm, version):
    services.version_release(user=pm, version=version)
    requirement = RequirementFactory(product=version.product)
    released = ProductVersion.objects.get(pk=version.pk)
    with pytest.raises(ValidationError) as error:
        services.requirement_update(user=pm, requirement=requirement, data={"target_version": released})
    assert "target_version" in error.value.message_dict


def test_requirements_a_released_version_shipped_with_can_still_be_edited(pm, version):
    shipped = RequirementFactory(product=version.product, target_version=version, status="delivered")
    services.version_release(user=pm, version=version)
    services.requirement_update(user=pm, requirement=shipped, data={"title": "改名"})
    shipped.refresh_from_db()
    assert shipped.title == "改名"


def test_a_version_planned_in_the_past_is_refused(pm):
    product = ProductFactory(owner=pm)
    with pytest.raises(DomainConflict) as refused:
        services.version_create(user=pm, data={"product": product, "name": "v0", "planned_date": dt.date(2020, 1, 1)})
    assert (refused.value.code, refused.value.field) == ("planned_in_past", "planned_date")


def test_a_retired_product_plans_no_new_version(pm):
    product = ProductFactory(owner=pm, stage="retired")
    with pytest.raises(DomainConflict) as refused:
        services.version_create(user=pm, data={"product": product, "name": "v9",
                                               "planned_date": timezone.localdate() + dt.timedelta(days=30)})
    assert (refused.value.code, refused.value.field) == ("product_closed", "product")


def test_the_board_cannot_unschedule_a_requirement(pm, version):
    requirement = RequirementFactory(product=version.product, target_version=version, status="scheduled")
    with pytest.raises(services.TransitionRefused):
        services.requirement_move(user=pm, requirement=requirement, status="confirmed")


def test_unschedule_is_not_offered_as_an_action(pm, version):
    requirement = RequirementFactory(product=version.product, target_version=version, status="scheduled")
    assert services.requirement_available_transitions(requirement=requirement) == ["start_development"]


def test_a_version_named_like_another_of_its_product_is_a_conflict_and_creates_nothing(pm, version):
    with pytest.raises(DomainConflict) as refused:
        services.version_create(user=pm, data={"product": version.product, "name": "v1.0",
                                               "planned_date": timezone.localdate() + dt.timedelta(days=30)})
    assert (refused.value.code, refused.value.field) == ("version_name_taken", "name")
    assert ProductVersion.objects.filter(product=version.product).count() == 1


def test_renaming_a_version_to_a_name_its_product_has_is_a_conflict_and_changes_nothing(pm, version):
    other = ProductVersionFactory(product=version.product, name="v2.0")
    with pytest.raises(DomainConflict) as refused:
        services.version_update(user=pm, version=other, data={"name": "v1.0"})
    assert refused.value.code == "version_name_taken"
    other.refresh_from_db()
    assert other.name == "v2.0"


def test_a_version_keeps_its_own_name_on_an_edit(pm, version):
    services.version_update(user=pm, version=version, data={"name": "v1.0", "description": "范围说明"})
    version.refresh_from_db()
    assert (version.name, version.description) == ("v1.0", "范围说明")
