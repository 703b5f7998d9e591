from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import views as portal_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", portal_views.search, name="search"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}img/favicon.svg")),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
    # The approval engine's models moved from lifecycle to approvals (issue 20): their old admin addresses redirect.
    re_path(r"^admin/lifecycle/(?P<model>gatereview|gatepolicy|approvalstep|delegation|condition)/(?P<rest>.*)$",
            RedirectView.as_view(url="/admin/approvals/%(model)s/%(rest)s", query_string=True)),
    path("admin/", admin.site.urls),
    path("audit/", include("core.urls")),
    path("products/", include("products.urls")),
    path("lifecycle/", include("lifecycle.urls")),
    path("requirements/", include("requirements.urls")),
    path("kpis/", include("kpis.urls")),
    path("risks/", include("risks.urls")),
    path("exits/", include("exits.urls")),
    path("changes/", include("changes.urls")),
    path("complaints/", include("complaints.urls")),
    path("notifications/", include("notifications.urls")),
    path("roadmap/", include("roadmap.urls")),
    path("reports/", include("reports.urls")),
    path("reviews/", include("reviews.urls")),
    path("api/v1/", include(("bankpm.api.urls", "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, so the docs work under the CSP too.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
handler403 = "bankpm.views.permission_denied"
handler404 = "bankpm.views.not_found"
handler500 = "bankpm.views.server_error"
