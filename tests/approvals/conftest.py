"""The approval engine's tests use the stage gate's fixtures: their credit card and a submitted gate review (the
engine's first process); the owner and one reviewer per department come from tests/conftest.py."""
from tests.lifecycle.conftest import product, submitted  # noqa: F401
