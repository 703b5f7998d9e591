"""Migrations without django-fsm-2's per-class receivers.

`FSMFieldMixin.contribute_to_class` connects a `class_prepared` receiver for every model class a state field is
added to, to collect that class's transition methods once it is ready. Migrations render a copy of every model for
each state they pass through: `migrate` on an empty database builds about 8,000 such classes. Their receivers
stay connected until the cyclic garbage collector frees the copies, and every later `class_prepared` walks them
all, so the work grows with the square of the classes: 60 % of `migrate`'s time (44 s of CPU on this project).
A migration's copy of a model has no methods, so it has no transitions to collect: its receiver is disconnected
as soon as it is connected. Real models are untouched.
"""
from functools import wraps

from django.db.models.signals import class_prepared
from django_fsm import FSMFieldMixin

MIGRATION_STATE_MODULE = "__fake__"  # the module django.db.migrations.state gives the models it renders


def skip_migration_states() -> None:
    """Patch `FSMFieldMixin.contribute_to_class` once (CoreConfig.ready, before any migration renders a state)."""
    original = FSMFieldMixin.contribute_to_class
    if getattr(original, "skips_migration_states", False):
        return

    @wraps(original)
    def contribute_to_class(self, cls, name, *args, **kwargs):
        original(self, cls, name, *args, **kwargs)
        if cls.__module__ == MIGRATION_STATE_MODULE:
            class_prepared.disconnect(self._collect_transitions)

    contribute_to_class.skips_migration_states = True
    FSMFieldMixin.contribute_to_class = contribute_to_class
