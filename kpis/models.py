"""KPI data: metric definitions, daily observations, targets, period snapshots and early-warning alerts."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from core.fsm import ConcurrentTransitions

from .choices import (
    ACTIVE_ALERT_STATUSES,
    Aggregation,
    AlertKind,
    AlertStatus,
    Dimension,
    Direction,
    Granularity,
    KpiFamily,
    ObservationSource,
    SnapshotStatus,
    TargetGranularity,
    ValueKind,
)


class Metric(models.Model):
    """A KPI definition: what is measured, which way is good, and how daily figures roll up into a period."""

    code = models.CharField(
        _("指标代码"), max_length=40, unique=True,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]{1,39}$", _("只能使用小写字母、数字和下划线。"))],
    )
    name = models.CharField(_("指标名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=60)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    unit_en = models.CharField(_("英文单位"), max_length=20, blank=True)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices,
                                 default=Direction.HIGHER_IS_BETTER)
    family = models.CharField(_("指标类别"), max_length=20, choices=KpiFamily.choices)
    aggregation = models.CharField(_("汇总方式"), max_length=10, choices=Aggregation.choices)
    formula = models.CharField(
        _("计算公式"), max_length=200, blank=True,
        help_text=_("派生指标的公式：其他指标代码、数字、+ − × ÷ 和括号，如 (revenue - cost) * 100 / revenue。"
                    "除数为 0 时结果为空。"),
    )
    is_key = models.BooleanField(_("关键指标"), default=False, help_text=_("在组合仪表盘热力表中展示。"))
    scorecard_weight = models.DecimalField(
        _("考核权重"), max_digits=5, decimal_places=2, default=0, validators=[MinValueValidator(0)],
        help_text=_("产品经理季度考核中该指标达成率的权重；0 表示不计入。"),
    )
    display_order = models.PositiveSmallIntegerField(_("显示顺序"), default=0)
    value_kind = models.CharField(_("数值类型"), max_length=10, choices=ValueKind.choices, default=ValueKind.AMOUNT,
                                  help_text=_("决定数值的显示方式：计数为整数，金额和评分保留两位小数，百分比带 %。"))
    min_value = models.FloatField(_("最小有效值"), null=True, blank=True,
                                  help_text=_("低于该值的数据被拒绝；留空表示不限。"))
    max_value = models.FloatField(_("最大有效值"), null=True, blank=True,
                                  help_text=_("高于该值的数据被拒绝；留空表示不限。"))

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")

    def __str__(self):
        return self.display_name

    def clean(self):
        from .formulas import FormulaError, check_references, parse_formula

        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValidationError({"max_value": _("最大有效值不能小于最小有效值。")})
        if self.aggregation == Aggregation.DERIVED:
            if not self.formula.strip():
                raise ValidationError({"formula": _("派生指标必须填写计算公式。")})
            others = Metric.objects.exclude(pk=self.pk).values_list("code", "aggregation", "formula")
            definitions = {code: (formula if agg == Aggregation.DERIVED else None) for code, agg, formula in others}
            try:
                check_references(parse_formula(self.formula, own_code=self.code), own_code=self.code,
                                 definitions=definitions)
            except FormulaError as error:
                raise ValidationError({"formula": str(error)}) from error
        elif self.formula.strip():
            raise ValidationError({"formula": _("只有派生指标才有计算公式。")})

    @property
    def display_name(self):
        return self.name_en if (get_language() or "").startswith("en") else self.name

    @property
    def display_unit(self):
        return (self.unit_en or self.unit) if (get_language() or "").startswith("en") else self.unit

    @property
    def is_lower_better(self):
        return self.direction == Direction.LOWER_IS_BETTER

    @property
    def decimals(self) -> int:
        return 0 if self.value_kind == ValueKind.COUNT else 2

    def range_error(self, value: float) -> str | None:
        """Why a figure is outside this metric's valid range, or None when it is inside."""
        low, high = self.min_value, self.max_value
        if (low is None or value >= low) and (high is None or value <= high):
            return None
        if high is None:
            return _("%(metric)s 不能小于 %(min)s。") % {"metric": self.display_name, "min": _bound(low)}
        if low is None:
            return _("%(metric)s 不能大于 %(max)s。") % {"metric": self.display_name, "max": _bound(high)}
        return _("%(metric)s 必须在 %(min)s 到 %(max)s 之间。") % {
            "metric": self.display_name, "min": _bound(low), "max": _bound(high)}


