from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView

from . import selectors, services
from .kinds import NotificationKind
from .models import Notification


class NotificationListView(LoginRequiredMixin, ListView):
    """One line per group (e.g. a review's decisions), what asks the reader to act first; filters by kind, read
    state and "asks me to act"; `?group=` lists one group's notifications one by one."""

    template_name = "notifications/list.html"
    paginate_by = 30

    def get_filters(self) -> dict:
        params = self.request.GET
        return {"kind": params.get("kind", ""), "state": params.get("state", ""),
                "action": params.get("action") == "1", "group": params.get("group", "")[:64]}

    def get_queryset(self):
        filters = self.get_filters()
        qs = selectors.notification_filter(user=self.request.user, **filters)
        return qs if filters["group"] else selectors.notification_groups(qs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = self.get_filters()
        if not filters["group"]:
            context["groups"] = selectors.attach_latest(context["object_list"])
        return {**context, "filters": filters, "kinds": NotificationKind.choices,
                "states": [("unread", _("未读")), ("read", _("已读"))]}


class NotificationMarkReadView(LoginRequiredMixin, View):
    def post(self, request):
        # No id and no group means "all"; malformed ids are ignored rather than failing the whole request.
        raw = request.POST.getlist("id")
        ids = [int(value) for value in raw if value.isascii() and value.isdecimal()] if raw else None
        groups = [value[:64] for value in request.POST.getlist("group")] or None
        services.mark_read(user=request.user, ids=ids, groups=groups)
        return redirect("notifications:list")


class NotificationOpenView(LoginRequiredMixin, View):
    """Opening a notification (a POST, so that reading never writes on GET) marks it and the rest of its group read
    and goes to its page."""

    def post(self, request, pk):
        note = get_object_or_404(Notification, pk=pk, recipient=request.user)
        if note.group_key:
            services.mark_read(user=request.user, groups=[note.group_key])
        else:
            services.mark_read(user=request.user, ids=[note.pk])
        if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
            return redirect(note.url)
        return redirect("notifications:list")
