from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.translation import gettext as _
from django.views.generic import DetailView

from bankpm.exports import CONTENT_TYPES, export_response
from bankpm.views import FilteredListView
from core.pages import ServiceFormView
from core.roles import can_manage_products, is_portfolio_manager

from . import selectors, services
from .filtersets import ProductFilterSet
from .forms import ProductForm
from .models import Product
from .sections import product_sections
from .terms import TERM_FIELDS

EXPORT_FIELDS = [
    "code", "name", "name_en", "category", "stage", "risk_rating", "customer_segment", "sales_channels", "owner",
    "interest_rate", "fee", "expected_yield_min", "expected_yield_max",
]
EXPORT_HEADERS = [Product._meta.get_field(name).verbose_name for name in EXPORT_FIELDS]


class ProductListView(FilteredListView):
    model = Product
    filterset_class = ProductFilterSet
    template_name = "products/product_list.html"

    def get_base_queryset(self):
        return selectors.product_list()

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_create": can_manage_products(self.request.user)}

    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("export")
        if file_format in CONTENT_TYPES:
            return export_response(
                headers=EXPORT_HEADERS, rows=selectors.product_export_rows(self.get_queryset()),
                filename="products", file_format=file_format,
            )
        return super().get(request, *args, **kwargs)


class ProductDetailView(LoginRequiredMixin, DetailView):
    template_name = "products/product_detail.html"
    context_object_name = "product"

    def get_queryset(self):
        return selectors.product_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = services.product_can_edit(user=self.request.user, product=self.object)
        context["top_sections"] = product_sections(slot="top")
        context["sections"] = product_sections(slot="main")
        return context


class ProductFormView(ServiceFormView):
    """Create when there is no pk, edit otherwise; the service decides what is allowed."""

    model = Product
    form_class = ProductForm
    template_name = "products/product_form.html"
    can_service = services.product_can_edit

    def permission_kwargs(self):
        return {"product": self.object}

    @property
    def denied_message(self):
        return _("您无权编辑该产品。") if self.object else _("只有产品经理、产品负责人和管理员可以使用该页面。")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        self.terms_locked = None
        if self.object:
            # Terms frozen after launch or locked during a review: shown greyed out with the reason.
            self.terms_locked = services.product_edit_refusal(user=self.request.user, product=self.object,
                                                              fields=TERM_FIELDS)
            for name in TERM_FIELDS if self.terms_locked else ():
                if name in form.fields:
                    form.fields[name].disabled = True
        return form

    def service_data(self, form):
        data = dict(form.cleaned_data)
        if not is_portfolio_manager(self.request.user):  # a product manager always owns their products
            data.pop("owner", None)
        return data

    def create(self, *, user, data):
        return services.product_create(user=user, data=data)

    def update(self, *, user, obj, data):
        return services.product_update(user=user, product=obj, data=data)

    def get_success_message(self, saved, *, created: bool) -> str:
        if created:
            return _("产品“%(product)s”已创建，已进入规划阶段。") % {"product": saved}
        return _("产品“%(product)s”已保存。") % {"product": saved}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "terms_locked": getattr(self, "terms_locked", None)}