def _record_title(row, tail: str) -> str:
    """"CC-001 · 不良率 · 2026-06" when the product and metric are loaded (the admin loads them), ids otherwise:
    a title never costs a query."""
    cache = row._state.fields_cache
    product, metric = cache.get("product"), cache.get("metric")
    return " · ".join([product.code if product else str(row.product_id),
                       metric.display_name if metric else str(row.metric_id), str(tail)])


def _bound(value: float) -> str:
    return f"{value:g}"


class Observation(models.Model):
    """One daily figure for a product and metric; sending the same day again replaces it.

    Keyed by (product, metric, date) with no surrogate id and no other index: the key serves every lookup by
    product, and snapshots scan whole months. On PostgreSQL the table is partitioned by month (see
    kpis/partitions.py), so a month's computation reads only the partitions of its windows. No database foreign
    keys (their per-row checks cost more than the insert): see kpis/migrations/0004 for what guards the ids.
    """

    pk = models.CompositePrimaryKey("product", "metric", "date")
    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="kpi_observations",
                                verbose_name=_("产品"), db_index=False, db_constraint=False)
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="observations", verbose_name=_("指标"),
                               db_index=False, db_constraint=False)
    date = models.DateField(_("日期"))
    value = models.FloatField(_("数值"))
    source = models.CharField(_("来源"), max_length=10, choices=ObservationSource.choices,
                              default=ObservationSource.API)

    class Meta:
        ordering = ["product", "metric", "date"]
        # The figures kpis.sources writes from the backlog, found by date without reading every observation (a
        # partial index: other rows never enter it).
        indexes = [models.Index(fields=["date"], name="kpi_observation_backlog_idx",
                                condition=models.Q(source="backlog"))]
        verbose_name = _("观测值")
        verbose_name_plural = _("观测值")

    def __str__(self):
        return f"{self.product_id}/{self.metric_id}/{self.date}: {self.value}"


class Target(models.Model):
    """A target for a product, metric and period, with the warning and critical thresholds (in the metric's unit).

    Higher-is-better: red below `critical`, amber below `warning`, green otherwise.
    Lower-is-better (e.g. a risk limit "default rate ≤ 2%"): red above `critical`, amber above `warning`.
    """

    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="kpi_targets",
                                verbose_name=_("产品"))
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="targets", verbose_name=_("指标"))
    granularity = models.CharField(_("周期类型"), max_length=10, choices=TargetGranularity.choices)
    period_start = models.DateField(_("周期开始日"))
    target_value = models.FloatField(_("目标值"))
    warning_threshold = models.FloatField(_("关注阈值"))
    critical_threshold = models.FloatField(_("预警阈值"))

    class Meta:
        ordering = ["product", "metric", "granularity", "period_start"]
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        constraints = [
            models.UniqueConstraint(fields=["product", "metric", "granularity", "period_start"],
                                    name="kpi_target_unique_period"),
        ]

    def __str__(self):
        return _record_title(self, f"{self.get_granularity_display()} {self.period_start}")

    def clean(self):
        from .periods import is_period_start

        errors = {}
        if self.period_start and self.granularity and not is_period_start(self.period_start, self.granularity):
            errors["period_start"] = _("周期开始日必须是该周期的第一天。")
        if self.metric_id and None not in (self.warning_threshold, self.critical_threshold):
            lower = self.metric.is_lower_better
            if (lower and self.critical_threshold < self.warning_threshold) or (
                not lower and self.critical_threshold > self.warning_threshold
            ):
                errors["critical_threshold"] = _("预警阈值必须比关注阈值更差（越低越好的指标应更高，反之更低）。")
        if errors:
            raise ValidationError(errors)


