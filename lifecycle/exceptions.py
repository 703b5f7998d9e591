"""Domain errors the API turns into 409 Conflict and the pages into messages."""
from .choices import LifecycleError


class GateConflict(Exception):
    """The request is valid but conflicts with the current state of the review, step or product."""

    def __init__(self, code: LifecycleError, message=None):
        self.code = code
        self.message = str(message or code.label)
        super().__init__(self.message)
