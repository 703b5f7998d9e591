from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView

from accounts.permissions import ProductEditorRequiredMixin
from bankpm.exports import CONTENT_TYPES, export_response
from bankpm.views import FilteredListView

from . import selectors, services
from .filtersets import ProductFilterSet
from .forms import ProductForm
from .models import Product
from .sections import product_sections

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


class ProductFormView(ProductEditorRequiredMixin, FormView):
    """Create when there is no pk, edit otherwise; the service decides what is allowed."""

    form_class = ProductForm
    template_name = "products/product_form.html"
    raise_exception = True
    product = None

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.product = get_object_or_404(Product, pk=kwargs["pk"])
            if request.user.is_authenticated and not services.product_can_edit(user=request.user, product=self.product):
                raise PermissionDenied(_("您无权编辑该产品。"))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.product}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        if self.request.user.is_product_manager:
            data.pop("owner", None)
        try:
            if self.product:
                product = services.product_update(user=self.request.user, product=self.product, data=data)
            else:
                product = services.product_create(user=self.request.user, data=data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        if self.product:
            messages.success(self.request, _("产品“%(product)s”已保存。") % {"product": product})
        else:
            messages.success(self.request, _("产品“%(product)s”已创建，已进入规划阶段。") % {"product": product})
        return redirect(product)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "product": self.product}
