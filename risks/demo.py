"""Demo data: realistic registers for the products past planning (and one in planning), through the services.

Runs before the lifecycle demo, which walks CC-004 and LN-004 to their launch gates: their registers are complete.
WM-003 keeps a critical residual risk awaiting senior management (its launch gate would be refused); LN-002's
credit risk watches the default rate that the KPI demo pushes over its limit (the alert puts it up for review).
Idempotent: runs once, while the register is empty.
"""
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from kpis.models import Metric
from products.models import Product

from . import services
from .models import Risk

P, D, C = "preventive", "detective", "corrective"
# key: category, source, title, cause, method, method_note, (L, I), response, instrument, controls, (rL, rI)
CATALOGUE = {
    "credit": ("credit", "product", "借款人违约风险", "经济下行或收入波动导致借款人还款能力下降。", "quantitative",
               "PD 评分卡模型：12 个月违约概率 2.1%，LGD 45%。", (3, 4), "mitigate", "",
               [("准入评分卡与收入核验", P), ("贷后逾期监测与分级催收", D)], (2, 3)),
    "credit_transfer": ("credit", "product", "抵押物价值下跌风险", "房价下跌使抵押物不足以覆盖贷款余额。",
                        "quantitative", "LTV 压力测试：房价下跌 20% 时 LTV 上升至 78%。", (3, 4), "transfer",
                        "房贷履约保证保险", [("投保履约保证保险并定期核保", P), ("抵押物价值年度重估", D)], (2, 3)),
    "market": ("market", "environment", "利率与净值波动风险", "市场利率上行导致债券类资产估值回撤。",
               "quantitative", "VaR（99%，10 天）= 1.8%。", (3, 3), "mitigate", "",
               [("久期与单一资产集中度限额", P), ("每日净值偏离监测", D)], (2, 3)),
    "market_critical": ("market", "environment", "权益市场大幅回撤风险", "科技成长板块估值高、波动大，宏观政策变化易引发大幅回撤。",
                        "quantitative", "历史压力情景（2015、2022）：最大回撤 -35%。", (5, 4), "mitigate", "",
                        [("单一行业持仓上限 40%", P), ("回撤 15% 触发风控会议", C)], (4, 4)),
    "rate_margin": ("market", "environment", "利率下行挤压息差风险", "政策利率下调而存款定价刚性，净息差收窄。",
                    "quantitative", "NII 敏感性：利率下行 50bp，年净利息收入减少 6%。", (4, 3), "accept", "", [],
                    (4, 3)),
    "liquidity": ("liquidity", "product", "集中赎回流动性风险", "市场波动时客户集中赎回，资产变现承压。", "qualitative", "",
                  (2, 4), "mitigate", "", [("T+0 赎回额度上限与流动性储备", P), ("大额赎回预警", D)], (2, 3)),
    "operational": ("operational", "product", "系统故障与操作失误风险", "核心系统故障或人工操作失误导致交易差错。",
                    "qualitative", "", (2, 3), "mitigate", "", [("关键操作双人复核", P), ("7×24 系统监控与应急预案", C)],
                    (2, 2)),
    "compliance": ("compliance", "product", "反洗钱与客户身份识别合规风险", "客户身份识别不充分，可能被用于洗钱或违规交易。",
                   "qualitative", "", (2, 4), "mitigate", "", [("KYC 分级尽调", P), ("可疑交易监测模型", D)], (1, 4)),
    "reputational": ("reputational", "product", "客户投诉引发声誉风险", "权益或费用说明不清引起集中投诉和舆情。", "qualitative",
                     "", (2, 3), "accept", "", [], (2, 3)),
    "fraud": ("operational", "product", "盗刷与欺诈交易风险", "伪卡、账户盗用与营销活动套利。", "quantitative",
              "欺诈损失率 0.8BP（近 12 个月）。", (3, 3), "mitigate", "", [("实时反欺诈规则引擎", D), ("交易限额与 3DS 验证", P)],
              (2, 2)),
}
BY_CATEGORY = {
    "deposit": ["operational", "compliance", "rate_margin"],
    "loan": ["credit", "operational", "compliance"],
    "credit_card": ["credit", "fraud", "compliance", "reputational"],
    "wealth": ["market", "liquidity", "operational", "compliance"],
    "payment": ["operational", "compliance", "fraud"],
    "other": ["operational", "compliance", "reputational"],
}
EXTRA = {"LN-001": ["credit_transfer"], "WM-003": ["market_critical"], "LN-002": ["reputational"]}
STAGES = ["development", "marketing", "operation", "retirement"]


def seed(*, stdout=None):
    if Risk.objects.exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["risk1", "exec1"])}
    if len(users) < 2:
        return 0
    default_rate = Metric.objects.filter(code="default_rate").first()
    # Products are created in planning and walked to their demo stage by the lifecycle demo, which runs next and
    # passes launch gates that check the register: the stage a product is headed for decides its register.
    from products.demo import demo_stages

    targets = demo_stages()
    products = [p for p in Product.objects.select_related("owner").order_by("code")
                if targets.get(p.code, p.stage) in (*STAGES, "retired") or p.code == "LN-005"]
    created = 0
    for product in products:
        for key in BY_CATEGORY[product.category] + EXTRA.get(product.code, []):
            risk = _register(product, key, users, default_rate)
            created += 1
            _follow_up(product, risk, users, stage=targets.get(product.code, product.stage))
    _age_some(products)
    if stdout:
        stdout.write(f"Risk demo: {created} risks on {len(products)} products")
    return created


def _register(product, key, users, default_rate):
    (category, source, title, cause, method, note, (li, im), response, instrument, controls,
     (rl, ri)) = CATALOGUE[key]
    data = {"title": title, "description": f"{product.display_name}：{title}", "category": category, "source": source,
            "cause": cause, "method": method, "method_note": note, "likelihood": li, "impact": im,
            "response": response, "transfer_instrument": instrument, "residual_likelihood": rl,
            "residual_impact": ri}
    if category == "credit" and product.category in ("loan", "credit_card") and default_rate:
        data["metric"] = default_rate
    if category in ("compliance", "market", "liquidity"):
        data["owner"] = users["risk1"]
    return services.risk_create(user=product.owner, product=product,
                                data=data, controls=[{"description": d, "type": t} for d, t in controls])


def _follow_up(product, risk, users, *, stage):
    """Live products' high residual risks were accepted by senior management; a few were re-assessed."""
    if risk.status == "pending_acceptance" and stage in ("marketing", "operation", "retirement", "retired"):
        services.risk_accept(user=users["exec1"], risk=risk, comment="在风险偏好内，同意保留，按季度复核。")
    if stage == "operation" and risk.category == "operational":
        services.risk_review(user=users["risk1"], risk=risk, likelihood=risk.likelihood, impact=risk.impact,
                             residual_likelihood=1, residual_impact=risk.residual_impact,
                             comment="季度复核：系统切换完成，操作差错率下降。")


def _age_some(products):
    """Some reviews are past due, for the overdue panel and the daily reminder."""
    late = [p.pk for i, p in enumerate(products) if i % 5 == 2]
    today = timezone.localdate()
    for index, risk in enumerate(Risk.objects.filter(product_id__in=late, category="operational").order_by("id")):
        Risk.objects.filter(pk=risk.pk).update(review_due=today - timedelta(days=7 + index * 3))
