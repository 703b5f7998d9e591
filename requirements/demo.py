"""Demo backlog (idempotent): versions, requirements in every status, customer feedback (some converted), comments."""
import datetime as dt
from decimal import Decimal as D

from django.utils import timezone

from accounts.models import User
from products.models import Product

from . import services
from .models import Feedback, ProductVersion, Requirement

# product code, version name, planned in (days), released?
VERSIONS = [
    ("CC-001", "v3.2", -40, True), ("CC-001", "v3.3", 30, False), ("CC-001", "v4.0", 120, False),
    ("CC-003", "v1.1", 45, False), ("DEP-001", "v2.5", 20, False), ("DEP-001", "v2.6", 90, False),
    ("LN-002", "v1.8", 35, False), ("WM-001", "v1.4", 60, False),
]
# the transitions that lead from `new` to each status
PATHS = {
    "new": [], "analysing": ["analyse"], "confirmed": ["analyse", "confirm"],
    "scheduled": ["analyse", "confirm", "schedule"],
    "in_development": ["analyse", "confirm", "schedule", "start_development"],
    "delivered": ["analyse", "confirm", "schedule", "start_development", "deliver"],
    "rejected": ["analyse", "reject"], "deferred": ["defer"],
}
# product, title, source, type, priority, reach, impact, confidence, effort, status, version, tags, assignee
REQUIREMENTS = [
    ("CC-001", "机场贵宾厅权益改为按次计费", "market_research", "improvement", "P1", 12000, "2.00", 80, "2.0", "delivered", "v3.2", ["权益"], "pm1"),
    ("CC-001", "账单分期手续费限时八折", "competitor", "feature", "P1", 30000, "1.00", 70, "1.5", "delivered", "v3.2", ["分期"], "pm1"),
    ("CC-001", "境外消费实时汇率提醒", "customer_feedback", "feature", "P2", 8000, "1.00", 80, "1.0", "in_development", "v3.3", ["手机银行"], "pm1"),
    ("CC-001", "高端酒店礼遇预约改为线上办理", "customer_feedback", "improvement", "P1", 6000, "2.00", 80, "2.5", "scheduled", "v3.3", ["权益", "手机银行"], "pm1"),
    ("CC-001", "落实信用卡业务新规：额度管理", "regulatory", "compliance", "P0", 50000, "3.00", 100, "3.0", "scheduled", "v3.3", ["监管"], "pm1"),
    ("CC-001", "年费减免规则可配置化", "internal", "improvement", "P2", 20000, "0.50", 50, "2.0", "confirmed", "", ["年费"], ""),
    ("CC-001", "积分兑换航空里程", "market_research", "feature", "P2", 9000, "1.00", 50, "3.0", "analysing", "", ["积分"], ""),
    ("CC-001", "盗刷风险交易实时短信拦截确认", "incident", "defect", "P0", 40000, "3.00", 80, "1.5", "analysing", "", ["风控"], "pm1"),
    ("CC-001", "虚拟卡号用于网上支付", "competitor", "feature", "P1", 15000, "2.00", 50, "4.0", "new", "", ["安全"], ""),
    ("CC-001", "账单日自助修改", "customer_feedback", "improvement", "P3", 5000, "0.50", 80, "0.5", "new", "", ["手机银行"], ""),
    ("CC-001", "金属卡面定制", "superior", "feature", "P3", 800, "0.50", 50, "2.0", "deferred", "", ["卡面"], ""),
    ("CC-001", "取消纸质对账单", "internal", "improvement", "P3", 60000, "0.25", 80, "0.5", "rejected", "", [], ""),
    ("CC-003", "返现商户类目扩展至生鲜电商", "market_research", "feature", "P1", 25000, "2.00", 80, "2.0", "scheduled", "v1.1", ["返现"], "pm1"),
    ("CC-003", "返现到账时间缩短至 T+1", "customer_feedback", "improvement", "P1", 18000, "1.00", 80, "1.0", "confirmed", "", ["返现"], ""),
    ("CC-003", "商户返现上限按月累计展示", "customer_feedback", "improvement", "P2", 10000, "0.50", 100, "0.5", "new", "", ["手机银行"], ""),
    ("DEP-001", "活期宝收益日历展示", "customer_feedback", "feature", "P2", 40000, "1.00", 80, "1.0", "in_development", "v2.5", ["手机银行"], "pm2"),
    ("DEP-001", "大额转出二次验证", "regulatory", "compliance", "P0", 60000, "2.00", 100, "1.5", "scheduled", "v2.5", ["监管", "安全"], "pm2"),
    ("DEP-001", "夜间转账限额提高至 5 万", "customer_feedback", "improvement", "P1", 35000, "1.00", 80, "0.5", "analysing", "", ["手机银行"], ""),
    ("DEP-001", "老年客户大字版页面", "superior", "feature", "P1", 15000, "2.00", 80, "2.0", "confirmed", "", ["适老化"], ""),
    ("DEP-001", "智能存款到期提醒", "internal", "feature", "P2", 30000, "0.50", 80, "1.0", "new", "", [], ""),
    ("LN-002", "提前还款违约金减免", "customer_feedback", "improvement", "P1", 12000, "1.00", 80, "1.0", "scheduled", "v1.8", ["还款"], "pm2"),
    ("LN-002", "贷款利率定价接入 LPR 自动调整", "regulatory", "compliance", "P0", 20000, "2.00", 100, "3.0", "in_development", "v1.8", ["监管", "定价"], "pm2"),
    ("LN-002", "授信审批结果短信通知", "customer_feedback", "feature", "P2", 9000, "0.50", 80, "0.5", "new", "", [], ""),
    ("LN-002", "代发工资客户预授信白名单", "market_research", "feature", "P1", 25000, "2.00", 50, "2.5", "analysing", "", ["获客"], ""),
    ("WM-001", "持有期到期自动续投开关", "customer_feedback", "feature", "P1", 22000, "1.00", 80, "1.0", "confirmed", "v1.4", ["手机银行"], ""),
    ("WM-001", "风险测评有效期到期提醒", "regulatory", "compliance", "P0", 30000, "1.00", 100, "0.5", "new", "", ["监管"], ""),
]
# product, channel, segment, text, sentiment, days ago, convert into (requirement title) or ""
FEEDBACK = [
    ("DEP-001", "hotline", "mass_market", "晚上转账经常提示超过限额，希望能提高夜间转账额度。", "negative", 12, "夜间转账限额提高至 5 万"),
    ("DEP-001", "online", "youth", "夜里给房东转房租被限额卡住了，体验很差。", "negative", 9, "夜间转账限额提高至 5 万"),
    ("DEP-001", "complaint", "mass_market", "夜间大额转账被拒，耽误了付款，要求说明限额规则。", "negative", 5, "夜间转账限额提高至 5 万"),
    ("DEP-001", "branch", "senior", "老人看不清手机银行上的字，能不能做个大字版？", "neutral", 20, "老年客户大字版页面"),
    ("DEP-001", "survey", "mass_market", "活期宝收益每天都能看到，很方便。", "positive", 3, ""),
    ("CC-001", "hotline", "affluent", "贵宾厅预约要打电话，太麻烦，希望在 App 里直接预约。", "negative", 15, "高端酒店礼遇预约改为线上办理"),
    ("CC-001", "online", "affluent", "希望可以自己修改账单日。", "neutral", 7, "账单日自助修改"),
    ("CC-001", "survey", "affluent", "境外刷卡时想知道实时汇率。", "neutral", 4, ""),
    ("CC-003", "online", "mass_market", "返现到账太慢了，要等一个月。", "negative", 6, "返现到账时间缩短至 T+1"),
    ("CC-003", "hotline", "mass_market", "返现还剩多少额度看不到。", "negative", 2, ""),
    ("LN-002", "branch", "mass_market", "提前还款还要交违约金，不合理。", "negative", 18, "提前还款违约金减免"),
    ("LN-002", "survey", "mass_market", "审批很快，点赞。", "positive", 1, ""),
]
COMMENTS = [
    ("落实信用卡业务新规：额度管理", "pm1", "@compliance1 请确认新规的生效日期和过渡期安排。"),
    ("落实信用卡业务新规：额度管理", "compliance1", "过渡期到明年 6 月底，细则已上传共享盘。"),
    ("夜间转账限额提高至 5 万", "pm2", "@risk1 提高限额需要评估盗刷风险，请给出建议。"),
    ("盗刷风险交易实时短信拦截确认", "risk1", "建议先对境外交易启用，再逐步覆盖境内。"),
]


