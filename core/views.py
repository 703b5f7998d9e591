"""The audit page: every entry the reader may see, the API's filters, CSV/XLSX export, the last verification."""
from celery.result import AsyncResult
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from bankpm.exports import CONTENT_TYPES, export_response
from bankpm.views import FilteredListView

from .filtersets import AuditEntryFilterSet
from .models import AuditEntry, AuditVerificationRun
from .roles import audit_can_read
from .selectors import EXPORT_HEADERS, audit_entries, audit_export_rows
from .verification import (
    RUN_STALE_AFTER,
    audit_verification_can_start,
    audit_verification_open_run,
    audit_verification_request,
    last_verification,
)


class AuditListView(FilteredListView):
    model = AuditEntry
    filterset_class = AuditEntryFilterSet
    template_name = "core/audit_list.html"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not audit_can_read(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return audit_entries(user=self.request.user)

    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("export")
        if file_format in CONTENT_TYPES:
            return export_response(headers=EXPORT_HEADERS, rows=audit_export_rows(self.get_queryset()),
                                   filename="audit", file_format=file_format)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **verification_panel(user=self.request.user)}


def verification_panel(*, user, run=None) -> dict:
    """What the verification panel shows: the last result, or the requested run under way and its progress."""
    run = run if run is not None else audit_verification_open_run()
    progress, failed = None, False
    if run is not None and run.verification_id is not None:
        run = None  # finished: the panel shows its result, the latest verification
    elif run is not None and run.requested_at < timezone.now() - RUN_STALE_AFTER:
        run, failed = None, True  # its worker died: another may be started
    if run is not None:
        result = AsyncResult(str(run.pk))
        if result.state == "PROGRESS" and isinstance(result.info, dict) and result.info.get("total"):
            done, total = int(result.info["done"]), int(result.info["total"])
            progress = {"done": done, "total": total, "percent": round(100 * done / total)}
        elif result.state == "FAILURE":
            run, failed = None, True
    return {"verification": last_verification(), "run": run, "progress": progress, "failed": failed,
            "can_start": audit_verification_can_start(user=user)}


class AuditVerificationStartView(LoginRequiredMixin, View):
    """An administrator starts a verification; htmx swaps the panel in, which then follows the run's progress."""

    def post(self, request):
        run = audit_verification_request(user=request.user)  # PermissionDenied -> 403 for anybody else
        if request.headers.get("HX-Request"):
            return render(request, "core/_verification.html", verification_panel(user=request.user, run=run))
        return redirect("core:audit")


class AuditVerificationStatusView(LoginRequiredMixin, View):
    """The panel of one requested run, polled by the page every second until it has its result."""

    def get(self, request, pk):
        if not audit_verification_can_start(user=request.user):
            raise PermissionDenied
        run = get_object_or_404(AuditVerificationRun.objects.select_related("requested_by"), pk=pk)
        return render(request, "core/_verification.html", verification_panel(user=request.user, run=run))
