import datetime as dt

import pytest


@pytest.fixture
def conditioned(owner):
    """Make a product whose submitted gate review carries one open approval condition due on `due`."""
    from lifecycle.models import Condition
    from lifecycle.services import gate_review_submit
    from tests.factories import ProductFactory, complete_deliverables

    def make(due: dt.date, action: str = "补充压力测试报告", **fields):
        product = ProductFactory(owner=owner, **fields)
        complete_deliverables(product)
        review = gate_review_submit(product=product, user=owner)
        step = review.steps.order_by("position", "id").first()
        Condition.objects.create(review=review, step=step, product=product, department=step.department,
                                 action=action, owner=owner, due=due)
        return product

    return make