class Snapshot(models.Model):
    """A product's metric for one month or quarter, compared with the previous period, last year and the target.

    change_pct = (value − previous) ÷ |previous| × 100, none when the previous value is missing or 0;
    yoy_pct likewise against the same period a year earlier; attainment_pct = value ÷ target × 100
    (target ÷ value × 100 for lower-is-better metrics), none without a target or with a zero divisor.
    """

    # No database foreign keys and no product or metric index (the unique key starts with the product; nothing
    # looks snapshots up by metric alone but deleting a metric, which PROTECT refuses anyway): the rows are written
    # only by the snapshot statement, which joins the products and metrics it reads, and the deferred per-row
    # checks and index entries cost more than the insert itself (docs/performance.md). Products are never deleted
    # (retired instead); Django's CASCADE and PROTECT still apply.
    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="kpi_snapshots",
                                verbose_name=_("产品"), db_index=False, db_constraint=False)
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("指标"),
                               db_index=False, db_constraint=False)
    granularity = models.CharField(_("周期类型"), max_length=10, choices=Granularity.choices)
    period = models.CharField(_("周期"), max_length=7, help_text=_("如 2026-10 或 2026-Q4"))
    period_start = models.DateField(_("周期开始日"))
    value = models.FloatField(_("数值"), null=True)
    previous_value = models.FloatField(_("上期值"), null=True)
    change_pct = models.FloatField(_("环比 %"), null=True)
    last_year_value = models.FloatField(_("去年同期值"), null=True)
    yoy_pct = models.FloatField(_("同比 %"), null=True)
    target_value = models.FloatField(_("目标值"), null=True)
    warning_threshold = models.FloatField(_("关注阈值"), null=True)
    critical_threshold = models.FloatField(_("预警阈值"), null=True)
    attainment_pct = models.FloatField(_("达成率 %"), null=True)
    status = models.CharField(_("状态"), max_length=10, choices=SnapshotStatus.choices, default=SnapshotStatus.NONE)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        ordering = ["product", "metric", "granularity", "period_start"]
        verbose_name = _("指标快照")
        verbose_name_plural = _("指标快照")
        constraints = [
            models.UniqueConstraint(fields=["product", "metric", "granularity", "period_start"],
                                    name="kpi_snapshot_unique_period"),
        ]
        indexes = [models.Index(fields=["granularity", "period_start"], name="kpi_snapshot_period_idx")]

    def __str__(self):
        return _record_title(self, self.period)


class StalePeriod(models.Model):
    """A product's month or quarter whose snapshots are out of date: figures of it, of the period before it or of
    the same period a year earlier changed. Ingestion marks them; `kpis.tasks.recompute_stale_kpi_snapshots`
    claims and recomputes them."""

    pk = models.CompositePrimaryKey("product", "granularity", "period_start")
    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("产品"), db_index=False)
    granularity = models.CharField(_("周期类型"), max_length=10, choices=Granularity.choices)
    period_start = models.DateField(_("周期开始日"))
    marked_at = models.DateTimeField(_("标记时间"))

    class Meta:
        verbose_name = _("待重算周期")
        verbose_name_plural = _("待重算周期")

    def __str__(self):
        return f"{self.product_id}/{self.granularity}/{self.period_start}"


class Alert(ConcurrentTransitions, models.Model):
    """An early warning: a metric turned red. One active alert per product and metric, however often it stays red."""

    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="kpi_alerts",
                                verbose_name=_("产品"))
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("指标"))
    snapshot = models.ForeignKey(Snapshot, on_delete=models.SET_NULL, null=True, related_name="alerts",
                                 verbose_name=_("触发快照"))
    kind = models.CharField(_("预警类型"), max_length=15, choices=AlertKind.choices, default=AlertKind.METRIC)
    # A target-market alert names the segment or channel the product was sold into (kind `target_market`).
    dimension = models.CharField(_("维度"), max_length=10, choices=Dimension.choices, blank=True)
    member = models.CharField(_("维度取值"), max_length=40, blank=True)
    granularity = models.CharField(_("周期类型"), max_length=10, choices=Granularity.choices)
    period = models.CharField(_("周期"), max_length=7)
    period_start = models.DateField(_("周期开始日"))
    value = models.FloatField(_("触发值"), null=True)
    critical_threshold = models.FloatField(_("预警阈值"), null=True)
    status = FSMField(_("状态"), max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN, protected=True)
    opened_at = models.DateTimeField(_("触发时间"))
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name=_("确认人"))
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledge_comment = models.TextField(_("确认说明"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("解除人"))
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    resolution_comment = models.TextField(_("解除说明"), blank=True)
    auto_resolved = models.BooleanField(_("自动解除"), default=False)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        constraints = [
            models.UniqueConstraint(fields=["product", "metric"], condition=models.Q(
                status__in=ACTIVE_ALERT_STATUSES, kind=AlertKind.METRIC), name="kpi_alert_one_active"),
            models.UniqueConstraint(fields=["product", "dimension", "member"], condition=models.Q(
                status__in=ACTIVE_ALERT_STATUSES, kind=AlertKind.TARGET_MARKET), name="kpi_alert_one_active_market"),
        ]

    def __str__(self):
        return _record_title(self, self.period)

    def get_absolute_url(self):
        return reverse("kpis:alert-list") + f"?status=&product={self.product_id}"

    def clean_fields(self, exclude=None):
        # The status is guarded by the state machine and cannot be re-assigned (protected FSM field).
        super().clean_fields(exclude={*(exclude or ()), "status"})

    @property
    def is_active(self):
        return self.status in ACTIVE_ALERT_STATUSES

    @transition(field=status, source=AlertStatus.OPEN, target=AlertStatus.ACKNOWLEDGED)
    def acknowledge(self, *, user, comment, at):
        """Someone responsible has seen the warning and says what they do about it."""
        self.acknowledged_by, self.acknowledge_comment, self.acknowledged_at = user, comment, at

    @transition(field=status, source=ACTIVE_ALERT_STATUSES, target=AlertStatus.RESOLVED)
    def resolve(self, *, user, comment, at, automatic=False):
        """Closed by a person with a comment, or automatically when the metric is back to green."""
        self.resolved_by, self.resolution_comment, self.resolved_at = user, comment, at
        self.auto_resolved = automatic


class TaskRun(models.Model):
    """A background computation someone asked for: who may read its state, and the outbox row that gets it to a
    worker even when the broker was down at the time (the sweeper re-publishes it, and marks it failed when no
    worker shows a sign of life for too long)."""

    id = models.UUIDField(primary_key=True, editable=False)
    task = models.CharField(_("任务"), max_length=100)
    arguments = models.JSONField(_("参数"), default=list)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    abandoned_at = models.DateTimeField(_("判定中断时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        indexes = [models.Index(fields=["created_at"], name="kpi_taskrun_open_idx",
                                condition=models.Q(abandoned_at__isnull=True))]

    def __str__(self):
        return f"{self.task} {self.id}"


class Region(models.Model):
    """A region or branch figures can be broken down by (admin-maintained; deactivated, never deleted, because
    figures and pilots keep naming it)."""

    code = models.CharField(
        _("地区代码"), max_length=40, unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9_-]{0,39}$", _("只能使用小写字母、数字、- 和 _。"))],
    )
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=60)
    is_active = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("地区")
        verbose_name_plural = _("地区")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.name_en if (get_language() or "").startswith("en") else self.name


