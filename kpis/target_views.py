"""The targets page of heads of product: annual targets spread to months or quarters, typed or imported."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Min, Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from core.errors import BulkValidationError
from core.pages import upload_row_errors

from . import services
from .models import Target
from .target_forms import TargetImportForm, TargetPlanForm


def year_summary(year: int) -> list[dict]:
    """The year's targets per product, metric and period type: how many periods, their total and range."""
    english = (get_language() or "").startswith("en")
    rows = list(Target.objects.filter(period_start__year=year).values(
        "product__code", "product__name", "product__name_en", "metric__code", "metric__name", "metric__name_en",
        "metric__unit", "metric__unit_en", "metric__aggregation", "granularity",
    ).annotate(periods=Count("id"), total=Sum("target_value"), low=Min("target_value"), high=Max("target_value"))
        .order_by("product__code", "metric__display_order", "granularity"))
    for row in rows:
        for key in ("product__name", "metric__name", "metric__unit"):
            english_value = row[key.replace("name", "name_en").replace("unit", "unit_en")]
            row[key.split("__")[0] + "_label" if key != "metric__unit" else "unit"] = (
                english_value if english and english_value else row[key])
    return rows


class TargetPlanView(LoginRequiredMixin, View):
    """GET the page; POST a plan (`action=plan`) or an import (`action=import`), both through kpis.services."""

    template_name = "kpis/targets.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.target_can_edit(user=request.user):
            raise PermissionDenied(_("只有产品负责人和管理员可以设置指标目标。"))
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, request, *, plan_form=None, import_form=None, status=200, **extra):
        year = request.GET.get("year", "")
        year = int(year) if year.isdecimal() and 2000 <= int(year) <= 2100 else timezone.localdate().year
        context = {"plan_form": plan_form or TargetPlanForm(), "import_form": import_form or TargetImportForm(),
                   "year": year, "years": range(year - 1, year + 3), "summary": year_summary(year), **extra}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(request)

    def post(self, request):
        if request.POST.get("action") == "import":
            return self.post_import(request)
        form = TargetPlanForm(request.POST)
        if form.is_valid():
            try:
                count = services.target_plan_apply(user=request.user, plan=form.plan())
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("已设置 %(n)d 个周期目标。") % {"n": count})
                return redirect(f"{request.path}?year={form.cleaned_data['year']}")
        return self.render_page(request, plan_form=form, status=400)

    def post_import(self, request):
        form = TargetImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(request, import_form=form, status=400)
        dry_run = form.cleaned_data["dry_run"]
        try:
            count = services.target_plans_import(user=request.user, rows=form.cleaned_data["file"], dry_run=dry_run)
        except BulkValidationError as error:
            return self.render_page(request, import_form=form, **upload_row_errors(error), status=400)
        if dry_run:
            messages.info(request, _("校验通过：将设置 %(n)d 个周期目标（试运行，未写入）。") % {"n": count})
        else:
            messages.success(request, _("已设置 %(n)d 个周期目标。") % {"n": count})
        return redirect(request.path)
