"""Review conflicts: the core's DomainConflict with the engine's and the stage gate's error codes (409 in the API)."""
from core.errors import DomainConflict


class GateConflict(DomainConflict):
    """The request is valid but conflicts with the current state of the review, step or product."""
