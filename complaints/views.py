"""Complaint pages: the register with its Pareto, a complaint's page, registering from feedback, the upload."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView

from bankpm.views import FilteredListView
from core.errors import BulkValidationError, DomainConflict, error_text
from core.pages import flash_error, upload_row_errors
from products.models import Product
from requirements.models import Feedback

from . import selectors, services
from .choices import ComplaintSource
from .filtersets import ComplaintFilterSet
from .forms import ClassifyForm, ComplaintUploadForm, RootCauseForm
from .models import Complaint


class ComplaintListView(FilteredListView):
    """The register, filtered like the API, with the Pareto of root causes and the categories beside it."""

    model = Complaint
    filterset_class = ComplaintFilterSet
    template_name = "complaints/complaint_list.html"

    def get_base_queryset(self):
        return selectors.complaint_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        product_id = self.request.GET.get("product", "")
        product = Product.objects.filter(pk=product_id).first() if product_id.isdigit() else None
        pareto = selectors.root_cause_pareto(product=product)
        chart = {"labels": [r["label"] for r in pareto], "counts": [r["count"] for r in pareto],
                 "cumulative": [r["cumulative_pct"] for r in pareto],
                 "names": {"count": _("投诉数"), "cumulative": _("累计占比 %")}}
        return {**context, "pareto": pareto, "pareto_chart": chart, "pareto_product": product,
                "categories": selectors.category_breakdown(product=product)}


class ComplaintDetailView(LoginRequiredMixin, DetailView):
    template_name = "complaints/complaint_detail.html"
    context_object_name = "complaint"

    def get_queryset(self):
        return selectors.complaint_detail()

    def get_context_data(self, **kwargs):
        complaint = self.object
        initial = {"root_cause": complaint.root_cause, "root_cause_text": complaint.root_cause_text,
                   "resolution": complaint.resolution,
                   "requirements": [r.pk for r in complaint.requirements.all()],
                   "risks": [r.pk for r in complaint.risks.all()], "changes": [c.pk for c in complaint.changes.all()]}
        form = kwargs.pop("form", None) or RootCauseForm(initial=initial, complaint=complaint)
        return {**super().get_context_data(**kwargs), "form": form,
                "can_handle": services.complaint_can_handle(user=self.request.user, complaint=complaint)}

    def post(self, request, pk):
        """Save the root cause, resolution and links, or run a transition (`action`)."""
        self.object = get_object_or_404(self.get_queryset(), pk=pk)
        action = request.POST.get("action", "save")
        try:
            if action in services.TRANSITIONS:
                services.complaint_transition(user=request.user, complaint=self.object, transition=action,
                                              reason=request.POST.get("reason", ""),
                                              resolution=request.POST.get("resolution", ""))
            else:
                form = RootCauseForm(request.POST, complaint=self.object)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form))
                services.complaint_update(user=request.user, complaint=self.object, data=form.cleaned_data)
            messages.success(request, _("投诉已更新。"))
        except (ValidationError, DomainConflict, PermissionDenied) as error:
            flash_error(request, error)
        return redirect("complaints:detail", pk=pk)


class FromFeedbackView(LoginRequiredMixin, FormView):
    """Register a feedback item of the complaint channel as a complaint: the page asks category and severity."""

    form_class = ClassifyForm
    template_name = "complaints/from_feedback.html"

    def dispatch(self, request, *args, **kwargs):
        self.feedback = get_object_or_404(Feedback.objects.select_related("product"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "feedback": self.feedback}

    def form_valid(self, form):
        try:
            complaint = services.complaint_from_feedback(user=self.request.user, feedback=self.feedback,
                                                         data=form.cleaned_data)
        except (DomainConflict, PermissionDenied) as error:
            form.add_error(None, error_text(error))
            return self.form_invalid(form)
        except BulkValidationError as error:
            form.add_error(None, " ".join(m for e in error.item_errors for ms in e["errors"].values() for m in ms))
            return self.form_invalid(form)
        messages.success(self.request, _("已登记为投诉 #%(id)s。") % {"id": complaint.pk})
        return redirect(complaint)


class ComplaintUploadView(LoginRequiredMixin, FormView):
    """CSV/XLSX upload: all or nothing, errors per spreadsheet row."""

    form_class = ComplaintUploadForm
    template_name = "complaints/upload.html"

    def form_valid(self, form):
        try:
            created = services.complaints_register(user=self.request.user, items=form.cleaned_data["file"],
                                                   source=ComplaintSource.UPLOAD)
        except BulkValidationError as error:
            return self.render_to_response(self.get_context_data(form=form, **upload_row_errors(error)))
        except ValidationError as error:
            form.add_error("file", error.messages)
            return self.form_invalid(form)
        messages.success(self.request, _("已登记 %(n)s 条投诉。") % {"n": len(created)})
        return redirect("complaints:list")