class DimensionObservation(models.Model):
    """One daily figure of a product and metric for a segment, channel and/or region ('' = not broken down by it).

    The product's total for that day is not sent alongside: it is rolled up from these rows (kpis.dimensions)
    and stored as an ordinary observation with source `rollup`, so every total-based computation is unchanged.
    On PostgreSQL a BRIN index on the date (migration kpis 0012, not in Meta: SQLite has none) lets a period's
    statements skip the blocks of other days.
    """

    pk = models.CompositePrimaryKey("product", "metric", "date", "segment", "channel", "region")
    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("产品"), db_index=False, db_constraint=False)
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+", verbose_name=_("指标"),
                               db_index=False, db_constraint=False)
    date = models.DateField(_("日期"))
    segment = models.CharField(_("客群"), max_length=32, blank=True, default="")
    channel = models.CharField(_("渠道"), max_length=32, blank=True, default="")
    region = models.CharField(_("地区"), max_length=40, blank=True, default="")
    value = models.FloatField(_("数值"))
    source = models.CharField(_("来源"), max_length=10, choices=ObservationSource.choices,
                              default=ObservationSource.API)

    class Meta:
        ordering = ["product", "metric", "date", "segment", "channel", "region"]
        verbose_name = _("分维度观测值")
        verbose_name_plural = _("分维度观测值")

    def __str__(self):
        return f"{self.product_id}/{self.metric_id}/{self.date}/{self.segment}/{self.channel}/{self.region}"


class DimensionSnapshot(models.Model):
    """A product's metric for one period and one value of one dimension (e.g. segment = youth), computed like
    the total's snapshot from the dimensioned figures; change_pct against the previous period."""

    # As Snapshot: no database foreign keys, no product index (the unique key starts with it).
    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("产品"), db_index=False, db_constraint=False)
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+", verbose_name=_("指标"),
                               db_constraint=False)
    granularity = models.CharField(_("周期类型"), max_length=10, choices=Granularity.choices)
    period = models.CharField(_("周期"), max_length=7)
    period_start = models.DateField(_("周期开始日"))
    dimension = models.CharField(_("维度"), max_length=10, choices=Dimension.choices)
    member = models.CharField(_("维度取值"), max_length=40)
    value = models.FloatField(_("数值"), null=True)
    previous_value = models.FloatField(_("上期值"), null=True)
    change_pct = models.FloatField(_("环比 %"), null=True)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        ordering = ["product", "metric", "granularity", "period_start", "dimension", "member"]
        verbose_name = _("分维度快照")
        verbose_name_plural = _("分维度快照")
        constraints = [
            models.UniqueConstraint(fields=["product", "metric", "granularity", "period_start", "dimension", "member"],
                                    name="kpi_dimsnapshot_unique"),
        ]

    def __str__(self):
        return _record_title(self, f"{self.period} {self.dimension}={self.member}")
