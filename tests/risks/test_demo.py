"""The demo registers: seeded before the lifecycle demo walks its launch gates, which still open."""
import os

import pytest
from django.core.management import call_command

from approvals.models import GateReview
from risks.gate import launch_problems
from risks.models import Risk

pytestmark = pytest.mark.django_db


def test_demo_registers_let_the_demo_launch_gates_open_and_show_each_rule(demo_data):
    # Every launched demo product passed its launch gate with its register; two launch reviews are still open.
    open_launches = GateReview.objects.filter(to_stage="marketing", status="pending")
    assert set(open_launches.values_list("product__code", flat=True)) == {"CC-004", "LN-004"}
    assert GateReview.objects.filter(to_stage="marketing", status="approved").count() > 10
    assert Risk.objects.get(product__code="LN-002", category="credit").status == "needs_review"
    wm003 = Risk.objects.get(product__code="WM-003", residual_level="critical")
    assert launch_problems(product=wm003.product) == [
        f"风险「{wm003.title}」的剩余风险等级为极高，尚未经高级管理层接受。"]
    assert Risk.objects.filter(status="accepted").exists() and Risk.objects.count() > 60
    count = Risk.objects.count()
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    assert Risk.objects.count() == count
