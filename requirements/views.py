"""Backlog pages: thin views over the selectors and services."""
import base64
import binascii

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, TemplateView

from accounts.permissions import ProductEditorRequiredMixin, can_manage_products
from bankpm.exports import CONTENT_TYPES, export_response
from bankpm.views import FilteredListView
from core.errors import DOMAIN_ERRORS, DomainConflict, error_text
from core.pages import ServiceFormView, error_json, flash_error
from products.models import Product

from . import selectors, services, tabular
from .choices import BulkAction, Priority, RequirementStatus, RequirementTransition, VersionStatus
from .filtersets import FeedbackFilterSet, RequirementFilterSet, VersionFilterSet
from .forms import CommentForm, FeedbackForm, ImportForm, RequirementForm, VersionForm, VersionReleaseForm
from .ids import parse_id, parse_ids
from .models import Feedback, ProductVersion, Requirement

BOARD_COLUMNS = [
    RequirementStatus.NEW, RequirementStatus.ANALYSING, RequirementStatus.CONFIRMED, RequirementStatus.SCHEDULED,
    RequirementStatus.IN_DEVELOPMENT, RequirementStatus.DELIVERED, RequirementStatus.DEFERRED,
    RequirementStatus.REJECTED,
]


class BacklogFormView(ServiceFormView):
    """A backlog form (requirement, version, feedback): who may edit the product's backlog, by the service's rule;
    an edit page of another manager's product is a 403 on GET too, like the product edit page."""

    can_service = services.requirement_can_edit

    def permission_kwargs(self):
        return {"product": self.object.product if self.object else None}

    @property
    def denied_message(self):
        return _("只有该产品的产品经理、产品负责人和管理员可以修改其需求。") if self.object else _(
            "只有产品经理、产品负责人和管理员可以使用该页面。")


def _back(request, fallback):
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or fallback
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = fallback
    return redirect(target)


class RequirementListView(FilteredListView):
    model = Requirement
    filterset_class = RequirementFilterSet
    template_name = "requirements/requirement_list.html"
    paginate_by = 50

    def get_base_queryset(self):
        # The assignee's name is shown as the user's str(): the one related row built per requirement.
        return selectors.requirement_backlog().select_related("assignee")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        product = self.filterset.form.cleaned_data.get("product") if self.filterset.is_bound \
            and self.filterset.form.is_valid() else None
        # Scheduling needs a version of the same product: offer versions once the backlog is filtered by product.
        versions = ProductVersion.objects.filter(product=product, status=VersionStatus.PLANNED) if product else []
        if product is None:
            # 500 products' versions are no use in one drop-down: the version filter fills once a product is chosen.
            field = self.filterset.form.fields["target_version"]
            field.option_queryset = field.queryset.none()
        context.update(
            product=product,
            can_edit=can_manage_products(self.request.user),
            priorities=Priority.choices,
            transitions=RequirementTransition.choices,
            bulk_actions=BulkAction.choices,
            versions=versions,
            # The bulk form's assignees are the filter's (one query for both drop-downs).
            users=self.filterset.form.fields["assignee"].option_list(),
            detail_prefix=reverse("requirements:list"),
            product_prefix=reverse("products:list"),
        )
        return context


class RequirementExportView(LoginRequiredMixin, View):
    """The current filters, as CSV or XLSX."""

    def get(self, request):
        return _export(request, RequirementFilterSet(request.GET, queryset=selectors.requirement_list(),
                                                     request=request),
                       tabular.export_requirements, tabular.REQUIREMENT_EXPORT_COLUMNS, "requirements")


def _export(request, filterset, rows_of, headers, name):
    """The filtered rows as CSV (with BOM) or XLSX; invalid filters export the headers only."""
    fmt = request.GET.get("format", "csv")
    fmt = fmt if fmt in CONTENT_TYPES else "csv"
    rows = rows_of(filterset.qs) if filterset.is_valid() else []
    return export_response(headers=headers, rows=rows, filename=name, file_format=fmt)


