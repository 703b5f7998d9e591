"""About thirty realistic demo products over every category, stage and both product managers."""
from decimal import Decimal as D

from accounts.models import User
from products.models import Product, SalesChannel
from products.services import product_create

B, O, M, P = "branch", "online_banking", "mobile_banking", "partner"

# code, name, English name, category, owner, segment, risk, stage, channels, rate, fee, yield min, yield max, description
DEMO_PRODUCTS = [
    ("DEP-001", "活期宝", "Smart Current Account", "deposit", "pm2", "mass_market", "R1", "operation", [B, O, M], D("0.20"), None, None, None, "按日计息、随存随取的活期储蓄。"),
    ("DEP-002", "三年期大额存单", "3-Year Large CD", "deposit", "pm2", "affluent", "R1", "operation", [B, M], D("2.35"), None, None, None, "20 万元起存的三年期大额存单。"),
    ("DEP-003", "智能通知存款", "Smart Call Deposit", "deposit", "pm2", "small_business", "R1", "marketing", [O, M], D("1.00"), None, None, None, "七天通知存款自动滚存。"),
    ("DEP-004", "养老储蓄计划", "Pension Savings Plan", "deposit", "pm2", "senior", "R1", "development", [B], D("2.60"), None, None, None, "面向 50 岁以上客群的定期储蓄计划。"),
    ("DEP-005", "结构性存款（挂钩黄金）", "Gold-linked Structured Deposit", "deposit", "pm2", "affluent", "R2", "planning", [B, M], None, None, D("1.50"), D("3.20"), "保本浮动收益，挂钩上海金。"),
    ("DEP-006", "零存整取（旧版）", "Legacy Installment Savings", "deposit", "pm2", "mass_market", "R1", "retirement", [B], D("1.35"), None, None, None, "客户迁移至活期宝定投。"),
    ("LN-001", "安居房贷", "Home Mortgage", "loan", "pm2", "mass_market", "R2", "operation", [B, P], D("3.55"), None, None, None, "首套住房按揭贷款。"),
    ("LN-002", "薪享贷", "Salary Loan", "loan", "pm2", "mass_market", "R3", "operation", [O, M], D("4.20"), None, None, None, "代发工资客户纯信用消费贷。"),
    ("LN-003", "小微快贷", "SME Express Loan", "loan", "pm2", "small_business", "R3", "marketing", [M, P], D("4.80"), None, None, None, "基于税务数据的小微企业线上贷款。"),
    ("LN-004", "绿色车贷", "Green Auto Loan", "loan", "pm2", "youth", "R3", "development", [P, M], D("3.90"), None, None, None, "新能源汽车购车贷款。"),
    ("LN-005", "乡村振兴贷", "Rural Revitalisation Loan", "loan", "pm2", "small_business", "R4", "planning", [B], D("4.35"), None, None, None, "面向新型农业经营主体。"),
    ("LN-006", "教育分期（停办）", "Education Instalments", "loan", "pm2", "youth", "R3", "cancelled", [O], D("5.20"), None, None, None, "监管口径调整后取消。"),
    ("CC-001", "白金信用卡", "Platinum Credit Card", "credit_card", "pm1", "affluent", "R3", "operation", [B, M], None, D("2000"), None, None, "机场贵宾厅、高端酒店礼遇。"),
    ("CC-002", "青春联名卡", "Youth Co-branded Card", "credit_card", "pm1", "youth", "R3", "operation", [M, P], None, D("0"), None, None, "与视频平台联名，会员权益。"),
    ("CC-003", "商户返现卡", "Merchant Cashback Card", "credit_card", "pm1", "mass_market", "R3", "marketing", [M, P], None, D("0"), None, None, "指定商户消费返现 5%。"),
    ("CC-004", "车主信用卡", "Car Owner Card", "credit_card", "pm1", "mass_market", "R3", "development", [B, M], None, D("200"), None, None, "加油、洗车、ETC 权益。"),
    ("CC-005", "跨境留学卡", "Study Abroad Card", "credit_card", "pm1", "youth", "R3", "planning", [O, M], None, D("0"), None, None, "境外消费免货币转换费。"),
    ("CC-006", "金卡（旧版）", "Legacy Gold Card", "credit_card", "pm1", "mass_market", "R3", "retirement", [B], None, D("100"), None, None, "客户迁移至白金卡或返现卡。"),
    ("CC-007", "商务卡（已退出）", "Business Card (closed)", "credit_card", "pm1", "corporate", "R3", "retired", [B], None, D("300"), None, None, "已完成善后处理。"),
    ("WM-001", "稳健理财 30 天", "Steady 30-Day", "wealth", "pm1", "mass_market", "R2", "operation", [O, M], None, D("0"), D("2.10"), D("2.80"), "固定收益类，30 天最短持有期。"),
    ("WM-002", "私享多元配置", "Private Multi-Asset", "wealth", "pm1", "private_banking", "R4", "operation", [B], None, None, D("3.50"), D("6.50"), "私人银行专属多资产组合。"),
    ("WM-003", "科技成长精选", "Tech Growth Select", "wealth", "pm1", "affluent", "R5", "development", [B, M], None, None, D("0.00"), D("12.00"), "权益类，投资科技成长主题。"),
    ("WM-004", "养老目标 2040", "Target Retirement 2040", "wealth", "pm1", "senior", "R3", "marketing", [B, O, M], None, None, D("3.00"), D("5.00"), "目标日期型养老理财。"),
    ("WM-005", "ESG 可持续", "ESG Sustainable", "wealth", "pm1", "affluent", "R3", "planning", [M], None, None, D("2.80"), D("4.50"), "绿色债券与 ESG 权益。"),
    ("WM-006", "现金管理 1 号", "Cash Management No.1", "wealth", "pm1", "mass_market", "R1", "operation", [O, M, P], None, D("0"), D("1.60"), D("2.20"), "T+0 赎回的现金管理类产品。"),
    ("PAY-001", "聚合收款码", "Unified QR Collection", "payment", "pm1", "small_business", "R2", "operation", [M, P], None, D("0.38"), None, None, "商户一码多付。"),
    ("PAY-002", "跨境汇款通", "Cross-border Remittance", "payment", "pm2", "mass_market", "R2", "marketing", [O, M], None, D("50"), None, None, "个人跨境汇款 T+1 到账。"),
    ("PAY-003", "数字人民币钱包", "e-CNY Wallet", "payment", "pm2", "mass_market", "R1", "development", [M], None, D("0"), None, None, "数字人民币钱包开立与受理。"),
    ("PAY-004", "企业代发薪", "Corporate Payroll", "payment", "pm2", "corporate", "R1", "operation", [O], None, D("1.5"), None, None, "代发工资，按笔收费。"),
    ("OTH-001", "家庭财富规划服务", "Family Wealth Planning", "other", "pm1", "private_banking", "R2", "planning", [B], None, D("5000"), None, None, "家族信托与财富传承咨询。"),
]


def demo_stages() -> dict[str, str]:
    """The stage each demo product is walked to (through its gate reviews) by lifecycle's demo."""
    return {row[0]: row[7] for row in DEMO_PRODUCTS}


def seed(*, stdout=None):
    """Each missing product is created by its manager through product_create (audited, with its checklist); it
    starts in planning and lifecycle's demo takes it through its gates to its demo stage."""
    owners = {u.username: u for u in User.objects.filter(username__in=["pm1", "pm2"])}
    channels = {c.code: c for c in SalesChannel.objects.all()}
    existing = set(Product.objects.values_list("code", flat=True))
    created = 0
    for (code, name, name_en, category, owner, segment, risk, _stage, chans, rate, fee, y_min, y_max,
         description) in DEMO_PRODUCTS:
        if code in existing:
            continue
        product_create(user=owners[owner], data={
            "code": code, "name": name, "name_en": name_en, "category": category, "customer_segment": segment,
            "risk_rating": risk, "interest_rate": rate, "fee": fee, "expected_yield_min": y_min,
            "expected_yield_max": y_max, "description": description,
            "sales_channels": [channels[c] for c in chans],
        })
        created += 1
    return created
