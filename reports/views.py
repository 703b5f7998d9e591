"""The reports page (kept portfolio packs) and their downloads."""
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import ListView

from .models import PortfolioPack

CONTENT_TYPES = {"pdf": "application/pdf",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class PackListView(LoginRequiredMixin, ListView):
    template_name = "reports/pack_list.html"
    context_object_name = "packs"
    paginate_by = 50

    def get_queryset(self):
        return PortfolioPack.objects.defer("pdf", "xlsx", "figures").order_by("-period_start", "kind", "language")


class PackFileView(LoginRequiredMixin, View):
    """A kept pack's PDF or XLSX, byte for byte as built."""

    def get(self, request, pk: int, fmt: str):
        if fmt not in CONTENT_TYPES:
            raise Http404
        pack = get_object_or_404(PortfolioPack.objects.only(fmt, "kind", "period_start", "language"), pk=pk)
        response = HttpResponse(bytes(getattr(pack, fmt)), content_type=CONTENT_TYPES[fmt])
        name = f"portfolio-{pack.kind}-{pack.period_start:%Y-%m}-{pack.language}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