class RequirementBoardView(LoginRequiredMixin, TemplateView):
    template_name = "requirements/board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        product_id = parse_id(self.request.GET.get("product", ""))
        product = get_object_or_404(Product.objects.select_related("owner"), pk=product_id) if product_id else None
        context["product"] = product
        # Not .only(): Product's FSM mixin reads the deferred stage of each row, one query per product.
        context["products"] = Product.objects.order_by("code")
        if product is not None:
            grouped = selectors.requirement_board(product=product)
            context["columns"] = [(status, RequirementStatus(status).label, grouped[status])
                                  for status in BOARD_COLUMNS]
            context["can_edit"] = services.requirement_can_edit(user=self.request.user, product=product)
            # One reverse() for the page instead of two per card.
            context["detail_prefix"] = reverse("requirements:list")
            # What static/js/board.js needs, as data (the CSP allows no inline script).
            context["board_config"] = {
                "csrf": get_token(self.request), "detailPrefix": context["detail_prefix"],
                "askReject": _("请输入拒绝原因"), "askDefer": _("请输入搁置原因"),
                "reasonRequired": _("拒绝或搁置需求时必须填写原因。"), "networkError": _("网络错误，请重试。"),
            }
        return context


class RequirementDetailView(LoginRequiredMixin, DetailView):
    template_name = "requirements/requirement_detail.html"
    context_object_name = "requirement"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.requirement_list().select_related("created_by"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        requirement = self.object
        context.update(
            can_edit=services.requirement_can_edit(user=self.request.user, product=requirement.product),
            transitions=[(name, RequirementTransition(name).label)
                         for name in services.requirement_available_transitions(requirement=requirement)],
            history=selectors.requirement_history(requirement=requirement),
            comments=selectors.requirement_comments(requirement=requirement),
            comment_form=CommentForm(),
            feedback_items=requirement.feedback_items.all(),
        )
        return context


class ProductInitialMixin:
    """`?product=<id>` preselects the product of a new object."""

    def get_initial(self):
        product = parse_id(self.request.GET.get("product", ""))
        return {"product": product} if product else {}


class RequirementFormView(ProductInitialMixin, BacklogFormView):
    """Create when there is no pk, edit otherwise; the service decides what is allowed."""

    model = Requirement
    form_class = RequirementForm
    template_name = "requirements/requirement_form.html"

    @property
    def success_message(self):
        return _("需求已保存。")

    def get_object_queryset(self):
        return Requirement.objects.select_related("product")

    def create(self, *, user, data):
        return services.requirement_create(user=user, data=data)

    def update(self, *, user, obj, data):
        return services.requirement_update(user=user, requirement=obj, data=data)


@require_POST
def requirement_transition_view(request, pk):
    """A status button or a board drop: JSON for fetch() callers (the new status; a refusal in the API's shape,
    409 `{"detail", "code"}`), else a redirect."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    requirement = get_object_or_404(Requirement.objects.select_related("product"), pk=pk)
    wants_json = "application/json" in request.headers.get("Accept", "")
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("status"):
            services.requirement_move(user=request.user, requirement=requirement, status=request.POST["status"],
                                      reason=reason)
        else:
            services.requirement_transition(user=request.user, requirement=requirement,
                                            transition=request.POST.get("transition", ""), reason=reason)
    except (services.TransitionRefused, ValidationError, PermissionDenied) as error:
        if wants_json:
            return error_json(error)
        flash_error(request, error)
        return redirect(requirement)
    if wants_json:
        return JsonResponse({"status": requirement.status, "status_label": requirement.get_status_display()})
    messages.success(request, _("状态已更新为“%(s)s”。") % {"s": requirement.get_status_display()})
    return redirect(requirement)


@require_POST
def requirement_bulk_view(request):
    """Bulk actions of the backlog page: all selected rows change, or none."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    ids = parse_ids(request.POST.getlist("ids"))
    action = request.POST.get("action", "")
    value = request.POST.get(f"value_{action}", "")
    try:
        count = services.requirement_bulk_update(user=request.user, requirements=ids, action=action, value=value,
                                                 reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _("批量操作未执行：%(e)s") % {"e": error_text(error)})
    else:
        messages.success(request, _("已更新 %(n)s 条需求。") % {"n": count})
    return _back(request, reverse("requirements:list"))


@require_POST
def comment_create_view(request, pk):
    if not request.user.is_authenticated:
        raise PermissionDenied
    requirement = get_object_or_404(Requirement, pk=pk)
    try:
        comment = services.comment_create(user=request.user, requirement=requirement,
                                          body=request.POST.get("body", ""))
    except ValidationError as error:
        flash_error(request, error)
        return redirect(reverse("requirements:detail", args=[pk]) + "#comments")
    if comment.mentioned:
        messages.success(request, _("已通知：%(names)s。") % {"names": ", ".join(str(p) for p in comment.mentioned)})
    if comment.unknown_mentions:
        messages.warning(request, _("没有找到这些用户，未发送通知：%(names)s。") % {
            "names": ", ".join(f"@{name}" for name in comment.unknown_mentions)})
    return redirect(reverse("requirements:detail", args=[pk]) + f"#comment-{comment.pk}")


class ImportView(ProductEditorRequiredMixin, View):
    """Upload, dry run (every row's outcome), then import; one bad row and nothing is imported."""

    raise_exception = True
    template_name = "requirements/import.html"

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("kind") not in tabular.KINDS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, kind):
        file_format = request.GET.get("template")
        if file_format in ("csv", "xlsx"):
            return _import_template(kind, file_format)
        return self._render(request, kind, ImportForm())

    def post(self, request, kind):
        form = ImportForm(request.POST, request.FILES)
        form.is_valid()
        upload = form.cleaned_data.get("file")
        try:
            if upload:
                content, filename = tabular.read_upload(upload), upload.name
            else:
                content = base64.b64decode(form.cleaned_data.get("content") or "", validate=True)
                filename = form.cleaned_data.get("filename") or "upload.csv"
            if not content:
                raise tabular.ImportFileError(_("请选择要导入的文件。"))
            dataset = tabular.read_dataset(content=content, filename=filename)
            dry_run = "confirm" not in request.POST
            result = tabular.import_rows(user=request.user, kind=kind, dataset=dataset, dry_run=dry_run)
        except (tabular.ImportFileError, binascii.Error) as error:
            form.add_error("file", str(error))
            return self._render(request, kind, form)
        if result.imported:
            messages.success(request, _("已导入 %(n)s 行。") % {"n": result.imported})
            return redirect("requirements:list" if kind == "requirements" else "requirements:feedback-list")
        hidden = ImportForm(initial={"content": base64.b64encode(content).decode(), "filename": filename})
        return self._render(request, kind, hidden, result=result)

    def _render(self, request, kind, form, result=None):
        return render(request, self.template_name, {
            "form": form, "kind": kind, "result": result, "columns": tabular.column_labels(kind),
            "required": set(tabular.required_columns(kind)), "coded": tabular.coded_columns(kind)})


