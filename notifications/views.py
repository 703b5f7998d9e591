from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
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
