"""The audit page: every entry the reader may see, the API's filters, CSV/XLSX export, the last verification."""
from django.core.exceptions import PermissionDenied

from bankpm.exports import CONTENT_TYPES, export_response
from bankpm.views import FilteredListView

from .filtersets import AuditEntryFilterSet
from .models import AuditEntry
from .roles import audit_can_read
from .selectors import EXPORT_HEADERS, audit_entries, audit_export_rows
from .verification import last_verification


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
        return {**super().get_context_data(**kwargs), "verification": last_verification()}
