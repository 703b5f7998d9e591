"""Shared page plumbing: filtered list views, home and health check (the service-backed form view: core.pages)."""
import sys
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.messages import get_messages
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext
from django.views.generic import ListView

from core.counts import CountedPaginator


class FilteredListView(LoginRequiredMixin, ListView):
    """A list page driven by the same FilterSet as the API (NetBox's ObjectListView, in small)."""

    filterset_class = None
    paginate_by = 25
    paginator_class = CountedPaginator  # an unfiltered list of a large table is not counted row by row

    def get_base_queryset(self):
        return self.model._default_manager.all()

    def get_queryset(self):
        self.filterset = self.filterset_class(self.request.GET or None, queryset=self.get_base_queryset(),
                                              request=self.request)
        return self.filterset.qs if self.filterset.is_bound else self.filterset.queryset

    def get_paginate_by(self, queryset):
        size = self.request.GET.get("page_size", "")
        # isdecimal() alone admits digits like "²" or "١" that int() refuses.
        valid = size.isascii() and size.isdecimal() and 0 < int(size)
        return min(int(size), 200) if valid else self.paginate_by

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        return context


CARD_TAG = "card-"


def card_messages(request) -> dict[int, list]:
    """Messages a per-card action left for its own card (tagged `card-<id>`), by card id; the banner skips them."""
    by_card: dict[int, list] = {}
    for message in get_messages(request):
        tag = next((t for t in message.extra_tags.split() if t.startswith(CARD_TAG)), None)
        if tag and tag[len(CARD_TAG):].isascii() and tag[len(CARD_TAG):].isdecimal():
            by_card.setdefault(int(tag[len(CARD_TAG):]), []).append(message)
    return by_card


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect(settings.BANKPM_HOME_URL)


class LoginView(auth_views.LoginView):
    """Django's sign-in, which then applies the language the user last chose (saved on the user by the switcher,
    which a new browser would not know); a language picked on the sign-in page itself wins and is saved."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user, languages = form.get_user(), dict(settings.LANGUAGES)
        picked = self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if picked in languages:
            if picked != user.language:
                get_user_model().objects.filter(pk=user.pk).update(language=picked)
        elif user.language in languages:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, user.language, max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE)
        return response


def set_language(request):
    """Django's language switch, which also remembers the choice on the user: their mails follow it."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        get_user_model().objects.filter(pk=request.user.pk).update(language=language)
    return response


HEALTH_CHECK_SECONDS = 0.5
_health_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="healthz")


def healthz(request):
    """Database and broker status for load balancers and monitoring; the broker check is time-boxed, so an
    unreachable broker is a 503 within HEALTH_CHECK_SECONDS, not after the client library's retries."""
    status = {"database": _check_database(), "broker": _time_boxed(_check_broker)}
    healthy = all(value in ("ok", "eager") for value in status.values())
    return JsonResponse({"status": "ok" if healthy else "error", **status}, status=200 if healthy else 503)


def _check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as error:  # noqa: BLE001 - reported, not raised
        return f"error: {error.__class__.__name__}"


def _time_boxed(check) -> str:
    future = _health_pool.submit(check)
    try:
        return future.result(timeout=HEALTH_CHECK_SECONDS)
    except FutureTimeout:
        return "error: timeout"


def _check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER and not settings.CELERY_BROKER_URL:
        return "eager"
    from bankpm.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=HEALTH_CHECK_SECONDS)
        return "ok"
    except Exception as error:  # noqa: BLE001
        return f"error: {error.__class__.__name__}"


def not_found(request, exception=None):
    """API clients get JSON 404s (e.g. a malformed id in the path); people get the styled page in their language."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("未找到。")}, status=404)
    # Django's own 404 messages ("No Product matches the given query") are internal, never shown.
    return _error_page(request, status=404, title=gettext("页面不存在"),
                       reason=gettext("您访问的页面不存在或已被移除。"))


DATABASE_DOWN = (OperationalError, InterfaceError)


def server_error(request):
    """500; or 503 with Retry-After when the database cannot be reached: it is not a bug, and the client should
    simply retry shortly (load balancers and API clients act on the status). Renders without the database."""
    error = sys.exc_info()[1]
    if not isinstance(error, DATABASE_DOWN):
        return HttpResponseServerError(loader.render_to_string("500.html", request=None))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": gettext("数据库暂时无法连接，请几秒后重试。"),
                                 "code": "service_unavailable"}, status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html", request=None), status=503)
    response["Retry-After"] = "5"
    return response


def permission_denied(request, exception=None):
    """The styled 403 page with the service's own reason (e.g. "您无权查看产品经理考核。") when it gave one."""
    reason = str(exception) if exception and str(exception) else gettext("您无权访问该页面。")
    return _error_page(request, status=403, title=gettext("无权访问"), reason=reason)


def _error_page(request, *, status: int, title: str, reason: str):
    return render(request, "error.html", {"status_code": status, "error_title": title, "reason": reason},
                  status=status)
