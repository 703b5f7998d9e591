from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import ListView

from . import services
from .models import Notification


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "notifications/list.html"
    paginate_by = 30

    def get_queryset(self):
        return Notification.objects.filter(recipient=self.request.user)


class NotificationMarkReadView(LoginRequiredMixin, View):
    def post(self, request):
        # No id means "all"; malformed ids are ignored rather than failing the whole request.
        raw = request.POST.getlist("id")
        ids = [int(value) for value in raw if value.isascii() and value.isdecimal()] if raw else None
        services.mark_read(user=request.user, ids=ids)
        return redirect("notifications:list")


class NotificationOpenView(LoginRequiredMixin, View):
    """Opening a notification (a POST, so that reading never writes on GET) marks it read and goes to its page."""

    def post(self, request, pk):
        note = get_object_or_404(Notification, pk=pk, recipient=request.user)
        services.mark_read(user=request.user, ids=[note.pk])
        if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
            return redirect(note.url)
        return redirect("notifications:list")
