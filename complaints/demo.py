"""Demo complaints (seed_demo): a few dozen complaints over the live demo products, spread over categories and
root causes, some answered, some investigating, one overdue and escalated; the complaint feedback of the demo is
registered too. Idempotent: runs once."""
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from products.models import Product
from requirements.models import Feedback

from . import services
from .models import Complaint

CASES = [  # category, severity, root cause (or "" while open), segment, channel, region, text
    ("fees", "high", "pricing", "affluent", "mobile_banking", "sh", "年费在免年费条件达成后仍被扣收。"),
    ("fees", "medium", "pricing", "youth", "mobile_banking", "sz", "分期手续费与宣传的费率不一致。"),
    ("disclosure", "medium", "disclosure_docs", "senior", "branch", "bj", "理财产品的赎回规则没有讲清楚。"),
    ("service", "low", "staff", "mass_market", "branch", "gz", "网点排队时间过长，柜员态度冷淡。"),
    ("technical", "high", "system", "youth", "mobile_banking", "sh", "手机银行转账时反复闪退。"),
    ("mis_selling", "critical", "sales_practice", "senior", "branch", "cd", "客户经理向老年客户推荐高风险理财。"),
    ("fees", "low", "pricing", "affluent", "online_banking", "bj", "境外消费货币转换费未提前告知。"),
    ("fraud", "high", "fraud_control", "mass_market", "mobile_banking", "sz", "账户被盗刷，冻结不及时。"),
    ("service", "medium", "process", "youth", "online_banking", "sh", "信用卡额度调整审批周期太长。"),
    ("technical", "medium", "", "affluent", "mobile_banking", "gz", "账单分期页面显示错误金额。"),
]


def seed(*, stdout=None) -> int:
    if Complaint.objects.exists():
        return 0
    products = list(Product.objects.filter(stage="operation").select_related("owner").order_by("code")[:3])
    if not products:
        return 0
    today = timezone.localdate()
    # Received in whole months, like the KPI demo's figures: a complaint of the month in progress would make it the
    # dashboard's latest month, with nothing else in it.
    last_month_end = today.replace(day=1) - timedelta(days=1)
    made = 0
    for i, (category, severity, cause, segment, channel, region, text) in enumerate(CASES * 3):
        product = products[i % len(products)]
        received = last_month_end - timedelta(days=(i * 7) % 80)
        [complaint] = services.complaints_register(user=product.owner, source="page", items=[{
            "product": product.code, "received_on": received.isoformat(), "category": category, "severity": severity,
            "segment": segment, "channel": channel, "region": region, "description": text,
            "root_cause": cause, "root_cause_text": ""}])
        made += 1
        if cause and i % 4:
            complaint = services.complaint_transition(user=product.owner, complaint=complaint,
                                                      transition="investigate")
            if i % 3:
                services.complaint_transition(user=product.owner, complaint=complaint, transition="resolve",
                                              resolution="已向客户说明并完成整改。")
    admin = User.objects.filter(is_superuser=True).first()
    # Complaint feedback of past months is registered; this month's waits in the inbox for "register as complaint".
    for feedback in Feedback.objects.filter(channel="complaint", complaint__isnull=True,
                                            received_on__lte=last_month_end).select_related("product"):
        if admin is not None:
            services.complaint_from_feedback(user=admin, feedback=feedback,
                                             data={"category": "service", "severity": "medium"})
            made += 1
    services.complaints_remind_overdue(today=today)
    if stdout:
        stdout.write(f"Complaints demo: {made} complaints")
    return made