def seed(*, stdout=None):
    products = {p.code: p for p in Product.objects.filter(code__in={r[0] for r in REQUIREMENTS}).select_related("owner")}
    if not products or Requirement.objects.filter(product__in=products.values()).exists():
        return 0  # already seeded (or no demo products): a second run changes nothing
    users = {u.username: u for u in User.objects.all()}
    today = timezone.localdate()
    versions = {}
    for code, name, days, _released in VERSIONS:
        product = products[code]
        version = ProductVersion.objects.filter(product=product, name=name).first() or _version(product, name, today,
                                                                                                  days)
        versions[(code, name)] = version
    created = {}
    for code, title, source, kind, priority, reach, impact, confidence, effort, status, version, tags, assignee in REQUIREMENTS:
        product = products[code]
        requirement = services.requirement_create(user=product.owner, data={
            "product": product, "title": title, "source": source, "type": kind, "priority": priority, "reach": reach,
            "impact": D(impact), "confidence": confidence, "effort": D(effort), "tags": tags,
            "description": f"{title}。来源：业务部门与客户调研。", "requester": "零售银行部",
            "target_version": versions.get((code, version)), "assignee": users.get(assignee),
            "due_date": today + dt.timedelta(days=30 + len(created) * 3),
        })
        for name in PATHS[status]:
            reason = "本期资源不足，下季度再评估。" if name in ("reject", "defer") else ""
            services.requirement_transition(user=product.owner, requirement=requirement, transition=name, reason=reason)
        created[title] = requirement
    for code, _v, _d, released in VERSIONS:
        if released:
            services.version_release(user=products[code].owner, version=versions[(code, _v)])
    _seed_feedback(products, created, today)
    for title, username, body in COMMENTS:
        services.comment_create(user=users[username], requirement=created[title], body=body)
    return len(created)


def _version(product, name, today, days):
    # A version planned in the past is history the demo starts from: the service rightly refuses to plan one now.
    if days < 0:
        return ProductVersion.objects.create(product=product, name=name, planned_date=today + dt.timedelta(days=days))
    return services.version_create(user=product.owner, data={"product": product, "name": name,
                                                              "planned_date": today + dt.timedelta(days=days)})


def _seed_feedback(products, created, today):
    for code, channel, segment, text, sentiment, days, convert in FEEDBACK:
        Feedback.objects.create(
            product=products[code], channel=channel, customer_segment=segment, text=text, sentiment=sentiment,
            received_on=today - dt.timedelta(days=days), created_by=products[code].owner,
            requirement=created.get(convert),
        )
