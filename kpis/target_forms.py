"""Forms of the targets page: one annual plan typed in, or many imported from a file (rules in kpis.services)."""
import datetime

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from bankpm import uploads
from products.choices import ProductCategory
from products.models import Product

from .choices import Aggregation, TargetGranularity
from .models import Metric
from .services import TARGET_IMPORT_COLUMNS, TargetPlan, category_products

MAX_TARGET_IMPORT_ROWS = 500
GRANULARITIES = [(TargetGranularity.MONTH, _("月度")), (TargetGranularity.QUARTER, _("季度"))]
# Headers people may type, in either language, for each import column.
IMPORT_HEADERS = {
    "product": ("product", "产品代码", "产品"), "category": ("category", "产品类别", "类别"),
    "metric": ("metric", "指标代码", "指标"), "year": ("year", "年份", "年度"),
    "annual_target": ("annual_target", "年度目标"), "granularity": ("granularity", "分解到", "分解"),
    "warning_pct": ("warning_pct", "关注阈值%", "关注阈值"), "critical_pct": ("critical_pct", "预警阈值%", "预警阈值"),
}
GRANULARITY_WORDS = {"month": "month", "monthly": "month", "月": "month", "月度": "month",
                     "quarter": "quarter", "quarterly": "quarter", "季": "quarter", "季度": "quarter"}


class TargetPlanForm(forms.Form):
    """One annual target for a product or every product of a category, spread over months or quarters."""

    product = forms.ModelChoiceField(label=_("产品"), required=False, queryset=Product.objects.none())
    category = forms.ChoiceField(label=_("或产品类别"), required=False,
                                 choices=[("", _("（不按类别）"))] + list(ProductCategory.choices))
    metric = forms.ModelChoiceField(label=_("指标"), queryset=Metric.objects.none())
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    annual_value = forms.FloatField(label=_("年度目标"))
    granularity = forms.ChoiceField(label=_("分解到"), choices=GRANULARITIES, initial=TargetGranularity.MONTH,
                                    widget=forms.RadioSelect)
    warning_pct = forms.FloatField(label=_("关注阈值（目标的 %）"), initial=95)
    critical_pct = forms.FloatField(label=_("预警阈值（目标的 %）"), initial=85)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year + 1)
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.exclude(stage__in=["retired", "cancelled"]).order_by("code")
        self.fields["product"].empty_label = _("（按类别设置）")
        self.fields["metric"].empty_label = _("请选择指标")
        self.fields["metric"].queryset = Metric.objects.exclude(aggregation=Aggregation.DERIVED).order_by(
            "display_order", "code")
        self.fields["annual_value"].help_text = _(
            "合计类指标（如收入、新增客户）按期均分；水平类指标（如比率、余额、评分）每期相同。")

    def clean(self):
        data = super().clean()
        if bool(data.get("product")) == bool(data.get("category")):
            self.add_error("product", _("请选择一个产品或一个产品类别（二选一）。"))
        return data

    def plan(self) -> TargetPlan:
        data = self.cleaned_data
        products = [data["product"]] if data["product"] else list(category_products(category=data["category"]))
        return TargetPlan(products=products, metric=data["metric"], year=data["year"],
                          annual_value=data["annual_value"], granularity=data["granularity"],
                          warning_pct=data["warning_pct"], critical_pct=data["critical_pct"])


class TargetImportForm(forms.Form):
    file = forms.FileField(label=_("文件（CSV 或 XLSX）"))
    dry_run = forms.BooleanField(label=_("试运行（只校验，不写入）"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            return uploads.read_upload(upload, read_csv=_csv_rows, read_xlsx=_xlsx_rows)
        except uploads.UploadRefused as error:
            raise forms.ValidationError(str(error)) from error


def _columns(header) -> list[str | None]:
    names = {alias.casefold(): column for column, aliases in IMPORT_HEADERS.items() for alias in aliases}
    columns = [names.get(str(cell or "").strip().lstrip("\ufeff").casefold()) for cell in header]
    missing = [c for c in TARGET_IMPORT_COLUMNS if c not in columns and c not in ("product", "category")]
    if missing or not {"product", "category"} & set(columns):
        raise uploads.HeaderError(_("表头缺少：%(columns)s") % {"columns": ", ".join(missing or ["product"])})
    return columns


def _row(columns, cells) -> dict:
    row = {column: ("" if cell is None else str(cell).strip()) for column, cell in zip(columns, cells, strict=False)
           if column}
    if isinstance(row.get("year"), str) and row["year"].endswith(".0"):
        row["year"] = row["year"][:-2]
    row["granularity"] = GRANULARITY_WORDS.get(row.get("granularity", "").casefold(), row.get("granularity", ""))
    category = row.get("category", "")
    labels = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels.update({str(label): code for code, label in ProductCategory.choices})
    row["category"] = labels.get(category, category)
    return row


def _csv_rows(fileobj) -> list[dict]:
    rows = uploads.csv_rows(fileobj, max_rows=MAX_TARGET_IMPORT_ROWS)
    columns = _columns(next(rows, ()))
    return [_row(columns, row) for row in rows if any(c.strip() for c in row)]


def _xlsx_rows(fileobj) -> list[dict]:
    rows = uploads.xlsx_rows(fileobj, max_rows=MAX_TARGET_IMPORT_ROWS)
    columns = _columns(next(rows, ()))
    return [_row(columns, [c.isoformat() if isinstance(c, datetime.date) else c for c in row])
            for row in rows if any(c is not None for c in row)]
