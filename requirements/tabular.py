"""CSV/XLSX import and export of requirements and feedback (tablib); rows are validated by forms, written by
the services in one transaction (services.run_import)."""
import datetime
import io
import re
from decimal import Decimal, InvalidOperation

import tablib
from django import forms
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bankpm import uploads
from products.models import Product

from . import services
from .models import Feedback, ProductVersion, Requirement

REQUIREMENT_COLUMNS = [
    "product", "title", "description", "source", "type", "priority", "requester", "assignee", "due_date", "tags",
    "reach", "impact", "confidence", "effort", "target_version",
]
REQUIREMENT_EXPORT_COLUMNS = ["id", *REQUIREMENT_COLUMNS, "status", "rice_score", "feedback_count", "delivered_at"]
FEEDBACK_COLUMNS = ["product", "channel", "customer_segment", "text", "sentiment", "received_on"]
FEEDBACK_EXPORT_COLUMNS = ["id", *FEEDBACK_COLUMNS, "requirement"]
MAX_ROWS = 5000


class RequirementRowForm(forms.ModelForm):
    """One import row: the product by code, the assignee by username, the version by name within the product."""

    product = forms.ModelChoiceField(queryset=Product.objects.all(), to_field_name="code")
    assignee = forms.ModelChoiceField(queryset=get_user_model().objects.filter(is_active=True),
                                      to_field_name="username", required=False)
    target_version = forms.CharField(required=False)
    tags = forms.CharField(required=False)

    class Meta:
        model = Requirement
        fields = ["product", "title", "description", "source", "type", "priority", "requester", "assignee",
                  "due_date", "reach", "impact", "confidence", "effort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A spreadsheet writes the impact 1.00 as the number 1; the choices are "0.25" … "3.00".
        try:
            impact = Decimal(self.data.get("impact", ""))
        except (InvalidOperation, ValueError):
            return
        if impact.is_finite() and impact.adjusted() < 2:  # "1e999999999" would print a billion digits
            self.data = {**self.data, "impact": f"{impact:.2f}"}

    def clean_tags(self):
        return [t for t in re.split(r"[,，;；、|]", self.cleaned_data["tags"]) if t.strip()]

    def clean(self):
        data = super().clean()
        name, product = data.get("target_version"), data.get("product")
        data["target_version"] = None
        if name and product:
            version = ProductVersion.objects.filter(product=product, name=name).first()
            if version is None:
                self.add_error("target_version", _("该产品没有名为“%(name)s”的版本。") % {"name": name})
            data["target_version"] = version
        return data


class FeedbackRowForm(forms.ModelForm):
    product = forms.ModelChoiceField(queryset=Product.objects.all(), to_field_name="code")

    class Meta:
        model = Feedback
        fields = FEEDBACK_COLUMNS


KINDS = {
    "requirements": (RequirementRowForm, REQUIREMENT_COLUMNS, services.requirement_create, "title"),
    "feedback": (FeedbackRowForm, FEEDBACK_COLUMNS, services.feedback_create, "text"),
}


# Column titles the form fields do not carry themselves (foreign keys and free lists).
EXTRA_LABELS = {"product": gettext_lazy("产品代码"), "assignee": gettext_lazy("负责人（用户名）"),
                "tags": gettext_lazy("标签"), "target_version": gettext_lazy("目标版本（名称）")}


def column_labels(kind: str) -> list[tuple[str, str]]:
    """(code, title in the active language) of each import column, in file order."""
    form = KINDS[kind][0]()
    return [(code, str(EXTRA_LABELS.get(code) or form.fields[code].label)) for code in KINDS[kind][1]]


def required_columns(kind: str) -> list[str]:
    """Columns a file must have; the others (description, due date, tags …) may be left out altogether."""
    form = KINDS[kind][0]()
    return [code for code in KINDS[kind][1] if form.fields[code].required]


def coded_columns(kind: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(code, title, [(value, label)]) of each column whose values are codes: what a file may put there."""
    form = KINDS[kind][0]()
    return [(code, title, [(str(v), str(label)) for v, label in form.fields[code].choices if v != ""])
            for code, title in column_labels(kind)
            if code != "product" and getattr(form.fields[code], "choices", None) is not None
            and not isinstance(form.fields[code], forms.ModelChoiceField)]


def _header_aliases(kind: str) -> dict[str, str]:
    """Each column's code and its title in every language, all naming the column (a template's headers are the
    titles in the user's language; older files use the codes)."""
    from django.conf import settings

    aliases = {code: code for code in KINDS[kind][1]}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            aliases.update({title: code for code, title in column_labels(kind)})
    return aliases


def _value_aliases(kind: str) -> dict[str, dict[str, str]]:
    """For each coded column, what a file may write for each value: the code, or its label in any language (the
    whole label, or its words after a leading code such as "P1 高" → "高"), compared without case."""
    from django.conf import settings

    aliases: dict[str, dict[str, str]] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for code, _title, choices in coded_columns(kind):
                names = aliases.setdefault(code, {})
                for value, label in choices:
                    names.setdefault(value.casefold(), value)
                    names.setdefault(label.strip().casefold(), value)
                    head, _space, rest = label.strip().partition(" ")
                    if rest and head.casefold() in (value.casefold(), value.rstrip("0").rstrip(".").casefold()):
                        names.setdefault(rest.strip().casefold(), value)
    return aliases


# An example row per kind, in codes; the template writes the coded ones as labels in the reader's language.
EXAMPLES = {
    "requirements": {"title": gettext_lazy("示例：信用卡账单分期支持提前还款"),
                     "description": gettext_lazy("客户热线反馈较多，希望可随时提前结清。"),
                     "source": "customer_feedback", "type": "feature", "priority": "P1",
                     "requester": gettext_lazy("客服中心"), "due_date": "2027-03-31",
                     "tags": gettext_lazy("分期,还款"), "reach": "64000", "impact": "2.00", "confidence": "80",
                     "effort": "3"},
    "feedback": {"channel": "hotline", "customer_segment": "mass_market",
                 "text": gettext_lazy("示例：希望账单分期可以提前还款。"), "sentiment": "neutral",
                 "received_on": "2026-11-30"},
}


def example_row(kind: str) -> list[str]:
    """The template's example row, in file order (coded values as their labels, the product a real code)."""
    labels = {code: dict(choices) for code, _title, choices in coded_columns(kind)}
    values = {**EXAMPLES[kind], "product": Product.objects.order_by("code").values_list("code", flat=True).first()
              or "CC-001"}
    return [str(labels.get(code, {}).get(values.get(code, ""), values.get(code, ""))) for code in KINDS[kind][1]]


def template_book(kind: str) -> tablib.Databook:
    """The import template: a sheet with the headers in the active language and an example row, and a sheet of
    the valid codes."""
    sheet = tablib.Dataset(example_row(kind), headers=[title for _code, title in column_labels(kind)],
                           title=_("数据")[:31])
    codes = tablib.Dataset(headers=[_("列"), _("可填代码"), _("含义")], title=_("可用代码")[:31])
    for _code, title, choices in coded_columns(kind):
        for value, label in choices:
            codes.append((title, value, label))
    return tablib.Databook([sheet, codes])


class ImportFileError(Exception):
    """The file itself cannot be read (format, headers, size)."""


def read_upload(upload) -> bytes:
    """An uploaded file's content, refused unread when it is too large."""
    try:
        uploads.check_upload_size(upload.size)
    except uploads.UploadRefused as error:
        raise ImportFileError(str(error)) from error
    return upload.read()


def read_dataset(*, content: bytes, filename: str) -> tablib.Dataset:
    """The file's rows as a dataset, refused before reading when too large and while streaming past MAX_ROWS."""
    fmt = "xlsx" if filename.lower().endswith(".xlsx") else "csv"
    try:
        uploads.check_upload_size(len(content))
        stream = io.BytesIO(content)
        rows = uploads.xlsx_rows(stream, max_rows=MAX_ROWS) if fmt == "xlsx" else \
            uploads.csv_rows(stream, max_rows=MAX_ROWS)
        headers = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        width = len(headers)
        data = [tuple(row[:width]) + ("",) * (width - len(row)) for row in rows if any(_cell(c) for c in row)]
        return tablib.Dataset(*data, headers=headers)
    except uploads.UploadRefused as error:
        raise ImportFileError(str(error)) from error
    except UnicodeDecodeError as error:
        raise ImportFileError(_("CSV 文件必须是 UTF-8 编码。")) from error
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a broken file; its text helps nobody
        raise ImportFileError(_("无法读取文件：请确认是有效的 CSV 或 XLSX 文件。")) from error


def _cell(value) -> str:
    """A cell as the text a form expects: XLSX date cells arrive as datetimes, shown as dates."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def import_rows(*, user, kind: str, dataset: tablib.Dataset, dry_run: bool) -> services.ImportResult:
    """Validate every row with its form, then let the service create them all or none."""
    form_class, columns, create, label_field = KINDS[kind]
    aliases, values = _header_aliases(kind), _value_aliases(kind)
    typed_headers = [str(h or "").strip() for h in (dataset.headers or [])]
    headers = [aliases.get(h, h) for h in typed_headers]
    missing = [c for c in required_columns(kind) if c not in headers]
    if missing:
        titles = dict(column_labels(kind))
        raise ImportFileError(_("缺少列：%(cols)s") % {"cols": ", ".join(f"{titles[c]} ({c})" for c in missing)})
    # Errors name the column as the file's header wrote it (else its title in the reader's language).
    typed = {**dict(column_labels(kind)), **dict(zip(headers, typed_headers, strict=False))}
    if len(dataset) > MAX_ROWS:
        raise ImportFileError(_("一次最多导入 %(n)s 行。") % {"n": MAX_ROWS})
    rows = []
    for number, cells in enumerate(dataset, start=2):  # line 1 is the header
        raw = {h: _cell(v) for h, v in zip(headers, cells, strict=False)}
        for code, names in values.items():
            if raw.get(code):
                raw[code] = names.get(raw[code].casefold(), raw[code])
        form = form_class(data={c: raw.get(c, "") for c in columns})
        label = raw.get(label_field, "")[:60]
        if form.is_valid():
            rows.append((number, label, dict(form.cleaned_data), {}))
        else:
            rows.append((number, label, None, {typed.get(k, _("整行")): list(v) for k, v in form.errors.items()}))
    return services.run_import(user=user, rows=rows, create=create, dry_run=dry_run)


def export_requirements(queryset) -> list[tuple]:
    """Rows in the order of REQUIREMENT_EXPORT_COLUMNS (for bankpm.exports.export_response)."""
    return [
        (
            r.pk, r.product.code, r.title, r.description, r.source, r.type, r.priority, r.requester,
            r.assignee.username if r.assignee_id else "", r.due_date.isoformat() if r.due_date else "",
            ",".join(t.name for t in r.tags.all()), r.reach, str(r.impact), r.confidence, str(r.effort),
            r.target_version.name if r.target_version_id else "", r.status, str(r.rice_score),
            getattr(r, "feedback_count", 0), r.delivered_at.isoformat() if r.delivered_at else "",
        )
        for r in queryset
    ]


def export_feedback(queryset) -> list[tuple]:
    """Rows in the order of FEEDBACK_EXPORT_COLUMNS."""
    return [(f.pk, f.product.code, f.channel, f.customer_segment, f.text, f.sentiment, f.received_on.isoformat(),
             f.requirement_id or "") for f in queryset]
