"""The approval engine's tests use the stage gate's fixtures: an owner, their credit card, one reviewer per
department, and a submitted gate review (the engine's first process)."""
from tests.lifecycle.conftest import owner, product, reviewers, submitted  # noqa: F401
