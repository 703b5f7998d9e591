"""django-fsm-2's optimistic locking, with the state fields found once per model class."""
from django_fsm import ConcurrentTransitionMixin, FSMFieldMixin


class ConcurrentTransitions(ConcurrentTransitionMixin):
    """`ConcurrentTransitionMixin` (a save fails if the state changed since the row was read), whose `state_fields`
    scans every field of the model with `isinstance` on each instance built: a 50-row page paid for 1,500 checks.
    A model's fields do not change after start-up, so they are found once per class."""

    @property
    def state_fields(self):
        model = type(self)
        fields = model.__dict__.get("_fsm_state_fields")
        if fields is None:
            fields = tuple(field for field in self._meta.fields if isinstance(field, FSMFieldMixin))
            model._fsm_state_fields = fields
        return fields
