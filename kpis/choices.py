"""Constants of the KPI app: metric kinds, periods, statuses and error codes."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Aggregation(models.TextChoices):
    """How a period's value is formed from daily observations (derived metrics are computed from others)."""

    SUM = "sum", _("合计")
    AVG = "avg", _("平均")
    LAST = "last", _("期末值")
    MAX = "max", _("最大值")
    MIN = "min", _("最小值")
    DERIVED = "derived", _("派生计算")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("越高越好")
    LOWER_IS_BETTER = "lower", _("越低越好")


class KpiFamily(models.TextChoices):
    SATISFACTION = "satisfaction", _("客户满意度")
    GROWTH = "growth", _("业务增长")
    PROFITABILITY = "profitability", _("盈利能力")
    MARKET_SHARE = "market_share", _("市场份额")
    RISK = "risk", _("风险")
    INNOVATION = "innovation", _("创新")
    LOYALTY = "loyalty", _("客户忠诚度")


class ValueKind(models.TextChoices):
    """What a metric's figures are, which decides how they are shown (digits, %) everywhere."""

    COUNT = "count", _("计数（整数）")
    AMOUNT = "amount", _("金额（两位小数）")
    PERCENT = "percent", _("百分比")
    SCORE = "score", _("评分")


class Granularity(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")


class TargetGranularity(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class SnapshotStatus(models.TextChoices):
    GREEN = "green", _("达标")
    AMBER = "amber", _("关注")
    RED = "red", _("预警")
    NONE = "none", _("无目标")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    RESOLVED = "resolved", _("已解除")


class AlertKind(models.TextChoices):
    METRIC = "metric", _("指标越限")
    TARGET_MARKET = "target_market", _("目标市场偏离")


class Dimension(models.TextChoices):
    """What a figure can be broken down by."""

    SEGMENT = "segment", _("客群")
    CHANNEL = "channel", _("渠道")
    REGION = "region", _("地区")


# An alert in one of these states blocks a second alert for the same product and metric.
ACTIVE_ALERT_STATUSES = [AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]
# Acknowledge and resolve comments: the page, the API and the service agree on one limit.
ALERT_COMMENT_MAX_LENGTH = 2000


class ObservationSource(models.TextChoices):
    API = "api", _("接口推送")
    UPLOAD = "upload", _("文件导入")
    BACKLOG = "backlog", _("需求待办")
    DEMO = "demo", _("演示数据")
    ROLLUP = "rollup", _("分维度汇总")
    REGISTER = "register", _("投诉登记簿")


class MetricCode(models.TextChoices):
    """Metrics the code refers to by name (derived metrics and the backlog-fed innovation metric)."""

    REVENUE = "revenue", _("营业收入")
    COST = "cost", _("成本")
    PROFIT = "profit", _("利润")
    MARGIN = "margin", _("利润率")
    DEFAULT_RATE = "default_rate", _("不良率")
    REQUIREMENTS_DELIVERED = "requirements_delivered", _("需求交付数")


class IngestError(models.TextChoices):
    """Error codes of observation ingestion, reported per item index."""

    NOT_A_LIST = "not_a_list", _("请求体必须是 JSON 数组。")
    TOO_MANY = "too_many", _("单次最多 10,000 条。")
    EMPTY = "empty", _("至少需要一条观测值。")
    NOT_AN_OBJECT = "not_an_object", _("每一项必须是 JSON 对象。")
    UNKNOWN_FIELD = "unknown_field", _("未知字段。")
    REQUIRED = "required", _("该字段是必填项。")
    UNKNOWN_PRODUCT = "unknown_product", _("未知产品代码。")
    NOT_YOUR_PRODUCT = "not_your_product", _("您不是该产品的产品经理。")
    UNKNOWN_METRIC = "unknown_metric", _("未知指标代码。")
    NOT_INGESTIBLE = "not_ingestible", _("该指标由系统计算，不能直接提交。")
    BAD_DATE = "bad_date", _("日期格式必须是 YYYY-MM-DD。")
    DATE_OUT_OF_RANGE = "date_out_of_range", _("日期必须在 1970-01-01 到 2099-12-31 之间。")
    DATE_IN_FUTURE = "date_in_future", _("观测日期不能晚于今天：未来的数字尚未发生。")
    BAD_VALUE = "bad_value", _("数值必须是有限的数字。")
    DUPLICATE = "duplicate", _("同一请求中重复的产品、指标和日期。")
    UNKNOWN_SEGMENT = "unknown_segment", _("未知的客群代码。")
    UNKNOWN_CHANNEL = "unknown_channel", _("未知的渠道代码。")
    UNKNOWN_REGION = "unknown_region", _("未知或已停用的地区代码。")
    TOTAL_AND_DIMENSIONS = "total_and_dimensions", _("同一产品、指标和日期不能既有合计又有分维度数据。")
    FED_ELSEWHERE = "fed_elsewhere", _("该产品的这一指标由系统从登记簿计算（如投诉登记簿），不能直接提交。")
    MIXED_DIMENSIONS = "mixed_dimensions", _("同一产品、指标和日期的分维度数据必须使用相同的维度组合。")


MAX_OBSERVATIONS_PER_REQUEST = 10_000


class KpiAuditAction(models.TextChoices):
    """Audit-trail action codes of the KPI app."""

    TARGET_CREATED = "kpi_target_created", _("新增指标目标")
    TARGET_UPDATED = "kpi_target_updated", _("修改指标目标")
    TARGET_DELETED = "kpi_target_deleted", _("删除指标目标")
    TARGET_PLANNED = "kpi_target_planned", _("按年度计划设置指标目标")
    METRIC_CREATED = "kpi_metric_created", _("新增指标定义")
    METRIC_UPDATED = "kpi_metric_updated", _("修改指标定义")
    ALERT_ACKNOWLEDGED = "kpi_alert_acknowledged", _("确认指标预警")
    ALERT_RESOLVED = "kpi_alert_resolved", _("解除指标预警")
    OBSERVATIONS_INGESTED = "kpi_observations_ingested", _("提交指标数据")
    REGION_CREATED = "kpi_region_created", _("新增地区")
    REGION_UPDATED = "kpi_region_updated", _("修改地区")
