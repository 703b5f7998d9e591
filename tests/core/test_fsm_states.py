"""core.fsm_states: a migration's copy of a model with a state field leaves no class_prepared receiver behind; the
real models still collect their transitions."""
import weakref

from django.apps import apps
from django.db.migrations.state import ProjectState
from django.db.models.signals import class_prepared

from changes.models import Change
from core.fsm_states import MIGRATION_STATE_MODULE


def _state_field_receivers() -> list:
    """The class_prepared receivers that are a live state field's `_collect_transitions`, by the field's model."""
    found = []
    for _key, receiver, *_rest in class_prepared.receivers:
        method = receiver() if isinstance(receiver, weakref.ReferenceType) else receiver
        field = getattr(method, "__self__", None)
        if method is not None and getattr(method, "__name__", "") == "_collect_transitions" and field is not None:
            found.append(field.model)
    return found


def test_rendering_the_migration_state_of_every_model_connects_no_state_field_receiver():
    before = len(_state_field_receivers())
    rendered = ProjectState.from_apps(apps).apps  # every model copied as a migration renders it
    change_copy = rendered.get_model("changes", "Change")
    assert change_copy.__module__ == MIGRATION_STATE_MODULE
    assert not [model for model in _state_field_receivers() if model.__module__ == MIGRATION_STATE_MODULE]
    assert len(_state_field_receivers()) == before


def test_a_real_model_still_knows_its_transitions():
    names = {transition.name for transition in Change().get_all_status_transitions()}
    assert {"submit", "approve", "reject"} <= names