def _import_template(kind: str, file_format: str) -> HttpResponse:
    """The import template (headers in the reader's language); the XLSX has the valid codes on a second sheet."""
    book = tabular.template_book(kind)
    if file_format == "xlsx":
        payload = book.export("xlsx")
    else:
        payload = "\ufeff" + book.sheets()[0].export("csv")
    response = HttpResponse(payload, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{file_format}"'
    return response


class VersionListView(FilteredListView):
    model = ProductVersion
    filterset_class = VersionFilterSet
    template_name = "requirements/version_list.html"

    def get_base_queryset(self):
        return selectors.version_list().order_by("product__code", "planned_date", "id")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_edit": can_manage_products(self.request.user)}


class VersionDetailView(LoginRequiredMixin, DetailView):
    template_name = "requirements/version_detail.html"
    context_object_name = "version"

    def get_queryset(self):
        return selectors.version_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = selectors.version_scope(version=self.object)
        context.update(
            scope=scope,
            open_items=[r for r in scope if r["open"]],
            release_form=VersionReleaseForm(version=self.object),
            percent=round(100 * self.object.delivered / self.object.total) if self.object.total else 0,
            can_edit=services.requirement_can_edit(user=self.request.user, product=self.object.product),
        )
        return context


class VersionFormView(ProductInitialMixin, BacklogFormView):
    model = ProductVersion
    context_object_name = "version"
    form_class = VersionForm
    template_name = "requirements/version_form.html"

    def get_object_queryset(self):
        return ProductVersion.objects.select_related("product")

    def create(self, *, user, data):
        return services.version_create(user=user, data=data)

    def update(self, *, user, obj, data):
        return services.version_update(user=user, version=obj, data=data)

    def get_success_message(self, saved, *, created: bool) -> str:
        done = _("版本 %(name)s 已创建。") if created else _("版本 %(name)s 已保存。")
        return done % {"name": saved.name}


@require_POST
def version_release_view(request, pk):
    if not request.user.is_authenticated:
        raise PermissionDenied
    version = get_object_or_404(ProductVersion.objects.select_related("product"), pk=pk)
    form = VersionReleaseForm(request.POST, version=version)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.version_release(user=request.user, version=version, unfinished=data.get("unfinished") or "",
                                 move_to=data.get("move_to"))
        messages.success(request, _("版本已发布。"))
    except (DomainConflict, ValidationError) as error:  # TransitionRefused among them
        flash_error(request, error)
    return redirect(version)


class FeedbackListView(FilteredListView):
    model = Feedback
    filterset_class = FeedbackFilterSet
    template_name = "requirements/feedback_list.html"
    paginate_by = 50

    def get_base_queryset(self):
        return selectors.feedback_list()

    def get_context_data(self, **kwargs):
        user = self.request.user
        # Like the messages shown once, the draft of a refused conversion is read once and forgotten.
        draft = self.request.session.pop(CONVERT_DRAFT, None) or {"ids": [], "title": ""}
        context = super().get_context_data(**kwargs)
        # Ticks only where the conversion would be allowed, by the service's own rule (products already joined).
        convertible = {f.pk for f in context["object_list"]
                       if not f.requirement_id and services.requirement_can_edit(user=user, product=f.product)}
        return {**context, "can_edit": can_manage_products(user), "convertible_ids": convertible,
                "draft_ids": set(draft["ids"]), "draft_title": draft["title"]}


class FeedbackExportView(LoginRequiredMixin, View):
    """The inbox's current filters, as CSV or XLSX."""

    def get(self, request):
        return _export(request, FeedbackFilterSet(request.GET, queryset=selectors.feedback_list(), request=request),
                       tabular.export_feedback, tabular.FEEDBACK_EXPORT_COLUMNS, "feedback")


class FeedbackFormView(BacklogFormView):
    form_class = FeedbackForm
    template_name = "requirements/feedback_form.html"

    @property
    def success_message(self):
        return _("反馈已录入。")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def save(self, form):
        return services.feedback_create(user=self.request.user, data=form.cleaned_data)

    def get_success_url_for(self, saved) -> str:
        return reverse("requirements:feedback-list")


CONVERT_DRAFT = "requirements.feedback_convert_draft"


@require_POST
def feedback_convert_view(request):
    """"Create requirement from selected": one requirement backed by every selected feedback item."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    ids = parse_ids(request.POST.getlist("feedback"))
    try:
        requirement = services.feedback_convert(user=request.user, feedback_ids=ids,
                                                title=request.POST.get("title", "").strip())
    except DOMAIN_ERRORS as error:
        flash_error(request, error)
        # The inbox shows the ticks and the typed title again, so that a correction needs no retyping.
        request.session[CONVERT_DRAFT] = {"ids": ids, "title": request.POST.get("title", "")[:200]}
        return _back(request, reverse("requirements:feedback-list"))
    messages.success(request, _("已根据 %(n)s 条反馈创建需求。") % {"n": len(ids)})
    return redirect(requirement)
