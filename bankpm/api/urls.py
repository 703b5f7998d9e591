"""Every app's API routes under /api/v1/, one namespace ("api")."""
from django.urls import include, path

from accounts.api import MeView, ObtainTokenView

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    path("", include("core.api.urls")),
    path("", include("products.api.urls")),
    path("", include("lifecycle.api.urls")),
    path("", include("approvals.api.urls")),
    path("", include("requirements.api.urls")),
    path("", include("kpis.api.urls")),
    path("", include("risks.api.urls")),
    path("", include("exits.api.urls")),
    path("", include("changes.api.urls")),
    path("", include("complaints.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("roadmap.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("reviews.api.urls")),
]
