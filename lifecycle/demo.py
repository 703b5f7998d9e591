"""Demo data for this app; called by `manage.py seed_demo`. Must be idempotent."""


def seed(*, stdout=None):
    return None
