"""core.fsm.ConcurrentTransitions: django-fsm-2's optimistic lock, its state fields found once per model."""
import pytest
from django.db import transaction
from django_fsm import ConcurrentTransition

from kpis.models import Alert
from products.models import Product
from requirements.models import Requirement
from tests.factories import RequirementFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Requirement, Product, Alert])
def test_the_state_fields_are_the_models_state_machine_fields(model):
    assert [field.name for field in model().state_fields] == [
        field.name for field in model._meta.fields if field.__class__.__name__ == "FSMField"]


def test_saving_a_row_whose_state_changed_since_it_was_read_is_refused():
    requirement = RequirementFactory(status="new")
    stale = Requirement.objects.get(pk=requirement.pk)
    Requirement.objects.filter(pk=requirement.pk).update(status="analysing")
    stale.title = "过期的副本"
    with pytest.raises(ConcurrentTransition), transaction.atomic():  # as django-fsm-2 asks
        stale.save()
    assert Requirement.objects.get(pk=requirement.pk).title == requirement.title
