"""Every app's API routes under /api/v1/, one namespace ("api")."""
from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token

from accounts.api import MeView

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    path("", include("products.api.urls")),
    path("", include("lifecycle.api.urls")),
    path("", include("requirements.api.urls")),
    path("", include("kpis.api.urls")),
]
